import Foundation
import JWTK
import JWTKRemote
import JWTKTestSupport
import Testing

/// The router's opt-in token cache over a policy file's issuers, keys served over real loopback HTTP: a repeated
/// token is a hit, every verdict stays the one a fresh verification would give (rotation, another issuer,
/// expiry), and routing still refuses an unknown issuer before any fetch.
@Suite("Issuer router token cache")
struct IssuerRouterCacheTests {
    let now: Double = 1_800_000_000

    func verifiers(_ provider: TestProvider, capacity: Int? = nil, clock: JWTClock) throws -> ConfiguredVerifiers {
        let cache = capacity.map { #","cache":{"token_cache_capacity":\#($0)}"# } ?? ""
        let text = #"""
            {"audiences":["api"]\#(cache),"issuers":[
              {"issuer":"\#(provider.base)","discovery":"\#(provider.base)/.well-known/openid-configuration"},
              {"issuer":"https://b.example","jwks":"\#(provider.base)/jwks"}
            ]}
            """#
        return try VerifierConfiguration(json: Array(text.utf8)).makeVerifiers(clock: clock, timeout: roomyTimeout, tokenCache: true)
    }

    @Test func repeatedTokenHitsAndOtherIssuerMisses() async throws {
        let key = try TestIssuer(kid: "c1")
        try await TestProvider.with { provider in
            provider.update { $0.jwks = jwksDocument([key]) }
            let verifiers = try verifiers(provider, capacity: 16, clock: .fixed(now))
            let cache = try #require(verifiers.router.tokenCache)
            #expect(cache.capacity == 16)
            let token = try key.basicToken(issuer: provider.base, audience: "api", now: now)
            #expect(try await verifiers.router.verify(token).cacheHit == false)
            let again = try await verifiers.router.verify(token)
            #expect(again.cacheHit && again.issuer == provider.base)
            #expect(try await verifiers.router.verify(token).cacheHit)
            // Both issuers trust the same JWK Set: the other issuer's token is verified in full, under its own
            // verifier (entries are keyed by verifier and exact token bytes), then hits there.
            let other = try key.basicToken(issuer: "https://b.example", audience: "api", now: now)
            #expect(try await verifiers.router.verify(other).cacheHit == false)
            #expect(try await verifiers.router.verify(other).cacheHit)
            #expect(provider.count("/.well-known/openid-configuration") == 1)
        }
    }

    @Test func offUnlessAskedOrSetToZero() async throws {
        try await TestProvider.with { provider in
            #expect(try verifiers(provider, capacity: 0, clock: .fixed(now)).router.tokenCache == nil)
            let text = #"{"audiences":["api"],"issuers":[{"issuer":"https://b.example","jwks":"\#(provider.base)/jwks"}]}"#
            let configuration = try VerifierConfiguration(json: Array(text.utf8))
            #expect(try configuration.makeVerifiers().router.tokenCache == nil)
            #expect(try configuration.makeVerifiers(tokenCache: true).router.tokenCache?.capacity == 1024)
        }
    }

    @Test func rotationNeverServesAStaleVerdict() async throws {
        let old = try TestIssuer(kid: "r-old")
        let new = try TestIssuer(kid: "r-new")
        try await TestProvider.with { provider in
            provider.update { $0.jwks = jwksDocument([old]) }
            let verifiers = try verifiers(provider, clock: .fixed(now))
            let token = try old.basicToken(issuer: "https://b.example", audience: "api", now: now)
            _ = try await verifiers.router.verify(token)
            #expect(try await verifiers.router.verify(token).cacheHit)
            // The provider rotates the old key out; a refresh installs the new set (a new keyring generation).
            provider.update { $0.jwks = jwksDocument([new]) }
            _ = try await #require(verifiers.issuer("https://b.example")?.jwks).refresh()
            await #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try await verifiers.router.verify(token) }
            let fresh = try new.basicToken(issuer: "https://b.example", audience: "api", now: now)
            #expect(try await verifiers.router.verify(fresh).cacheHit == false)
            #expect(try await verifiers.router.verify(fresh).cacheHit)
        }
    }

    @Test func expiryIsCheckedOnEveryHit() async throws {
        let key = try TestIssuer(kid: "e1")
        let clock = ManualClock(start: now)
        try await TestProvider.with { provider in
            provider.update { $0.jwks = jwksDocument([key]) }
            let verifiers = try verifiers(provider, clock: clock.clock)
            let token = try key.token(["iss": "https://b.example", "aud": "api", "exp": Int(now) + 60])
            _ = try await verifiers.router.verify(token)
            #expect(try await verifiers.router.verify(token).cacheHit)
            clock.advance(3_600)
            await #expect(throws: JWTKRemoteError.rejected(JWTKError(.expired))) { try await verifiers.router.verify(token) }
            await #expect(throws: JWTKRemoteError.rejected(JWTKError(.expired))) { try await verifiers.router.verify(token) }
        }
    }

    @Test func unknownIssuerRefusedWithoutFetch() async throws {
        let key = try TestIssuer(kid: "u1")
        try await TestProvider.with { provider in
            provider.update { $0.jwks = jwksDocument([key]) }
            let verifiers = try verifiers(provider, clock: .fixed(now))
            for issuer in ["\(provider.base)/", "https://B.example", "https://evil.example"] {
                let token = try key.basicToken(issuer: issuer, audience: "api", now: now)
                for _ in 0..<2 {
                    await #expect(throws: JWTKRemoteError.rejected(JWTKError(.issuerMismatch))) { try await verifiers.router.verify(token) }
                }
            }
            #expect(provider.count("/.well-known/openid-configuration") == 0 && provider.count("/jwks") == 0)
            #expect(verifiers.router.tokenCache?.statisticsForCurrentThread.count == 0)
        }
    }
}
