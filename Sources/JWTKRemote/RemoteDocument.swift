import Foundation

/// The checks every remote fetch shares, applied around any ``HTTPFetching`` transport (so an injected one
/// cannot loosen them).
enum RemoteDocument {
    /// Checks the URL, fetches, and checks the answer's origin and size.
    static func get(_ request: HTTPFetchRequest, using fetcher: any HTTPFetching) async throws(JWTKRemoteError) -> HTTPFetchResponse {
        try RemoteURLPolicy.check(request.url)
        let response = try await fetcher.fetch(request)
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

    /// The error for an unexpected status.
    static func statusError(_ response: HTTPFetchResponse, url: URL) -> JWTKRemoteError {
        var detail = "the server answered HTTP \(response.status)"
        if let challenge = response.header("www-authenticate") { detail += " (WWW-Authenticate: \(challenge.prefix(200)))" }
        if (300..<400).contains(response.status) { detail += "; redirects are not followed here" }
        return JWTKRemoteError(.httpStatus, detail, url: url.absoluteString, status: response.status)
    }

    /// Parses a JSON object with Foundation; nil when the bytes are not a JSON object.
    static func object(_ bytes: [UInt8]) -> [String: Any]? {
        guard let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: []) else { return nil }
        return value as? [String: Any]
    }
}
