import Foundation
import JWTKInspection
import Testing

@testable import JWTK

/// Regressions from the second adversarial review (issue 9): header rules, key-set rules, ROCA, and the
/// choices SECURITY.md documents.
@Suite("Security review round 2 (verification core)")
struct SecurityRound2Tests {
    static let farExp = 4_102_444_800

    static func es256(_ header: String, claims: String = #"{"sub":"1","exp":4102444800}"#) throws -> String {
        try TestTokens.sign(header: header, payload: claims, key: TestKeys.p256, algorithm: .ES256)
    }

    static func verifier(
        _ keys: [VerificationKey] = [TestKeys.p256.verificationKey], _ change: (inout VerificationPolicy) -> Void = { _ in }
    )
        -> JWTVerifier
    {
        var policy = TestPolicy.fixed()
        change(&policy)
        return JWTVerifier(keys: keys, policy: policy)
    }

    // MARK: item 7: media types fold ASCII only

    /// `"\u212Ab+jwt"` (KELVIN SIGN) lower-cases to `kb+jwt` under Unicode rules; RFC 2045 §5.1 folds ASCII only.
    @Test func typeComparisonFoldsASCIIOnly() throws {
        let kelvin = try Self.es256(#"{"alg":"ES256","typ":"\u212Ab+jwt"}"#)
        #expect(throws: JWTKError(.typeMismatch)) { try Self.verifier { $0.expectedType = "kb+jwt" }.verify(kelvin) }
        // ASCII case still folds, and the application/ prefix still drops.
        let ascii = try Self.es256(#"{"alg":"ES256","typ":"APPLICATION/KB+JWT"}"#)
        _ = try Self.verifier { $0.expectedType = "kb+jwt" }.verify(ascii)
        // A rejected type is not evaded or matched through Unicode folding either.
        #expect(throws: JWTKError(.typeMismatch)) {
            try Self.verifier { $0.rejectedTypes = ["at+jwt"] }.verify(try Self.es256(#"{"alg":"ES256","typ":"AT+JWT"}"#))
        }
        _ = try Self.verifier { $0.rejectedTypes = ["kb+jwt"] }.verify(kelvin)
        #expect(JOSEHeader.normalizedType("\u{212A}B+JWT") == "\u{212A}b+jwt")
    }

    /// `cty` goes through the same rule: a Unicode look-alike of `JWT` is not the nested-token marker, ASCII
    /// `Jwt` is.
    @Test func contentTypeComparisonFoldsASCIIOnly() throws {
        #expect(throws: JWTKError(.invalidPayload)) { try Self.verifier().verify(try Self.es256(#"{"alg":"ES256","cty":"Jwt"}"#)) }
        _ = try Self.verifier().verify(try Self.es256(#"{"alg":"ES256","cty":"JW\u0165"}"#))
    }

    // MARK: item 15: header and thumbprint rules

    /// RFC 7516 §9: a header with `enc` is a JWE header, even in a three-segment token.
    @Test func headerWithEncIsAJWEHeaderAndRefused() throws {
        let token = try Self.es256(#"{"alg":"ES256","enc":"A128GCM"}"#)
        #expect(throws: JWTKError(.invalidHeader)) { try Self.verifier().verify(token) }
        #expect(throws: JWTKError(.invalidHeader)) { try Self.verifier().verifySignature(token) }
        let error = try #require(throws: JWTKError.self) { try Self.verifier().verify(token) }
        #expect(error.reason.contains("JWE"))
    }

    /// In a token header, `x5t#S256` and `x5t` are never used, but a mistyped one is `invalid_header`.
    @Test func mistypedHeaderThumbprintIsInvalidHeader() throws {
        let good = [#""x5t#S256":"EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw""#, #""x5t":"6ZjXuMtgDRBYd_0bs5aDFr6TgI4""#]
        for member in good { _ = try Self.verifier().verify(try Self.es256(#"{"alg":"ES256",\#(member)}"#)) }
        let bad = [
            #""x5t#S256":7"#, #""x5t#S256":["EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw"]"#,
            #""x5t#S256":"EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw=""#, #""x5t#S256":"Eyh+0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw""#,
            #""x5t#S256":"6ZjXuMtgDRBYd_0bs5aDFr6TgI4""#, #""x5t":"EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw""#, #""x5t":null"#,
        ]
        for member in bad {
            let error = try #require(throws: JWTKError.self, "\(member)") {
                try Self.verifier().verify(try Self.es256(#"{"alg":"ES256",\#(member)}"#))
            }
            #expect(error.code == .invalidHeader, "\(member)")
        }
    }

    static func p256JWK() throws -> [String: Any] {
        var jwk = try #require(try Fixtures.json("generated/keys/p256.public.jwk.json") as? [String: Any])
        jwk["x5c"] = [try Fixtures.data("generated/keys/p256.cert.der").base64EncodedString()]
        return jwk
    }

    /// `x5t` (SHA-1 of the leaf) is checked against `x5c` like `x5t#S256`.
    @Test func sha1ThumbprintContradictingTheLeafIsRefused() throws {
        var jwk = try Self.p256JWK()
        jwk["x5t"] = "6ZjXuMtgDRBYd_0bs5aDFr6TgI4"
        #expect(try VerificationKey(jwk: Fixtures.jsonText(jwk)).certificateChainLength == 1)
        jwk["x5t"] = "7ZjXuMtgDRBYd_0bs5aDFr6TgI4"
        let error = try #require(throws: JWTKError.self) { try VerificationKey(jwk: Fixtures.jsonText(jwk)) }
        #expect(error.code == .invalidKey && error.claim == "x5t")
    }

    /// A thumbprint that is not a string, not base64url, or not the digest's length is a broken key, with or
    /// without `x5c`.
    @Test(arguments: ["x5t", "x5t#S256"])
    func mistypedThumbprintIsRefused(_ member: String) throws {
        let good: [String: String] = ["x5t": "6ZjXuMtgDRBYd_0bs5aDFr6TgI4", "x5t#S256": "EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw"]
        let bad: [Any] = [
            7, ["EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw"], "EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw=",
            "Eyh+0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw", "AAAA", "6ZjXuMtgDRBYd_0bs5aDFr6TgI4A",
        ]
        for withChain in [true, false] {
            var jwk = try Self.p256JWK()
            if !withChain { jwk["x5c"] = nil }
            jwk[member] = good[member]
            #expect(try VerificationKey(jwk: Fixtures.jsonText(jwk)).certificateChainLength == (withChain ? 1 : 0))
            for value in bad {
                jwk[member] = value
                let error = try #require(throws: JWTKError.self, "\(member)=\(value)") { try VerificationKey(jwk: Fixtures.jsonText(jwk)) }
                #expect(error.code == .invalidKey && error.claim == member, "\(member)=\(value)")
            }
        }
    }

    // MARK: item 10: a kid shared in a set is ambiguous

    static let claims = #"{"sub":"1","exp":4102444800}"#

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

    // MARK: item 11: mixed symmetric and asymmetric sets

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

    // MARK: item 12: ROCA (CVE-2017-15361)

    static func rocaJWK() throws -> [String: Any] {
        try #require(try Fixtures.json("roca/roca-2048.public.jwk.json") as? [String: Any])
    }

    /// The ROCA-shaped modulus (testvectors/roca/generate.py) is refused at import with its own reason, by
    /// JWK and in a key set (skipped with that reason), and flagged by the lint.
    @Test func rocaModulusIsRefusedAtImportAndFlaggedByLint() throws {
        let jwk = try Self.rocaJWK()
        let n = try Base64URL.decode(try #require(jwk["n"] as? String))
        #expect(n.count == 256)
        #expect(ROCA.hasFingerprint(modulus: n))
        let error = try #require(throws: JWTKError.self) { try VerificationKey(jwk: Fixtures.jsonText(jwk)) }
        #expect(error.code == .weakKey && error.claim == "n" && error.keyID == "roca-2048")
        #expect(error.reason.contains("ROCA") && error.reason.contains("CVE-2017-15361"))
        let set = try JWKSet(json: Fixtures.jsonText(["keys": [jwk]]))
        #expect(set.keys.isEmpty && set.skipped.first?.reason.code == .weakKey)
        let lint = try JWKSLint.lint(bytes: Array(Fixtures.jsonText(["keys": [jwk]]).utf8))
        #expect(lint.entries.first?.findings.map(\.id).contains("rsa_roca") == true)
    }

    /// One bit changed, the fingerprint is gone: the test is about the residues, not the key's size or shape.
    @Test func nearRocaModulusIsNotFlagged() throws {
        var n = try Base64URL.decode(try #require(try Self.rocaJWK()["n"] as? String))
        n[n.count - 1] ^= 0x02
        #expect(!ROCA.hasFingerprint(modulus: n))
        var jwk = try Self.rocaJWK()
        jwk["n"] = Base64URL.encode(n)
        _ = try VerificationKey(jwk: Fixtures.jsonText(jwk))
        #expect(!ROCA.hasFingerprint(modulus: [UInt8]()))
    }

    /// Every RSA modulus in the repository's test vectors, and freshly generated keys, pass.
    @Test func ordinaryRSAKeysAreNotFlagged() throws {
        var moduli: [[UInt8]] = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                if object["kty"] as? String == "RSA", let n = object["n"] as? String, let bytes = try? Base64URL.decode(n) {
                    moduli.append(bytes)
                }
                object.values.forEach(collect)
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        let files = FileManager.default.enumerator(at: Fixtures.vectors, includingPropertiesForKeys: nil)!
        for case let url as URL in files where url.pathExtension == "json" && !url.path.contains("/roca/") {
            if let object = try? JSONSerialization.jsonObject(with: Data(contentsOf: url)) { collect(object) }
        }
        for bits in [2048, 2048, 3072] {
            let key = try SigningKey.generate(for: .RS256, rsaBits: bits)
            let members = VerificationKey.publicMembers(material: key.verificationKey.material, type: key.verificationKey.type)
            moduli.append(try Base64URL.decode(try #require(members.first { $0.0 == "n" }?.1)))
        }
        #expect(moduli.count >= 10)
        for n in moduli { #expect(!ROCA.hasFingerprint(modulus: n.drop { $0 == 0 })) }
    }

    // MARK: choices documented in SECURITY.md ("Choices pinned by tests")

    static let now = Int(TestPolicy.now)

    static func hs256(_ claims: String) throws -> String {
        try TestTokens.sign(header: TestTokens.header("HS256", kid: "hs256"), payload: claims, key: TestKeys.hs256, algorithm: .HS256)
    }

    static func hsVerifier(now: Double = TestPolicy.now, _ change: (inout VerificationPolicy) -> Void = { _ in }) -> JWTVerifier {
        var policy = TestPolicy.fixed(now)
        change(&policy)
        return JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy)
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

    /// `iat > exp` and `nbf > exp` are not compared with each other (jose and jwx do not either); each claim
    /// is checked against the clock, and without leeway no moment accepts such a token.
    @Test func inconsistentTimeClaimsAreJudgedAgainstTheClockOnly() throws {
        let t = Self.now
        let iatAfterExp = try Self.hs256(#"{"iat":\#(t + 20),"exp":\#(t + 10)}"#)
        let nbfAfterExp = try Self.hs256(#"{"nbf":\#(t + 20),"exp":\#(t + 10)}"#)
        for offset in stride(from: -30, through: 40, by: 5) {
            let at = TestPolicy.now + Double(offset)
            #expect(throws: JWTKError.self, "iat > exp at \(offset)") { try Self.hsVerifier(now: at).verify(iatAfterExp) }
            #expect(throws: JWTKError.self, "nbf > exp at \(offset)") { try Self.hsVerifier(now: at).verify(nbfAfterExp) }
        }
        #expect(throws: JWTKError(.issuedInFuture)) { try Self.hsVerifier().verify(iatAfterExp) }
        #expect(throws: JWTKError(.notYetValid)) { try Self.hsVerifier().verify(nbfAfterExp) }
        #expect(throws: JWTKError(.expired)) { try Self.hsVerifier(now: TestPolicy.now + 15).verify(nbfAfterExp) }
        // Leeway widens each window on its own, so both pass inside it.
        _ = try Self.hsVerifier(now: TestPolicy.now + 15) { $0.leeway = 10 }.verify(iatAfterExp)
        _ = try Self.hsVerifier(now: TestPolicy.now + 15) { $0.leeway = 10 }.verify(nbfAfterExp)
    }

    static func oidc(maxAge: Double? = nil, _ change: (inout VerificationPolicy) -> Void = { _ in }) -> JWTVerifier {
        var policy = VerificationPolicy.openIDConnect(issuer: "https://i", clientID: "c", maxAuthenticationAge: maxAge)
        policy.clock = .fixed(TestPolicy.now)
        change(&policy)
        return JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy)
    }

    static func idToken(sub: String = "u", authTime: Int? = nil) throws -> String {
        let auth = authTime.map { #","auth_time":\#($0)"# } ?? ""
        return try Self.hs256(#"{"iss":"https://i","aud":"c","sub":"\#(sub)","iat":\#(Self.now),"exp":\#(Self.farExp)\#(auth)}"#)
    }

    /// A required `sub` that is empty identifies no one: refused under the OIDC profile (and wherever `sub` is
    /// required); a policy that does not require `sub` does not judge it.
    @Test func emptySubjectIsRefusedWhenSubIsRequired() throws {
        _ = try Self.oidc().verify(try Self.idToken())
        let error = try #require(throws: JWTKError.self) { try Self.oidc().verify(try Self.idToken(sub: "")) }
        #expect(error.code == .invalidClaim && error.claim == "sub")
        #expect(throws: JWTKError(.invalidClaim)) {
            try Self.hsVerifier { $0.requiredClaims = ["sub"] }.verify(try Self.hs256(#"{"sub":"","exp":4102444800}"#))
        }
        _ = try Self.hsVerifier().verify(try Self.hs256(#"{"sub":"","exp":4102444800}"#))
    }

    /// With max_age, an `auth_time` later than now + leeway is refused: it would make any max_age pass.
    /// Without max_age, `auth_time` is not interpreted.
    @Test func futureAuthenticationTimeIsRefusedUnderMaxAge() throws {
        let future = try Self.idToken(authTime: Self.now + 3600)
        let error = try #require(throws: JWTKError.self) { try Self.oidc(maxAge: 300).verify(future) }
        #expect(error.code == .invalidClaim && error.claim == "auth_time")
        #expect(error.reason.contains("in the future"))
        _ = try Self.oidc(maxAge: 300).verify(try Self.idToken(authTime: Self.now - 10))
        _ = try Self.oidc(maxAge: 300) { $0.leeway = 60 }.verify(try Self.idToken(authTime: Self.now + 30))
        #expect(throws: JWTKError(.invalidClaim)) {
            try Self.oidc(maxAge: 300) { $0.leeway = 60 }.verify(try Self.idToken(authTime: Self.now + 61))
        }
        _ = try Self.oidc().verify(future)
    }
}
