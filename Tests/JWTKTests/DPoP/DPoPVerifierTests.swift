import Foundation
import JWTK
import Testing

/// A client's side of DPoP, for the tests: a key pair and proofs signed with it.
struct DPoPClient {
    let key: SigningKey
    let algorithm: JWSAlgorithm

    init(_ algorithm: JWSAlgorithm = .ES256, rsaBits: Int = 2048) throws {
        self.key = try SigningKey.generate(for: algorithm, rsaBits: rsaBits)
        self.algorithm = algorithm
    }

    var thumbprint: String { key.verificationKey.thumbprint }

    /// A proof with the given claims (JSON members, without braces) and header.
    func proof(_ claims: String, typ: String? = "dpop+jwt", jwk: String? = nil, signer: SigningKey? = nil) throws -> String {
        let jwkText = jwk ?? key.verificationKey.publicJWK
        return try JWTSigner(key: signer ?? key, algorithm: algorithm)
            .sign(claims: "{\(claims)}", type: typ, extraHeader: #"{"jwk":\#(jwkText)}"#)
    }

    /// The usual proof for `GET https://api.example/me` with `token`.
    func proof(
        jti: String = UUID().uuidString, iat: Double = dpopNow, token: String? = "the-access-token", method: String = "GET",
        uri: String = "https://api.example/me"
    ) throws -> String {
        var claims = #""jti":"\#(jti)","htm":"\#(method)","htu":"\#(uri)","iat":\#(Int(iat))"#
        if let token { claims += #","ath":"\#(DPoPVerifier.accessTokenHash(token))""# }
        return try proof(claims)
    }
}

let dpopNow: Double = 1_800_000_000

func dpopVerifier(
    now: Double = dpopNow, cache: DPoPReplayCache? = nil, _ change: (inout DPoPVerifier.Configuration) -> Void = { _ in }
) throws -> DPoPVerifier {
    var configuration = DPoPVerifier.Configuration()
    configuration.clock = .fixed(now)
    change(&configuration)
    return try DPoPVerifier(configuration: configuration, replayCache: try cache ?? DPoPReplayCache(capacity: 64))
}

@Suite("DPoP proofs (RFC 9449)")
struct DPoPVerifierTests {
    struct Vector {
        let id, proof, htm, htu, jkt, jti: String
        let iat: Double
        let accessToken, ath: String?
    }

    static func vectors() throws -> [Vector] {
        let root = try #require(try Fixtures.json("rfc9449/dpop.json") as? [String: Any])
        let proofs = try #require(root["proofs"] as? [[String: Any]])
        return try proofs.map { p in
            Vector(
                id: try #require(p["id"] as? String), proof: try #require(p["proof"] as? String), htm: try #require(p["htm"] as? String),
                htu: try #require(p["htu"] as? String), jkt: try #require(p["jkt"] as? String), jti: try #require(p["jti"] as? String),
                iat: try #require(p["iat"] as? Double), accessToken: p["access_token"] as? String, ath: p["ath"] as? String)
        }
    }

    @Test func rfc9449ExamplesVerifyAndAreThenReplays() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count == 2)
        for vector in vectors {
            if let token = vector.accessToken { #expect(DPoPVerifier.accessTokenHash(token) == vector.ath) }
            let verifier = try dpopVerifier(now: vector.iat + 1)
            let proof = try verifier.verify(proof: vector.proof, method: vector.htm, uri: vector.htu, accessToken: vector.accessToken)
            #expect(proof.jwkThumbprint == vector.jkt)
            #expect(proof.jti == vector.jti)
            #expect(proof.issuedAt == vector.iat)
            #expect(proof.algorithm == .ES256)
            #expect(throws: DPoPError(.replayed)) {
                try verifier.verify(proof: vector.proof, method: vector.htm, uri: vector.htu, accessToken: vector.accessToken)
            }
        }
        // The resource request's proof is bound to the token of Figure 13, and no other.
        let resource = try #require(vectors.first { $0.accessToken != nil })
        #expect(throws: DPoPError(.tokenHashMismatch)) {
            try dpopVerifier(now: resource.iat).verify(
                proof: resource.proof, method: "GET", uri: resource.htu, accessToken: "another-token")
        }
        #expect(throws: DPoPError(.methodMismatch)) {
            try dpopVerifier(now: resource.iat).verify(
                proof: resource.proof, method: "POST", uri: resource.htu, accessToken: resource.accessToken)
        }
    }

    @Test func headerRules() throws {
        let client = try DPoPClient()
        let claims = #""jti":"a","htm":"GET","htu":"https://api.example/me","iat":\#(Int(dpopNow))"#
        func check(_ proof: String) throws {
            _ = try dpopVerifier().verify(proof: proof, method: "GET", uri: "https://api.example/me", accessToken: nil)
        }
        try check(try client.proof(claims))
        try check(try client.proof(claims, typ: "application/DPoP+JWT"))
        #expect(throws: DPoPError(.typeMismatch)) { try check(try client.proof(claims, typ: nil)) }
        #expect(throws: DPoPError(.typeMismatch)) { try check(try client.proof(claims, typ: "JWT")) }

        // A private member in the jwk is refused even though the public part would verify.
        let privateJWK = try Fixtures.key("p256", "private.jwk.json")
        let fixtureKey = try Fixtures.signingKey("p256")
        #expect(throws: DPoPError(.invalidKey)) { try check(try client.proof(claims, jwk: privateJWK, signer: fixtureKey)) }
        // No jwk, a jwk of another key (signature), an RSA jwk for ES256 (type), an oct jwk.
        #expect(throws: DPoPError(.invalidKey)) {
            try check(try JWTSigner(key: client.key, algorithm: .ES256).sign(claims: "{\(claims)}", type: "dpop+jwt"))
        }
        let other = try DPoPClient()
        #expect(throws: DPoPError(.signatureInvalid)) { try check(try client.proof(claims, jwk: other.key.verificationKey.publicJWK)) }
        let rsa = try DPoPClient(.RS256)
        #expect(throws: DPoPError(.invalidKey)) { try check(try client.proof(claims, jwk: rsa.key.verificationKey.publicJWK)) }
        #expect(throws: DPoPError(.invalidKey)) {
            try check(try client.proof(claims, jwk: #"{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}"#))
        }

        // Symmetric and unsecured algorithms, and one outside the allow-list.
        let hmac = try SigningKey.generate(for: .HS256)
        let hs = try JWTSigner(key: hmac, algorithm: .HS256)
            .sign(claims: "{\(claims)}", type: "dpop+jwt", extraHeader: #"{"jwk":{"kty":"oct","k":"c2VjcmV0"}}"#)
        #expect(throws: DPoPError(.algorithmNotAllowed)) { try check(hs) }
        let parts = try client.proof(claims).split(separator: ".")
        let noneHeader = Data(#"{"alg":"none","typ":"dpop+jwt","jwk":\#(client.key.verificationKey.publicJWK)}"#.utf8)
            .base64EncodedString().replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
        #expect(throws: DPoPError(.algorithmNotAllowed)) { try check("\(noneHeader).\(parts[1]).") }
        #expect(throws: DPoPError(.algorithmNotAllowed)) {
            _ = try dpopVerifier { $0.algorithms = [.EdDSA] }.verify(
                proof: try client.proof(claims), method: "GET", uri: "https://api.example/me", accessToken: nil)
        }
        #expect(throws: DPoPError(.malformedProof)) { try check("not-a-jwt") }
    }

    @Test func rsaProofKeysBelow2048BitsAreRefused() throws {
        let weak = try DPoPClient(.RS256, rsaBits: 1024)
        let strong = try DPoPClient(.PS256)
        let claims = #""jti":"r","htm":"GET","htu":"https://api.example/me","iat":\#(Int(dpopNow))"#
        #expect(throws: DPoPError(.invalidKey)) {
            try dpopVerifier().verify(proof: try weak.proof(claims), method: "GET", uri: "https://api.example/me", accessToken: nil)
        }
        _ = try dpopVerifier().verify(proof: try strong.proof(claims), method: "GET", uri: "https://api.example/me", accessToken: nil)
        #expect(throws: JWTKError(.invalidArgument)) { try dpopVerifier { $0.minimumRSAKeyBits = 1024 } }
    }

    @Test func methodAndTargetURI() throws {
        let client = try DPoPClient()
        func check(_ htu: String, _ uri: String, method: String = "GET", htm: String = "GET") throws {
            let proof = try client.proof(#""jti":"\#(UUID().uuidString)","htm":"\#(htm)","htu":"\#(htu)","iat":\#(Int(dpopNow))"#)
            _ = try dpopVerifier().verify(proof: proof, method: method, uri: uri, accessToken: nil)
        }
        try check("https://api.example/me", "https://api.example/me?x=1#f")
        try check("HTTPS://API.Example:443/me", "https://api.example/me")
        try check("http://api.example:80/a/./b/../c", "http://api.example/a/c")
        try check("https://api.example/%7euser/%2f", "https://api.example/~user/%2F")
        try check("https://api.example", "https://api.example/")
        try check("http://127.0.0.1:8080/me", "http://127.0.0.1:8080/me")
        #expect(throws: DPoPError(.uriMismatch)) { try check("https://api.example/me", "https://api.example/you") }
        #expect(throws: DPoPError(.uriMismatch)) { try check("https://api.example:8443/me", "https://api.example/me") }
        #expect(throws: DPoPError(.uriMismatch)) { try check("http://api.example/me", "https://api.example/me") }
        #expect(throws: DPoPError(.uriMismatch)) { try check("https://api.example/Me", "https://api.example/me") }
        #expect(throws: DPoPError(.invalidClaim)) { try check("ftp://api.example/me", "ftp://api.example/me") }
        #expect(throws: DPoPError(.invalidClaim)) { try check("https://user@api.example/me", "https://api.example/me") }
        #expect(throws: DPoPError(.invalidClaim)) { try check("https://api.example/%zz", "https://api.example/me") }
        #expect(throws: DPoPError(.methodMismatch)) { try check("https://api.example/me", "https://api.example/me", htm: "get") }
        #expect(throws: DPoPError(.methodMismatch)) { try check("https://api.example/me", "https://api.example/me", method: "POST") }
        #expect(DPoPTargetURI.normalized("https://h:65535/") == "https://h:65535/")
        #expect(DPoPTargetURI.normalized("https://h:65536/") == nil)
        #expect(DPoPTargetURI.normalized("https://[::1]:443/x?q") == "https://[::1]/x")
        #expect(DPoPTargetURI.normalized("https:///x") == nil)
        #expect(DPoPTargetURI.normalized("https://h/a b") == nil)
    }

    @Test func issuedAtWindowAtItsLimitsAndOnePast() throws {
        let client = try DPoPClient()
        func check(_ iat: Double) throws {
            _ = try dpopVerifier {
                $0.maxAge = 60; $0.maxClockSkew = 5
            }
            .verify(proof: try client.proof(iat: iat), method: "GET", uri: "https://api.example/me", accessToken: "the-access-token")
        }
        try check(dpopNow - 60)
        #expect(throws: DPoPError(.proofTooOld)) { try check(dpopNow - 61) }
        try check(dpopNow + 5)
        #expect(throws: DPoPError(.issuedInFuture)) { try check(dpopNow + 6) }
        let noIat = try client.proof(#""jti":"i","htm":"GET","htu":"https://api.example/me""#)
        #expect(throws: DPoPError(.missingClaim)) {
            try dpopVerifier().verify(proof: noIat, method: "GET", uri: "https://api.example/me", accessToken: nil)
        }
        let textIat = try client.proof(#""jti":"i","htm":"GET","htu":"https://api.example/me","iat":"1800000000""#)
        #expect(throws: DPoPError(.invalidClaim)) {
            try dpopVerifier().verify(proof: textIat, method: "GET", uri: "https://api.example/me", accessToken: nil)
        }
        #expect(throws: JWTKError(.invalidArgument)) { try dpopVerifier { $0.maxAge = 3601 } }
        #expect(throws: JWTKError(.invalidArgument)) { try dpopVerifier { $0.maxClockSkew = -1 } }
    }

    @Test func accessTokenHashAndRequiredClaims() throws {
        let client = try DPoPClient()
        let verifier = try dpopVerifier()
        func check(_ proof: String, token: String? = "the-access-token") throws {
            _ = try verifier.verify(proof: proof, method: "GET", uri: "https://api.example/me", accessToken: token)
        }
        try check(try client.proof())
        #expect(throws: DPoPError(.tokenHashMismatch)) { try check(try client.proof(), token: "the-access-token2") }
        #expect(throws: DPoPError(.missingClaim)) { try check(try client.proof(token: nil)) }
        let base = #""htm":"GET","htu":"https://api.example/me","iat":\#(Int(dpopNow))"#
        #expect(throws: DPoPError(.missingClaim)) { try check(try client.proof(base), token: nil) }
        #expect(throws: DPoPError(.invalidClaim)) { try check(try client.proof(#""jti":"",\#(base)"#), token: nil) }
        #expect(throws: DPoPError(.invalidClaim)) { try check(try client.proof(#""jti":7,\#(base)"#), token: nil) }
        #expect(throws: DPoPError(.missingClaim)) {
            try check(try client.proof(#""jti":"x","htu":"https://api.example/me","iat":\#(Int(dpopNow))"#), token: nil)
        }
    }

    @Test func sizeLimitsAtTheirValueAndOnePast() throws {
        let client = try DPoPClient()
        let proof = try client.proof(jti: "j")
        let size = proof.utf8.count
        _ = try dpopVerifier { $0.maxProofBytes = size }.verify(
            proof: proof, method: "GET", uri: "https://api.example/me", accessToken: "the-access-token")
        #expect(throws: DPoPError(.limitExceeded)) {
            try dpopVerifier { $0.maxProofBytes = size - 1 }.verify(
                proof: proof, method: "GET", uri: "https://api.example/me", accessToken: "the-access-token")
        }
        let jti = String(repeating: "a", count: 40)
        _ = try dpopVerifier { $0.maxJTIBytes = 40 }.verify(
            proof: try client.proof(jti: jti), method: "GET", uri: "https://api.example/me", accessToken: "the-access-token")
        #expect(throws: DPoPError(.limitExceeded)) {
            try dpopVerifier { $0.maxJTIBytes = 40 }.verify(
                proof: try client.proof(jti: jti + "a"), method: "GET", uri: "https://api.example/me", accessToken: "the-access-token")
        }
    }

    @Test func replayCacheCapacityAtItsValueAndOnePastThenFreedByTheWindow() throws {
        let client = try DPoPClient()
        let cache = try DPoPReplayCache(capacity: 3)
        let verifier = try dpopVerifier(cache: cache) { $0.maxAge = 60 }
        let proofs = try (0..<4).map { try client.proof(jti: "p\($0)") }
        for proof in proofs.prefix(3) {
            _ = try verifier.verify(proof: proof, method: "GET", uri: "https://api.example/me", accessToken: "the-access-token")
        }
        #expect(cache.count == 3)
        #expect(throws: DPoPError(.replayed)) {
            try verifier.verify(proof: proofs[0], method: "GET", uri: "https://api.example/me", accessToken: "the-access-token")
        }
        let full = #expect(throws: DPoPError.self) {
            try verifier.verify(proof: proofs[3], method: "GET", uri: "https://api.example/me", accessToken: "the-access-token")
        }
        #expect(full?.code == .replayCacheFull)
        #expect(full?.code.challenge == .unavailable)
        // Once the window has passed, the old entries are swept and a new proof fits.
        let later = try dpopVerifier(now: dpopNow + 61, cache: cache) { $0.maxAge = 60 }
        _ = try later.verify(
            proof: try client.proof(jti: "p4", iat: dpopNow + 61), method: "GET", uri: "https://api.example/me",
            accessToken: "the-access-token")
        #expect(cache.count == 1)
        #expect(throws: JWTKError(.invalidArgument)) { try DPoPReplayCache(capacity: 0) }
        #expect(throws: JWTKError(.invalidArgument)) { try DPoPReplayCache(capacity: DPoPReplayCache.maxCapacity + 1) }
        _ = try DPoPReplayCache(capacity: DPoPReplayCache.maxCapacity)
    }

    @Test func oneProofIsAcceptedOnceAcrossThreads() throws {
        let client = try DPoPClient()
        let verifier = try dpopVerifier()
        let proof = try client.proof()
        let accepted = Locked(0)
        let replayed = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            do {
                _ = try verifier.verify(proof: proof, method: "GET", uri: "https://api.example/me", accessToken: "the-access-token")
                accepted.withLock { $0 += 1 }
            } catch let error as DPoPError where error.code == .replayed {
                replayed.withLock { $0 += 1 }
            } catch {}
        }
        #expect(accepted.withLock { $0 } == 1)
        #expect(replayed.withLock { $0 } == 15)
    }

    @Test func serverNonce() throws {
        let client = try DPoPClient()
        let verifier = try dpopVerifier { $0.nonceValidator = { $0 == "n-1" } }
        let base = #""htm":"GET","htu":"https://api.example/me","iat":\#(Int(dpopNow))"#
        let missing = #expect(throws: DPoPError.self) {
            try verifier.verify(
                proof: try client.proof(#""jti":"1",\#(base)"#), method: "GET", uri: "https://api.example/me", accessToken: nil)
        }
        #expect(missing?.code == .nonceRequired)
        #expect(missing?.code.challenge == .useDPoPNonce)
        #expect(throws: DPoPError(.nonceMismatch)) {
            try verifier.verify(
                proof: try client.proof(#""jti":"2","nonce":"n-0",\#(base)"#), method: "GET", uri: "https://api.example/me",
                accessToken: nil)
        }
        let ok = try verifier.verify(
            proof: try client.proof(#""jti":"3","nonce":"n-1",\#(base)"#), method: "GET", uri: "https://api.example/me", accessToken: nil)
        #expect(ok.nonce == "n-1")
    }

    @Test func accessTokenBindingByThumbprint() throws {
        let client = try DPoPClient(.EdDSA)
        let issuer = try SigningKey.generate(for: .ES256)
        let policy = VerificationPolicy(issuer: "https://as", audience: "api")
        var fixed = policy
        fixed.clock = .fixed(dpopNow)
        let tokens = JWTVerifier(keys: [issuer.verificationKey], policy: fixed)
        func token(_ cnf: String) throws -> String {
            try JWTSigner(key: issuer, algorithm: .ES256).sign(
                claims: #"{"iss":"https://as","aud":"api","exp":\#(Int(dpopNow) + 60)\#(cnf)}"#)
        }
        let bound = try token(#","cnf":{"jkt":"\#(client.thumbprint)"}"#)
        let verifier = try dpopVerifier()
        let proof = try client.proof(token: bound)
        // A binding failure leaves the proof unrecorded: the same proof with the right token then succeeds.
        let other = try token(#","cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}"#)
        let mismatch = #expect(throws: DPoPError.self) {
            try verifier.verify(
                proof: try client.proof(jti: "same", token: other), method: "GET", uri: "https://api.example/me", accessToken: other,
                boundTo: try tokens.verify(other))
        }
        #expect(mismatch?.code == .keyBindingMismatch)
        #expect(mismatch?.code.challenge == .invalidToken)
        let unbound = try token("")
        #expect(throws: DPoPError(.keyBindingMismatch)) {
            try verifier.verify(
                proof: try client.proof(token: unbound), method: "GET", uri: "https://api.example/me", accessToken: unbound,
                boundTo: try tokens.verify(unbound))
        }
        let accepted = try verifier.verify(
            proof: proof, method: "GET", uri: "https://api.example/me", accessToken: bound, boundTo: try tokens.verify(bound))
        #expect(accepted.jwkThumbprint == client.thumbprint)
        #expect(accepted.algorithm == .EdDSA)
        #expect(verifier.replayCache.count == 1)
    }

    @Test func messagesNeverCarryTheProofTheTokenOrKeyMaterial() throws {
        let client = try DPoPClient()
        let token = "secret-access-token-value"
        let proof = try client.proof(token: token, uri: "https://api.example/other")
        let jwk = client.key.verificationKey.publicJWK
        let x = String(jwk.split(separator: "\"x\":\"")[1].prefix(20))
        var failures: [DPoPError] = []
        for (method, uri, access) in [
            ("GET", "https://api.example/me", token), ("POST", "https://api.example/other", token),
            ("GET", "https://api.example/other", "wrong"),
        ] {
            let verifier = try dpopVerifier()
            do { _ = try verifier.verify(proof: proof, method: method, uri: uri, accessToken: access) } catch {
                failures.append(error)
            }
        }
        #expect(failures.map(\.code) == [.uriMismatch, .methodMismatch, .tokenHashMismatch])
        for failure in failures {
            #expect(!failure.description.contains(proof.prefix(40)))
            #expect(!failure.description.contains(token))
            #expect(!failure.description.contains(x))
        }
        #expect(DPoPError.Code.allCases.count == Set(DPoPError.Code.allCases.map(\.rawValue)).count)
        #expect(DPoPError.Code.allCases.allSatisfy { $0.rawValue.hasPrefix("dpop_") })
        #expect(throws: JWTKError(.invalidArgument)) { try dpopVerifier { $0.algorithms = [.ES256, .HS256] } }
        #expect(throws: JWTKError(.invalidArgument)) { try dpopVerifier { $0.algorithms = [] } }
        #expect(try dpopVerifier { $0.algorithms = [.PS256, .ES256] }.algorithmsParameter == "ES256 PS256")
    }
}
