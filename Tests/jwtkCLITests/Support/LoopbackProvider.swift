import Dispatch
import FlyingFox
import FlyingSocks
import Foundation
import JWTK

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

    let port: UInt16
    let settings = Locked(Settings())
    private let counts = Locked([String: Int]())
    /// nil once stopped: the routes capture `self`, so holding the server after `stop()` would keep the provider,
    /// the server and its routes alive in a cycle (LeakSanitizer reports it under `make test-asan`).
    private let server: Locked<HTTPServer?>
    private let task: Task<Void, any Error>

    var base: String { "http://127.0.0.1:\(port)" }

    private init(server: HTTPServer, task: Task<Void, any Error>, port: UInt16) {
        self.server = Locked(server)
        self.task = task
        self.port = port
    }

    /// Starts a provider, runs `body`, and stops the server whatever happens.
    static func with<T>(_ body: (LoopbackProvider) async throws -> T) async throws -> T {
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

    static func start() async throws -> LoopbackProvider {
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 60, logger: .disabled)
        let task = Task { try await server.run() }
        try await server.waitUntilListening(timeout: 120)
        guard case .ip4(_, let port) = await server.listeningAddress else { throw CLI.Failure("the provider has no port") }
        let provider = LoopbackProvider(server: server, task: task, port: port)
        await provider.installRoutes()
        return provider
    }

    func stop() async {
        let server = self.server.withLock { $0.take() }
        await server?.stop(timeout: 0)
        task.cancel()
    }

    func count(_ path: String) -> Int { counts.withLock { $0[path] ?? 0 } }
    var totalRequests: Int { counts.withLock { $0.values.reduce(0, +) } }
    func update(_ change: (inout Settings) -> Void) { settings.withLock { change(&$0) } }

    private func record(_ request: HTTPRequest) { counts.withLock { $0[request.path, default: 0] += 1 } }

    private static func json(_ body: String, status: HTTPStatusCode = .ok, headers extra: [String: String] = [:]) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers[.contentType] = "application/json"
        for (name, value) in extra { headers[HTTPHeader(name)] = value }
        return HTTPResponse(statusCode: status, headers: headers, body: Data(body.utf8))
    }

    private func installRoutes() async {
        guard let server = self.server.withLock({ $0 }) else { return }
        await server.appendRoute("GET /.well-known/openid-configuration") { [self] request in
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
        await server.appendRoute("GET /jwks") { [self] request in
            record(request)
            let s = settings.withLock { $0 }
            return Self.json(s.jwks, headers: s.jwksHeaders)
        }
        await server.appendRoute("GET /broken/jwks") { [self] request in
            record(request)
            return Self.json(#"{"error":"boom"}"#, status: .internalServerError)
        }
        await server.appendRoute("GET /slow/jwks") { [self] request in
            record(request)
            let s = settings.withLock { $0 }
            try? await Task.sleep(for: .seconds(s.delay))
            return Self.json(s.jwks)
        }
        await server.appendRoute("GET /userinfo") { [self] request in
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

/// Keys and tokens signed in the test.
struct TestKey {
    let key: SigningKey
    let algorithm: JWSAlgorithm

    init(kid: String, algorithm: JWSAlgorithm = .ES256) throws {
        key = try SigningKey.generate(for: algorithm, keyID: kid)
        self.algorithm = algorithm
    }

    var publicJWK: String { key.verificationKey.publicJWK }

    /// A token with these claims (sorted keys).
    func token(_ claims: [String: Any], type: String? = "JWT") throws -> String {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]), as: UTF8.self)
        return try JWTSigner(key: key, algorithm: algorithm).sign(claims: json, type: type)
    }

    /// The public JWK with `alg` and `use` added, as providers publish them.
    var publishedJWK: String {
        var members = (try? JSONSerialization.jsonObject(with: Data(publicJWK.utf8))) as? [String: Any] ?? [:]
        members["alg"] = algorithm.rawValue
        members["use"] = "sig"
        let data = (try? JSONSerialization.data(withJSONObject: members, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// A JWK Set of these keys (``publishedJWK``).
    static func jwks(_ keys: [TestKey]) -> String { #"{"keys":["# + keys.map(\.publishedJWK).joined(separator: ",") + "]}" }
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
