import Foundation
import JWTK
import Testing

/// JOSE header rules: strict JSON, `crit`, RFC 7797 `b64`, key-carrying members that are never trusted, `typ`.
@Suite("Header rules")
struct HeaderTests {
    static let claims = #"{"sub":"1","exp":4102444800}"#
    static var verifier: JWTVerifier { JWTVerifier(keys: [TestKeys.p256.verificationKey], policy: TestPolicy.fixed()) }

    func token(_ header: String, payload: String = HeaderTests.claims) throws -> String {
        try TestTokens.sign(header: header, payload: payload, key: TestKeys.p256, algorithm: .ES256)
    }

    @Test func duplicateHeaderMemberIsInvalidJSON() throws {
        for header in [#"{"alg":"ES256","alg":"none"}"#, #"{"alg":"ES256","kid":"p256","kid":"other"}"#, #"{"alg":"ES256","alg":"ES256"}"#]
        {
            #expect(throws: JWTKError(.invalidJSON), "\(header)") { try Self.verifier.verify(try token(header)) }
        }
    }

    @Test func duplicateClaimIsInvalidJSON() throws {
        for payload in [#"{"sub":"1","exp":4102444800,"exp":1}"#, #"{"sub":"1","sub":"2","exp":4102444800}"#] {
            #expect(throws: JWTKError(.invalidJSON), "\(payload)") {
                try Self.verifier.verify(try token(#"{"alg":"ES256"}"#, payload: payload))
            }
        }
    }

    @Test func unknownCriticalExtensionIsRefused() throws {
        let t = try token(#"{"alg":"ES256","crit":["exp"],"exp":1}"#)
        #expect(throws: JWTKError(.unsupportedCriticalHeader)) { try Self.verifier.verify(t) }
    }

    @Test(arguments: [
        #"{"alg":"ES256","crit":[]}"#, #"{"alg":"ES256","crit":"ext"}"#, #"{"alg":"ES256","crit":{"ext":1},"ext":1}"#,
        #"{"alg":"ES256","crit":[1],"ext":1}"#, #"{"alg":"ES256","crit":null}"#, #"{"alg":"ES256","crit":["alg"]}"#,
        #"{"alg":"ES256","crit":["kid"],"kid":"p256"}"#, #"{"alg":"ES256","crit":["ext"]}"#,
        #"{"alg":"ES256","crit":["ext","ext"],"ext":1}"#,
    ])
    func malformedCritIsRefused(_ header: String) throws {
        var policy = TestPolicy.fixed()
        policy.understoodCriticalHeaders = ["ext", "alg", "kid"]  // even when "understood", these forms are refused
        let verifier = JWTVerifier(keys: [TestKeys.p256.verificationKey], policy: policy)
        #expect(throws: JWTKError(.unsupportedCriticalHeader)) { try verifier.verify(try token(header)) }
    }

    @Test func understoodCriticalExtensionIsAccepted() throws {
        var policy = TestPolicy.fixed()
        policy.understoodCriticalHeaders = ["ext"]
        let verifier = JWTVerifier(keys: [TestKeys.p256.verificationKey], policy: policy)
        let verified = try verifier.verify(try token(#"{"alg":"ES256","crit":["ext"],"ext":{"v":1}}"#))
        #expect(verified.header.critical == ["ext"])
        #expect(verified.header.json["ext"]?["v"]?.integer == 1)
    }

    // MARK: RFC 7797

    func unencodedToken(_ header: String, payload: String) throws -> String {
        let input = TestTokens.b64(header) + "." + payload
        return input + "." + TestTokens.b64(try TestKeys.hs256.sign(Array(input.utf8), algorithm: .HS256))
    }

    @Test func unencodedPayloadWithoutCritIsInvalidHeader() throws {
        let t = try unencodedToken(#"{"alg":"HS256","b64":false}"#, payload: "$02")
        var policy = TestPolicy.fixed()
        policy.allowsUnencodedPayload = true
        #expect(throws: JWTKError(.invalidHeader)) {
            try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verifySignature(t)
        }
    }

    @Test func unencodedPayloadIsRefusedUnlessOptedIn() throws {
        let t = try unencodedToken(#"{"alg":"HS256","b64":false,"crit":["b64"]}"#, payload: "$02")
        #expect(throws: JWTKError(.unsupportedCriticalHeader)) {
            try JWTVerifier(keys: [TestKeys.hs256.verificationKey]).verifySignature(t)
        }
    }

    @Test func unencodedPayloadVerifiesWhenOptedIn() throws {
        var policy = TestPolicy.fixed()
        policy.allowsUnencodedPayload = true
        let verifier = JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy)
        let t = try unencodedToken(#"{"alg":"HS256","b64":false,"crit":["b64"]}"#, payload: "$02")
        #expect(try verifier.verifySignature(t).payload == Array("$02".utf8))
        // Detached: the payload travels separately and may contain a dot.
        let detachedInput = TestTokens.b64(#"{"alg":"HS256","b64":false,"crit":["b64"]}"#) + ".$.02"
        let signature = TestTokens.b64(try TestKeys.hs256.sign(Array(detachedInput.utf8), algorithm: .HS256))
        let detached = TestTokens.b64(#"{"alg":"HS256","b64":false,"crit":["b64"]}"#) + ".." + signature
        #expect(try verifier.verifySignature(detached, detachedPayload: Array("$.02".utf8)).payload == Array("$.02".utf8))
        #expect(throws: JWTKError(.signatureInvalid)) { try verifier.verifySignature(detached, detachedPayload: Array("$.03".utf8)) }
    }

    /// RFC 7797 §4.2 (published values): header {"alg":"HS256","b64":false,"crit":["b64"]}, payload "$.02",
    /// key from RFC 7515 A.1 / RFC 7797, signature A5dxf2s96_n5FLueVuW1Z_vh161FwXZC4YLPff6dmDY, detached.
    @Test func rfc7797ExampleVerifiesDetached() throws {
        let key = try VerificationKey(
            jwk: #"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#)
        var policy = TestPolicy.fixed()
        policy.allowsUnencodedPayload = true
        let token = "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..A5dxf2s96_n5FLueVuW1Z_vh161FwXZC4YLPff6dmDY"
        let verifier = JWTVerifier(keys: [key], policy: policy)
        #expect(try verifier.verifySignature(token, detachedPayload: Array("$.02".utf8)).payload == Array("$.02".utf8))
        #expect(throws: JWTKError(.unsupportedCriticalHeader)) {
            try JWTVerifier(keys: [key]).verifySignature(token, detachedPayload: Array("$.02".utf8))
        }
    }

    @Test func nonBooleanB64IsInvalidHeader() throws {
        var policy = TestPolicy.fixed()
        policy.allowsUnencodedPayload = true
        let t = try token(#"{"alg":"ES256","b64":"false","crit":["b64"]}"#)
        #expect(throws: JWTKError(.invalidHeader)) { try JWTVerifier(keys: [TestKeys.p256.verificationKey], policy: policy).verify(t) }
    }

    // MARK: keys in headers are never used

    /// A token signed by an attacker's key that carries the attacker's public key (`jwk`, `x5c`) or points
    /// at it (`jku`, `x5u`) is not verified: the key comes only from the keyring.
    @Test(arguments: ["jwk", "jku", "x5u", "x5c"])
    func attackerKeyInHeaderIsIgnored(_ member: String) throws {
        let attacker = try SigningKey.generate(for: .ES256, keyID: "p256")
        let value: String
        switch member {
        case "jwk": value = attacker.verificationKey.publicJWK
        case "x5c": value = "[\"\(try Base64URLTestCodec.decode(TestTokens.b64(Array("not a cert".utf8))).base64EncodedString())\"]"
        default: value = "\"http://127.0.0.1:1/attacker.json\""
        }
        let header = #"{"alg":"ES256","kid":"p256","\#(member)":\#(value)}"#
        let forged = try TestTokens.sign(header: header, payload: Self.claims, key: attacker, algorithm: .ES256)
        #expect(throws: JWTKError(.signatureInvalid)) { try Self.verifier.verify(forged) }
        // Without any key in the keyring there is nothing to verify with, whatever the header says.
        #expect(throws: JWTKError(.keyNotFound)) { try JWTVerifier(keys: [], policy: TestPolicy.fixed()).verify(forged) }
        // The same header on a token signed by the real key verifies and reports the ignored member.
        let genuine = try token(header)
        let verified = try Self.verifier.verify(genuine)
        #expect(verified.header.ignoredKeyMembers == [member])
        #expect(verified.key.thumbprint == TestKeys.p256.verificationKey.thumbprint)
    }

    @Test func headerMemberOfWrongTypeIsInvalidHeader() throws {
        for header in [
            #"{"alg":"ES256","kid":7}"#, #"{"alg":"ES256","typ":["JWT"]}"#, #"{"alg":"ES256","cty":null}"#, #"{"alg":256}"#,
            #"{"kid":"p256"}"#,
        ] {
            #expect(throws: JWTKError(.invalidHeader), "\(header)") { try Self.verifier.verify(try token(header)) }
        }
    }

    @Test func nestedJWTPayloadIsRefused() throws {
        let t = try token(#"{"alg":"ES256","cty":"JWT"}"#)
        #expect(throws: JWTKError(.invalidPayload)) { try Self.verifier.verify(t) }
    }

    // MARK: typ

    @Test(arguments: [("JWT", "jwt"), ("jwt", "JWT"), ("application/at+jwt", "at+jwt"), ("at+jwt", "application/AT+JWT")])
    func typeMatchesCaseInsensitivelyWithoutApplicationPrefix(_ typ: String, _ expected: String) throws {
        var policy = TestPolicy.fixed()
        policy.expectedType = expected
        let t = try token(#"{"alg":"ES256","typ":"\#(typ)"}"#)
        #expect(throws: Never.self) { try JWTVerifier(keys: [TestKeys.p256.verificationKey], policy: policy).verify(t) }
    }

    @Test func missingOrDifferentTypeIsTypeMismatch() throws {
        var policy = TestPolicy.fixed()
        policy.expectedType = "at+jwt"
        let verifier = JWTVerifier(keys: [TestKeys.p256.verificationKey], policy: policy)
        #expect(throws: JWTKError(.typeMismatch)) { try verifier.verify(try token(#"{"alg":"ES256"}"#)) }
        #expect(throws: JWTKError(.typeMismatch)) { try verifier.verify(try token(#"{"alg":"ES256","typ":"JWT"}"#)) }
        #expect(throws: JWTKError(.typeMismatch)) { try verifier.verify(try token(#"{"alg":"ES256","typ":"application/jwt"}"#)) }
    }

    /// RFC 7797 §6 requires `crit` only for `"b64": false`; `"b64": true` alone is an ordinary JWS. Listed in
    /// `crit`, `b64` is an extension the policy must understand (opt-in), whatever its value.
    @Test func b64TrueIsAnOrdinaryJWSButListingItInCritNeedsTheOptIn() throws {
        let claims = #"{"exp":\#(TestPolicy.farExp)}"#
        let plain = try TestTokens.hs256(claims, header: #"{"alg":"HS256","kid":"hs256","b64":true}"#)
        #expect(try TestPolicy.verifier().verify(plain).header.base64URLEncodePayload == true)
        let critical = try TestTokens.hs256(claims, header: #"{"alg":"HS256","kid":"hs256","b64":true,"crit":["b64"]}"#)
        #expect(throws: JWTKError(.unsupportedCriticalHeader)) { try TestPolicy.verifier().verify(critical) }
        #expect(throws: Never.self) { try TestPolicy.verifier { $0.allowsUnencodedPayload = true }.verify(critical) }
    }

    /// `"\u212Ab+jwt"` (KELVIN SIGN) lower-cases to `kb+jwt` under Unicode rules; RFC 2045 §5.1 folds ASCII only.
    @Test func typeComparisonFoldsASCIIOnly() throws {
        let kelvin = try TestTokens.es256(#"{"alg":"ES256","typ":"\u212Ab+jwt"}"#)
        #expect(throws: JWTKError(.typeMismatch)) {
            try TestPolicy.verifier([TestKeys.p256.verificationKey]) { $0.expectedType = "kb+jwt" }.verify(kelvin)
        }
        // ASCII case still folds, and the application/ prefix still drops.
        let ascii = try TestTokens.es256(#"{"alg":"ES256","typ":"APPLICATION/KB+JWT"}"#)
        _ = try TestPolicy.verifier([TestKeys.p256.verificationKey]) { $0.expectedType = "kb+jwt" }.verify(ascii)
        // A rejected type is not evaded or matched through Unicode folding either.
        #expect(throws: JWTKError(.typeMismatch)) {
            try TestPolicy.verifier([TestKeys.p256.verificationKey]) { $0.rejectedTypes = ["at+jwt"] }.verify(
                try TestTokens.es256(#"{"alg":"ES256","typ":"AT+JWT"}"#))
        }
        _ = try TestPolicy.verifier([TestKeys.p256.verificationKey]) { $0.rejectedTypes = ["kb+jwt"] }.verify(kelvin)
        #expect(JOSEHeader.normalizedType("\u{212A}B+JWT") == "\u{212A}b+jwt")
    }

    /// `cty` goes through the same rule: a Unicode look-alike of `JWT` is not the nested-token marker, ASCII
    /// `Jwt` is.
    @Test func contentTypeComparisonFoldsASCIIOnly() throws {
        #expect(throws: JWTKError(.invalidPayload)) { try Self.verifier.verify(try TestTokens.es256(#"{"alg":"ES256","cty":"Jwt"}"#)) }
        _ = try Self.verifier.verify(try TestTokens.es256(#"{"alg":"ES256","cty":"JW\u0165"}"#))
    }

    /// RFC 7516 §9: a header with `enc` is a JWE header, even in a three-segment token.
    @Test func headerWithEncIsAJWEHeaderAndRefused() throws {
        let token = try TestTokens.es256(#"{"alg":"ES256","enc":"A128GCM"}"#)
        #expect(throws: JWTKError(.invalidHeader)) { try Self.verifier.verify(token) }
        #expect(throws: JWTKError(.invalidHeader)) { try Self.verifier.verifySignature(token) }
        let error = try #require(throws: JWTKError.self) { try Self.verifier.verify(token) }
        #expect(error.reason.contains("JWE"))
    }

    /// In a token header, `x5t#S256` and `x5t` are never used, but a mistyped one is `invalid_header`.
    @Test func mistypedHeaderThumbprintIsInvalidHeader() throws {
        let good = [#""x5t#S256":"EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw""#, #""x5t":"6ZjXuMtgDRBYd_0bs5aDFr6TgI4""#]
        for member in good { _ = try Self.verifier.verify(try TestTokens.es256(#"{"alg":"ES256",\#(member)}"#)) }
        let bad = [
            #""x5t#S256":7"#, #""x5t#S256":["EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw"]"#,
            #""x5t#S256":"EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw=""#, #""x5t#S256":"Eyh+0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw""#,
            #""x5t#S256":"6ZjXuMtgDRBYd_0bs5aDFr6TgI4""#, #""x5t":"EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw""#, #""x5t":null"#,
        ]
        for member in bad {
            let error = try #require(throws: JWTKError.self, "\(member)") {
                try Self.verifier.verify(try TestTokens.es256(#"{"alg":"ES256",\#(member)}"#))
            }
            #expect(error.code == .invalidHeader, "\(member)")
        }
    }
}
