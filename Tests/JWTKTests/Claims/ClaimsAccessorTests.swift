import Foundation
import JWTK
import Testing

/// Typed accessors on verified claims: absent is nil, wrong type throws, never a silent default.
@Suite("Claims accessors")
struct ClaimsAccessorTests {
    static let payload = #"""
        {"iss":"https://issuer.example","sub":"42","aud":["a","b"],"exp":4102444800,"nbf":1767225599.5,"iat":1767225600,
         "jti":"id-1","email_verified":true,"roles":["admin","dev"],"address":{"country":"NL"},"n":null,"mixed":["a",1],
         "big":9007199254740993,"name":"Zoë 🚀","esc":"a\"b\\c\u00e9"}
        """#

    static func claims(_ payload: String = ClaimsAccessorTests.payload) throws -> JWTClaims {
        var policy = TestPolicy.fixed()
        policy.ignoresAudience = true
        let token = try TestTokens.sign(header: #"{"alg":"HS256"}"#, payload: payload, key: TestKeys.hs256, algorithm: .HS256)
        return try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(token).claims
    }

    @Test func typedAccessorsReturnValues() throws {
        let c = try Self.claims()
        #expect(try c.string("iss") == "https://issuer.example")
        #expect(try c.issuer == "https://issuer.example")
        #expect(try c.subject == "42")
        #expect(try c.jwtID == "id-1")
        #expect(try c.expiration == 4_102_444_800)
        #expect(try c.notBefore == 1_767_225_599.5)
        #expect(try c.issuedAt == 1_767_225_600)
        #expect(try c.number("exp") == 4_102_444_800)
        #expect(try c.numericDate("iat") == 1_767_225_600)
        #expect(try c.date("exp") == Date(timeIntervalSince1970: 4_102_444_800))
        #expect(try c.bool("email_verified") == true)
        #expect(try c.stringArray("roles") == ["admin", "dev"])
        #expect(try c.object("address")?["country"]?.string == "NL")
        #expect(try c.audience == ["a", "b"])
        #expect(try c.string("name") == "Zoë 🚀")
        #expect(try c.string("esc") == "a\"b\\cé")
        #expect(c["big"]?.integer == 9_007_199_254_740_993)  // exact beyond 2^53
        #expect(c.rawJSON("address") == #"{"country":"NL"}"#)
        #expect(c.rawJSON("roles") == #"["admin","dev"]"#)
        #expect(c.rawJSON("n") == "null")
        #expect(c.names.first == "iss" && c.names.count == 15)
    }

    @Test func absentClaimsAreNil() throws {
        let c = try Self.claims()
        #expect(try c.string("missing") == nil)
        #expect(try c.number("missing") == nil)
        #expect(try c.bool("missing") == nil)
        #expect(try c.date("missing") == nil)
        #expect(try c.stringArray("missing") == nil)
        #expect(try c.object("missing") == nil)
        #expect(c.rawJSON("missing") == nil)
        #expect(c["missing"] == nil)
        #expect(try Self.claims(#"{"exp":4102444800}"#).audience == nil)
    }

    @Test func wrongTypeThrowsInvalidClaim() throws {
        let c = try Self.claims()
        let checks: [(String, () throws -> Void)] = [
            ("string on number", { _ = try c.string("exp") }), ("string on null", { _ = try c.string("n") }),
            ("number on string", { _ = try c.number("sub") }), ("number on bool", { _ = try c.number("email_verified") }),
            ("bool on string", { _ = try c.bool("sub") }), ("date on string", { _ = try c.date("iss") }),
            ("stringArray on mixed", { _ = try c.stringArray("mixed") }), ("stringArray on string", { _ = try c.stringArray("sub") }),
            ("object on array", { _ = try c.object("roles") }), ("object on null", { _ = try c.object("n") }),
        ]
        for (label, check) in checks { #expect(errorCode(check) == .invalidClaim, "\(label)") }
        let error = #expect(throws: JWTKError(.invalidClaim)) { try c.string("exp") }
        #expect(error?.claim == "exp")
    }

    @Test func audienceAcceptsStringOrNonEmptyStringArray() throws {
        #expect(try Self.claims(#"{"exp":4102444800,"aud":"one"}"#).audience == ["one"])
        // The verifier already refuses a wrong-typed aud (see Claims); verifySignature lets the accessor see it.
        for aud in ["[]", "1", #"["a",1]"#] {
            let token = try TestTokens.sign(
                header: #"{"alg":"HS256"}"#, payload: #"{"aud":\#(aud)}"#, key: TestKeys.hs256, algorithm: .HS256)
            let jws = try JWTVerifier(keys: [TestKeys.hs256.verificationKey]).verifySignature(token)
            let decoded = try UnverifiedJWT.decode(token)
            #expect(jws.payload == decoded.payload)
            #expect(try decoded.payloadJSON?["aud"] != nil)
        }
    }

    struct Profile: Decodable, Equatable {
        let sub: String
        let roles: [String]
        let address: Address
        let email_verified: Bool
        let nickname: String?
        struct Address: Decodable, Equatable { let country: String }
    }

    @Test func claimsDecodeIntoAStruct() throws {
        let profile = try Self.claims().decode(Profile.self)
        #expect(profile == Profile(sub: "42", roles: ["admin", "dev"], address: .init(country: "NL"), email_verified: true, nickname: nil))
    }

    struct WrongProfile: Decodable { let sub: Int }

    @Test func decodingIntoAMismatchedStructThrowsInvalidClaim() throws {
        #expect(throws: JWTKError(.invalidClaim)) { try Self.claims().decode(WrongProfile.self) }
    }

    @Test func jsonValueViewsAreReadOnlyAndTyped() throws {
        let c = try Self.claims()
        #expect(c.json.kind == .object)
        #expect(c["roles"]?.kind == .array && c["roles"]?.count == 2)
        #expect(c["roles"]?.array?.compactMap(\.string) == ["admin", "dev"])
        #expect(c["exp"]?.kind == .integer && c["nbf"]?.kind == .real)
        #expect(c["exp"]?.string == nil && c["sub"]?.number == nil && c["sub"]?.integer == nil)
        #expect(c["n"]?.isNull == true)
        #expect(c["address"]?.members?.map(\.key) == ["country"])
        #expect(c["address"]?.serialized(pretty: false) == #"{"country":"NL"}"#)
    }
}
