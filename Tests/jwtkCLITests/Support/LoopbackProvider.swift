import Dispatch
import FlyingFox
import FlyingSocks
import Foundation
import JWTK
import JWTKTestSupport

/// A real OpenID Provider on 127.0.0.1 (kernel-chosen port) for the CLI tests: discovery, a JWK Set, a
/// failing JWK Set and userinfo, with settings the test changes. Every request is counted per path.
final class LoopbackProvider: Sendable {
    struct Settings: Sendable {
        /// The JWK Set served at /jwks.
        var jwks = #"{"keys":[]}"#
        var jwksHeaders: [String: String] = ["Cache-Control": "max-age=300", "ETag": "\"jwks-v1\""]
        /// The issuer the discovery document states (nil: the server's own base URL).
        var issuer: String?
        var algorithms = ["ES256", "RS256"]
        /// Seconds /slow/jwks waits before answering.
        var delay: Double = 10
        var userinfoToken = "at-123"
        var userinfoSubject = "user-42"
        /// When set, the JSON body of the userinfo endpoint's 401 (RFC 6750 §3 error and error_description).
        var userinfoErrorBody: String?
        /// The WWW-Authenticate challenge of the userinfo endpoint's 401.
        var userinfoChallenge = #"Bearer error="invalid_token""#
        /// When set, the discovery document served as is (a duplicate member, NaN) instead of the built one.
        var discoveryBody: String?
    }

    let settings = Locked(Settings())
    private let http: LoopbackServer

    var port: UInt16 { http.port }
    var base: String { http.base }

    private init(http: LoopbackServer) { self.http = http }

    /// Starts a provider, runs `body`, and stops the server whatever happens.
    static func with<T>(_ body: (LoopbackProvider) async throws -> T) async throws -> T {
        try await LoopbackServer.with(start, stop: { await $0.stop() }, body)
    }

    /// ``with(_:)`` with `keys` as the served JWK Set.
    static func with(serving keys: [TestKey], _ body: (LoopbackProvider) async throws -> Void) async throws {
        try await with { provider in
            provider.update { $0.jwks = TestKey.jwks(keys) }
            try await body(provider)
        }
    }

    static func start() async throws -> LoopbackProvider {
        let provider = LoopbackProvider(http: try await LoopbackServer.start(timeout: 60))
        await provider.installRoutes()
        return provider
    }

    func stop() async { await http.stop() }

    func count(_ path: String) -> Int { http.count(path) }
    var totalRequests: Int { http.totalRequests }
    func update(_ change: (inout Settings) -> Void) { settings.withLock { change(&$0) } }

    private func record(_ request: HTTPRequest) { http.record(request) }

    private static func json(_ body: String, status: HTTPStatusCode = .ok, headers extra: [String: String] = [:]) -> HTTPResponse {
        LoopbackServer.json(body, status: status, headers: extra)
    }

    private func installRoutes() async {
        await http.appendRoute("GET /.well-known/openid-configuration") { [self] request in
            record(request)
            let s = settings.withLock { $0 }
            if let raw = s.discoveryBody { return Self.json(raw) }
            let document: [String: Any] = [
                "issuer": s.issuer ?? base, "jwks_uri": "\(base)/jwks", "authorization_endpoint": "\(base)/authorize",
                "token_endpoint": "\(base)/token", "userinfo_endpoint": "\(base)/userinfo",
                "id_token_signing_alg_values_supported": s.algorithms, "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
            ]
            let body = String(decoding: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]), as: UTF8.self)
            return Self.json(body, headers: ["Cache-Control": "max-age=3600"])
        }
        await http.appendRoute("GET /jwks") { [self] request in
            record(request)
            let s = settings.withLock { $0 }
            return Self.json(s.jwks, headers: s.jwksHeaders)
        }
        await http.appendRoute("GET /broken/jwks") { [self] request in
            record(request)
            return Self.json(#"{"error":"boom"}"#, status: .internalServerError)
        }
        await http.appendRoute("GET /slow/jwks") { [self] request in
            record(request)
            let s = settings.withLock { $0 }
            try? await Task.sleep(for: .seconds(s.delay))
            return Self.json(s.jwks)
        }
        await http.appendRoute("GET /userinfo") { [self] request in
            record(request)
            let s = settings.withLock { $0 }
            guard request.headers[.authorization] == "Bearer \(s.userinfoToken)" else {
                var headers = HTTPHeaders()
                headers[HTTPHeader("WWW-Authenticate")] = s.userinfoChallenge
                guard let body = s.userinfoErrorBody else { return HTTPResponse(statusCode: .unauthorized, headers: headers) }
                headers[.contentType] = "application/json"
                return HTTPResponse(statusCode: .unauthorized, headers: headers, body: Data(body.utf8))
            }
            return Self.json(#"{"sub":"\#(s.userinfoSubject)","name":"Ada Lovelace","email":"ada@example.com","email_verified":true}"#)
        }
    }
}

extension CLI {
    /// At most two binaries run at a time from ``runDetached(_:stdin:timeout:)``: the machine has two cores, and
    /// a burst of processes would starve the in-process servers of this and other suites (their clients time out).
    private static let detachedRuns = DispatchSemaphore(value: 2)

    /// ``run(_:stdin:environment:timeout:executable:arguments:)`` on a thread of its own, so that waiting for
    /// the binary never occupies the cooperative threads the in-process provider needs to answer it (nor the
    /// few threads of Dispatch's global queue); at most two at a time.
    static func runDetached(_ args: [String], stdin: [UInt8]? = nil, timeout: Double = 180) async throws -> CLIResult {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                detachedRuns.wait()
                defer { detachedRuns.signal() }
                do {
                    continuation.resume(returning: try CLI.run(args, stdin: stdin, timeout: timeout))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.start()
        }
    }
}
