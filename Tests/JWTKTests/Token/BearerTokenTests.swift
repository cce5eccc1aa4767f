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

    /// Every ASCII byte at every position of a 40-byte token (the 8-byte steps, their tail and the byte loop):
    /// accepted exactly when it is a b64token character; `=` only as trailing padding.
    @Test func eachASCIIByteAtEachPosition() throws {
        let body = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/".utf8)
        for byte in UInt8(0)..<0x80 {
            for position in 0..<40 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 40)
                bytes[position] = byte
                let token = String(decoding: bytes, as: UTF8.self)
                let header = "Bearer " + token
                if body.contains(byte) || (byte == UInt8(ascii: "=") && position == 39) {
                    #expect(try BearerToken(authorizationHeader: header).token == token)
                } else if (byte == 0x20 || byte == 0x09) && position == 39 {
                    // Trailing whitespace of the field value is trimmed.
                    #expect(try BearerToken(authorizationHeader: header).token == String(token.dropLast()))
                } else if byte == 0x20 && position == 0 {
                    // One or more spaces separate the scheme from the token.
                    #expect(try BearerToken(authorizationHeader: header).token == String(token.dropFirst()))
                } else {
                    #expect(throws: JWTKError(.invalidAuthorizationHeader)) { try BearerToken(authorizationHeader: header) }
                }
            }
        }
        #expect(try BearerToken(authorizationHeader: "Bearer " + String(repeating: "a", count: 17) + "===").token.count == 20)
        #expect(throws: JWTKError(.invalidAuthorizationHeader)) {
            try BearerToken(authorizationHeader: "Bearer " + String(repeating: "=", count: 16))
        }
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
