import Foundation
import Testing

@testable import JWTK

/// The plain `verify` (header cache, claims read in place, the jansson arena) against the reference path
/// (`verifyWithoutCache`: every step in order, the full ClaimValidator): the same verdict and, on failure,
/// the same code, step and message, for every algorithm × policy × situation.
@Suite("Fast path equals the reference path")
struct FastPathDifferentialTests {
    static let issuer = "https://issuer.example"
    static let audience = "api"

    /// Policies that exercise every rule the in-place check reads (and a few it hands to the validator).
    static let policies: [(String, @Sendable (inout VerificationPolicy) -> Void)] = [
        ("base", { _ in }),
        ("issuer", { $0.issuers = [issuer] }),
        ("wrong issuer", { $0.issuers = ["https://other.example"] }),
        ("audience", { $0.audiences = [audience] }),
        ("wrong audience", { $0.audiences = ["other"] }),
        ("ignores audience", { $0.ignoresAudience = true }),
        ("subject", { $0.subject = "alice" }),
        ("wrong subject", { $0.subject = "bob" }),
        ("required claims", { $0.requiredClaims = ["sub", "jti", "scope"] }),
        (
            "iat required, max age",
            {
                $0.requiresIssuedAt = true; $0.maxTokenAge = 600
            }
        ),
        ("leeway", { $0.leeway = 120 }),
        ("typ at+jwt", { $0.expectedType = "at+jwt" }),
        ("refuses JWT typ", { $0.rejectedTypes = ["jwt"] }),
        (
            "azp",
            {
                $0.authorizedParty = audience; $0.audiences = [audience]
            }
        ),
        ("nonce", { $0.nonce = "n-1" }),
        (
            "OIDC",
            {
                $0 = .openIDConnect(issuer: issuer, clientID: audience); $0.clock = .fixed(TestPolicy.now)
            }
        ),
        ("allow-list", { $0.algorithms = [.ES256] }),
        ("max age 600, no iat required", { $0.maxTokenAge = 600 }),
        ("subject NFC", { $0.subject = "caf\u{E9}" }),
        ("issuer NFD", { $0.issuers = ["https://e\u{301}.example"] }),
        ("max auth age", { $0.maxAuthenticationAge = 300 }),
        ("access token hash", { $0.accessTokenForHash = "at" }),
    ]

    /// Claim sets: good, expired, not yet valid, issued in the future, wrong types, several audiences.
    static let claimSets: [String] = [
        #"{"iss":"\#(issuer)","aud":"\#(audience)","sub":"alice","jti":"j1","scope":"a","iat":\#(Int(TestPolicy.now) - 60),"nbf":\#(Int(TestPolicy.now) - 60),"exp":\#(TestPolicy.farExp)}"#,
        #"{"iss":"\#(issuer)","aud":["\#(audience)","x"],"sub":"alice","azp":"\#(audience)","iat":\#(Int(TestPolicy.now) - 60),"exp":\#(TestPolicy.farExp),"nonce":"n-1"}"#,
        #"{"iss":"\#(issuer)","aud":["x","y"],"sub":"alice","iat":\#(Int(TestPolicy.now) - 60),"exp":\#(TestPolicy.farExp)}"#,
        #"{"sub":"alice","exp":\#(Int(TestPolicy.now) - 30)}"#,
        #"{"sub":"alice","exp":\#(TestPolicy.farExp),"nbf":\#(Int(TestPolicy.now) + 60)}"#,
        #"{"sub":"alice","exp":\#(TestPolicy.farExp),"iat":\#(Int(TestPolicy.now) + 600)}"#,
        #"{"sub":"alice","exp":\#(TestPolicy.farExp),"iat":\#(Int(TestPolicy.now) - 3600)}"#,
        #"{"sub":"","exp":\#(TestPolicy.farExp)}"#,
        #"{"sub":1,"exp":\#(TestPolicy.farExp)}"#,
        #"{"exp":"\#(TestPolicy.farExp)"}"#,
        #"{"aud":[],"exp":\#(TestPolicy.farExp)}"#,
        #"{"aud":[1],"exp":\#(TestPolicy.farExp)}"#,
        #"{"jti":5,"exp":\#(TestPolicy.farExp)}"#,
        #"{"iss":null,"exp":\#(TestPolicy.farExp)}"#,
        #"{"scope":null,"sub":"alice","jti":"j","exp":\#(TestPolicy.farExp)}"#,
        #"{"sub":"alice"}"#,
        #"{"exp":1e300,"sub":"alice"}"#,
        #"{"exp":\#(TestPolicy.farExp),"exp":1}"#,
        #"[1,2]"#,
        #"{"exp":\#(TestPolicy.farExp),"azp":"other","aud":"\#(audience)"}"#,
        // Boundaries at the fixed clock (leeway 0 and 120): exp must be after now, nbf and iat at most now.
        #"{"sub":"alice","exp":\#(Int(TestPolicy.now))}"#,
        #"{"sub":"alice","exp":\#(Int(TestPolicy.now) + 1)}"#,
        #"{"sub":"alice","exp":\#(Int(TestPolicy.now) - 120)}"#,
        #"{"sub":"alice","exp":\#(Int(TestPolicy.now) - 119)}"#,
        #"{"sub":"alice","exp":\#(TestPolicy.farExp),"nbf":\#(Int(TestPolicy.now))}"#,
        #"{"sub":"alice","exp":\#(TestPolicy.farExp),"nbf":\#(Int(TestPolicy.now) + 1)}"#,
        #"{"sub":"alice","exp":\#(TestPolicy.farExp),"nbf":\#(Int(TestPolicy.now) + 120)}"#,
        #"{"sub":"alice","exp":\#(TestPolicy.farExp),"iat":\#(Int(TestPolicy.now))}"#,
        #"{"sub":"alice","exp":\#(TestPolicy.farExp),"iat":\#(Int(TestPolicy.now) + 1)}"#,
        #"{"sub":"alice","exp":\#(TestPolicy.farExp),"iat":\#(Int(TestPolicy.now) - 600)}"#,
        #"{"sub":"alice","exp":\#(TestPolicy.farExp),"iat":\#(Int(TestPolicy.now) - 601)}"#,
        #"{"sub":"alice","exp":\#(TestPolicy.now + 0.5)}"#,
        #"{"sub":"alice","exp":\#(TestPolicy.farExp),"auth_time":\#(Int(TestPolicy.now) - 10),"at_hash":"x"}"#,
        // Canonically equivalent spellings are different claims: byte-exact comparison on both paths.
        #"{"iss":"https://\#("e\u{301}").example","sub":"caf\#("\u{E9}")","exp":\#(TestPolicy.farExp)}"#,
        #"{"iss":"https://\#("\u{E9}").example","sub":"caf\#("e\u{301}")","exp":\#(TestPolicy.farExp)}"#,
        // A member that only looks like a registered claim, and a required claim that is false or 0.
        #"{"exp ":1,"sub":"alice","jti":"j","scope":false,"exp":\#(TestPolicy.farExp)}"#,
        #"{"sub":"alice","jti":"j","scope":0,"iss":"\#(issuer)","exp":\#(TestPolicy.farExp)}"#,
    ]

    static let algorithms: [JWSAlgorithm] = [.HS256, .RS256, .PS256, .ES256, .ES384, .EdDSA]

    struct Outcome: Equatable, CustomStringConvertible {
        let code: JWTKError.Code?
        let step: VerificationStep?
        let message: String?
        /// For an accepted token: what the caller sees of it (claims, header, key).
        let accepted: String?
        var description: String {
            code.map { "\($0.rawValue) at \(step.map(\.rawValue) ?? "?"): \(message ?? "")" } ?? "ok \(accepted ?? "")"
        }
    }

    static func outcome(_ body: () throws(JWTKError) -> VerifiedJWT) -> Outcome {
        do throws(JWTKError) {
            let jwt = try body()
            let seen = [
                jwt.claims.json.serialized(sortKeys: true), jwt.header.json.serialized(sortKeys: true), jwt.algorithm.rawValue,
                jwt.key.keyID ?? "-", String(jwt.claims.payload.count),
            ]
            return Outcome(code: nil, step: nil, message: nil, accepted: seen.joined(separator: " | "))
        } catch {
            return Outcome(code: error.code, step: error.step, message: error.message, accepted: nil)
        }
    }

    /// Tokens of one algorithm: every claim set, each under a JWT and an at+jwt header; plus a tampered
    /// signature and a tampered payload of the first.
    static func tokens(_ algorithm: JWSAlgorithm) throws -> [String] {
        let key = TestKeys.signing(for: algorithm)
        var out: [String] = []
        for claims in claimSets {
            for typ in ["JWT", "at+jwt"] {
                let header = TestTokens.header(algorithm.rawValue, kid: key.keyID, extra: "\"typ\":\"\(typ)\"")
                out.append(try TestTokens.sign(header: header, payload: claims, key: key, algorithm: algorithm))
            }
        }
        let parts = TestTokens.segments(out[0])
        var signature = TestTokens.signature(out[0])
        signature[signature.count / 2] ^= 0x01
        out.append(TestTokens.withSignature(out[0], signature))
        out.append(parts[0] + "." + TestTokens.b64(#"{"sub":"mallory","exp":4102444800}"#) + "." + parts[2])
        out.append(parts[0] + "." + parts[1] + "." + parts[2] + "=")
        // A signature segment whose length no base64url has, and an empty one: the hit path decodes the
        // signature into a temporary buffer and must refuse both exactly as the reference path does.
        var impossible = parts[2]
        while impossible.count % 4 != 1 { impossible += "A" }
        out.append(parts[0] + "." + parts[1] + "." + impossible)
        out.append(parts[0] + "." + parts[1] + ".")
        return out
    }

    /// A genuine token for each header the test tokens carry, to fill the header cache before the comparison:
    /// under a policy that accepts none of the test tokens the hit path would otherwise never run.
    static func primers(_ algorithm: JWSAlgorithm) throws -> [String] {
        let key = TestKeys.signing(for: algorithm)
        return try ["JWT", "at+jwt"].map { typ in
            let header = TestTokens.header(algorithm.rawValue, kid: key.keyID, extra: "\"typ\":\"\(typ)\"")
            return try TestTokens.sign(header: header, payload: #"{"primer":true}"#, key: key, algorithm: algorithm)
        }
    }

    @Test("every algorithm × policy × situation: same verdict, code, step, message and result", arguments: algorithms)
    func fastPathMatchesReference(_ algorithm: JWSAlgorithm) throws {
        let tokens = try Self.tokens(algorithm)
        let primers = try Self.primers(algorithm)
        let key = TestKeys.signing(for: algorithm).verificationKey
        var compared = 0
        var accepted = 0
        var acceptedInPlace = 0
        for (name, change) in Self.policies {
            let verifier = TestPolicy.verifier([key], change)
            let cache = HeaderCache.current()
            cache.removeAll()
            var primed = 0
            for primer in primers where (try? verifier.primeHeaderCache(primer)) != nil { primed += 1 }
            let hitsBefore = cache.hits
            let tokenCache = try VerifiedTokenCache(capacity: 64)
            for token in tokens {
                let reference = Self.outcome { () throws(JWTKError) in try verifier.verifyWithoutCache(token) }
                // Twice: a header the primers did not cover misses the first time (and may fill the cache).
                for round in 0..<2 {
                    let fast = Self.outcome { () throws(JWTKError) in try verifier.verify(token) }
                    #expect(fast == reference, "\(algorithm) \(name) round \(round): fast \(fast), reference \(reference)")
                    let cached = Self.outcome { () throws(JWTKError) in try verifier.verify(token, cache: tokenCache) }
                    #expect(cached == reference, "\(algorithm) \(name) token cache round \(round): \(cached), reference \(reference)")
                    compared += 1
                }
                // The copy of a verifier is the same verifier (same identity, same cached headers).
                let copy = verifier
                #expect(Self.outcome { () throws(JWTKError) in try copy.verify(token) } == reference)
                if reference.code == nil {
                    accepted += 1
                    let jwt = try verifier.verifyWithoutCache(token)
                    if ClaimValidator(policy: verifier.policy).passesInPlace(jwt.claims, header: jwt.header) { acceptedInPlace += 1 }
                }
            }
            if primed > 0 {
                #expect(cache.hits - hitsBefore >= tokens.count, "\(algorithm) \(name): the header-cache hit path must run")
            }
        }
        #expect(compared == Self.policies.count * tokens.count * 2)
        #expect(accepted > 0, "some tokens must verify, or the comparison proves little")
        // The in-place check accepts every accepted token of the policies it covers (no nonce, max_age, at_hash).
        #expect(acceptedInPlace > accepted / 2, "fast accept must be the common case: \(acceptedInPlace) of \(accepted)")
    }

    @Test("the in-place check never accepts what the validator refuses (every accepted token passes both)")
    func inPlaceAcceptsExactlyTheValidatorsAccepts() throws {
        let key = TestKeys.hs256
        for (name, change) in Self.policies {
            let verifier = TestPolicy.verifier([key.verificationKey], change)
            let validator = ClaimValidator(policy: verifier.policy)
            for claims in Self.claimSets {
                for typ in ["JWT", "at+jwt"] {
                    let header = TestTokens.header("HS256", kid: key.keyID, extra: "\"typ\":\"\(typ)\"")
                    let token = try TestTokens.sign(header: header, payload: claims, key: key, algorithm: .HS256)
                    // Signature-only, then both claim checks on the same parsed claims.
                    guard let jws = try? verifier.verifySignature(token),
                        let document = try? JSONDocument.parse(jws.payload, maxDepth: 32, what: "claims"),
                        document.rootValue.kind == .object
                    else { continue }
                    let parsed = JWTClaims(json: document.rootValue, payload: jws.payload)
                    let validatorAccepts = (try? validator.validate(parsed, header: jws.header, algorithm: .HS256, key: jws.key)) != nil
                    if validator.passesInPlace(parsed, header: jws.header) {
                        #expect(validatorAccepts, "\(name): in-place accepted \(claims) (typ \(typ)), which the validator refuses")
                    }
                }
            }
        }
    }

    /// Every field of the policy, so that a new one fails here until ``ClaimValidator/passesInPlace(_:header:)``
    /// (and the header cache, if the header steps read it) have been taught about it.
    @Test("the fast path knows every policy field")
    func everyPolicyFieldIsKnown() {
        let fields = Mirror(reflecting: VerificationPolicy()).children.compactMap(\.label).sorted()
        #expect(
            fields == [
                "accessTokenForHash", "algorithms", "allowsMixedKeyTypes", "allowsUnencodedPayload", "audiences",
                "authorizationCodeForHash",
                "authorizedParty", "clock", "expectedType", "ignoresAudience", "issuers", "leeway", "limits", "maxAuthenticationAge",
                "maxKeysTried", "maxTokenAge", "minimumRSAKeyBits", "nonce", "rejectedTypes", "requiredClaims", "requiresExpiration",
                "requiresFullLengthHMACSecrets", "requiresIssuedAt", "subject", "understoodCriticalHeaders",
            ], "\(fields)")
    }

    @Test("a key rotation is seen by the next verification, header cached or not")
    func rotationInvalidatesTheHeaderCache() throws {
        let old = TestKeys.hs256
        let new = try SigningKey.generate(for: .HS256, keyID: "hs256")
        let keyring = Keyring(keys: [old.verificationKey])
        var policy = TestPolicy.fixed()
        policy.ignoresAudience = true
        let verifier = JWTVerifier(keyring: keyring, policy: policy)
        let token = try TestTokens.hs256(#"{"exp":\#(TestPolicy.farExp)}"#)
        _ = try verifier.verify(token)
        _ = try verifier.verify(token)  // a header-cache hit
        keyring.replaceKeys([new.verificationKey])
        #expect(errorCode { try verifier.verify(token) } == .signatureInvalid)
        #expect(errorCode { try verifier.verifyWithoutCache(token) } == .signatureInvalid)
        keyring.replaceKeys([])
        #expect(errorCode { try verifier.verify(token) } == .keyNotFound)
    }

    @Test("a policy change is seen by the next verification of a copied verifier")
    func policyChangeInvalidatesTheHeaderCache() throws {
        var verifier = TestPolicy.verifier()
        let token = try TestTokens.hs256(#"{"exp":\#(TestPolicy.farExp)}"#)
        _ = try verifier.verify(token)
        _ = try verifier.verify(token)
        verifier.policy.algorithms = [.RS256]
        #expect(errorCode { try verifier.verify(token) } == .algorithmNotAllowed)
    }

    @Test("a header enters the cache only after its token verified")
    func onlyVerifiedHeadersAreCached() throws {
        let verifier = TestPolicy.verifier()
        HeaderCache.current().removeAll()
        let token = try TestTokens.hs256(#"{"exp":\#(TestPolicy.farExp)}"#)
        var signature = TestTokens.signature(token)
        signature[0] ^= 0x80
        #expect(errorCode { try verifier.verify(TestTokens.withSignature(token, signature)) } == .signatureInvalid)
        #expect(HeaderCache.current().count == 0)
        _ = try verifier.verify(token)
        #expect(HeaderCache.current().count == 1)
    }

    @Test("another verifier's next verification drops an entry whose keyring rotated or went away")
    func staleEntriesAreDroppedByAnyVerification() throws {
        let cache = HeaderCache.current()
        cache.removeAll()
        let token = try TestTokens.hs256(#"{"exp":\#(TestPolicy.farExp)}"#)
        let keyring = Keyring(keys: [TestKeys.hs256.verificationKey])
        let rotating = JWTVerifier(keyring: keyring, policy: TestPolicy.fixed())
        let other = TestPolicy.verifier()
        _ = try rotating.verify(token)
        _ = try other.verify(token)
        #expect(cache.count == 2)
        keyring.replaceKeys([TestKeys.hs256.verificationKey])
        _ = try other.verify(token)
        #expect(cache.count == 1, "the rotated keyring's entry (and its keys) must go at once")
        do {
            let dropped = TestPolicy.verifier()
            _ = try dropped.verify(token)
            #expect(cache.count == 2)
        }
        _ = try other.verify(token)
        #expect(cache.count == 1, "a deallocated keyring's entry must go at once")
    }

    @Test("a nested-JWT header is never remembered, even from a genuine signature")
    func nestedTokenHeadersAreNotRemembered() throws {
        let verifier = TestPolicy.verifier()
        HeaderCache.current().removeAll()
        let header = TestTokens.header("HS256", kid: TestKeys.hs256.keyID, extra: #""cty":"JWT""#)
        let token = try TestTokens.sign(header: header, payload: #"{"exp":\#(TestPolicy.farExp)}"#, key: TestKeys.hs256, algorithm: .HS256)
        try verifier.primeHeaderCache(token)
        #expect(HeaderCache.current().count == 0)
        #expect(errorCode { try verifier.verify(token) } == .invalidPayload)
        #expect(HeaderCache.current().count == 0)
    }

    @Test("claims parsed on the verification path live in one arena block")
    func claimsLiveInAnArena() throws {
        let verifier = TestPolicy.verifier()
        let token = try TestTokens.hs256(#"{"sub":"alice","exp":\#(TestPolicy.farExp),"groups":["a","b","c"]}"#)
        let jwt = try verifier.verify(token)
        #expect(jwt.claims.json.document.inArena)
        #expect(jwt.claims.json.document.arenaChunks == 1)
        #expect(try jwt.claims.stringArray("groups") == ["a", "b", "c"])
        #expect(jwt.claims.json.serialized().contains("\"groups\""))
    }
}
