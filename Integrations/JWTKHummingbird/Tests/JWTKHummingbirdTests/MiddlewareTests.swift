import Foundation
import Hummingbird
import JWTK
import JWTKHummingbird
import JWTKRemote
import Logging
import ServiceLifecycle
import Testing

/// ``JWTAuthenticator`` in a small application over real HTTP: the query method when enabled, two methods at
/// once, the token length limit, and unavailable keys.
@Suite("Authenticator middleware over HTTP")
struct MiddlewareTests {
    let key = try! SigningKey.generate(for: .ES256, keyID: "mw")

    func app(
        _ verifier: any JWTTokenVerifying, locations: TokenLocations, maxTokenLength: Int = 16 * 1024
    )
        -> (@escaping @Sendable (Int) async -> Void) -> any Service
    {
        { onRunning in
            let router = Router(context: JWTRequestContext.self)
            router.group().add(
                middleware: JWTAuthenticator<JWTRequestContext>(
                    verifier: verifier, realm: "t", locations: locations, maxTokenLength: maxTokenLength)
            ).get("me") { _, context in (try? context.identity?.claims.subject) ?? "-" }
            return Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await onRunning($0.localAddress?.port ?? 0) }, logger: Logger(label: "mw"))
        }
    }

    var local: any JWTTokenVerifying {
        var policy = VerificationPolicy(issuer: "https://i", audience: "api")
        policy.clock = JWTClock { testNow }
        return LocalTokenVerifier(JWTVerifier(keys: [key.verificationKey], policy: policy))
    }

    @Test func queryParameterOnlyWhenEnabled() async throws {
        let token = try sign(key, #"{"iss":"https://i","aud":"api","sub":"q","exp":\#(testNow + 60)}"#)
        try await withRunning(app(local, locations: [.authorizationHeader, .queryParameter])) { port in
            let viaQuery = try await get(port, "/me?access_token=\(token)")
            #expect(viaQuery.status == 200)
            #expect(viaQuery.body == "q")
            let both = try await get(port, "/me?access_token=\(token)", headers: ["Authorization": "Bearer \(token)"])
            #expect(both.status == 400)
            #expect(both.header("WWW-Authenticate")?.contains(#"error="invalid_request""#) == true)
            let twice = try await get(port, "/me?access_token=\(token)&access_token=\(token)")
            #expect(twice.status == 400)
        }
        try await withRunning(app(local, locations: .authorizationHeader)) { port in
            let ignored = try await get(port, "/me?access_token=\(token)")
            #expect(ignored.status == 401)
        }
    }

    @Test func tokenLengthLimitAtValueAndOnePast() async throws {
        let token = try sign(key, #"{"iss":"https://i","aud":"api","sub":"l","exp":\#(testNow + 60)}"#)
        let limit = token.utf8.count
        try await withRunning(app(local, locations: .authorizationHeader, maxTokenLength: limit)) { port in
            #expect(try await get(port, "/me", headers: ["Authorization": "Bearer \(token)"]).status == 200)
            let longer = try await get(port, "/me", headers: ["Authorization": "Bearer \(token)A"])
            #expect(longer.status == 400)
            #expect(longer.header("WWW-Authenticate")?.contains(#"error_description="limit_exceeded""#) == true)
        }
    }

    @Test func unavailableKeysAnswer503WithoutBlamingTheToken() async throws {
        let jwks = try RemoteJWKS(url: URL(string: "http://127.0.0.1:9/jwks")!)
        let remote = RemoteTokenVerifier(jwks.verifier(policy: VerificationPolicy(issuer: "https://i", audience: "api")), issuerLabel: "i")
        let token = try sign(key, #"{"iss":"https://i","aud":"api","exp":\#(testNow + 60)}"#)
        try await withRunning(app(remote, locations: .authorizationHeader)) { port in
            let answer = try await get(port, "/me", headers: ["Authorization": "Bearer \(token)"])
            #expect(answer.status == 503)
            #expect(answer.header("WWW-Authenticate") == nil)
        }
    }

    /// A remote verifier throws one type, `JWTKRemoteError`; a rejected token is its `token_rejected` code with
    /// the core error inside, and must still be answered `401` with the core code, not `503`.
    @Test func aTokenRejectedByARemoteVerifierIs401WithTheCoreCode() async throws {
        let provider = LoopbackProvider(keys: [key])
        try await withRunning({ provider.application(onRunning: $0) }) { keyPort in
            var configuration = RemoteJWKS.Configuration()
            configuration.clock = JWTClock { testNow }
            let jwks = try RemoteJWKS(url: URL(string: "http://127.0.0.1:\(keyPort)/jwks")!, configuration: configuration)
            try await jwks.refresh()
            var policy = VerificationPolicy(issuer: "https://i", audience: "api")
            policy.clock = JWTClock { testNow }
            let remote = RemoteTokenVerifier(jwks.verifier(policy: policy), issuerLabel: "i")
            let good = try sign(key, #"{"iss":"https://i","aud":"api","sub":"r","exp":\#(testNow + 60)}"#)
            let expired = try sign(key, #"{"iss":"https://i","aud":"api","sub":"r","exp":\#(testNow - 60)}"#)
            try await withRunning(app(remote, locations: .authorizationHeader)) { port in
                #expect(try await get(port, "/me", headers: ["Authorization": "Bearer \(good)"]).status == 200)
                let answer = try await get(port, "/me", headers: ["Authorization": "Bearer \(expired)"])
                #expect(answer.status == 401)
                #expect(answer.header("WWW-Authenticate")?.contains(#"error_description="expired""#) == true)
            }
        }
    }
}
