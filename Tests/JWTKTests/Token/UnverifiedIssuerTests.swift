import JWTK
import Testing

/// `UnverifiedJWT.issuer(of:limits:)`, the issuer router's lean read of the unverified `iss`, against what it
/// replaces: `UnverifiedJWT.decode` followed by a read of the payload's `iss`. Same value, or the same error
/// code, for well-formed tokens and for each way a token can be broken (and two at once, where the order of
/// the checks decides the code).
@Suite("Unverified issuer for routing")
struct UnverifiedIssuerTests {
    typealias T = TestTokens

    enum Outcome: Equatable {
        case issuer(String?)
        case error(JWTKError.Code)
    }

    /// The reference: the full decode, then `iss`.
    static func reference(_ token: String, limits: TokenLimits) -> Outcome {
        do throws(JWTKError) {
            let unverified = try UnverifiedJWT.decode(token, limits: limits)
            guard let payload = unverified.payloadJSON, payload.kind == .object else { return .error(.invalidPayload) }
            guard let value = payload["iss"] else { return .issuer(nil) }
            guard let issuer = value.string else { return .error(.invalidClaim) }
            return .issuer(issuer)
        } catch {
            return .error(error.code)
        }
    }

    static func lean(_ token: String, limits: TokenLimits) -> Outcome {
        do throws(JWTKError) { return .issuer(try UnverifiedJWT.issuer(of: token, limits: limits)) } catch { return .error(error.code) }
    }

    static let header = T.b64(#"{"alg":"ES256","kid":"k"}"#)
    static let signature = T.b64([UInt8](repeating: 7, count: 64))
    static let payload = T.b64(#"{"iss":"https://a.example","sub":"s","exp":4102444800}"#)

    static let cases: [(String, String)] = [
        ("well formed", "\(header).\(payload).\(signature)"),
        ("no iss", "\(header).\(T.b64(#"{"sub":"s"}"#)).\(signature)"),
        ("iss a number", "\(header).\(T.b64(#"{"iss":7}"#)).\(signature)"),
        ("iss null", "\(header).\(T.b64(#"{"iss":null}"#)).\(signature)"),
        ("iss with an escaped character", "\(header).\(T.b64(#"{"iss":"https:\/\/a.example\u00e9"}"#)).\(signature)"),
        ("duplicate iss", "\(header).\(T.b64(#"{"iss":"https://a","iss":"https://b"}"#)).\(signature)"),
        ("payload an array", "\(header).\(T.b64(#"["iss"]"#)).\(signature)"),
        ("payload not JSON", "\(header).\(T.b64("iss")).\(signature)"),
        ("payload empty", "\(header)..\(signature)"),
        ("payload too deep", "\(header).\(T.b64(String(repeating: "[", count: 40) + String(repeating: "]", count: 40))).\(signature)"),
        ("payload not base64url", "\(header).\(payload)+.\(signature)"),
        ("header not JSON", "\(T.b64("{alg")).\(payload).\(signature)"),
        ("header an array", "\(T.b64("[1]")).\(payload).\(signature)"),
        ("header without alg", "\(T.b64(#"{"kid":"k"}"#)).\(payload).\(signature)"),
        ("header alg a number", "\(T.b64(#"{"alg":1}"#)).\(payload).\(signature)"),
        ("header not base64url", "\(header)=.\(payload).\(signature)"),
        ("signature not base64url", "\(header).\(payload).\(signature)*"),
        ("unsecured", "\(T.b64(#"{"alg":"none"}"#)).\(payload)."),
        ("two segments", "\(header).\(payload)"),
        ("four segments", "\(header).\(payload).\(signature).x"),
        ("five segments (JWE)", "\(header).a.b.c.d"),
        ("empty", ""),
        ("bad header and no iss", "\(T.b64("[1]")).\(T.b64(#"{"sub":"s"}"#)).\(signature)"),
        ("bad signature and payload not JSON", "\(header).\(T.b64("x")).\(signature)*"),
        ("payload not JSON and bad header base64url", "\(header)=.\(T.b64("x")).\(signature)"),
    ]

    @Test(arguments: cases)
    func agreesWithTheFullDecode(name: String, token: String) {
        let limits = TokenLimits()
        #expect(Self.lean(token, limits: limits) == Self.reference(token, limits: limits), "\(name)")
    }

    /// The token-size limit at its value and one past it.
    @Test func theTokenLimitAppliesAsInDecode() {
        let token = Self.cases[0].1
        var limits = TokenLimits()
        limits.maxTokenBytes = token.utf8.count
        #expect(Self.lean(token, limits: limits) == .issuer("https://a.example"))
        limits.maxTokenBytes = token.utf8.count - 1
        #expect(Self.lean(token, limits: limits) == .error(.limitExceeded))
        #expect(Self.reference(token, limits: limits) == .error(.limitExceeded))
    }
}
