import Foundation
import JWTK

/// One GET request made by jwtk's remote sources.
public struct HTTPFetchRequest: Sendable {
    /// The `User-Agent` jwtk sends: `jwtk/<version>` (`JWTKLibrary.version`).
    public static let defaultUserAgent = "jwtk/\(JWTKLibrary.version)"

    /// The URL to GET. Already checked against ``RemoteURLPolicy``.
    public var url: URL
    /// Request headers (`Accept`, `User-Agent`, `If-None-Match`, `Authorization`, ...).
    public var headers: [String: String]
    /// The whole request, connection included, must finish within this many seconds.
    public var timeout: Double
    /// A response body larger than this many bytes must be refused with ``JWTKRemoteError/Code/responseTooLarge``.
    public var maxResponseBytes: Int

    /// Creates a request.
    public init(url: URL, headers: [String: String] = [:], timeout: Double, maxResponseBytes: Int) {
        self.url = url
        self.headers = headers
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }
}

/// The response to an ``HTTPFetchRequest``.
public struct HTTPFetchResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Response headers, names lower-cased.
    public var headers: [String: String]
    /// The body (at most the request's `maxResponseBytes`).
    public var body: [UInt8]
    /// The URL that answered (differs from the request's only after a same-origin redirect).
    public var url: URL

    /// Creates a response; header names are lower-cased.
    public init(status: Int, headers: [String: String], body: [UInt8], url: URL) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, b in "\(a), \(b)" })
        self.body = body
        self.url = url
    }

    /// The value of a header, looked up case-insensitively.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// The transport used by ``RemoteJWKS``, ``OIDCDiscovery`` and ``UserInfoClient``.
///
/// jwtk ships ``URLSessionFetcher``; a service can inject its own (an HTTP client it already runs, a proxy-aware
/// one). An implementation must:
/// - make exactly one GET (plus same-origin redirects) with the request's headers (they include
///   `Accept-Encoding: identity`), and hand back the body exactly as sent, never inflated: a response with a
///   `Content-Encoding` other than `identity` is refused by the callers with
///   ``JWTKRemoteError/Code/unexpectedContentEncoding``, and a transport that inflates must count the
///   inflated bytes against `maxResponseBytes`;
/// - follow a redirect only when the target has the same origin (scheme, host, port) as the request and passes
///   ``RemoteURLPolicy``; otherwise fail with ``JWTKRemoteError/Code/redirectRefused`` without contacting it;
/// - fail with ``JWTKRemoteError/Code/timeout`` when the request's `timeout` elapses and with
///   ``JWTKRemoteError/Code/responseTooLarge`` once the body exceeds `maxResponseBytes` (without buffering more);
/// - return every status (including 304 and 5xx) as a response rather than an error;
/// - not use an HTTP cache of its own (jwtk handles `Cache-Control`, `ETag` and `If-None-Match` itself).
///
/// The callers check the URL policy before calling and the body size and origin of the answer after.
public protocol HTTPFetching: Sendable {
    /// Performs the GET.
    ///
    /// - Throws: ``JWTKRemoteError`` (`fetchFailed`, `timeout`, `tlsFailure`, `responseTooLarge`,
    ///   `redirectRefused`, `insecureURL`, `cancelled`).
    func fetch(_ request: HTTPFetchRequest) async throws(JWTKRemoteError) -> HTTPFetchResponse
}
