import Foundation
import JWTK
import Testing

/// Algorithm rules: `none` never verifies, unknown names are refused, the key decides the family (no
/// algorithm confusion), and malformed signatures are refused for every algorithm.
@Suite("Algorithms and signatures")
struct AlgorithmTests {
    static let claims = #"{"sub":"1","exp":4102444800}"#

    @Test(arguments: ["none", "None", "NONE", "nOnE"])
    func unsecuredTokenIsRefusedInEverySpelling(_ spelling: String) throws {
        let token = TestTokens.b64(#"{"alg":"\#(spelling)"}"#) + "." + TestTokens.b64(Self.claims) + "."
        let keyrings: [Keyring] = [
            Keyring(keys: []), Keyring(keys: TestKeys.allPublicKeys),
            Keyring(keys: TestKeys.allPublicKeys, unidentifiedKeyMatching: .matchAnyKeyID),
        ]
        for keyring in keyrings {
            var policy = TestPolicy.fixed()
            #expect(throws: JWTKError(.unsecuredTokenRefused)) { try JWTVerifier(keyring: keyring, policy: policy).verify(token) }
            #expect(throws: JWTKError(.unsecuredTokenRefused)) { try JWTVerifier(keyring: keyring, policy: policy).verifySignature(token) }
            policy.algorithms = []
            #expect(throws: JWTKError(.unsecuredTokenRefused)) { try JWTVerifier(keyring: keyring, policy: policy).verify(token) }
        }
        // Even with a signature segment present (an HMAC made with some key), `none` is refused first.
        let signed = try TestTokens.sign(header: #"{"alg":"\#(spelling)"}"#, payload: Self.claims, key: TestKeys.hs256, algorithm: .HS256)
        #expect(throws: JWTKError(.unsecuredTokenRefused)) { try JWTVerifier(keys: TestKeys.allPublicKeys).verify(signed) }
    }

    @Test func unsecuredTokenIsShownOnlyByTheUnverifiedDecoder() throws {
        let token = TestTokens.b64(#"{"alg":"none"}"#) + "." + TestTokens.b64(Self.claims) + "."
        let decoded = try UnverifiedJWT.decode(token)
        #expect(decoded.header?.algorithmName == "none")
        #expect(decoded.signature.isEmpty)
    }

    @Test(arguments: ["HS257", "hs256", "RS256 ", " RS256", "ES256K", "EdDSA2", "", "RSA-OAEP"])
    func unknownAlgorithmIsUnsupported(_ name: String) throws {
        let header = "{\"alg\":\(JSONText.quote(name))}"
        let token = try TestTokens.sign(header: header, payload: Self.claims, key: TestKeys.hs256, algorithm: .HS256)
        let verifier = JWTVerifier(keys: TestKeys.allPublicKeys, policy: TestPolicy.fixed())
        #expect(throws: JWTKError(.unsupportedAlgorithm)) { try verifier.verify(token) }
    }

    /// `"HS256\u0000"` must not be read as HS256: jansson refuses NUL inside strings, a clean `invalidJSON`.
    @Test func algorithmWithEmbeddedNULIsInvalidJSON() throws {
        let token = try TestTokens.sign(header: #"{"alg":"HS256\u0000"}"#, payload: Self.claims, key: TestKeys.hs256, algorithm: .HS256)
        #expect(throws: JWTKError(.invalidJSON)) { try JWTVerifier(keys: [TestKeys.hs256.verificationKey]).verify(token) }
    }

    @Test func algorithmOutsideTheAllowListIsNotAllowed() throws {
        let token = try JWTSigner(key: TestKeys.p256, algorithm: .ES256).sign(claims: Self.claims)
        var policy = TestPolicy.fixedMixed()
        policy.algorithms = [.RS256]
        #expect(throws: JWTKError(.algorithmNotAllowed)) { try JWTVerifier(keys: TestKeys.allPublicKeys, policy: policy).verify(token) }
        policy.algorithms = [.ES256]
        #expect(throws: Never.self) { try JWTVerifier(keys: TestKeys.allPublicKeys, policy: policy).verify(token) }
    }

    /// The classic confusion attack: HS256 keyed with the bytes of the RSA public key (PEM text or JWK
    /// JSON). The keyring holds only the RSA key, which cannot verify HS256. With the token's kid the key is
    /// found but does not fit (`algorithmKeyMismatch`); without a kid no key fits HS256 (`keyNotFound`).
    @Test(arguments: ["pem", "jwk"])
    func hmacTokenKeyedWithTheRSAPublicKeyIsRefused(_ form: String) throws {
        let rsaPublic = try Fixtures.verificationKey("rsa2048")
        let secret = form == "pem" ? try Fixtures.key("rsa2048", "public.pem") : try Fixtures.key("rsa2048", "public.jwk.json")
        let forger = try SigningKey(hmacSecret: Array(secret.utf8), keyID: "rsa2048")
        let withKid = try JWTSigner(key: forger, algorithm: .HS256).sign(claims: Self.claims)
        let anonymousForger = try SigningKey(hmacSecret: Array(secret.utf8))
        let withoutKid = try JWTSigner(key: anonymousForger, algorithm: .HS256).sign(claims: Self.claims)
        let pemKey = try VerificationKey(pem: try Fixtures.key("rsa2048", "public.pem"))
        for keyring in [Keyring(keys: [rsaPublic]), Keyring(keys: [pemKey], unidentifiedKeyMatching: .matchAnyKeyID)] {
            let verifier = JWTVerifier(keyring: keyring, policy: TestPolicy.fixed())
            #expect(throws: JWTKError(.algorithmKeyMismatch)) { try verifier.verify(withKid) }
            #expect(throws: JWTKError(.keyNotFound)) { try verifier.verify(withoutKid) }
        }
    }

    /// Psychic signatures (CVE-2022-21449): r = s = 0 never verifies.
    @Test(arguments: [JWSAlgorithm.ES256, .ES384, .ES512])
    func zeroECDSASignatureIsInvalid(_ algorithm: JWSAlgorithm) throws {
        let key = TestKeys.signing(for: algorithm)
        let token = try JWTSigner(key: key, algorithm: algorithm).sign(claims: Self.claims)
        let size = TestTokens.signature(token).count
        let verifier = JWTVerifier(keys: [key.verificationKey], policy: TestPolicy.fixed())
        #expect(throws: JWTKError(.signatureInvalid)) {
            try verifier.verify(TestTokens.withSignature(token, Array(repeating: 0, count: size)))
        }
    }

    static let curveOrders: [JWSAlgorithm: String] = [
        .ES256: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        .ES384: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
        .ES512:
            "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    ]

    /// r or s equal to the group order n, or above it, is out of range and never verifies; neither does
    /// r + n (a value that equals r modulo n).
    @Test(arguments: [JWSAlgorithm.ES256, .ES384, .ES512])
    func outOfRangeECDSAValuesAreInvalid(_ algorithm: JWSAlgorithm) throws {
        let key = TestKeys.signing(for: algorithm)
        let token = try JWTSigner(key: key, algorithm: algorithm).sign(claims: Self.claims)
        let signature = TestTokens.signature(token)
        let half = signature.count / 2
        let n = Hex.decode(Self.curveOrders[algorithm]!)
        #expect(n.count == half)
        let r = Array(signature[..<half]), s = Array(signature[half...])
        var nPlusOne = n
        nPlusOne[nPlusOne.count - 1] &+= 1  // n ends in an odd byte < 0xFF for all three curves
        let allOnes = [UInt8](repeating: 0xFF, count: half)
        let verifier = JWTVerifier(keys: [key.verificationKey], policy: TestPolicy.fixed())
        #expect(throws: Never.self) { try verifier.verify(token) }
        for (label, forged) in [
            ("r = n", n + s), ("s = n", r + n), ("r = n + 1", nPlusOne + s), ("s = n + 1", r + nPlusOne),
            ("r = 2^k - 1", allOnes + s), ("s = 2^k - 1", r + allOnes), ("r = s = n", n + n),
            ("r = 0", [UInt8](repeating: 0, count: half) + s),
        ] {
            #expect(throws: JWTKError(.signatureInvalid), "\(algorithm) \(label)") {
                try verifier.verify(TestTokens.withSignature(token, forged))
            }
        }
    }

    /// The DER encoding of a correct ECDSA signature is not the JWS encoding (RFC 7518 §3.4): refused.
    @Test(arguments: [JWSAlgorithm.ES256, .ES384, .ES512])
    func derEncodedECDSASignatureIsInvalid(_ algorithm: JWSAlgorithm) throws {
        let key = TestKeys.signing(for: algorithm)
        let token = try JWTSigner(key: key, algorithm: algorithm).sign(claims: Self.claims)
        let raw = TestTokens.signature(token)
        let half = raw.count / 2
        func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
            var v = Array(bytes.drop { $0 == 0 })
            if v.isEmpty { v = [0] }
            if v[0] & 0x80 != 0 { v.insert(0, at: 0) }
            return [0x02] + length(v.count) + v
        }
        func length(_ n: Int) -> [UInt8] { n < 0x80 ? [UInt8(n)] : [0x81, UInt8(n)] }
        let body = integer(raw[..<half]) + integer(raw[half...])
        let der = [0x30] + length(body.count) + body
        let verifier = JWTVerifier(keys: [key.verificationKey], policy: TestPolicy.fixed())
        #expect(throws: JWTKError(.signatureInvalid)) { try verifier.verify(TestTokens.withSignature(token, der)) }
    }

    /// A signature one byte short or one byte long (and empty) is refused for every algorithm.
    @Test(arguments: TestKeys.algorithms)
    func wrongLengthSignatureIsInvalid(_ algorithm: JWSAlgorithm) throws {
        let key = TestKeys.signing(for: algorithm)
        let token = try JWTSigner(key: key, algorithm: algorithm).sign(claims: Self.claims)
        let signature = TestTokens.signature(token)
        let verifier = JWTVerifier(keys: [key.verificationKey], policy: TestPolicy.fixed())
        #expect(throws: Never.self) { try verifier.verify(token) }
        for forged in [Array(signature.dropLast()), signature + [0], [0] + signature, Array(signature.dropFirst()), []] {
            #expect(throws: JWTKError(.signatureInvalid), "\(algorithm) length \(forged.count)") {
                try verifier.verify(TestTokens.withSignature(token, forged))
            }
        }
    }

    /// A token signed by one key never verifies with another key of the same type.
    @Test(arguments: TestKeys.algorithms)
    func signatureFromAnotherKeyIsInvalid(_ algorithm: JWSAlgorithm) throws {
        let other = try SigningKey.generate(for: algorithm, keyID: TestKeys.signing(for: algorithm).keyID)
        let token = try JWTSigner(key: other, algorithm: algorithm).sign(claims: Self.claims)
        let verifier = JWTVerifier(keys: [TestKeys.signing(for: algorithm).verificationKey], policy: TestPolicy.fixed())
        #expect(throws: JWTKError(.signatureInvalid)) { try verifier.verify(token) }
    }

    /// RS256 and PS256 share RSA keys but not signatures: relabelling one as the other fails.
    @Test func rsaPaddingModesAreNotInterchangeable() throws {
        let pkcs1 = try JWTSigner(key: TestKeys.rsa, algorithm: .RS256).sign(claims: Self.claims)
        let pss = try JWTSigner(key: TestKeys.rsa, algorithm: .PS256).sign(claims: Self.claims)
        let relabelled = [
            TestTokens.b64(TestTokens.header("PS256", kid: "rsa")) + "." + TestTokens.segments(pkcs1)[1] + "."
                + TestTokens.segments(pkcs1)[2],
            TestTokens.b64(TestTokens.header("RS256", kid: "rsa")) + "." + TestTokens.segments(pss)[1] + "." + TestTokens.segments(pss)[2],
        ]
        let verifier = JWTVerifier(keys: [TestKeys.rsa.verificationKey], policy: TestPolicy.fixed())
        for token in relabelled { #expect(throws: JWTKError(.signatureInvalid)) { try verifier.verify(token) } }
    }

    /// An ES256 key never verifies ES384 (the curve is fixed by the algorithm), and Ed25519 never ES256.
    @Test func curveMustMatchTheAlgorithm() throws {
        let token = try TestTokens.sign(
            header: TestTokens.header("ES384", kid: "p256"), payload: Self.claims, key: TestKeys.p384, algorithm: .ES384)
        #expect(throws: JWTKError(.algorithmKeyMismatch)) { try JWTVerifier(keys: [TestKeys.p256.verificationKey]).verify(token) }
        #expect(!TestKeys.p256.verificationKey.canVerify(.ES384))
        #expect(!TestKeys.ed25519.verificationKey.canVerify(.ES256))
        #expect(TestKeys.ed25519.verificationKey.canVerify(.Ed25519))
        #expect(!TestKeys.ed25519.verificationKey.canVerify(.Ed448))
    }

    /// The fully specified `Ed25519` name (RFC 9864) verifies with an Ed25519 key, like `EdDSA`.
    @Test func fullySpecifiedEd25519NameVerifies() throws {
        let token = try JWTSigner(key: TestKeys.ed25519, algorithm: .Ed25519).sign(claims: Self.claims)
        let verified = try JWTVerifier(keys: [TestKeys.ed25519.verificationKey], policy: TestPolicy.fixed()).verify(token)
        #expect(verified.algorithm == .Ed25519)
    }

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
}
