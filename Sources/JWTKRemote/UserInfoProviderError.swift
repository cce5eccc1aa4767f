import Foundation
import JWTK

/// What an OAuth 2.0 protected resource says when it refuses a request (RFC 6750 §3): the `error` code and
/// `error_description`, from a JSON body or from the `WWW-Authenticate: Bearer` challenge.
public struct BearerErrorResponse: Sendable, Hashable {
    /// Where the error was read from.
    public enum Source: String, Sendable, Hashable {
        /// A JSON object body with `error` (RFC 6749 §5.2 style).
        case body
        /// The `WWW-Authenticate: Bearer error="…"` challenge (RFC 6750 §3).
        case wwwAuthenticate = "www_authenticate"
    }

    /// The `error` code (`invalid_token`, `insufficient_scope`, ...).
    public let error: String
    /// The `error_description`, when given.
    public let errorDescription: String?
    /// Where it came from.
    public let source: Source

    /// Longest `error` or `error_description` kept, in characters; longer values are cut (a hostile server
    /// must not flood the message).
    public static let maxLength = 200

    /// Reads the error of a refused response: the JSON body's `error`/`error_description` first, else the
    /// `WWW-Authenticate` challenge's. Nil when neither carries an `error`.
    public init?(_ response: HTTPFetchResponse) {
        if let object = try? RemoteDocument.object(response.body, what: "the error response", maxDepth: 8),
            let error = object["error"]?.string, !error.isEmpty
        {
            self.error = String(error.prefix(Self.maxLength))
            self.errorDescription = object["error_description"]?.string.map { String($0.prefix(Self.maxLength)) }
            self.source = .body
            return
        }
        guard let challenge = response.header("www-authenticate"), let error = Self.parameter("error", in: challenge), !error.isEmpty
        else { return nil }
        self.error = String(error.prefix(Self.maxLength))
        self.errorDescription = Self.parameter("error_description", in: challenge).map { String($0.prefix(Self.maxLength)) }
        self.source = .wwwAuthenticate
    }

    /// `error: error_description`, or the code alone.
    public var summary: String { errorDescription.map { "\(error): \($0)" } ?? error }

    /// The value of `name="value"` (or `name=token`) in an auth-param list (RFC 9110 §11.2), quotes and
    /// backslash escapes removed.
    static func parameter(_ name: String, in challenge: String) -> String? {
        let scalars = Array(challenge.unicodeScalars)
        var index = 0
        while index < scalars.count {
            // Find `name` at a parameter boundary.
            let start = index
            while index < scalars.count, scalars[index] != "=" && scalars[index] != "," && scalars[index] != " " { index += 1 }
            let key = String(String.UnicodeScalarView(scalars[start..<index])).lowercased()
            guard index < scalars.count else { return nil }
            if scalars[index] != "=" {
                index += 1
                continue
            }
            index += 1
            var value = ""
            if index < scalars.count, scalars[index] == "\"" {
                index += 1
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    value.unicodeScalars.append(scalars[index])
                    index += 1
                }
                index += 1
            } else {
                while index < scalars.count, scalars[index] != "," && scalars[index] != " " {
                    value.unicodeScalars.append(scalars[index])
                    index += 1
                }
            }
            if key == name { return value }
        }
        return nil
    }
}

extension UserInfoClient {
    /// The `httpStatus` error for a refused userinfo call, with the provider's own `error` and
    /// `error_description` (``BearerErrorResponse``) added to the reason.
    static func refusal(_ response: HTTPFetchResponse, url: URL) -> JWTKRemoteError {
        let status = RemoteDocument.statusError(response, url: url)
        guard let said = BearerErrorResponse(response) else { return status }
        let from = said.source == .body ? "in its response body" : "in WWW-Authenticate"
        return JWTKRemoteError(
            status.code, "\(status.reason); the provider says \(from): \(said.summary)", url: status.url, status: status.status)
    }
}
