import FlyingFox
import FlyingSocks
import Foundation
import JWTK
import JWTKTestSupport

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
        /// Valid JSON that is not a JWK Set (`keys` is a string).
        case notAKeySet
        /// `Content-Length` announces the whole document, only its first `sent` bytes are written, and the
        /// connection then stays open: the client waits for bytes that never come.
        case truncatedBody(sent: Int)
        /// `Content-Length` announces the whole document; after `sent` bytes the server closes the connection.
        case closedMidBody(sent: Int)
        /// Chunked transfer; after `sent` bytes the server closes the connection without the final chunk.
        case closedMidChunkedBody(sent: Int)
        /// The normal document, sent with chunked transfer encoding (no `Content-Length`).
        case chunked
        /// The status line and headers at once, then the document in `chunks` pieces `interval` seconds apart.
        case slowBody(chunks: Int, interval: Double)
        /// Exactly these bytes, status and headers (a gzip bomb, a document with a duplicate member, a 302
        /// without `Location`).
        case raw(status: Int, headers: [String: String], body: [UInt8])

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
            case .notAKeySet: "JSON that is not a JWK Set"
            case .truncatedBody(let sent): "body truncated after \(sent) bytes, connection kept open"
            case .closedMidBody(let sent): "connection closed after \(sent) body bytes"
            case .closedMidChunkedBody(let sent): "chunked body cut after \(sent) bytes"
            case .chunked: "chunked body"
            case .slowBody(let chunks, let interval): "body in \(chunks) chunks \(interval) s apart"
            case .raw(let status, let headers, let body): "HTTP \(status), \(headers.keys.sorted()), \(body.count)-byte body"
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
        /// The next this-many JWKS requests answer ``jwksBurstStatus`` (a 5xx burst); later ones are normal.
        var jwksBurstRemaining = 0
        var jwksBurstStatus = 503
        /// When set, the first normal JWKS response serves ``jwks`` and then replaces it with this document, so
        /// the next request sees a different key set.
        var jwksAfterNextServe: String?
        var issuer: String?
        var jwksURI: String?
        var algorithms = ["RS256", "ES256"]
        var discoveryCacheControl: String?
        /// The discovery document's `ETag`; a request whose `If-None-Match` equals it is answered `304`.
        var discoveryETag: String?
        var discoveryFault = Fault.none
        var userinfoFault = Fault.none
        var userinfoToken = "access-token-1"
        var userinfoSubject = "user-42"
        var publishesUserinfo = true
    }

    let settings = Locked(Settings())
    private let http: LoopbackServer

    var port: UInt16 { http.port }
    var base: String { http.base }

    private init(http: LoopbackServer) { self.http = http }

    /// Starts a provider, runs `body`, and stops the server whatever happens.
    static func with<T>(_ body: (TestProvider) async throws -> T) async throws -> T {
        try await LoopbackServer.with(start, stop: { await $0.stop() }, body)
    }

    static func start() async throws -> TestProvider {
        let provider = TestProvider(http: try await LoopbackServer.start(timeout: 30))
        await provider.installRoutes()
        return provider
    }

    func stop() async { await http.stop() }

    func count(_ path: String) -> Int { http.count(path) }
    func lastHeaders(_ path: String) -> [String: String] { http.lastHeaders(path) }
    func update(_ change: (inout Settings) -> Void) { settings.withLock { change(&$0) } }

    private func record(_ request: HTTPRequest) { http.record(request) }

    private func installRoutes() async {
        await http.appendRoute("GET /jwks") { [self] request in
            // One lock for reading the settings, consuming a burst slot and switching the served document, so
            // concurrent requests each see one consistent state.
            let (s, burstStatus) = settings.withLock { settings -> (Settings, Int?) in
                let snapshot = settings
                if settings.jwksBurstRemaining > 0 {
                    settings.jwksBurstRemaining -= 1
                    return (snapshot, settings.jwksBurstStatus)
                }
                if case .none = settings.jwksFault, let next = settings.jwksAfterNextServe {
                    settings.jwks = next
                    settings.jwksAfterNextServe = nil
                }
                return (snapshot, nil)
            }
            record(request)  // after the snapshot: a test that saw the request counted may change what comes next
            if let burstStatus { return await Self.faultResponse(.status(burstStatus), document: s.jwks)! }
            if let faulty = await Self.faultResponse(s.jwksFault, document: s.jwks) { return faulty }
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
            await http.appendRoute(HTTPRoute("GET \(prefix)/.well-known/openid-configuration")) { [self] request in
                record(request)
                let s = settings.withLock { $0 }
                if let faulty = await Self.faultResponse(s.discoveryFault, document: "{}") { return faulty }
                if let etag = s.discoveryETag, request.headers[HTTPHeader("If-None-Match")] == etag {
                    var h = HTTPHeaders()
                    h[.eTag] = etag
                    if let cc = s.discoveryCacheControl { h[.cacheControl] = cc }
                    return HTTPResponse(statusCode: .notModified, headers: h)
                }
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
                if let etag = s.discoveryETag { h[.eTag] = etag }
                return HTTPResponse(
                    statusCode: .ok, headers: h, body: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
            }
        }
        await http.appendRoute("GET /userinfo") { [self] request in
            record(request)
            let s = settings.withLock { $0 }
            if let faulty = await Self.faultResponse(s.userinfoFault, document: "{}") { return faulty }
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
        await http.appendRoute("GET /redirect-same") { [self] request in
            record(request)
            var h = HTTPHeaders()
            h[.location] = "\(base)/jwks"
            return HTTPResponse(statusCode: .found, headers: h)
        }
        await http.appendRoute("GET /redirect-other") { [self] request in
            record(request)
            var h = HTTPHeaders()
            h[.location] = "http://localhost:\(port)/jwks"
            return HTTPResponse(statusCode: .found, headers: h)
        }
    }

    /// The response for `fault`, or nil for a normal answer; `document` is what a normal answer would carry.
    private static func faultResponse(_ fault: Fault, document: String) async -> HTTPResponse? {
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
        case .notAKeySet:
            return HTTPResponse(statusCode: .ok, headers: json, body: Data(#"{"keys":"k1"}"#.utf8))
        case .truncatedBody(let sent):
            let bytes = Array(document.utf8)
            let body = ScriptedBytes(bytes: Array(bytes.prefix(sent)), end: .finish)
            return HTTPResponse(statusCode: .ok, headers: json, body: HTTPBodySequence(from: body, count: bytes.count))
        case .closedMidBody(let sent):
            let bytes = Array(document.utf8)
            let body = ScriptedBytes(bytes: Array(bytes.prefix(sent)), end: .fail)
            return HTTPResponse(statusCode: .ok, headers: json, body: HTTPBodySequence(from: body, count: bytes.count))
        case .closedMidChunkedBody(let sent):
            let body = ScriptedBytes(bytes: Array(document.utf8.prefix(sent)), end: .fail)
            return HTTPResponse(statusCode: .ok, headers: json, body: HTTPBodySequence(from: body))
        case .chunked:
            return HTTPResponse(
                statusCode: .ok, headers: json, body: HTTPBodySequence(from: ScriptedBytes(bytes: Array(document.utf8), end: .finish)))
        case .raw(let status, let headers, let body):
            var h = HTTPHeaders()
            for (name, value) in headers { h[HTTPHeader(name)] = value }
            return HTTPResponse(statusCode: HTTPStatusCode(status, phrase: "Raw"), headers: h, body: Data(body))
        case .slowBody(let chunks, let interval):
            let bytes = Array(document.utf8)
            let size = Swift.max(1, (bytes.count + chunks - 1) / chunks)
            let body = ScriptedBytes(bytes: bytes, end: .finish, chunkSize: size, interval: interval)
            return HTTPResponse(statusCode: .ok, headers: json, body: HTTPBodySequence(from: body, count: bytes.count))
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

/// A body that yields `bytes` (in pieces of `chunkSize`, `interval` seconds apart) and then either ends or fails;
/// a failure makes the server drop the connection mid-response.
struct ScriptedBytes: AsyncBufferedSequence {
    typealias Element = UInt8
    enum End: Sendable {
        case finish
        case fail
    }
    struct CutOff: Error {}

    let bytes: [UInt8]
    let end: End
    var chunkSize = Int.max
    var interval = 0.0

    func makeAsyncIterator() -> Iterator { Iterator(script: self) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        let script: ScriptedBytes
        var offset = 0

        mutating func next() async throws -> UInt8? {
            try await nextBuffer(suggested: 1)?.first
        }

        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
            guard offset < script.bytes.count else {
                if script.end == .fail { throw CutOff() }
                return nil
            }
            if script.interval > 0, offset > 0 { try await Task.sleep(for: .seconds(script.interval)) }
            let n = Swift.min(Swift.max(count, 1), script.chunkSize, script.bytes.count - offset)
            defer { offset += n }
            return Array(script.bytes[offset..<(offset + n)])
        }
    }
}
