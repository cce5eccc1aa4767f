import FlyingFox
import FlyingSocks
import Foundation
import JWTK

/// A real HTTP server on 127.0.0.1 with a kernel-chosen port, for tests that need a provider: the one
/// lifecycle (start, wait until listening, stop) and request log behind `JWTKRemoteTests`' `TestProvider`
/// and `jwtkCLITests`' `LoopbackProvider`, which add their routes with ``appendRoute(_:handler:)``.
///
/// Every request a route passes to ``record(_:)`` is counted per path and its headers kept (names in lower
/// case). Call ``stop()`` when done: routes usually capture their provider, which holds this server, so the
/// HTTP server is dropped on stop to break that cycle (LeakSanitizer reports it under `make test-asan`).
package final class LoopbackServer: Sendable {
    package enum Failure: Error { case noPort }

    /// The port the kernel chose.
    package let port: UInt16
    private let counts = Locked([String: Int]())
    private let headers = Locked([String: [String: String]]())
    /// nil once stopped.
    private let server: Locked<HTTPServer?>
    private let task: Task<Void, any Error>

    /// `http://127.0.0.1:<port>`.
    package var base: String { "http://127.0.0.1:\(port)" }

    private init(server: HTTPServer, task: Task<Void, any Error>, port: UInt16) {
        self.server = Locked(server)
        self.task = task
        self.port = port
    }

    /// Starts listening; `timeout` is FlyingFox's per-connection timeout in seconds.
    package static func start(timeout: TimeInterval) async throws -> LoopbackServer {
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: timeout, logger: .disabled)
        // The server's actor prefers its own thread; its connections do not (see LoopbackExecutor).
        let task = Task(executorPreference: LoopbackExecutor.shared) { try await server.run() }
        try await server.waitUntilListening(timeout: 120)  // generous: a loaded machine or a sanitizer build is slow to start
        guard case .ip4(_, let port) = await server.listeningAddress else {
            task.cancel()
            throw Failure.noPort
        }
        return LoopbackServer(server: server, task: task, port: port)
    }

    /// Stops the server (idempotent) and drops it.
    package func stop() async {
        let server = self.server.withLock { $0.take() }
        await server?.stop(timeout: 0)
        task.cancel()
    }

    /// Adds a route (nothing once stopped).
    package func appendRoute(_ route: HTTPRoute, handler: @Sendable @escaping (HTTPRequest) async throws -> HTTPResponse) async {
        guard let server = self.server.withLock({ $0 }) else { return }
        await server.appendRoute(route, handler: handler)
    }

    /// Counts `request` under its path and keeps its headers.
    package func record(_ request: HTTPRequest) {
        var seen: [String: String] = [:]
        for (name, value) in request.headers { seen[name.rawValue.lowercased()] = value }
        counts.withLock { $0[request.path, default: 0] += 1 }
        headers.withLock { $0[request.path] = seen }
    }

    /// How many recorded requests asked for `path`.
    package func count(_ path: String) -> Int { counts.withLock { $0[path] ?? 0 } }
    /// Every recorded request.
    package var totalRequests: Int { counts.withLock { $0.values.reduce(0, +) } }
    /// The headers of the last recorded request for `path`.
    package func lastHeaders(_ path: String) -> [String: String] { headers.withLock { $0[path] ?? [:] } }

    /// A JSON response with `headers` added.
    package static func json(_ body: String, status: HTTPStatusCode = .ok, headers extra: [String: String] = [:]) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers[.contentType] = "application/json"
        for (name, value) in extra { headers[HTTPHeader(name)] = value }
        return HTTPResponse(statusCode: status, headers: headers, body: Data(body.utf8))
    }
}

extension LoopbackServer {
    /// Starts a provider with `start`, runs `body`, and stops the provider with `stop` whatever happens.
    package static func with<Provider, T>(
        _ start: () async throws -> Provider, stop: (Provider) async -> Void, _ body: (Provider) async throws -> T
    ) async throws -> T {
        let provider = try await start()
        do {
            let result = try await body(provider)
            await stop(provider)
            return result
        } catch {
            await stop(provider)
            throw error
        }
    }
}
