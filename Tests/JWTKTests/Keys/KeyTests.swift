import Foundation
import JWTK
import Testing

/// Key import: JWK, JWK Set, PEM, DER, X.509 and thumbprints, and every rule that refuses a key.
@Suite("Keys")
struct KeyTests {
    static let asymmetric = ["rsa2048", "rsa3072", "rsa4096", "rsa1024", "p256", "p384", "p521", "ed25519"]

    func jwk(_ name: String) throws -> [String: Any] {
        try #require(try Fixtures.json("generated/keys/\(name).public.jwk.json") as? [String: Any])
    }

    func modified(_ name: String, _ change: (inout [String: Any]) -> Void) throws -> String {
        var object = try jwk(name)
        change(&object)
        return Fixtures.jsonText(object)
    }

    /// JWK, SPKI PEM, SPKI DER (and for rsa2048 PKCS#1 PEM and the certificate) give the same key.
    @Test(arguments: asymmetric)
    func everyKeyFormatYieldsTheSameKey(_ name: String) throws {
        let fromJWK = try Fixtures.verificationKey(name)
        let fromPEM = try VerificationKey(pem: try Fixtures.key(name, "public.pem"))
        let fromDER = try VerificationKey(der: Array(try Fixtures.data("generated/keys/\(name).public.der")))
        let fromPrivatePEM = try VerificationKey(pem: try Fixtures.key(name, "private.pem"))
        let loaded = try VerificationKey.load(contents: Array(try Fixtures.data("generated/keys/\(name).public.der")))
        #expect(fromPEM.thumbprint == fromJWK.thumbprint)
        #expect(fromDER.thumbprint == fromJWK.thumbprint)
        #expect(fromPrivatePEM.thumbprint == fromJWK.thumbprint)
        #expect(loaded.map(\.thumbprint) == [fromJWK.thumbprint])
        #expect(fromJWK.keyID == name)
        #expect(fromPEM.keyID == nil)
        #expect(!fromJWK.hadPrivateMembers && fromPrivatePEM.hadPrivateMembers)
        // Exported forms re-import to the same key.
        #expect(try VerificationKey(jwk: fromJWK.publicJWK).thumbprint == fromJWK.thumbprint)
        #expect(try VerificationKey(pem: try #require(fromDER.publicKeyPEM)).thumbprint == fromJWK.thumbprint)
    }

    @Test func rsaCertificateAndPKCS1FormsYieldTheSameKey() throws {
        let expected = try Fixtures.verificationKey("rsa2048").thumbprint
        #expect(try VerificationKey(pem: try Fixtures.key("rsa2048", "pkcs1.pem")).thumbprint == expected)
        #expect(try VerificationKey(pem: try Fixtures.key("rsa2048", "cert.pem")).thumbprint == expected)
        #expect(try VerificationKey(der: Array(try Fixtures.data("generated/keys/rsa2048.cert.der"))).thumbprint == expected)
        #expect(try VerificationKey(pem: try Fixtures.key("p256", "cert.pem")).thumbprint == Fixtures.verificationKey("p256").thumbprint)
    }

    @Test func keyTypesAndSizesAreReported() throws {
        #expect(try Fixtures.verificationKey("rsa2048").type == .rsa(bits: 2048))
        #expect(try Fixtures.verificationKey("rsa1024").type == .rsa(bits: 1024))
        #expect(try Fixtures.verificationKey("p384").type == .ec(curve: "P-384"))
        #expect(try Fixtures.verificationKey("ed25519").type == .okp(curve: "Ed25519"))
        #expect(try Fixtures.verificationKey("hs512").type == .oct(bytes: 64))
        #expect(try Fixtures.verificationKey("rsa2048").compatibleAlgorithms == [.RS256, .RS384, .RS512, .PS256, .PS384, .PS512])
        #expect(try Fixtures.verificationKey("p521").compatibleAlgorithms == [.ES512])
    }

    /// RFC 7638: only the required members count, so `kid`, `alg`, `use` and private members do not change it.
    @Test func thumbprintIgnoresOptionalAndPrivateMembers() throws {
        let plain = try Fixtures.verificationKey("p256")
        let decorated = try VerificationKey(
            jwk: try modified("p256") {
                $0["kid"] = "other"; $0["alg"] = "ES256"; $0["use"] = "sig"
            })
        let withPrivate = try VerificationKey(jwk: try Fixtures.key("p256", "private.jwk.json"))
        #expect(decorated.thumbprint == plain.thumbprint)
        #expect(withPrivate.thumbprint == plain.thumbprint)
    }

    /// A private JWK is accepted for verification by its public part, and says so.
    @Test(arguments: ["rsa2048", "p256", "ed25519"])
    func privateJWKIsAcceptedByItsPublicPart(_ name: String) throws {
        let key = try VerificationKey(jwk: try Fixtures.key(name, "private.jwk.json"))
        #expect(key.hadPrivateMembers)
        #expect(!key.publicJWK.contains("\"d\""))
        let token = try JWTSigner(key: try Fixtures.signingKey(name), algorithm: key.compatibleAlgorithms[0]).sign(
            claims: #"{"exp":4102444800}"#)
        #expect(throws: Never.self) { try JWTVerifier(keys: [key], policy: TestPolicy.fixed()).verify(token) }
    }

    // MARK: refused keys

    @Test func encryptionKeyIsRefusedWithKeyUsageMismatch() throws {
        let jwk = try modified("rsa2048") { $0["use"] = "enc" }
        #expect(throws: JWTKError(.keyUsageMismatch)) { try VerificationKey(jwk: jwk) }
        let set = try JWKSet(json: #"{"keys":[\#(jwk),\#(try Fixtures.key("p256", "public.jwk.json"))]}"#)
        #expect(set.keys.map(\.keyID) == ["p256"])
        #expect(set.skipped.count == 1)
        #expect(set.skipped.first?.index == 0)
        #expect(set.skipped.first?.keyID == "rsa2048")
        #expect(set.skipped.first?.reason.code == .keyUsageMismatch)
        // The RFC 7520 §3.6 encryption key is skipped for the same reason.
        let a256 = try #require(
            try JSONSerialization.jsonObject(
                with: Fixtures.data("rfc7520-cookbook/jwk/3_6.symmetric_key_encryption.json"))
                as? [String: Any])
        #expect(throws: JWTKError(.keyUsageMismatch)) { try VerificationKey(jwk: Fixtures.jsonText(a256)) }
    }

    @Test func keyOperationsWithoutVerifyAreRefused() throws {
        let signOnly = try modified("p256") { $0["key_ops"] = ["sign"] }
        #expect(throws: JWTKError(.keyUsageMismatch)) { try VerificationKey(jwk: signOnly) }
        let repeated = try modified("p256") { $0["key_ops"] = ["verify", "verify"] }
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: repeated) }
        let verify = try VerificationKey(jwk: try modified("p256") { $0["key_ops"] = ["verify", "sign"] })
        #expect(verify.keyOperations == ["verify", "sign"])
        let set = try JWKSet(json: #"{"keys":[\#(signOnly)]}"#)
        #expect(set.keys.isEmpty && set.skipped.first?.reason.code == .keyUsageMismatch)
    }

    /// A JWK bound to RS256 never verifies PS256 (nor RS384), even though the RSA key could.
    @Test func jwkAlgorithmBindsTheKey() throws {
        let bound = try VerificationKey(jwk: try modified("rsa2048") { $0["alg"] = "RS256" })
        #expect(bound.compatibleAlgorithms == [.RS256])
        let signer = try Fixtures.signingKey("rsa2048")
        let verifier = JWTVerifier(keys: [bound], policy: TestPolicy.fixed())
        for alg in [JWSAlgorithm.PS256, .RS384] {
            let token = try JWTSigner(key: signer, algorithm: alg).sign(claims: #"{"exp":4102444800}"#)
            #expect(throws: JWTKError(.algorithmKeyMismatch), "\(alg)") { try verifier.verify(token) }
        }
        #expect(throws: Never.self) {
            try verifier.verify(try JWTSigner(key: signer, algorithm: .RS256).sign(claims: #"{"exp":4102444800}"#))
        }
        // A binding that does not fit the key type is refused at import.
        #expect(throws: JWTKError(.algorithmKeyMismatch)) { try VerificationKey(jwk: try modified("rsa2048") { $0["alg"] = "ES256" }) }
        #expect(throws: JWTKError(.algorithmKeyMismatch)) { try VerificationKey(jwk: try modified("p256") { $0["alg"] = "ES384" }) }
        #expect(throws: JWTKError(.unsupportedAlgorithm)) { try VerificationKey(jwk: try modified("rsa2048") { $0["alg"] = "RSA-OAEP" }) }
        #expect(throws: JWTKError(.algorithmKeyMismatch)) {
            try VerificationKey(hmacSecret: Array(repeating: 1, count: 32), algorithm: .RS256)
        }
        #expect(throws: JWTKError(.algorithmKeyMismatch)) {
            try VerificationKey(pem: try Fixtures.key("p256", "public.pem"), algorithm: .EdDSA)
        }
    }

    @Test func rsaKeyBelowTheMinimumIsWeak() throws {
        let key = try Fixtures.verificationKey("rsa1024")
        let token = try JWTSigner(key: try Fixtures.signingKey("rsa1024"), algorithm: .RS256).sign(claims: #"{"exp":4102444800}"#)
        #expect(throws: JWTKError(.weakKey)) { try JWTVerifier(keys: [key], policy: TestPolicy.fixed()).verify(token) }
        var policy = TestPolicy.fixed()
        policy.minimumRSAKeyBits = 1024
        #expect(throws: Never.self) { try JWTVerifier(keys: [key], policy: policy).verify(token) }
        policy.minimumRSAKeyBits = 3072
        let rsa2048Token = try JWTSigner(key: try Fixtures.signingKey("rsa2048"), algorithm: .PS256).sign(claims: #"{"exp":4102444800}"#)
        #expect(throws: JWTKError(.weakKey)) {
            try JWTVerifier(keys: [try Fixtures.verificationKey("rsa2048")], policy: policy).verify(rsa2048Token)
        }
    }

    @Test func shortHMACSecretIsWeak() throws {
        let key = try Fixtures.verificationKey("hs256-short")
        let token = try JWTSigner(key: try Fixtures.signingKey("hs256-short"), algorithm: .HS256).sign(claims: #"{"exp":4102444800}"#)
        #expect(throws: JWTKError(.weakKey)) { try JWTVerifier(keys: [key], policy: TestPolicy.fixed()).verify(token) }
        var policy = TestPolicy.fixed()
        policy.requiresFullLengthHMACSecrets = false
        #expect(throws: Never.self) { try JWTVerifier(keys: [key], policy: policy).verify(token) }
    }

    /// A 32-byte secret is full length for HS256 but too short for HS384 and HS512.
    @Test(arguments: [JWSAlgorithm.HS384, .HS512])
    func hs256LengthSecretIsWeakForLongerHashes(_ algorithm: JWSAlgorithm) throws {
        let signer = try Fixtures.signingKey("hs256")
        let token = try JWTSigner(key: signer, algorithm: algorithm).sign(claims: #"{"exp":4102444800}"#)
        #expect(throws: JWTKError(.weakKey)) { try JWTVerifier(keys: [signer.verificationKey], policy: TestPolicy.fixed()).verify(token) }
        let ok = try JWTSigner(key: signer, algorithm: .HS256).sign(claims: #"{"exp":4102444800}"#)
        #expect(throws: Never.self) { try JWTVerifier(keys: [signer.verificationKey], policy: TestPolicy.fixed()).verify(ok) }
    }

    @Test(arguments: ["AQAC", "AQ", "AA", "", "AAE", "Ag", "AQAAAAAAAAAAAQ"])
    func badRSAExponentIsInvalid(_ e: String) throws {
        // Even exponents, 1, 0, empty, 1 with a leading zero octet, and an exponent wider than 64 bits.
        #expect(throws: JWTKError(.invalidKey), "e = \(e)") { try VerificationKey(jwk: try modified("rsa2048") { $0["e"] = e }) }
    }

    @Test func rsaModulusMustBePlausible() throws {
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: try modified("rsa2048") { $0["n"] = "AQAB" }) }
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: try modified("rsa2048") { $0["n"] = nil }) }
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: try modified("rsa2048") { $0["n"] = "not base64url!" }) }
    }

    @Test func ecPointNotOnTheCurveIsInvalid() throws {
        for name in ["p256", "p384", "p521"] {
            // Flip one bit of y: the point leaves the curve.
            let object = try jwk(name)
            var y = Array(try Base64URLTestCodec.decode(object["y"] as! String))
            y[y.count - 1] ^= 1
            let offCurve = try modified(name) { $0["y"] = try! Base64URLTestCodec.encode(y) }
            #expect(throws: JWTKError(.invalidKey), "\(name)") { try VerificationKey(jwk: offCurve) }
            // The point at infinity's conventional encoding (0, 0) is not a valid public key either.
            let zeros = try Base64URLTestCodec.encode(Array(repeating: 0, count: y.count))
            #expect(throws: JWTKError(.invalidKey), "\(name) (0,0)") {
                try VerificationKey(
                    jwk: try modified(name) {
                        $0["x"] = zeros; $0["y"] = zeros
                    })
            }
        }
    }

    @Test func ecCoordinatesOfTheWrongLengthAreInvalid() throws {
        let object = try jwk("p256")
        let x = Array(try Base64URLTestCodec.decode(object["x"] as! String))
        for bad in [[0] + x, Array(x.dropFirst()), x + x] {
            #expect(throws: JWTKError(.invalidKey)) {
                try VerificationKey(jwk: try modified("p256") { $0["x"] = try! Base64URLTestCodec.encode(bad) })
            }
        }
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: try modified("p256") { $0["y"] = nil }) }
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: try modified("p256") { $0["crv"] = nil }) }
        // A P-384 key labelled P-256 has coordinates of the wrong length.
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: try modified("p384") { $0["crv"] = "P-256" }) }
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: try modified("ed25519") { $0["x"] = "AAAA" }) }
    }

    @Test func unsupportedKeyTypesAreSkippedWithUnsupportedKey() throws {
        let p256 = try jwk("p256")
        let entries = [
            #"{"kty":"DSA","kid":"dsa","p":"AQAB"}"#,
            #"{"kty":"EC","crv":"secp256k1","kid":"k1","x":"\#(p256["x"]!)","y":"\#(p256["y"]!)"}"#,
            #"{"kty":"OKP","crv":"X25519","kid":"x25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#,
            try Fixtures.key("ed25519", "public.jwk.json"),
        ]
        let set = try JWKSet(json: #"{"keys":[\#(entries.joined(separator: ","))]}"#)
        #expect(set.keys.map(\.keyID) == ["ed25519"])
        #expect(set.skipped.map(\.keyID) == ["dsa", "k1", "x25519"])
        #expect(set.skipped.allSatisfy { $0.reason.code == .unsupportedKey })
        for entry in entries.prefix(3) { #expect(throws: JWTKError(.unsupportedKey)) { try VerificationKey(jwk: entry) } }
    }

    @Test func malformedJWKIsRefusedCleanly() throws {
        let cases: [(String, JWTKError.Code)] = [
            ("[]", .invalidKey), (#"{"kid":"x"}"#, .invalidKey), (#"{"kty":1}"#, .invalidKey), ("{", .invalidJSON), ("", .invalidJSON),
            (#"{"kty":"oct","k":""}"#, .invalidKey), (#"{"kty":"oct"}"#, .invalidKey),
            (#"{"kty":"RSA","n":"AQAB","e":"AQAB","kid":5}"#, .invalidKey),
            (#"{"kty":"oct","k":"c2VjcmV0","use":"enc"}"#, .keyUsageMismatch),
            (#"{"kty":"oct","k":"c2VjcmV0","key_ops":"verify"}"#, .invalidKey),
        ]
        for (text, code) in cases {
            #expect(errorCode { try VerificationKey(jwk: text) } == code, "\(text)")
        }
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(hmacSecret: []) }
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(der: [0x30, 0x03, 0x02, 0x01, 0x01]) }
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(pem: "no pem here") }
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n") }
    }

    // MARK: x5c

    @Test func x5cLeafMatchingTheKeyIsAccepted() throws {
        let key = try VerificationKey(jwk: try Fixtures.key("rsa2048", "x5c.jwk.json"))
        #expect(key.certificateChainLength == 1)
        #expect(key.thumbprint == (try Fixtures.verificationKey("rsa2048")).thumbprint)
    }

    @Test func x5cLeafWithAnotherKeyIsRefused() throws {
        var object = try #require(try Fixtures.json("generated/keys/rsa2048.x5c.jwk.json") as? [String: Any])
        object["x5c"] = [Data(try Fixtures.data("generated/keys/p256.cert.der")).base64EncodedString()]
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: Fixtures.jsonText(object)) }
        object["x5c"] = ["bm90IGEgY2VydA=="]
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: Fixtures.jsonText(object)) }
        object["x5c"] = []
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: Fixtures.jsonText(object)) }
        let set = try JWKSet(json: #"{"keys":[\#(Fixtures.jsonText(object))]}"#)
        #expect(set.keys.isEmpty && set.skipped.first?.reason.code == .invalidKey)
    }

    @Test func x5tS256MustMatchTheLeaf() throws {
        var object = try #require(try Fixtures.json("generated/keys/rsa2048.x5c.jwk.json") as? [String: Any])
        object["x5t#S256"] = try Base64URLTestCodec.encode(Array(repeating: 0, count: 32))
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: Fixtures.jsonText(object)) }
    }

    // MARK: JWK Sets

    @Test func generatedJWKSetLoadsEveryKey() throws {
        let set = try JWKSet(json: try Fixtures.text("generated/jwks.json"))
        #expect(set.keys.compactMap(\.keyID).sorted() == ["ed25519", "p256", "p384", "p521", "rsa2048"])
        #expect(set.skipped.isEmpty)
        #expect(set.keys.allSatisfy { $0.use == "sig" })
        let many = try JWKSet(json: try Fixtures.text("generated/jwks-25.json"))
        #expect(many.keys.count == 25 && many.skipped.isEmpty)
    }

    @Test func notAJWKSetIsInvalidJSON() throws {
        for text in ["[]", #"{"keys":{}}"#, #"{"kty":"oct","k":"c2VjcmV0"}"#, "{}", "nope"] {
            #expect(throws: JWTKError(.invalidJSON), "\(text)") { try JWKSet(json: text) }
        }
        let single = try JWKSet(json: try Fixtures.key("p256", "public.jwk.json"), acceptSingleKey: true)
        #expect(single.keys.count == 1)
    }

    @Test func loadingAJWKAppliesTheRequestedAlgorithmAndKeyID() throws {
        let jwk = Array(try Fixtures.key("p256", "public.jwk.json").utf8)
        let pinned = try VerificationKey.load(contents: jwk, keyID: "p256", algorithm: .ES256)
        #expect(pinned.first?.algorithm == .ES256)
        #expect(throws: JWTKError(.algorithmKeyMismatch)) { try VerificationKey.load(contents: jwk, algorithm: .ES384) }
        #expect(throws: JWTKError(.invalidArgument)) { try VerificationKey.load(contents: jwk, keyID: "other") }
    }

    @Test func rsaKeySizeOutOfRangeIsAnErrorNotATrap() {
        #expect(throws: JWTKError(.invalidArgument)) { try SigningKey.generate(for: .RS256, rsaBits: -1) }
        #expect(throws: JWTKError(.invalidArgument)) { try SigningKey.generate(for: .RS256, rsaBits: 1 << 20) }
    }

    /// An RSA modulus is a product of odd primes: an even `n` is not an RSA key. Refused at import rather than
    /// producing `signature_invalid` for every token.
    @Test func evenRSAModulusIsAnInvalidKey() throws {
        var jwk = try #require(try Fixtures.json("generated/keys/rsa2048.public.jwk.json") as? [String: Any])
        var n = Array(try Base64URLTestCodec.decode(jwk["n"] as! String))
        n[n.count - 1] &-= 1
        jwk["n"] = try Base64URLTestCodec.encode(n)
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: Fixtures.jsonText(jwk)) }
    }

    /// Leading zero octets in RSA `n`/`e` (RFC 7518 §6.3.1 says minimal octets) are accepted as the same
    /// integer, like jose and jwx: the key, its thumbprint and what it verifies do not change.
    @Test func leadingZeroRSAMembersAreTheSameKey() throws {
        var jwk = try #require(try Fixtures.json("generated/keys/rsa2048.public.jwk.json") as? [String: Any])
        let plain = try VerificationKey(jwk: Fixtures.jsonText(jwk))
        let n = try Base64URL.decode(try #require(jwk["n"] as? String))
        jwk["n"] = Base64URL.encode([0] + n)
        jwk["e"] = "AAEAAQ"
        let padded = try VerificationKey(jwk: Fixtures.jsonText(jwk))
        #expect(padded.thumbprint == plain.thumbprint)
        #expect(padded.type == plain.type)
        let signer = try SigningKey(pem: try Fixtures.text("generated/keys/rsa2048.private.pem"))
        let token = try JWTSigner(key: signer, algorithm: .RS256).sign(claims: #"{"exp":4102444800}"#)
        _ = try JWTVerifier(keys: [padded], policy: TestPolicy.fixed()).verify(token)
    }

    /// The parser for fetched sets skips `oct` keys with a reason and keeps every other key; a local set keeps them.
    @Test func publishedSetSkipsSymmetricKeys() throws {
        let text = #"{"keys":[\#(try Fixtures.key("hs256", "public.jwk.json")),\#(try Fixtures.key("p256", "public.jwk.json"))]}"#
        let published = try JWKSet(publishedBytes: Array(text.utf8))
        #expect(published.keys.map(\.type) == [.ec(curve: "P-256")])
        #expect(published.skipped.map(\.index) == [0])
        #expect(published.skipped.first?.reason.code == .unsupportedKey)
        #expect(try JWKSet(json: text).keys.count == 2)
    }
}
