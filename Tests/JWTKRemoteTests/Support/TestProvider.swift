import FlyingFox
import FlyingSocks
import Foundation
import JWTK
import Synchronization

/// A real HTTP server on 127.0.0.1 (kernel-chosen port) playing an OpenID Provider: discovery, JWKS, userinfo,
/// redirects, with switches to inject faults. Every request is counted per path and its headers recorded.
final class TestProvider: Sendable {
    enum Fault: Sendable, CustomStringConvertible {
        case none
        case status(Int)
        case garbage
        case oversize(bytes: Int)
        case oversizeChunked(bytes: Int)
        case wrongContentType
        case delay(seconds: Double)
        case noUsableKeys

        var description: String {
            switch self {
            case .none: "none"
            case .status(let code): "status \(code)"
            case .garbage: "garbage body"
            case .oversize(let bytes): "\(bytes)-byte body"
            case .oversizeChunked(let bytes): "\(bytes)-byte chunked body"
            case .wrongContentType: "text/html content"
            case .delay(let seconds): "\(seconds) s delay"
            case .noUsableKeys: "no usable keys"
            }
        }
    }

    struct Settings: Sendable {
        var jwks = #"{"keys":[]}"#
        var jwksCacheControl: String?
        var jwksExpires: String?
        var jwksDate: String?
        var jwksETag: String?
        var jwksFault = Fault.none
        var issuer: String?
        var jwksURI: String?
        var algorithms = ["RS256", "ES256"]
        var discoveryCacheControl: String?
        var discoveryFault = Fault.none
        var userinfoToken = "access-token-1"
        var userinfoSubject = "user-42"
        var publishesUserinfo = true
    }

    let port: UInt16
    let settings = Mutex(Settings())
    private let counts = Mutex([String: Int]())
    private let headers = Mutex([String: [String: String]]())
    /// nil once stopped: the routes capture `self`, so holding the server after `stop()` would keep the provider,
    /// the server and its routes alive in a cycle (LeakSanitizer reports it under `make test-asan`).
    private let server: Mutex<HTTPServer?>
    private let task: Task<Void, any Error>

    var base: String { "http://127.0.0.1:\(port)" }

    private init(server: HTTPServer, task: Task<Void, any Error>, port: UInt16) {
        self.server = Mutex(server)
        self.task = task
        self.port = port
    }

    /// Starts a provider, runs `body`, and stops the server whatever happens.
    static func with<T>(_ body: (TestProvider) async throws -> T) async throws -> T {
        let provider = try await start()
        do {
            let result = try await body(provider)
            await provider.stop()
            return result
        } catch {
            await provider.stop()
            throw error
        }
    }

    static func start() async throws -> TestProvider {
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 5, logger: .disabled)
        let task = Task { try await server.run() }
        try await server.waitUntilListening()
        let address = await server.listeningAddress
        guard case .ip4(_, let port) = address else { throw ProviderError.noPort }
        let provider = TestProvider(server: server, task: task, port: port)
        await provider.installRoutes()
        return provider
    }

    func stop() async {
        let server = self.server.withLock { $0.take() }
        await server?.stop(timeout: 0)
        task.cancel()
    }

    enum ProviderError: Error { case noPort }

    func count(_ path: String) -> Int { counts.withLock { $0[path] ?? 0 } }
    func lastHeaders(_ path: String) -> [String: String] { headers.withLock { $0[path] ?? [:] } }
    func update(_ change: (inout Settings) -> Void) { settings.withLock { change(&$0) } }

    private func record(_ request: HTTPRequest) {
        var seen: [String: String] = [:]
        for (name, value) in request.headers { seen[name.rawValue.lowercased()] = value }
        counts.withLock { $0[request.path, default: 0] += 1 }
        headers.withLock { $0[request.path] = seen }
    }

    private func installRoutes() async {
        guard let server = self.server.withLock({ $0 }) else { return }
        await server.appendRoute("GET /jwks") { [self] request in
            record(request)
            let s = settings.withLock { $0 }
            if let faulty = await Self.faultResponse(s.jwksFault) { return faulty }
            if let etag = s.jwksETag, request.headers[HTTPHeader("If-None-Match")] == etag {
                var h = HTTPHeaders()
                h[.eTag] = etag
                if let cc = s.jwksCacheControl { h[.cacheControl] = cc }
                return HTTPResponse(statusCode: .notModified, headers: h)
            }
            var h = HTTPHeaders()
            h[.contentType] = "application/json"
            if let cc = s.jwksCacheControl { h[.cacheControl] = cc }
            if let expires = s.jwksExpires { h[HTTPHeader("Expires")] = expires }
            if let date = s.jwksDate { h[.date] = date }
            if let etag = s.jwksETag { h[.eTag] = etag }
            return HTTPResponse(statusCode: .ok, headers: h, body: Data(s.jwks.utf8))
        }
        for prefix in ["", "/tenant"] {
            await server.appendRoute(HTTPRoute("GET \(prefix)/.well-known/openid-configuration")) { [self] request in
                record(request)
                let s = settings.withLock { $0 }
                if let faulty = await Self.faultResponse(s.discoveryFault) { return faulty }
                var document: [String: Any] = [
                    "issuer": s.issuer ?? base + prefix,
                    "jwks_uri": s.jwksURI ?? "\(base)/jwks",
                    "authorization_endpoint": "\(base)/authorize",
                    "token_endpoint": "\(base)/token",
                    "id_token_signing_alg_values_supported": s.algorithms,
                    "response_types_supported": ["code", "id_token", "code id_token"],
                    "subject_types_supported": ["public"],
                ]
                if s.publishesUserinfo { document["userinfo_endpoint"] = "\(base)/userinfo" }
                var h = HTTPHeaders()
                h[.contentType] = "application/json"
                if let cc = s.discoveryCacheControl { h[.cacheControl] = cc }
                return HTTPResponse(statusCode: .ok, headers: h, body: try JSONSerialization.data(withJSONObject: document))
            }
        }
        await server.appendRoute("GET /userinfo") { [self] request in
            record(request)
            let s = settings.withLock { $0 }
            guard request.headers[.authorization] == "Bearer \(s.userinfoToken)" else {
                var h = HTTPHeaders()
                h[HTTPHeader("WWW-Authenticate")] = #"Bearer error="invalid_token""#
                return HTTPResponse(statusCode: .unauthorized, headers: h)
            }
            let body: [String: Any] = [
                "sub": s.userinfoSubject, "name": "Ada Lovelace", "email": "ada@example.com", "email_verified": true,
            ]
            var h = HTTPHeaders()
            h[.contentType] = "application/json; charset=utf-8"
            // Sorted: two responses must be the same bytes (a dictionary's order differs from one instance to the next).
            return HTTPResponse(statusCode: .ok, headers: h, body: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
        }
        await server.appendRoute("GET /redirect-same") { [self] request in
            record(request)
            var h = HTTPHeaders()
            h[.location] = "\(base)/jwks"
            return HTTPResponse(statusCode: .found, headers: h)
        }
        await server.appendRoute("GET /redirect-other") { [self] request in
            record(request)
            var h = HTTPHeaders()
            h[.location] = "http://localhost:\(port)/jwks"
            return HTTPResponse(statusCode: .found, headers: h)
        }
    }

    private static func faultResponse(_ fault: Fault) async -> HTTPResponse? {
        var json = HTTPHeaders()
        json[.contentType] = "application/json"
        switch fault {
        case .none:
            return nil
        case .status(let code):
            return HTTPResponse(statusCode: HTTPStatusCode(code, phrase: "Fault"), headers: json, body: Data(#"{"error":"boom"}"#.utf8))
        case .garbage:
            return HTTPResponse(statusCode: .ok, headers: json, body: Data("{\"keys\": [ not json".utf8))
        case .oversize(let bytes):
            var body = Data(#"{"keys":[],"pad":""#.utf8)
            body.append(Data(repeating: 0x61, count: bytes))
            body.append(Data(#""}"#.utf8))
            return HTTPResponse(statusCode: .ok, headers: json, body: body)
        case .oversizeChunked(let bytes):
            return HTTPResponse(statusCode: .ok, headers: json, body: HTTPBodySequence(from: RepeatingBytes(count: bytes)))
        case .wrongContentType:
            var html = HTTPHeaders()
            html[.contentType] = "text/html"
            return HTTPResponse(statusCode: .ok, headers: html, body: Data("<html><body>Sign in</body></html>".utf8))
        case .delay(let seconds):
            try? await Task.sleep(for: .seconds(seconds))
            return nil
        case .noUsableKeys:
            return HTTPResponse(statusCode: .ok, headers: json, body: Data(#"{"keys":[{"kty":"XYZ","kid":"odd"}]}"#.utf8))
        }
    }
}

/// `count` bytes of `a`, produced in chunks with no length known up front (sent with chunked transfer encoding).
struct RepeatingBytes: AsyncBufferedSequence {
    typealias Element = UInt8
    let count: Int

    func makeAsyncIterator() -> Iterator { Iterator(remaining: count) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        var remaining: Int

        mutating func next() async throws -> UInt8? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            return 0x61
        }

        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
            guard remaining > 0 else { return nil }
            let n = Swift.min(Swift.max(count, 1), remaining)
            remaining -= n
            return [UInt8](repeating: 0x61, count: n)
        }
    }
}
