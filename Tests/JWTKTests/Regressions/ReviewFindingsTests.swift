import Foundation
import JWTK
import Testing

/// Regressions for the findings of the first security review of the core library.
@Suite("Security review regressions")
struct ReviewFindingsTests {
    /// RFC 8017 §8.1.2: an RSA signature is exactly as long as the modulus. OpenSSL's PSS verification accepts
    /// a signature whose leading zero byte was removed, which would give a second valid token string.
    @Test func rsaPSSSignatureWithItsLeadingZeroRemovedIsRejected() throws {
        let key = try Fixtures.signingKey("rsa2048")
        let signer = JWTSigner(key: key, algorithm: .PS256)
        var policy = VerificationPolicy()
        policy.clock = .fixed(1_767_225_600)
        let verifier = JWTVerifier(keys: [key.verificationKey], policy: policy)
        var found = false
        for i in 0..<4000 {
            let token = try signer.sign(claims: #"{"sub":"s","exp":4102444800,"n":\#(i)}"#)
            let parts = token.split(separator: ".").map(String.init)
            let signature = Array(try Base64URLTestCodec.decode(parts[2]))
            guard signature.first == 0 else { continue }
            found = true
            _ = try verifier.verify(token)
            let shortened = parts[0] + "." + parts[1] + "." + (try Base64URLTestCodec.encode(Array(signature.dropFirst())))
            #expect(throws: JWTKError(.signatureInvalid)) { try verifier.verify(shortened) }
            break
        }
        #expect(found, "no PS256 signature with a leading zero byte in 4000 tries")
    }

    @Test func pkcs1SignatureOfTheWrongLengthIsRejected() throws {
        let key = try Fixtures.signingKey("rsa2048")
        let token = try JWTSigner(key: key, algorithm: .RS256).sign(claims: #"{"sub":"s","exp":4102444800}"#)
        let parts = token.split(separator: ".").map(String.init)
        let longer = parts[0] + "." + parts[1] + "." + (try Base64URLTestCodec.encode([0] + Array(try Base64URLTestCodec.decode(parts[2]))))
        #expect(throws: JWTKError(.signatureInvalid)) { try JWTVerifier(keys: [key.verificationKey]).verify(longer) }
    }

    /// JWT strings compare byte for byte: canonically equivalent Unicode spellings are different values.
    @Test func issuerAudienceAndKidCompareByteForByte() throws {
        let nfc = "https://ex\u{E4}mple.com"
        let nfd = "https://exa\u{308}mple.com"
        #expect(nfc == nfd)  // Swift's String equality is canonical equivalence…
        let key = try SigningKey.generate(for: .HS256, keyID: "k\u{E9}")
        var policy = VerificationPolicy(issuer: nfc, audience: "client-\u{E9}")
        policy.clock = .fixed(1_767_225_600)
        let verifier = JWTVerifier(keys: [key.verificationKey], policy: policy)
        let good = try JWTSigner(key: key, algorithm: .HS256).sign(claims: #"{"iss":"\#(nfc)","aud":"client-\#u{E9}","exp":4102444800}"#)
        _ = try verifier.verify(good)
        let badIssuer = try JWTSigner(key: key, algorithm: .HS256).sign(
            claims: #"{"iss":"\#(nfd)","aud":"client-\#u{E9}","exp":4102444800}"#)
        #expect(throws: JWTKError(.issuerMismatch)) { try verifier.verify(badIssuer) }
        let badAudience = try JWTSigner(key: key, algorithm: .HS256).sign(
            claims: #"{"iss":"\#(nfc)","aud":"client-e\#u{301}","exp":4102444800}"#)
        #expect(throws: JWTKError(.audienceMismatch)) { try verifier.verify(badAudience) }
        let kidSpelledDifferently = try JWTSigner(
            key: try SigningKey(hmacSecret: [UInt8](repeating: 7, count: 32), keyID: "ke\u{301}"), algorithm: .HS256
        )
        .sign(claims: #"{"iss":"\#(nfc)","aud":"client-\#u{E9}","exp":4102444800}"#)
        #expect(throws: JWTKError(.keyNotFound)) { try verifier.verify(kidSpelledDifferently) }
    }

    @Test func loadingAJWKAppliesTheRequestedAlgorithmAndKeyID() throws {
        let jwk = Array(try Fixtures.key("p256", "public.jwk.json").utf8)
        let pinned = try VerificationKey.load(contents: jwk, keyID: "p256", algorithm: .ES256)
        #expect(pinned.first?.algorithm == .ES256)
        #expect(throws: JWTKError(.algorithmKeyMismatch)) { try VerificationKey.load(contents: jwk, algorithm: .ES384) }
        #expect(throws: JWTKError(.invalidArgument)) { try VerificationKey.load(contents: jwk, keyID: "other") }
    }

    @Test func privateJWKWhoseDBelongsToAnotherKeyIsRefused() throws {
        let a = try JSONSerialization.jsonObject(with: try Fixtures.data("generated/keys/p256.private.jwk.json")) as! [String: Any]
        let other = try SigningKey.generate(for: .ES256)
        let otherJWK = try #require(
            try SigningKeyExport.privateJWK(other) as [String: Any]?)
        var mixed = a
        mixed["d"] = otherJWK["d"]
        #expect(throws: JWTKError(.invalidKey)) { try SigningKey(jwk: Fixtures.jsonText(mixed)) }
        var signOnly = a
        signOnly["key_ops"] = ["sign"]
        _ = try SigningKey(jwk: Fixtures.jsonText(signOnly))
    }

    @Test func rsaKeySizeOutOfRangeIsAnErrorNotATrap() {
        #expect(throws: JWTKError(.invalidArgument)) { try SigningKey.generate(for: .RS256, rsaBits: -1) }
        #expect(throws: JWTKError(.invalidArgument)) { try SigningKey.generate(for: .RS256, rsaBits: 1 << 20) }
    }

    @Test func attackerControlledValuesAreQuotedInErrorMessages() throws {
        let key = try SigningKey.generate(for: .HS256, keyID: "real")
        let forged = try JWTSigner(
            key: try SigningKey(hmacSecret: [UInt8](repeating: 1, count: 32), keyID: "x\n2026-01-01 ERROR admin login ok"),
            algorithm: .HS256
        )
        .sign(claims: #"{"exp":4102444800}"#)
        do {
            _ = try JWTVerifier(keys: [key.verificationKey]).verify(forged)
            Issue.record("a token with an unknown kid verified")
        } catch {
            #expect(error.code == .keyNotFound)
            #expect(!error.reason.contains("\n"))
            #expect(error.reason.contains(#"\n2026-01-01"#))
        }
    }

    @Test func openIDConnectPresetRefusesAccessTokens() throws {
        let key = try SigningKey.generate(for: .ES256, keyID: "k")
        var policy = VerificationPolicy.openIDConnect(issuer: "https://i", clientID: "c")
        policy.clock = .fixed(1_767_225_600)
        let token = try JWTSigner(key: key, algorithm: .ES256)
            .sign(claims: #"{"iss":"https://i","aud":"c","sub":"s","iat":1767225600,"exp":4102444800}"#, type: "at+jwt")
        #expect(throws: JWTKError(.typeMismatch)) { try JWTVerifier(keys: [key.verificationKey], policy: policy).verify(token) }
    }

    @Test func nonFiniteLeewayIsRefused() throws {
        let key = try SigningKey.generate(for: .HS256)
        var policy = VerificationPolicy()
        policy.leeway = .nan
        let token = try JWTSigner(key: key, algorithm: .HS256).sign(claims: #"{"exp":4102444800,"nbf":4102444000}"#)
        #expect(throws: JWTKError(.invalidArgument)) { try JWTVerifier(keys: [key.verificationKey], policy: policy).verify(token) }
    }
}

/// Extracts the private scalar `d` of a P-256 signing key from its PKCS#8 PEM (test helper).
enum SigningKeyExport {
    static func privateJWK(_ key: SigningKey) throws -> [String: Any] {
        let pem = try #require(key.privateKeyPEM)
        let der = try #require(Data(base64Encoded: pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()))
        // PKCS#8 for P-256: the 32-byte private scalar follows the OCTET STRING header 04 20 inside the
        // ECPrivateKey; find it after the version INTEGER 02 01 01.
        let bytes = [UInt8](der)
        guard
            let at = (0..<(bytes.count - 4)).first(where: {
                bytes[$0] == 0x02 && bytes[$0 + 1] == 0x01 && bytes[$0 + 2] == 0x01 && bytes[$0 + 3] == 0x04 && bytes[$0 + 4] == 0x20
            })
        else {
            throw JWTKError(.invalidKey)
        }
        return ["d": try Base64URLTestCodec.encode(Array(bytes[(at + 5)..<(at + 37)]))]
    }
}

@Suite("Private key consistency")
struct PrivateKeyConsistencyTests {
    @Test func rsaPrivateJWKWithoutCRTMembersStillSigns() throws {
        var rsa = try #require(try Fixtures.json("generated/keys/rsa2048.private.jwk.json") as? [String: Any])
        for member in ["p", "q", "dp", "dq", "qi"] { rsa[member] = nil }
        let key = try SigningKey(jwk: Fixtures.jsonText(rsa))
        let token = try JWTSigner(key: key, algorithm: .RS256).sign(claims: #"{"exp":4102444800}"#)
        _ = try JWTVerifier(keys: [try Fixtures.verificationKey("rsa2048")]).verify(token)
    }

    @Test func rsaPrivateJWKWithAnotherKeysCRTMembersIsRefused() throws {
        var rsa = try #require(try Fixtures.json("generated/keys/rsa2048.private.jwk.json") as? [String: Any])
        let other = try #require(try Fixtures.json("example/private/smarttask-2026-01.private.jwk.json") as? [String: Any])
        for member in ["p", "q", "dp", "dq", "qi"] { rsa[member] = other[member] }
        #expect(throws: JWTKError(.invalidKey)) { try SigningKey(jwk: Fixtures.jsonText(rsa)) }
    }

    @Test func exactKeyIDMatchWinsOverKeysWithoutID() throws {
        let named = try Fixtures.signingKey("p256")
        let anonymous = try SigningKey.generate(for: .ES256).verificationKey
        let keyring = Keyring(keys: [named.verificationKey, anonymous], unidentifiedKeyMatching: .matchAnyKeyID)
        var policy = VerificationPolicy()
        policy.clock = .fixed(1_767_225_600)
        let token = try JWTSigner(key: named, algorithm: .ES256).sign(claims: #"{"exp":4102444800}"#)
        #expect(try JWTVerifier(keyring: keyring, policy: policy).verify(token).key.keyID == "p256")
    }
}
