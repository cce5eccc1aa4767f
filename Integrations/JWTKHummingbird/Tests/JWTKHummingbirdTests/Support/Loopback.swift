import Foundation
import Hummingbird
import JWTK
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs `service` (a Hummingbird application) in a ServiceGroup, waits until it listens, calls `body` with its
/// port, then shuts it down gracefully and waits for it to stop.
func withRunning<T: Sendable>(
    _ make: (@escaping @Sendable (Int) async -> Void) throws -> any Service, _ body: (Int) async throws -> T
) async throws -> T {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let service = try make { port in continuation.yield(port) }
    let group = ServiceGroup(
        configuration: .init(services: [service], gracefulShutdownSignals: [], logger: Logger(label: "test")))
    let running = Task { try await group.run() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw TestFailure("the server did not start") }
    do {
        let result = try await body(port)
        await group.triggerGracefulShutdown()
        try await running.value
        return result
    } catch {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        throw error
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// An OpenID Provider on 127.0.0.1 built with Hummingbird: discovery and a JWK Set that a test can replace
/// (key rotation), with a request count per path.
final class LoopbackProvider: Sendable {
    let keys: NIOLockedValueBox<[SigningKey]>
    let counts = NIOLockedValueBox<[String: Int]>([:])

    init(keys: [SigningKey]) { self.keys = NIOLockedValueBox(keys) }

    func count(_ path: String) -> Int { counts.withLockedValue { $0[path] ?? 0 } }

    func application(onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        let portBox = NIOLockedValueBox(0)
        router.get(".well-known/openid-configuration") { _, _ -> Response in
            self.counts.withLockedValue { $0["discovery", default: 0] += 1 }
            let issuer = "http://127.0.0.1:\(portBox.withLockedValue { $0 })"
            let body =
                #"{"issuer":"\#(issuer)","jwks_uri":"\#(issuer)/jwks","authorization_endpoint":"\#(issuer)/authorize","response_types_supported":["code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["ES256","RS256"]}"#
            return Self.json(body)
        }
        router.get("jwks") { _, _ -> Response in
            self.counts.withLockedValue { $0["jwks", default: 0] += 1 }
            let keys = self.keys.withLockedValue { $0 }.map(\.verificationKey.publicJWK).joined(separator: ",")
            return Self.json(#"{"keys":[\#(keys)]}"#)
        }
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                portBox.withLockedValue { $0 = port }
                await onRunning(port)
            }, logger: Logger(label: "provider"))
    }

    static func json(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// A real HTTP GET over loopback.
struct HTTPResult: Sendable {
    let status: Int
    let headers: [String: String]
    let body: String
    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
}

func get(_ port: Int, _ path: String, headers: [String: String] = [:]) async throws -> HTTPResult {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    request.cachePolicy = .reloadIgnoringLocalCacheData
    let (data, response) = try await URLSession.shared.data(for: request)
    guard let http = response as? HTTPURLResponse else { throw TestFailure("not an HTTP response") }
    var fields: [String: String] = [:]
    for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
    return HTTPResult(status: http.statusCode, headers: fields, body: String(decoding: data, as: UTF8.self))
}

/// Fixed "now" for every token: 2027-01-15T08:00:00Z.
let testNow: Double = 1_800_000_000

func sign(_ key: SigningKey, _ claims: String) throws -> String {
    try JWTSigner(key: key, algorithm: .ES256).sign(claims: claims)
}
