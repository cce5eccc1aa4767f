import Foundation
import JWTK

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An ``HTTPFetching`` transport on Foundation's `URLSession` (on Linux: FoundationNetworking over the system
/// libcurl), which ships with the toolchain and adds nothing to build time.
///
/// Each fetch uses an ephemeral session with no URL cache and no cookies, enforces the request's timeout over
/// the whole exchange, refuses a body over the size cap as soon as the `Content-Length` or the received bytes
/// exceed it, and follows redirects only within the same origin (at most 5).
///
/// It asks for `Accept-Encoding: identity` and refuses a response that names any other `Content-Encoding`
/// before reading its body (``JWTKRemoteError/Code/unexpectedContentEncoding``): libcurl would otherwise
/// inflate a small compressed body to any size before the cap could see it. The cap counts the bytes
/// delivered, after any decoding, so it bounds memory whatever the server sends.
///
/// TLS trust comes from the system store; a private CA must be installed there (FoundationNetworking on Linux
/// does not take a per-session trust root).
public struct URLSessionFetcher: HTTPFetching {
    /// How many same-origin redirects are followed before giving up.
    public var maxRedirects: Int

    /// Records the most body bytes any exchange held at once (tests assert the cap structurally with it).
    let meter: BodyMeter?

    /// Creates the fetcher.
    public init(maxRedirects: Int = 5) {
        self.maxRedirects = maxRedirects
        self.meter = nil
    }

    init(maxRedirects: Int = 5, meter: BodyMeter) {
        self.maxRedirects = maxRedirects
        self.meter = meter
    }

    /// Performs the GET; see ``HTTPFetching``.
    ///
    /// - Throws: ``JWTKRemoteError`` (`insecureURL`, `fetchFailed`, `timeout`, `tlsFailure`, `responseTooLarge`,
    ///   `redirectRefused`, `cancelled`).
    public func fetch(_ original: HTTPFetchRequest) async throws(JWTKRemoteError) -> HTTPFetchResponse {
        var normalized = original
        normalized.url = RemoteURLPolicy.normalized(original.url)
        let request = normalized
        try RemoteURLPolicy.check(request.url)
        if Task.isCancelled { throw JWTKRemoteError(.cancelled, "the task was cancelled", url: request.url.absoluteString) }

        // FoundationNetworking truncates timeouts to whole seconds (0.3 s becomes "time out at once"), so the
        // session gets a whole-second backstop above the real deadline, which `Exchange` enforces itself.
        let backstop = max(1, request.timeout.rounded(.up)) + 1
        var urlRequest = URLRequest(url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: backstop)
        urlRequest.httpMethod = "GET"
        urlRequest.httpShouldHandleCookies = false
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        // Replaces libcurl's own `Accept-Encoding: deflate, gzip, br, zstd`: a compressed body is not counted
        // against the cap until it has been inflated, so none is asked for (and one sent anyway is refused).
        urlRequest.setValue("identity", forHTTPHeaderField: "Accept-Encoding")

        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.timeoutIntervalForRequest = backstop
        configuration.timeoutIntervalForResource = backstop

        let exchange = Exchange(request: request, maxRedirects: maxRedirects, meter: meter)
        let session = URLSession(configuration: configuration, delegate: exchange, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: urlRequest)

        let result: Result<HTTPFetchResponse, JWTKRemoteError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                exchange.start(continuation: continuation, task: task)
                task.resume()
            }
        } onCancel: {
            exchange.finish(.failure(JWTKRemoteError(.cancelled, "the task was cancelled", url: request.url.absoluteString)))
        }
        return try result.get()
    }
}

/// The state of one request: the delegate of its session, and the one place that resumes the continuation.
///
/// `@unchecked Sendable` because `NSObject` subclasses cannot be checked: the stored `let`s are immutable and
/// every mutable field lives in the lock, so the delegate callbacks (on the session's queue), the timer task
/// and the cancellation handler may call in from any thread.
private final class Exchange: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<HTTPFetchResponse, JWTKRemoteError>, Never>?
        var task: URLSessionTask?
        var finished: Result<HTTPFetchResponse, JWTKRemoteError>?
        var response: HTTPURLResponse?
        var body: [UInt8] = []
        var redirects = 0
        var timer: Task<Void, Never>?
    }

    let request: HTTPFetchRequest
    let maxRedirects: Int
    let meter: BodyMeter?
    private let state = Locked(State())

    init(request: HTTPFetchRequest, maxRedirects: Int, meter: BodyMeter?) {
        self.request = request
        self.maxRedirects = maxRedirects
        self.meter = meter
    }

    var urlText: String { request.url.absoluteString }

    func start(continuation: CheckedContinuation<Result<HTTPFetchResponse, JWTKRemoteError>, Never>, task: URLSessionTask) {
        let early: Result<HTTPFetchResponse, JWTKRemoteError>? = state.withLock { state in
            if let finished = state.finished { return finished }  // cancelled before start
            state.continuation = continuation
            state.task = task
            return nil
        }
        if let early {
            task.cancel()
            continuation.resume(returning: early)
            return
        }
        let timeout = request.timeout
        let timer = Task { [weak self] in
            try? await Task.sleep(for: .seconds(timeout))
            guard !Task.isCancelled, let self else { return }
            self.finish(
                .failure(JWTKRemoteError(.timeout, "no complete response within \(DateText.seconds(timeout)) s", url: self.urlText)))
        }
        let alreadyFinished = state.withLock { state -> Bool in
            state.timer = timer
            return state.finished != nil
        }
        if alreadyFinished { timer.cancel() }
    }

    /// Resumes the caller exactly once and cancels the transfer.
    func finish(_ result: Result<HTTPFetchResponse, JWTKRemoteError>) {
        let (continuation, task, timer) = state.withLock { state in
            guard state.finished == nil else {
                return (
                    CheckedContinuation<Result<HTTPFetchResponse, JWTKRemoteError>, Never>?.none, URLSessionTask?.none,
                    Task<Void, Never>?.none
                )
            }
            state.finished = result
            defer { state.continuation = nil }
            return (state.continuation, state.task, state.timer)
        }
        timer?.cancel()
        if case .failure = result { task?.cancel() }
        continuation?.resume(returning: result)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let http = response as? HTTPURLResponse else {
            finish(.failure(JWTKRemoteError(.fetchFailed, "not an HTTP response", url: urlText)))
            completionHandler(.cancel)
            return
        }
        if let encoding = RemoteDocument.unrequestedEncoding(http.value(forHTTPHeaderField: "Content-Encoding")) {
            finish(.failure(RemoteDocument.encodingError(encoding, url: urlText)))
            completionHandler(.cancel)
            return
        }
        if http.expectedContentLength > Int64(request.maxResponseBytes) {
            finish(.failure(tooLarge("Content-Length is \(http.expectedContentLength) bytes")))
            completionHandler(.cancel)
            return
        }
        state.withLock { $0.response = http }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let over = state.withLock { state -> Bool in
            guard state.finished == nil else { return false }
            if state.body.count + data.count > request.maxResponseBytes { return true }
            state.body.append(contentsOf: data)
            meter?.record(state.body.count)
            return false
        }
        if over { finish(.failure(tooLarge("the body exceeds the cap"))) }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        let target = newRequest.url
        var refusal: JWTKRemoteError?
        if let target {
            if !RemoteURLPolicy.sameOrigin(request.url, target) {
                refusal = JWTKRemoteError(
                    .redirectRefused, "redirect (\(response.statusCode)) to another origin, \(target.absoluteString), not followed",
                    url: urlText, status: response.statusCode)
            } else if (try? RemoteURLPolicy.check(target)) == nil {
                refusal = JWTKRemoteError(
                    .redirectRefused, "redirect to an insecure URL not followed", url: urlText, status: response.statusCode)
            }
        } else {
            refusal = JWTKRemoteError(.redirectRefused, "redirect without a target", url: urlText, status: response.statusCode)
        }
        let count = state.withLock { state -> Int in
            state.redirects += 1
            return state.redirects
        }
        if refusal == nil, count > maxRedirects {
            refusal = JWTKRemoteError(.redirectRefused, "more than \(maxRedirects) redirects", url: urlText, status: response.statusCode)
        }
        if let refusal {
            completionHandler(nil)
            finish(.failure(refusal))
            return
        }
        var followed = newRequest
        for (name, value) in request.headers where followed.value(forHTTPHeaderField: name) == nil {
            followed.setValue(value, forHTTPHeaderField: name)
        }
        followed.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        completionHandler(followed)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error {
            finish(.failure(map(error)))
            return
        }
        let (received, body) = state.withLock { ($0.response, $0.body) }
        // FoundationNetworking never calls `didReceive response` for a 3xx it cannot follow (no `Location`);
        // the task still holds that response, so the caller sees the status rather than "no response".
        guard let response = received ?? (task.response as? HTTPURLResponse) else {
            finish(.failure(JWTKRemoteError(.fetchFailed, "no response", url: urlText)))
            return
        }
        var headers: [String: String] = [:]
        for (name, value) in response.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name] = value }
        }
        finish(.success(HTTPFetchResponse(status: response.statusCode, headers: headers, body: body, url: response.url ?? request.url)))
    }

    private func tooLarge(_ detail: String) -> JWTKRemoteError {
        JWTKRemoteError(.responseTooLarge, "\(detail); the limit is \(request.maxResponseBytes) bytes", url: urlText)
    }

    private func map(_ error: any Error) -> JWTKRemoteError {
        let nsError = error as NSError
        guard nsError.domain == NSURLErrorDomain else {
            return JWTKRemoteError(.fetchFailed, "\(nsError.localizedDescription)", url: urlText)
        }
        switch nsError.code {
        case NSURLErrorTimedOut:
            return JWTKRemoteError(.timeout, "no complete response within \(DateText.seconds(request.timeout)) s", url: urlText)
        case NSURLErrorCancelled:
            return JWTKRemoteError(.cancelled, "the request was cancelled", url: urlText)
        case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateHasBadDate, NSURLErrorServerCertificateUntrusted,
            NSURLErrorServerCertificateHasUnknownRoot, NSURLErrorServerCertificateNotYetValid, NSURLErrorClientCertificateRejected,
            NSURLErrorClientCertificateRequired:
            return JWTKRemoteError(.tlsFailure, "TLS failed: \(nsError.localizedDescription)", url: urlText)
        case NSURLErrorDataLengthExceedsMaximum:
            return tooLarge("the body exceeds the cap")
        default:
            // FoundationNetworking reports most libcurl TLS failures (CURLE_SSL_CONNECT_ERROR, certificate
            // problems) as NSURLError -1 with libcurl's message; that message is the only signal there is.
            let text = nsError.localizedDescription.lowercased()
            if request.url.scheme?.lowercased() == "https", ["ssl", "tls", "certificate"].contains(where: text.contains) {
                return JWTKRemoteError(.tlsFailure, "TLS failed: \(nsError.localizedDescription)", url: urlText)
            }
            return JWTKRemoteError(.fetchFailed, "\(nsError.localizedDescription) (NSURLError \(nsError.code))", url: urlText)
        }
    }
}

/// The largest body an ``Exchange`` held, over every exchange of one fetcher.
final class BodyMeter: Sendable {
    private let peak = Locked(0)

    /// Notes that `count` body bytes are buffered now.
    func record(_ count: Int) { peak.withLock { $0 = max($0, count) } }

    /// The most body bytes buffered at once so far.
    var peakBytes: Int { peak.withLock { $0 } }
}
