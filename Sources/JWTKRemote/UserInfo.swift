import Foundation
import JWTK

/// The claims returned by an OpenID Connect userinfo endpoint (Core §5.3.2).
public struct UserInfo: Sendable {
    /// `sub`, always present.
    public let subject: String
    /// The response body as received (a UTF-8 JSON object).
    public let rawJSON: [UInt8]
    /// The response as parsed by the strict parser.
    public let document: JSONValue

    /// Parses a userinfo response body with jwtk's strict JSON parser (a member given twice, such as two
    /// `sub`s, invalid UTF-8, a NUL character, `NaN` and nesting deeper than 64 levels are refused).
    ///
    /// - Throws: ``JWTKRemoteError`` `invalidDocument` when the body is not strict JSON or not a JSON object
    ///   with a string `sub`.
    public init(json: [UInt8]) throws(JWTKRemoteError) {
        let object = try RemoteDocument.object(json, what: "the userinfo response")
        guard let subject = object["sub"]?.string else {
            throw JWTKRemoteError(.invalidDocument, "the userinfo response has no string \"sub\" (OIDC Core §5.3.2)")
        }
        self.subject = subject
        self.rawJSON = json
        self.document = object
    }

    /// The names of the claims returned.
    public var claimNames: [String] { (document.members ?? []).map(\.key).sorted() }

    /// A string claim (`name`, `email`, `picture`, ...), or nil when absent or not a string.
    public func string(_ name: String) -> String? { document[name]?.string }

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
    /// - Parameters:
    ///   - endpoint: the provider's `userinfo_endpoint`.
    ///   - accessToken: the access token, sent as `Authorization: Bearer`; it must be an RFC 6750 b64token.
    ///   - expectedSubject: the `sub` of the ID token obtained with the access token; the response's
    ///     `sub` must equal it (OIDC Core §5.3.2: otherwise the response must not be used).
    /// - Throws: ``JWTKRemoteError``: `invalidArgument` (an access token that is not an RFC 6750 §2.1
    ///   `b64token`; nothing is sent),
    ///   `insecureURL`, the fetch errors, `httpStatus` (401 carries the server's
    ///   `WWW-Authenticate` in the reason), `unexpectedContentType` (including signed `application/jwt`
    ///   responses, which are not supported), `invalidDocument`, `subjectMismatch`.
    public func fetch(endpoint: URL, accessToken: String, expectedSubject: String? = nil) async throws(JWTKRemoteError) -> UserInfo {
        guard Self.isBearerToken(accessToken) else {
            throw JWTKRemoteError(
                .invalidArgument,
                accessToken.isEmpty
                    ? "the access token is empty"
                    : "the access token is not an RFC 6750 §2.1 b64token (letters, digits, - . _ ~ + / and trailing =); it was not sent",
                url: endpoint.absoluteString)
        }
        let request = HTTPFetchRequest(
            url: endpoint,
            headers: [
                "Accept": "application/json", "User-Agent": HTTPFetchRequest.defaultUserAgent, "Authorization": "Bearer \(accessToken)",
            ], timeout: timeout, maxResponseBytes: maxResponseBytes)
        let response = try await RemoteDocument.get(request, using: fetcher)
        guard response.status == 200 else { throw Self.refusal(response, url: endpoint) }
        try RemoteDocument.requireJSON(response, url: endpoint)
        let info: UserInfo
        do throws(JWTKRemoteError) {
            info = try UserInfo(json: response.body)
        } catch {
            throw JWTKRemoteError(error.code, error.reason, url: endpoint.absoluteString, underlying: error.underlying)
        }
        // Exactly (§5.3.2), byte for byte: Swift's `!=` would let a canonically equivalent spelling pass.
        if let expectedSubject, !Exact.equal(info.subject, expectedSubject) {
            throw JWTKRemoteError(
                .subjectMismatch, "userinfo sub \"\(info.subject)\" differs from the ID token's sub \"\(expectedSubject)\"",
                url: endpoint.absoluteString)
        }
        return info
    }

    /// Whether `token` is an RFC 6750 §2.1 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
    /// *"="`. Anything else (whitespace, TAB, NUL, non-ASCII, U+FFFD from invalid UTF-8) would change or break
    /// the `Authorization` header, so it is never sent.
    public static func isBearerToken(_ token: String) -> Bool {
        let bytes = Array(token.utf8)
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "=") { end -= 1 }
        guard end > 0 else { return false }
        return bytes[..<end].allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"): true
            default: false
            }
        }
    }
}
