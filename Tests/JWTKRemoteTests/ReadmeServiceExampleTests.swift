import Foundation
import JWTK
import JWTKInspection
import JWTKRemote
import JWTKTestSupport
import Testing

// The README's "A service, end to end" example, compiled and run against a real provider on 127.0.0.1.
// Keep `APIClaims`, `makeVerifier` and `authorize` identical to the README (only the URLs and the fixed
// clock differ: the README uses the provider's https URLs and the system clock).

struct APIClaims: Decodable {
    let sub: String
    let scope: String
    let exp: Date  // a NumericDate: seconds since 1970
}

func makeVerifier(jwksURL: URL, issuer: String, clock: JWTClock) async throws -> RemoteJWTVerifier {
    var configuration = RemoteJWKS.Configuration()
    configuration.clock = clock
    let jwks = try RemoteJWKS(url: jwksURL, configuration: configuration)
    try await jwks.refresh()  // at start-up; later fetches follow Cache-Control, and an unknown kid refreshes once
    var policy = VerificationPolicy.providerAccessToken(issuer: issuer, audience: "https://api.smarttask.io")
    policy.algorithms = [.ES256, .RS256]
    policy.clock = clock
    return jwks.verifier(policy: policy)
}

/// The status and body an API answers for an `Authorization` header.
func authorize(_ authorization: String, with verifier: RemoteJWTVerifier) async -> String {
    do {
        let token = try BearerToken(authorizationHeader: authorization).token
        let jwt = try await verifier.verifyRefreshing(token)
        let claims = try jwt.claims.decode(APIClaims.self)
        return "200 \(claims.sub) scope=\(claims.scope) until \(ISO8601DateFormatter().string(from: claims.exp))"
    } catch {
        // A refused token is a JWTKError: from BearerToken and decode directly, from the verifier wrapped in a
        // JWTKRemoteError (`rejection`). A JWTKRemoteError without one means the keys could not be had.
        guard let refusal = (error as? JWTKError) ?? (error as? JWTKRemoteError)?.rejection else {
            return "503 keys unavailable: \(error)"
        }
        switch refusal.code {
        case .expired: return "401 expired"
        case .audienceMismatch, .issuerMismatch: return "401 not for this API (\(refusal.code.rawValue))"
        case .authorizationSchemeMismatch, .invalidAuthorizationHeader: return "401 send Authorization: Bearer <token>"
        default: return "401 \(refusal.code.rawValue)"
        }
    }
}

/// Why a token was refused, every check in order: for logs and support, never for the response.
func diagnose(_ token: String, with verifier: RemoteJWTVerifier) -> [String] {
    let trace = VerificationTrace(verifying: token, with: verifier.verifier)
    return trace.steps.filter { $0.outcome == .failed }.map { "\($0.id): \($0.detail)" } + trace.hints.map { "hint: \($0)" }
}

@Suite struct ReadmeServiceExampleTests {
    @Test func theServiceExampleAnswersAsTheReadmeShows() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            provider.update { $0.jwks = jwksDocument([key]) }
            let now = 1_767_227_400.0  // 2026-01-01T00:30:00Z
            let verifier = try await makeVerifier(
                jwksURL: URL(string: provider.base + "/jwks")!, issuer: "https://auth.smarttask.io", clock: .fixed(now))
            func token(_ extra: [String: Any]) throws -> String {
                var claims: [String: Any] = [
                    "iss": "https://auth.smarttask.io", "sub": "248289761001", "aud": "https://api.smarttask.io",
                    "azp": "my-client", "scope": "tasks:read", "iat": now - 60, "exp": now + 1800,
                ]
                for (name, value) in extra { claims[name] = value }
                return try key.token(claims)
            }
            let good = try token([:])
            let expired = try token(["exp": now - 10])
            let otherAPI = try token(["aud": "https://billing.smarttask.io"])
            let answers = [
                await authorize("Bearer \(good)", with: verifier),
                await authorize("Bearer \(expired)", with: verifier),
                await authorize("Bearer \(otherAPI)", with: verifier),
                await authorize("Basic dXNlcjpwYXNz", with: verifier),
            ]
            #expect(
                answers == [
                    "200 248289761001 scope=tasks:read until 2026-01-01T01:00:00Z",
                    "401 expired",
                    "401 not for this API (audience_mismatch)",
                    "401 send Authorization: Bearer <token>",
                ])
            let lines = diagnose(expired, with: verifier)
            #expect(
                lines == [
                    "exp: the token expired at 2026-01-01T00:29:50Z (now 2026-01-01T00:30:00Z, leeway 0s)",
                    "hint: expired by 10s with leeway 0s; exp 2026-01-01T00:29:50Z, now 2026-01-01T00:30:00Z",
                ], "\(lines)")
        }
    }
}
