import JWTK
import Testing

/// `BearerToken(authorizationHeader:)`: RFC 6750 §2.1 credentials, case-insensitive scheme, typed errors.
@Suite("Bearer token")
struct BearerTokenTests {
    @Test(arguments: ["Bearer abc.DEF-_~+/==", "bearer abc.DEF-_~+/==", "BEARER   abc.DEF-_~+/==", "  Bearer abc.DEF-_~+/==\t"])
    func acceptsB64Token(header: String) throws {
        let bearer = try BearerToken(authorizationHeader: header)
        #expect(bearer.token == "abc.DEF-_~+/==")
        #expect(bearer.scheme == .bearer)
    }

    @Test(arguments: ["Basic dXNlcjpwYXNz", "", "   ", "Bearerabc", "DPoP abc", "Bear abc"])
    func refusesOtherSchemes(header: String) {
        #expect(throws: JWTKError(.authorizationSchemeMismatch)) { try BearerToken(authorizationHeader: header) }
    }

    @Test(arguments: [
        "Bearer", "Bearer ", "Bearer\tabc", "Bearer a b", "Bearer a,b", "Bearer a=b", "Bearer ==", "Bearer a\"b",
        "Bearer realm=\"x\"", "Bearer \u{e9}t\u{e9}", "Bearer a\u{0}b",
    ])
    func refusesBadCredentials(header: String) {
        #expect(throws: JWTKError(.invalidAuthorizationHeader)) { try BearerToken(authorizationHeader: header) }
    }

    @Test func errorNeverEchoesTheToken() {
        let secretish = "s3cr3t-token-value with-a-space"
        let error = #expect(throws: JWTKError(.invalidAuthorizationHeader)) {
            try BearerToken(authorizationHeader: "Bearer \(secretish)")
        }
        #expect(error?.description.contains("s3cr3t") == false)
    }

    @Test func lengthLimitAtValueAndOnePast() throws {
        let atLimit = String(repeating: "a", count: 64)
        #expect(try BearerToken(authorizationHeader: "Bearer \(atLimit)", maxLength: 64).token == atLimit)
        #expect(throws: JWTKError(.limitExceeded)) {
            try BearerToken(authorizationHeader: "Bearer \(atLimit)a", maxLength: 64)
        }
        let defaultLimit = String(repeating: "b", count: BearerToken.defaultMaxLength)
        #expect(try BearerToken(authorizationHeader: "Bearer \(defaultLimit)").token.utf8.count == 16 * 1024)
        #expect(throws: JWTKError(.limitExceeded)) { try BearerToken(authorizationHeader: "Bearer \(defaultLimit)b") }
    }

    @Test func dpopSchemeReadsDPoPHeaders() throws {
        #expect(try BearerToken(authorizationHeader: "dpop abc", scheme: .dpop).token == "abc")
        #expect(throws: JWTKError(.authorizationSchemeMismatch)) {
            try BearerToken(authorizationHeader: "Bearer abc", scheme: .dpop)
        }
    }

    @Test func newCodesAreStable() {
        #expect(JWTKError.Code.authorizationSchemeMismatch.rawValue == "authorization_scheme_mismatch")
        #expect(JWTKError.Code.invalidAuthorizationHeader.rawValue == "invalid_authorization_header")
        #expect(JWTKError.Code.allCases.contains(.invalidAuthorizationHeader))
    }
}
