import Foundation
import JWTK

/// The claims returned by an OpenID Connect userinfo endpoint (Core §5.3.2).
public struct UserInfo: Sendable {
    /// `sub`, always present.
    public let subject: String
    /// The response body as received (a UTF-8 JSON object).
    public let rawJSON: [UInt8]

    /// Parses a userinfo response body.
    ///
    /// - Throws: ``JWTKRemoteError`` `invalidDocument` when the body is not a JSON object with a string `sub`.
    public init(json: [UInt8]) throws(JWTKRemoteError) {
        guard let object = RemoteDocument.object(json) else {
            throw JWTKRemoteError(.invalidDocument, "the userinfo response is not a JSON object")
        }
        guard let subject = object["sub"] as? String else {
            throw JWTKRemoteError(.invalidDocument, "the userinfo response has no string \"sub\" (OIDC Core §5.3.2)")
        }
        self.subject = subject
        self.rawJSON = json
    }

    /// The names of the claims returned.
    public var claimNames: [String] { RemoteDocument.object(rawJSON).map { Array($0.keys).sorted() } ?? [] }

    /// A string claim (`name`, `email`, `picture`, ...), or nil when absent or not a string.
    public func string(_ name: String) -> String? { RemoteDocument.object(rawJSON)?[name] as? String }

    /// Decodes the response into `T` (for typed access to `email_verified`, `address`, ...).
    ///
    /// - Throws: the `DecodingError` from `decoder`.
    public func decode<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: Data(rawJSON))
    }
}

/// Calls an OpenID Connect userinfo endpoint with a bearer access token.
public struct UserInfoClient: Sendable {
    /// Seconds allowed for the request. Default 5.
    public var timeout: Double
    /// Largest accepted response in bytes. Default 1 MiB.
    public var maxResponseBytes: Int
    private let fetcher: any HTTPFetching

    /// Creates a client.
    public init(timeout: Double = 5, maxResponseBytes: Int = 1 << 20, fetcher: any HTTPFetching = URLSessionFetcher()) {
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.fetcher = fetcher
    }

    /// GETs `endpoint` with `Authorization: Bearer <accessToken>` and returns the claims.
    ///
    /// - Parameter expectedSubject: the `sub` of the ID token obtained with the access token; the response's
    ///   `sub` must equal it (OIDC Core §5.3.2: otherwise the response must not be used).
    /// - Throws: ``JWTKRemoteError``: `invalidArgument` (an empty access token or one with whitespace),
    ///   `insecureURL`, the fetch errors, `httpStatus` (401 carries the server's
    ///   `WWW-Authenticate` in the reason), `unexpectedContentType` (including signed `application/jwt`
    ///   responses, which are not supported), `invalidDocument`, `subjectMismatch`.
    public func fetch(endpoint: URL, accessToken: String, expectedSubject: String? = nil) async throws(JWTKRemoteError) -> UserInfo {
        guard !accessToken.isEmpty, !accessToken.contains(where: { $0.isNewline || $0 == " " }) else {
            throw JWTKRemoteError(.invalidArgument, "the access token is empty or contains whitespace", url: endpoint.absoluteString)
        }
        let request = HTTPFetchRequest(
            url: endpoint,
            headers: [
                "Accept": "application/json", "User-Agent": HTTPFetchRequest.defaultUserAgent, "Authorization": "Bearer \(accessToken)",
            ], timeout: timeout, maxResponseBytes: maxResponseBytes)
        let response = try await RemoteDocument.get(request, using: fetcher)
        guard response.status == 200 else { throw RemoteDocument.statusError(response, url: endpoint) }
        try RemoteDocument.requireJSON(response, url: endpoint)
        let info: UserInfo
        do throws(JWTKRemoteError) {
            info = try UserInfo(json: response.body)
        } catch {
            throw JWTKRemoteError(error.code, error.reason, url: endpoint.absoluteString)
        }
        // Exactly (§5.3.2), byte for byte: Swift's `!=` would let a canonically equivalent spelling pass.
        if let expectedSubject, !Exact.equal(info.subject, expectedSubject) {
            throw JWTKRemoteError(
                .subjectMismatch, "userinfo sub \"\(info.subject)\" differs from the ID token's sub \"\(expectedSubject)\"",
                url: endpoint.absoluteString)
        }
        return info
    }
}
