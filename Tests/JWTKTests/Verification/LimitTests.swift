import Foundation
import JWTK
import Testing

/// Size, depth and count limits: refused with `limitExceeded`, before expensive work and without recursion.
@Suite("Limits")
struct LimitTests {
    static let verifier = JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: TestPolicy.fixed())

    static func token(claims: String, header: String = #"{"alg":"HS256","kid":"hs256"}"#) throws -> String {
        try TestTokens.sign(header: header, payload: claims, key: TestKeys.hs256, algorithm: .HS256)
    }

    @Test func tokenOverTheSizeLimitIsRefused() throws {
        let padding = String(repeating: "a", count: 16 * 1024)
        let big = try Self.token(claims: #"{"exp":4102444800,"pad":"\#(padding)"}"#)
        #expect(big.utf8.count > 16 * 1024)
        #expect(throws: JWTKError(.limitExceeded)) { try Self.verifier.verify(big) }
        #expect(throws: JWTKError(.limitExceeded)) { try Self.verifier.verifySignature(big) }
        #expect(throws: JWTKError(.limitExceeded)) { try UnverifiedJWT.decode(big) }
        var policy = TestPolicy.fixed()
        policy.limits.maxTokenBytes = 64 * 1024
        #expect(throws: Never.self) { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(big) }
        // Exactly at the limit is allowed.
        policy.limits.maxTokenBytes = big.utf8.count
        #expect(throws: Never.self) { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(big) }
        policy.limits.maxTokenBytes = big.utf8.count - 1
        #expect(throws: JWTKError(.limitExceeded)) { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(big) }
    }

    /// A 10 MB token (of dots, and of base64 characters) is refused by its size, before any parsing.
    @Test func tenMegabyteTokenIsRefusedBySize() throws {
        let dots = String(repeating: ".", count: 10_000_000)
        let letters = String(repeating: "A", count: 5_000_000) + "." + String(repeating: "A", count: 5_000_000) + ".AAAA"
        for token in [dots, letters] {
            let error = #expect(throws: JWTKError(.limitExceeded)) { try Self.verifier.verify(token) }
            #expect(error?.reason.contains("limit") == true)
        }
        // With the size limit lifted, ten million dots are still refused in one pass as malformed.
        var policy = TestPolicy.fixed()
        policy.limits.maxTokenBytes = Int.max
        #expect(throws: JWTKError(.malformedToken)) { try JWTVerifier(keys: [], policy: policy).verify(dots) }
    }

    @Test func headerOverTheSizeLimitIsRefused() throws {
        let padding = String(repeating: "h", count: 5000)
        let token = try Self.token(claims: #"{"exp":4102444800}"#, header: #"{"alg":"HS256","kid":"hs256","pad":"\#(padding)"}"#)
        #expect(throws: JWTKError(.limitExceeded)) { try Self.verifier.verify(token) }
        var policy = TestPolicy.fixed()
        policy.limits.maxHeaderBytes = 8 * 1024
        #expect(throws: Never.self) { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(token) }
    }

    static func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }

    /// The claims object is depth 1, so a claim holding 15 nested arrays reaches the default limit of 16 exactly.
    @Test func claimsNestingIsLimited() throws {
        #expect(throws: Never.self) { try Self.verifier.verify(try Self.token(claims: #"{"exp":4102444800,"a":\#(Self.nested(15))}"#)) }
        #expect(throws: JWTKError(.limitExceeded)) {
            try Self.verifier.verify(try Self.token(claims: #"{"exp":4102444800,"a":\#(Self.nested(16))}"#))
        }
        #expect(throws: JWTKError(.limitExceeded)) {
            try Self.verifier.verify(try Self.token(claims: #"{"exp":4102444800,"a":\#(Self.nested(17))}"#))
        }
        // Brackets inside strings do not count.
        let inString = #"{"exp":4102444800,"a":"\#(String(repeating: "[", count: 100))"}"#
        #expect(throws: Never.self) { try Self.verifier.verify(try Self.token(claims: inString)) }
        var policy = TestPolicy.fixed()
        policy.limits.maxJSONDepth = 18
        #expect(throws: Never.self) {
            try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(
                try Self.token(claims: #"{"exp":4102444800,"a":\#(Self.nested(17))}"#))
        }
    }

    @Test func headerNestingIsLimited() throws {
        let header = #"{"alg":"HS256","kid":"hs256","x":\#(Self.nested(16))}"#
        #expect(throws: JWTKError(.limitExceeded)) {
            try Self.verifier.verify(try Self.token(claims: #"{"exp":4102444800}"#, header: header))
        }
    }

    /// 100 000 levels of nesting are refused by the pre-scan, never by recursion (no stack overflow).
    @Test func deepNestingIsRefusedWithoutRecursion() throws {
        var policy = TestPolicy.fixed()
        policy.limits.maxTokenBytes = 1 << 20
        let verifier = JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy)
        let deep = try Self.token(claims: #"{"exp":4102444800,"a":\#(Self.nested(100_000))}"#)
        #expect(throws: JWTKError(.limitExceeded)) { try verifier.verify(deep) }
        let unbalanced = try Self.token(claims: String(repeating: "{\"a\":", count: 100_000))
        #expect(throws: JWTKError(.limitExceeded)) { try verifier.verify(unbalanced) }
        // Even with the depth limit lifted, jansson's own depth bound answers cleanly.
        policy.limits.maxJSONDepth = 1_000_000
        let error = errorCode { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(deep) }
        #expect(error == .invalidJSON || error == .limitExceeded)
        // A deep JWK Set is refused the same way.
        #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: #"{"keys":\#(Self.nested(100_000))}"#) }
    }

    @Test func jwkSetOverItsLimitsIsRefused() throws {
        let text = try Fixtures.text("generated/jwks-25.json")
        #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: text, limits: .init(maxKeys: 24)) }
        #expect(try JWKSet(json: text, limits: .init(maxKeys: 25)).keys.count == 25)
        #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: text, limits: .init(maxBytes: text.utf8.count - 1)) }
        #expect(try JWKSet(json: text, limits: .init(maxBytes: text.utf8.count)).keys.count == 25)
        // Default: 100 keys. 101 (even unusable ones) is refused.
        let many = #"{"keys":[\#(Array(repeating: #"{"kty":"none"}"#, count: 101).joined(separator: ","))]}"#
        #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: many) }
        // Default 1 MiB.
        let huge = #"{"keys":[],"pad":"\#(String(repeating: "x", count: 1 << 20))"}"#
        #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: huge) }
        #expect(throws: JWTKError(.limitExceeded)) { try VerificationKey(jwk: huge) }
    }
}
