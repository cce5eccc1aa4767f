import Foundation
import Hummingbird
import HummingbirdAuth
import JWTK
import JWTKHummingbird
import JWTKRemote
import Logging

/// Measures the middleware's cost over the library in the same run, on one thread of the cooperative pool:
/// 1. `JWTVerifier.verify` against `JWTAuthenticator.handle` with `LocalTokenVerifier` (a full verification);
/// 2. `JWTVerifier.verify(_:cache:)` on a cache hit against `JWTAuthenticator.handle` with a
///    `CachingTokenVerifier` on the same hit (the target: the middleware adds at most 1 µs).
/// Both include header parsing, metrics with no backend, the context update and a trivial route. Build with
/// `-c release`. Prints ns per call, the difference and the ratio, medians of 5 rounds; then the harness alone
/// (the same route behind a middleware that only calls it, no verification), which is part of the overhead
/// above but not the authenticator's, and an `IssuerRouter` with a token cache on the same hit (the repeated
/// token's route comes from the router's per-thread memo; a first sight decodes and parses the payload).
///
/// `jwtk-hummingbird-overhead [N] [cached]`: N iterations per round (default 20000); `cached` skips the full
/// verification rows (for callgrind).
struct BenchSource: RequestContextSource {
    let logger: Logger
}

struct BenchContext: AuthRequestContext, RequestContext {
    typealias Source = BenchSource
    var coreContext: CoreRequestContextStorage
    var identity: JWTIdentity?
    init(source: BenchSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
    }
}

let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 20_000 : 20_000
let cachedOnly = CommandLine.arguments.count > 2 && CommandLine.arguments[2] == "cached"

/// The harness: a middleware that only calls the route.
struct PassThrough: RouterMiddleware {
    typealias Context = BenchContext
    func handle(_ request: Request, context: BenchContext, next: (Request, BenchContext) async throws -> Response) async throws -> Response
    {
        try await next(request, context)
    }
}
let key = try SigningKey.generate(for: .ES256, keyID: "bench")
let token = try JWTSigner(key: key, algorithm: .ES256).sign(
    claims: #"{"iss":"https://bench","aud":"api","sub":"b","scope":"read","exp":4102444800}"#)
let verifier = JWTVerifier(keys: [key.verificationKey], policy: VerificationPolicy(issuer: "https://bench", audience: "api"))
let cache = try VerifiedTokenCache(capacity: 16)
let middleware = JWTAuthenticator<BenchContext>(verifier: LocalTokenVerifier(verifier), realm: "bench")
let cachedMiddleware = JWTAuthenticator<BenchContext>(
    verifier: CachingTokenVerifier(verifier, cache: cache), realm: "bench")
let routedMiddleware = JWTAuthenticator<BenchContext>(
    verifier: IssuerRouter(["https://bench": verifier], tokenCache: try VerifiedTokenCache(capacity: 16)), realm: "bench")
let request = Request(
    head: HTTPRequest(
        method: .get, scheme: "http", authority: "127.0.0.1", path: "/me", headerFields: [.authorization: "Bearer \(token)"]),
    body: RequestBody(buffer: ByteBuffer()))
let context = BenchContext(source: BenchSource(logger: Logger(label: "bench")))

func nanoseconds(_ elapsed: Duration) -> Double {
    (Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9) / Double(iterations)
}

func timeDirect(cached: Bool) -> Double {
    let start = ContinuousClock.now
    if cached {
        for _ in 0..<iterations { _ = try! verifier.verify(token, cache: cache) }
    } else {
        for _ in 0..<iterations { _ = try! verifier.verify(token) }
    }
    return nanoseconds(ContinuousClock.now - start)
}

func timeMiddleware<M: RouterMiddleware>(_ middleware: M) async -> Double where M.Context == BenchContext {
    let start = ContinuousClock.now
    for _ in 0..<iterations {
        let response = try! await middleware.handle(request, context: context) { _, context in
            precondition(context.identity != nil || M.self == PassThrough.self)
            return Response(status: .ok)
        }
        precondition(response.status == .ok)
    }
    return nanoseconds(ContinuousClock.now - start)
}

/// Runs on the cooperative pool, so the middleware's awaits do not hop between the main actor and the pool.
func measure() async -> [(String, Double, Double)] {
    var results: [(String, Double, Double)] = []
    for cached in cachedOnly ? [true] : [false, true] {
        let chosen = cached ? cachedMiddleware : middleware
        _ = timeDirect(cached: cached)
        _ = await timeMiddleware(chosen)
        var direct: [Double] = []
        var through: [Double] = []
        for _ in 0..<5 {
            direct.append(timeDirect(cached: cached))
            through.append(await timeMiddleware(chosen))
        }
        results.append((cached ? "token-cache hit" : "full verification", direct.sorted()[2], through.sorted()[2]))
    }
    var harness: [Double] = []
    var routed: [Double] = []
    var direct: [Double] = []
    _ = await timeMiddleware(routedMiddleware)
    for _ in 0..<5 {
        harness.append(await timeMiddleware(PassThrough()))
        direct.append(timeDirect(cached: true))
        routed.append(await timeMiddleware(routedMiddleware))
    }
    var parse: [Double] = []
    for _ in 0..<5 {
        let header = "Bearer \(token)"
        let start = ContinuousClock.now
        for _ in 0..<iterations { precondition(try! BearerToken(authorizationHeader: header).token.utf8.count > 0) }
        parse.append(nanoseconds(ContinuousClock.now - start))
    }
    results.append(("harness (route behind a pass-through middleware)", 0, harness.sorted()[2]))
    results.append(("BearerToken(authorizationHeader:) alone (the core's RFC 6750 parser, part of the overhead)", 0, parse.sorted()[2]))
    results.append(("IssuerRouter token-cache hit", direct.sorted()[2], routed.sorted()[2]))
    return results
}

let results = await Task.detached { await measure() }.value
print("iterations per round: \(iterations), 5 rounds, medians")
for (name, d, m) in results {
    print("\(name):")
    if d == 0 {
        print(String(format: "  %8.0f ns/call", m))
        continue
    }
    print(String(format: "  JWTVerifier.verify%@    %8.0f ns/call", name == "full verification" ? "         " : "(_:cache:)", d))
    print(String(format: "  JWTAuthenticator.handle       %8.0f ns/call", m))
    print(String(format: "  overhead: %.0f ns/call, ratio %.3f", m - d, m / d))
}
// The issue's target (at most 1 µs on a hit) is the authenticator's own cost: a service without the middleware
// still has its route called, so the harness is taken off the hit's overhead.
if let hit = results.first(where: { $0.0 == "token-cache hit" }), let harness = results.first(where: { $0.0.hasPrefix("harness") }) {
    print(
        String(format: "authenticator's own cost on a token-cache hit (overhead less the harness): %.0f ns/call", hit.2 - hit.1 - harness.2)
    )
}
