import Foundation
import Hummingbird
import HummingbirdAuth
import JWTK
import JWTKHummingbird
import Logging

/// Measures the middleware's cost over `JWTVerifier.verify` in the same run: the same token verified N times
/// directly, and N times through `JWTAuthenticator.handle` (header parsing, verification, metrics with no
/// backend, context update, a trivial route). Build with `-c release`. Prints ns per call and the ratio.
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
let key = try SigningKey.generate(for: .ES256, keyID: "bench")
let token = try JWTSigner(key: key, algorithm: .ES256).sign(
    claims: #"{"iss":"https://bench","aud":"api","sub":"b","scope":"read","exp":4102444800}"#)
let verifier = JWTVerifier(keys: [key.verificationKey], policy: VerificationPolicy(issuer: "https://bench", audience: "api"))
let middleware = JWTAuthenticator<BenchContext>(verifier: LocalTokenVerifier(verifier), realm: "bench")
let request = Request(
    head: HTTPRequest(
        method: .get, scheme: "http", authority: "127.0.0.1", path: "/me", headerFields: [.authorization: "Bearer \(token)"]),
    body: RequestBody(buffer: ByteBuffer()))
let context = BenchContext(source: BenchSource(logger: Logger(label: "bench")))

func timeDirect() -> Double {
    let start = ContinuousClock.now
    for _ in 0..<iterations { _ = try! verifier.verify(token) }
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.attoseconds) / 1e9 / Double(iterations) + Double(elapsed.components.seconds) * 1e9 / Double(iterations)
}

func timeMiddleware() async -> Double {
    let start = ContinuousClock.now
    for _ in 0..<iterations {
        let response = try! await middleware.handle(request, context: context) { _, context in
            precondition(context.identity != nil)
            return Response(status: .ok)
        }
        precondition(response.status == .ok)
    }
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.attoseconds) / 1e9 / Double(iterations) + Double(elapsed.components.seconds) * 1e9 / Double(iterations)
}

_ = timeDirect()
_ = await timeMiddleware()
var direct: [Double] = []
var through: [Double] = []
for _ in 0..<5 {
    direct.append(timeDirect())
    through.append(await timeMiddleware())
}
let d = direct.sorted()[2]
let m = through.sorted()[2]
print("iterations per round: \(iterations), 5 rounds, medians")
print(String(format: "JWTVerifier.verify:          %8.0f ns/call", d))
print(String(format: "JWTAuthenticator.handle:     %8.0f ns/call", m))
print(String(format: "overhead: %.0f ns/call, ratio %.3f", m - d, m / d))
