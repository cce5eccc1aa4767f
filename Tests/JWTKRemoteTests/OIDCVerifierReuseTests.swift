import Foundation
import JWTKTestSupport
import Testing

@testable import JWTK
@testable import JWTKRemote

/// `OIDCVerifier` keeps one verifier per purpose and metadata, so the core's per-thread header cache (keyed by
/// the verifier's identity) answers the second token with a known header.
@Suite struct OIDCVerifierReuseTests {
    let clock = ManualClock()

    @Test func verifiersAreBuiltOncePerAudienceAndReused() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            provider.update { $0.jwks = jwksDocument([key]) }
            let built = Locked(0)
            var configuration = OIDCVerifier.Configuration.roomy
            configuration.clock = clock.clock
            configuration.adjustPolicy = { _ in built.withLock { $0 += 1 } }
            let oidc = try OIDCVerifier(issuer: provider.base, clientID: "client-1", configuration: configuration)
            try await oidc.prepare()
            let now = Int(clock.now)
            func accessToken(_ audience: String, _ jti: String) throws -> String {
                try key.token(
                    [
                        "iss": provider.base, "sub": "user-42", "aud": audience, "client_id": "client-1", "iat": now, "exp": now + 600,
                        "jti": jti,
                    ], type: "at+jwt")
            }

            _ = try oidc.verifyAccessToken(try accessToken("api", "a-1"), audience: "api")
            let hits = HeaderCache.current().hits
            _ = try oidc.verifyAccessToken(try accessToken("api", "a-2"), audience: "api")
            _ = try oidc.verifyAccessToken(try accessToken("api", "a-3"), audience: "api")
            #expect(built.withLock { $0 } == 1, "one verifier for audience api")
            #expect(HeaderCache.current().hits == hits + 2, "the same verifier finds the header it verified")

            _ = try oidc.verifyAccessToken(try accessToken("other", "b-1"), audience: "other")
            #expect(built.withLock { $0 } == 2)
            // A rejection does not change which verifier answers (and is the same rejection every time).
            for _ in 0..<2 {
                #expect(throws: JWTKRemoteError.rejected(JWTKError(.audienceMismatch))) {
                    try oidc.verifyAccessToken(try accessToken("api", "c-1"), audience: "third")
                }
            }
            #expect(built.withLock { $0 } == 3)

            // Canonically equivalent audiences are different audiences: a verifier each, compared byte for byte.
            _ = try oidc.verifyAccessToken(try accessToken("caf\u{E9}", "d-1"), audience: "caf\u{E9}")
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.audienceMismatch))) {
                try oidc.verifyAccessToken(try accessToken("caf\u{E9}", "d-2"), audience: "cafe\u{301}")
            }
            #expect(built.withLock { $0 } == 5)

            let idToken = try key.basicToken(issuer: provider.base, audience: "client-1", now: clock.now)
            _ = try oidc.verify(idToken: idToken)
            _ = try oidc.verify(idToken: idToken)
            #expect(built.withLock { $0 } == 6, "one verifier for ID tokens without per-login values")
            // A nonce is a per-login value: a verifier of its own each time, never one kept for another login.
            let withNonce = try key.basicToken(issuer: provider.base, audience: "client-1", now: clock.now, extra: ["nonce": "n-1"])
            _ = try oidc.verify(idToken: withNonce, nonce: "n-1")
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.nonceMismatch))) { try oidc.verify(idToken: withNonce, nonce: "n-2") }
            #expect(built.withLock { $0 } == 8)
        }
    }
}
