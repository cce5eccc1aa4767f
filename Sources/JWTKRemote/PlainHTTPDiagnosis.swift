import Foundation
import JWTK

/// Explains the commonest TLS failure in development: an `https://` URL for a server that speaks plain HTTP
/// on that port (a local provider on `http://127.0.0.1:8080`, say). The TLS library only reports a protocol
/// error ("wrong version number"); this says what it means.
public enum PlainHTTPDiagnosis {
    /// `error` with its reason extended when the server behind an `https://` URL speaks plain HTTP.
    ///
    /// For a loopback host (where plain http is allowed) it asks the same host and port over `http://` (one
    /// GET of `/` within `timeout` seconds, 4 KiB at most) and, when an HTTP response comes back, says so.
    /// Give it the timeout the failed fetch had: a loaded machine answers the probe no faster than the fetch. For other hosts nothing is
    /// sent over plain HTTP; the TLS library's "wrong version number" (the usual sign of an HTTP answer to a
    /// TLS handshake) is explained instead. Any other error is returned unchanged.
    public static func explain(
        _ error: JWTKRemoteError, timeout: Double = 5, fetcher: any HTTPFetching = URLSessionFetcher()
    ) async -> JWTKRemoteError {
        guard error.code == .tlsFailure || error.code == .fetchFailed, let text = error.url, var components = URLComponents(string: text),
            components.scheme?.lowercased() == "https", let host = components.host
        else { return error }
        components.scheme = "http"
        components.path = "/"
        components.query = nil
        components.fragment = nil
        if RemoteURLPolicy.isLoopback(host: host), let plain = components.url {
            let request = HTTPFetchRequest(
                url: plain, headers: ["User-Agent": HTTPFetchRequest.defaultUserAgent, "Accept-Encoding": "identity"], timeout: timeout,
                maxResponseBytes: 4096)
            if (try? await fetcher.fetch(request)) != nil {
                return JWTKRemoteError(
                    error.code,
                    "\(error.reason); the server at \(host):\(components.port.map(String.init) ?? "443") speaks plain HTTP, not TLS: use http:// for a loopback server",
                    url: error.url, status: error.status, underlying: error.underlying)
            }
            return error
        }
        if error.reason.lowercased().contains("wrong version number") {
            return JWTKRemoteError(
                error.code, "\(error.reason); the server probably speaks plain HTTP on this port, not TLS", url: error.url,
                status: error.status, underlying: error.underlying)
        }
        return error
    }
}
