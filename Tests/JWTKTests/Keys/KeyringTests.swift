import Foundation
import JWTK
import Testing

/// Key selection: by `kid` first, then by algorithm family; never a default key, never a guess.
@Suite("Keyring selection")
struct KeyringTests {
    static let claims = #"{"exp":4102444800}"#

    @Test func unknownKeyIDIsKeyNotFound() throws {
        let signer = try SigningKey.generate(for: .ES256, keyID: "unknown")
        let token = try JWTSigner(key: signer, algorithm: .ES256).sign(claims: Self.claims)
        let verifier = JWTVerifier(keys: TestKeys.allPublicKeys, policy: TestPolicy.fixedMixed())
        let error = #expect(throws: JWTKError(.keyNotFound)) { try verifier.verify(token) }
        #expect(error?.keyID == "unknown")
    }

    @Test func keyIDsCompareExactly() throws {
        let verifier = JWTVerifier(keys: [TestKeys.p256.verificationKey], policy: TestPolicy.fixed())
        for kid in ["P256", "p256 ", "p25", "p2566"] {
            let token = try TestTokens.sign(
                header: TestTokens.header("ES256", kid: kid), payload: Self.claims, key: TestKeys.p256, algorithm: .ES256)
            #expect(throws: JWTKError(.keyNotFound), "\(kid)") { try verifier.verify(token) }
        }
    }

    /// The right `kid` on a key of the wrong type: the key is found but cannot verify the token's algorithm.
    @Test func rightKeyIDWithWrongKeyTypeIsAlgorithmKeyMismatch() throws {
        let token = try TestTokens.sign(
            header: TestTokens.header("HS256", kid: "p256"), payload: Self.claims, key: TestKeys.hs256, algorithm: .HS256)
        let verifier = JWTVerifier(keys: TestKeys.allPublicKeys, policy: TestPolicy.fixedMixed())
        #expect(throws: JWTKError(.algorithmKeyMismatch)) { try verifier.verify(token) }
        let rsaAsEC = try TestTokens.sign(
            header: TestTokens.header("RS256", kid: "p256"), payload: Self.claims, key: TestKeys.rsa, algorithm: .RS256)
        #expect(throws: JWTKError(.algorithmKeyMismatch)) { try verifier.verify(rsaAsEC) }
    }

    @Test func tokenWithoutKeyIDUsesTheOneFittingKey() throws {
        let anonymous = try SigningKey(pem: try #require(TestKeys.p256.privateKeyPEM))
        let token = try JWTSigner(key: anonymous, algorithm: .ES256).sign(claims: Self.claims)
        let verified = try JWTVerifier(keys: TestKeys.allPublicKeys, policy: TestPolicy.fixedMixed()).verify(token)
        #expect(verified.key.keyID == "p256")
        // No key of the family at all.
        let hsToken = try JWTSigner(key: try SigningKey(hmacSecret: Array(repeating: 1, count: 32)), algorithm: .HS256).sign(
            claims: Self.claims)
        #expect(throws: JWTKError(.keyNotFound)) { try JWTVerifier(keys: [TestKeys.p256.verificationKey]).verify(hsToken) }
        #expect(throws: JWTKError(.keyNotFound)) { try JWTVerifier(keys: []).verify(hsToken) }
    }

    @Test func twoFittingKeysWithoutKeyIDAreAmbiguous() throws {
        let first = try SigningKey.generate(for: .ES256)
        let second = try SigningKey.generate(for: .ES256)
        let token = try JWTSigner(key: second, algorithm: .ES256).sign(claims: Self.claims)
        let keys = [first.verificationKey, second.verificationKey, TestKeys.rsa.verificationKey]
        #expect(throws: JWTKError(.ambiguousKey)) { try JWTVerifier(keys: keys, policy: TestPolicy.fixed()).verify(token) }
        var policy = TestPolicy.fixed()
        policy.maxKeysTried = 2
        let verified = try JWTVerifier(keys: keys, policy: policy).verify(token)
        #expect(verified.key.thumbprint == second.verificationKey.thumbprint)
        // A third fitting key exceeds the bound again.
        let third = try SigningKey.generate(for: .ES256)
        #expect(throws: JWTKError(.ambiguousKey)) { try JWTVerifier(keys: keys + [third.verificationKey], policy: policy).verify(token) }
        // A forged token is still refused after trying both.
        let forged = try JWTSigner(key: third, algorithm: .ES256).sign(claims: Self.claims)
        #expect(throws: JWTKError(.signatureInvalid)) { try JWTVerifier(keys: keys, policy: policy).verify(forged) }
    }

    @Test func duplicateKeyIDsAreAmbiguousUnlessTryingIsAllowed() throws {
        let a = try SigningKey.generate(for: .ES256, keyID: "same")
        let b = try SigningKey.generate(for: .ES256, keyID: "same")
        let token = try JWTSigner(key: b, algorithm: .ES256).sign(claims: Self.claims)
        #expect(throws: JWTKError(.ambiguousKey)) {
            try JWTVerifier(keys: [a.verificationKey, b.verificationKey], policy: TestPolicy.fixed()).verify(token)
        }
        var policy = TestPolicy.fixed()
        policy.maxKeysTried = 2
        #expect(throws: Never.self) { try JWTVerifier(keys: [a.verificationKey, b.verificationKey], policy: policy).verify(token) }
    }

    /// `.strict`: a key without a kid never serves a token that names a kid. `.matchAnyKeyID`: it does.
    @Test func unidentifiedKeyMatchingStrictVersusMatchAny() throws {
        let anonymousKey = try VerificationKey(pem: try #require(TestKeys.p256.verificationKey.publicKeyPEM))
        #expect(anonymousKey.keyID == nil)
        let token = try JWTSigner(key: TestKeys.p256, algorithm: .ES256).sign(claims: Self.claims)  // kid "p256"
        let strict = JWTVerifier(keyring: Keyring(keys: [anonymousKey]), policy: TestPolicy.fixed())
        #expect(throws: JWTKError(.keyNotFound)) { try strict.verify(token) }
        let lenient = JWTVerifier(
            keyring: Keyring(keys: [anonymousKey], unidentifiedKeyMatching: .matchAnyKeyID), policy: TestPolicy.fixed())
        #expect(throws: Never.self) { try lenient.verify(token) }
        // Even when lenient, a kid-less key of another family is no candidate.
        let hmacToken = try JWTSigner(key: TestKeys.hs256, algorithm: .HS256).sign(claims: Self.claims)
        #expect(throws: JWTKError(.algorithmKeyMismatch)) { try lenient.verify(hmacToken) }
    }

    @Test func tokenWithKeyIDDoesNotFallBackToAnotherKey() throws {
        // The token names "p256-old", which is absent; "p256" would verify it but must not be tried.
        let old = try SigningKey(pem: try #require(TestKeys.p256.privateKeyPEM), keyID: "p256-old")
        let token = try JWTSigner(key: old, algorithm: .ES256).sign(claims: Self.claims)
        #expect(throws: JWTKError(.keyNotFound)) {
            try JWTVerifier(keys: [TestKeys.p256.verificationKey], policy: TestPolicy.fixed()).verify(token)
        }
    }

    @Test func replacingKeysTakesEffectAndBumpsTheGeneration() throws {
        let keyring = Keyring(keys: [TestKeys.p256.verificationKey])
        let verifier = JWTVerifier(keyring: keyring, policy: TestPolicy.fixed())
        let token = try JWTSigner(key: TestKeys.p384, algorithm: .ES384).sign(claims: Self.claims)
        #expect(keyring.generation == 1)
        #expect(throws: JWTKError(.keyNotFound)) { try verifier.verify(token) }
        keyring.replaceKeys([TestKeys.p384.verificationKey])
        #expect(keyring.generation == 2)
        #expect(keyring.containsKey(withID: "p384") && !keyring.containsKey(withID: "p256"))
        #expect(throws: Never.self) { try verifier.verify(token) }
    }

    /// jwks-25: every key is found by its kid among 25, and a key of the right kid but other type is refused.
    @Test func lookupAmongManyKeysUsesTheKeyID() throws {
        let set = try JWKSet(json: try Fixtures.text("generated/jwks-25.json"))
        let keyring = Keyring(jwks: set)
        let verifier = JWTVerifier(keyring: keyring, policy: TestPolicy.fixed())
        // The private keys were discarded: a token claiming k11 but signed by another P-256 key fails its signature.
        let token = try TestTokens.sign(
            header: TestTokens.header("ES256", kid: "k11"), payload: Self.claims, key: TestKeys.p256, algorithm: .ES256)
        #expect(throws: JWTKError(.signatureInvalid)) { try verifier.verify(token) }
        // k01 is an RS256 key: an ES256 token naming it is a mismatch.
        let mismatch = try TestTokens.sign(
            header: TestTokens.header("ES256", kid: "k01"), payload: Self.claims, key: TestKeys.p256, algorithm: .ES256)
        #expect(throws: JWTKError(.algorithmKeyMismatch)) { try verifier.verify(mismatch) }
        // k01 is bound to RS256 by its JWK alg: PS256 is refused.
        let pss = try TestTokens.sign(
            header: TestTokens.header("PS256", kid: "k01"), payload: Self.claims, key: TestKeys.rsa, algorithm: .PS256)
        #expect(throws: JWTKError(.algorithmKeyMismatch)) { try verifier.verify(pss) }
        // Without a kid, eight RS256 keys fit: ambiguous.
        let anonymous = try TestTokens.sign(header: TestTokens.header("RS256"), payload: Self.claims, key: TestKeys.rsa, algorithm: .RS256)
        #expect(throws: JWTKError(.ambiguousKey)) { try verifier.verify(anonymous) }
    }

    /// In a bounded try-all, a key that is too weak is never tried, even when it is the one that signed.
    @Test func weakKeyIsNeverTriedAlongsideAStrongOne() throws {
        let weak = try Fixtures.signingKey("rsa1024")
        let token = try TestTokens.sign(
            header: #"{"alg":"RS256"}"#, payload: #"{"exp":\#(TestPolicy.farExp)}"#, key: weak, algorithm: .RS256)
        var policy = TestPolicy.fixed()
        policy.maxKeysTried = 2
        let keys = [weak.verificationKey, try Fixtures.verificationKey("rsa2048")]
        #expect(throws: JWTKError(.signatureInvalid)) { try JWTVerifier(keys: keys, policy: policy).verify(token) }
        #expect(throws: JWTKError(.weakKey)) { try JWTVerifier(keys: [keys[0]], policy: policy).verify(token) }
    }

    /// Today's review: a duplicate whose `k` is malformed was skipped and the other key verified.
    @Test func kidSharedWithAnUnusableKeyIsAmbiguous() throws {
        let jwk = try #require(try Fixtures.json("generated/keys/p256.public.jwk.json") as? [String: Any])
        var good = jwk
        good["kid"] = "k1"
        let broken: [String: Any] = ["kty": "EC", "crv": "P-256", "kid": "k1", "x": "not base64!", "y": "AA"]
        let set = try JWKSet(json: Fixtures.jsonText(["keys": [good, broken]]))
        #expect(set.keys.count == 1 && set.skipped.count == 1)
        let token = try TestTokens.sign(
            header: TestTokens.header("ES256", kid: "k1"), payload: Self.claims, key: Self.fixtureP256(), algorithm: .ES256)
        let error = try #require(throws: JWTKError.self) {
            try JWTVerifier(keyring: Keyring(jwks: set), policy: TestPolicy.fixed()).verify(token)
        }
        #expect(error.code == .ambiguousKey && error.keyID == "k1")
        #expect(error.reason.contains("unusable"))
        // Even with try-several allowed: the unusable key cannot be tried, so which key was meant stays unknown.
        var policy = TestPolicy.fixed()
        policy.maxKeysTried = 5
        #expect(throws: JWTKError(.ambiguousKey)) { try JWTVerifier(keyring: Keyring(jwks: set), policy: policy).verify(token) }
        // A refreshed keyring keeps the rule; without the duplicate the key verifies.
        let keyring = Keyring(keys: [])
        keyring.replaceKeys(with: set)
        #expect(throws: JWTKError(.ambiguousKey)) { try JWTVerifier(keyring: keyring, policy: TestPolicy.fixed()).verify(token) }
        keyring.replaceKeys(with: try Self.setOf([good]))
        _ = try JWTVerifier(keyring: keyring, policy: TestPolicy.fixed()).verify(token)
    }

    /// Two usable keys of different families under one kid: before, the token's algorithm picked one of
    /// them; now the kid is ambiguous.
    @Test func kidSharedByKeysOfDifferentFamiliesIsAmbiguous() throws {
        let ec = try SigningKey.generate(for: .ES256, keyID: "same")
        let rsa = try SigningKey.generate(for: .RS256, keyID: "same")
        let token = try JWTSigner(key: ec, algorithm: .ES256).sign(claims: Self.claims)
        let keys = [ec.verificationKey, rsa.verificationKey]
        #expect(throws: JWTKError(.ambiguousKey)) { try JWTVerifier(keys: keys, policy: TestPolicy.fixed()).verify(token) }
        // Other kids of the same set are unaffected.
        let other = try SigningKey.generate(for: .ES256, keyID: "other")
        let fine = try JWTSigner(key: other, algorithm: .ES256).sign(claims: Self.claims)
        _ = try JWTVerifier(keys: keys + [other.verificationKey], policy: TestPolicy.fixed()).verify(fine)
    }

    static func fixtureP256() throws -> SigningKey {
        try SigningKey(pem: String(decoding: try Fixtures.data("generated/keys/p256.private.pem"), as: UTF8.self), keyID: "k1")
    }

    static func setOf(_ keys: [[String: Any]]) throws -> JWKSet { try JWKSet(json: Fixtures.jsonText(["keys": keys])) }

    @Test func setMixingSymmetricAndAsymmetricKeysIsRefusedUnlessAllowed() throws {
        let keys = [TestKeys.hs256.verificationKey, TestKeys.p256.verificationKey]
        let hs = try JWTSigner(key: TestKeys.hs256, algorithm: .HS256).sign(claims: Self.claims)
        let es = try JWTSigner(key: TestKeys.p256, algorithm: .ES256).sign(claims: Self.claims)
        for token in [hs, es] {
            let error = try #require(throws: JWTKError.self) { try JWTVerifier(keys: keys, policy: TestPolicy.fixed()).verify(token) }
            #expect(error.code == .unsupportedKey)
            #expect(error.reason.contains("mixes symmetric (oct) and asymmetric keys") && error.reason.contains("RFC 8725 §3.1"))
            #expect(throws: JWTKError(.unsupportedKey)) { try JWTVerifier(keys: keys, policy: TestPolicy.fixed()).verifySignature(token) }
            var policy = TestPolicy.fixed()
            policy.allowsMixedKeyTypes = true
            _ = try JWTVerifier(keys: keys, policy: policy).verify(token)
        }
        // Sets of one kind are unaffected.
        _ = try JWTVerifier(keys: [TestKeys.hs256.verificationKey, TestKeys.hs384.verificationKey], policy: TestPolicy.fixed()).verify(hs)
        _ = try JWTVerifier(keys: [TestKeys.p256.verificationKey, TestKeys.rsa.verificationKey], policy: TestPolicy.fixed()).verify(es)
    }
}

@Suite("Keyring selection: precedence")
struct KeyringPrecedenceTests {
    /// With `.matchAnyKeyID`, a token whose kid names a key exactly should be verified by that key even when
    /// a kid-less key of the same family is also present (the exact match is the caller's intent; the kid-less
    /// key is a fallback).
    @Test func exactKeyIDMatchIsUsedAlongsideUnidentifiedKeys() throws {
        let named = TestKeys.p256.verificationKey  // kid "p256"
        let anonymous = try SigningKey.generate(for: .ES256).verificationKey
        let keyring = Keyring(keys: [named, anonymous], unidentifiedKeyMatching: .matchAnyKeyID)
        let token = try JWTSigner(key: TestKeys.p256, algorithm: .ES256).sign(claims: #"{"exp":4102444800}"#)
        let verified = try JWTVerifier(keyring: keyring, policy: TestPolicy.fixed()).verify(token)
        #expect(verified.key.keyID == "p256")
    }

    /// The kid-less fallback still works when no key carries the token's kid.
    @Test func unidentifiedKeyServesAnUnknownKeyID() throws {
        let anonymous = try SigningKey(pem: try #require(TestKeys.p256.privateKeyPEM))
        let keyring = Keyring(keys: [anonymous.verificationKey, TestKeys.p384.verificationKey], unidentifiedKeyMatching: .matchAnyKeyID)
        let token = try TestTokens.sign(
            header: TestTokens.header("ES256", kid: "whatever"), payload: #"{"exp":4102444800}"#, key: anonymous, algorithm: .ES256)
        #expect(throws: Never.self) { try JWTVerifier(keyring: keyring, policy: TestPolicy.fixed()).verify(token) }
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
