import Foundation
import JWTK

/// The checks every remote fetch shares, applied around any ``HTTPFetching`` transport (so an injected one
/// cannot loosen them).
enum RemoteDocument {
    /// Checks the URL, fetches, and checks the answer's origin and size.
    static func get(_ request: HTTPFetchRequest, using fetcher: any HTTPFetching) async throws(JWTKRemoteError) -> HTTPFetchResponse {
        var request = request
        request.url = RemoteURLPolicy.normalized(request.url)
        try RemoteURLPolicy.check(request.url)
        if request.headers.keys.allSatisfy({ $0.lowercased() != "accept-encoding" }) { request.headers["Accept-Encoding"] = "identity" }
        let response = try await fetcher.fetch(request)
        if let encoding = unrequestedEncoding(response.header("content-encoding")) {
            throw encodingError(encoding, url: request.url.absoluteString)
        }
        guard RemoteURLPolicy.sameOrigin(request.url, response.url) else {
            throw JWTKRemoteError(
                .redirectRefused, "the answer came from another origin, \(response.url.absoluteString)", url: request.url.absoluteString)
        }
        guard response.body.count <= request.maxResponseBytes else {
            throw JWTKRemoteError(
                .responseTooLarge, "the body is \(response.body.count) bytes; the limit is \(request.maxResponseBytes)",
                url: request.url.absoluteString)
        }
        return response
    }

    /// Refuses a response whose `Content-Type` is present and not JSON (`application/json`, `…/…+json`).
    static func requireJSON(_ response: HTTPFetchResponse, url: URL) throws(JWTKRemoteError) {
        guard let contentType = response.header("content-type") else { return }
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
            throw JWTKRemoteError(.unexpectedContentType, "Content-Type is \"\(contentType)\", not JSON", url: url.absoluteString)
        }
    }

    /// The `Content-Encoding` of a response when it is one jwtk did not ask for (anything but `identity`),
    /// else nil.
    static func unrequestedEncoding(_ value: String?) -> String? {
        guard let value else { return nil }
        let codings = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return codings.allSatisfy { $0.lowercased() == "identity" } ? nil : value
    }

    /// The error for a response compressed although `Accept-Encoding: identity` was sent.
    static func encodingError(_ encoding: String, url: String) -> JWTKRemoteError {
        JWTKRemoteError(
            .unexpectedContentEncoding,
            "the response is sent with Content-Encoding \"\(encoding.prefix(100))\" although jwtk asked for identity; "
                + "compressed bodies are refused (their inflated size is not bounded by the size cap)", url: url)
    }

    /// The error for an unexpected status.
    static func statusError(_ response: HTTPFetchResponse, url: URL) -> JWTKRemoteError {
        var detail = "the server answered HTTP \(response.status)"
        if let challenge = response.header("www-authenticate") { detail += " (WWW-Authenticate: \(challenge.prefix(200)))" }
        if response.status == 304 {
            detail += " (Not Modified) to a request that was not conditional: there is no cached copy it could refer to"
        } else if (300..<400).contains(response.status) {
            detail += response.header("location") == nil ? ", a redirect without a Location header" : "; redirects are not followed here"
        }
        return JWTKRemoteError(.httpStatus, detail, url: url.absoluteString, status: response.status)
    }

    /// Parses a remote JSON document with the strict parser the core uses for tokens (duplicate members,
    /// invalid UTF-8 and NUL refused; nesting at most `maxDepth`) and requires a JSON object.
    ///
    /// - Throws: ``JWTKRemoteError`` `invalidDocument` naming the reason (a duplicate member by name, `NaN` or
    ///   `Infinity`, which are not JSON numbers, too deep a nesting), with the core error as `underlying`.
    static func object(_ bytes: [UInt8], what: String, maxDepth: Int = 64) throws(JWTKRemoteError) -> JSONValue {
        let value: JSONValue
        do throws(JWTKError) {
            value = try JSONValue.parse(bytes: bytes, maxDepth: maxDepth)
        } catch {
            if error.code == .invalidJSON, let token = nonJSONNumber(in: bytes) {
                throw JWTKRemoteError(
                    .invalidDocument, "\(what) contains \(token), which is not a JSON number (RFC 8259 §6)", underlying: error)
            }
            throw JWTKRemoteError(.invalidDocument, "\(what) is refused: \(error.reason)", underlying: error)
        }
        guard value.kind == .object else { throw JWTKRemoteError(.invalidDocument, "\(what) is not a JSON object") }
        return value
    }

    /// `NaN`, `Infinity` or `-Infinity` outside a string, which lenient parsers accept as numbers.
    static func nonJSONNumber(in bytes: [UInt8]) -> String? {
        var inString = false
        var escaped = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
            } else if byte == 0x22 {
                inString = true
            } else {
                for token in ["NaN", "Infinity"] where bytes[index...].starts(with: token.utf8) {
                    return index > 0 && bytes[index - 1] == UInt8(ascii: "-") ? "-" + token : token
                }
            }
            index += 1
        }
        return nil
    }
}
