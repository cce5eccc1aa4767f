import Foundation
import JWTK
import JWTKRemote
import JWTKTestSupport
import Synchronization
import Testing

/// The remote limits (response size, timeouts) at their defaults, exactly at a configured limit and one past it.
@Suite struct RemoteLimitTests {
    let clock = ManualClock()

    /// The documented defaults, so that the documentation and the code agree.
    @Test func defaultsAreTheDocumentedOnes() throws {
        let jwks = RemoteJWKS.Configuration()
        #expect(jwks.timeout == 5)
        #expect(jwks.maxResponseBytes == 1 << 20)
        #expect(jwks.jwksLimits == JWKSet.Limits())
        #expect(jwks.unknownKeyCooldown == 30)
        #expect(jwks.maxStaleness == 3600)
        let discovery = OIDCDiscovery.Configuration()
        #expect(discovery.timeout == 5)
        #expect(discovery.maxResponseBytes == 1 << 20)
        #expect(discovery.retryInterval == 30)
        #expect(discovery.maxStaleness == 86_400)
        let userinfo = UserInfoClient()
        #expect(userinfo.timeout == 5)
        #expect(userinfo.maxResponseBytes == 1 << 20)
        #expect(URLSessionFetcher().maxRedirects == 5)
    }

    func jwks(_ provider: TestProvider, maxResponseBytes: Int) throws -> RemoteJWKS {
        var configuration = RemoteJWKS.Configuration.roomy
        configuration.clock = clock.clock
        configuration.maxResponseBytes = maxResponseBytes
        return try RemoteJWKS(url: URL(string: provider.base + "/jwks")!, configuration: configuration)
    }

    /// A JWK Set body of exactly the cap is installed; a cap one byte smaller refuses it, whether the size is
    /// announced (`Content-Length`) or only known once the bytes arrive (chunked).
    @Test(arguments: [false, true])
    func jwksResponseCapIsExact(chunked: Bool) async throws {
        try await TestProvider.with { provider in
            let document = jwksDocument([try TestIssuer(kid: "k1")])
            provider.update {
                $0.jwks = document
                if chunked { $0.jwksFault = .chunked }
            }
            let size = document.utf8.count
            #expect(try await jwks(provider, maxResponseBytes: size).refresh() == .updated(keyCount: 1))
            let refused = try jwks(provider, maxResponseBytes: size - 1)
            await #expect(throws: JWTKRemoteError(.responseTooLarge)) { try await refused.refresh() }
            #expect(refused.statistics.lastError?.code == .responseTooLarge)
            #expect(refused.statistics.state == .notLoaded)
        }
    }

    @Test func discoveryResponseCapIsExact() async throws {
        try await TestProvider.with { provider in
            let size = try await OIDCDiscovery(issuer: provider.base, configuration: .roomy).metadata().rawJSON.count
            var configuration = OIDCDiscovery.Configuration.roomy
            configuration.maxResponseBytes = size
            _ = try await OIDCDiscovery(issuer: provider.base, configuration: configuration).metadata()
            configuration.maxResponseBytes = size - 1
            let refused = try OIDCDiscovery(issuer: provider.base, configuration: configuration)
            await #expect(throws: JWTKRemoteError(.responseTooLarge)) { try await refused.metadata() }
            #expect(refused.lastError?.code == .responseTooLarge)
        }
    }

    @Test func userinfoResponseCapIsExact() async throws {
        try await TestProvider.with { provider in
            let endpoint = URL(string: provider.base + "/userinfo")!
            let size = try await UserInfoClient(timeout: roomyTimeout).fetch(endpoint: endpoint, accessToken: "access-token-1").rawJSON
                .count
            _ = try await UserInfoClient(timeout: roomyTimeout, maxResponseBytes: size).fetch(
                endpoint: endpoint, accessToken: "access-token-1")
            await #expect(throws: JWTKRemoteError(.responseTooLarge)) {
                try await UserInfoClient(timeout: roomyTimeout, maxResponseBytes: size - 1).fetch(
                    endpoint: endpoint, accessToken: "access-token-1")
            }
        }
    }

    /// Timeouts cannot be tested to the millisecond on a loaded machine; they are tested with a wide margin on
    /// each side: a slow answer well inside the timeout succeeds, a slower one fails with `timeout` — for the
    /// JWK Set, for discovery and for userinfo, and for a body that keeps dripping after prompt headers.
    @Test func timeoutsHoldOnEachSideWithAMargin() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksFault = .slowBody(chunks: 3, interval: 0.3)
            }
            var configuration = RemoteJWKS.Configuration.roomy
            configuration.clock = clock.clock
            configuration.timeout = 8
            #expect(
                try await RemoteJWKS(url: URL(string: provider.base + "/jwks")!, configuration: configuration).refresh()
                    == .updated(keyCount: 1))
            configuration.timeout = 0.3
            provider.update { $0.jwksFault = .slowBody(chunks: 4, interval: 1) }
            let slow = try RemoteJWKS(url: URL(string: provider.base + "/jwks")!, configuration: configuration)
            await #expect(throws: JWTKRemoteError(.timeout)) { try await slow.refresh() }

            provider.update { $0.discoveryFault = .delay(seconds: 0.3) }
            var discovery = OIDCDiscovery.Configuration.roomy
            discovery.timeout = 8
            _ = try await OIDCDiscovery(issuer: provider.base, configuration: discovery).metadata()
            provider.update { $0.discoveryFault = .delay(seconds: 3) }
            discovery.timeout = 0.3
            await #expect(throws: JWTKRemoteError(.timeout)) {
                try await OIDCDiscovery(issuer: provider.base, configuration: discovery).metadata()
            }

            let endpoint = URL(string: provider.base + "/userinfo")!
            provider.update { $0.userinfoFault = .delay(seconds: 0.3) }
            _ = try await UserInfoClient(timeout: 8).fetch(endpoint: endpoint, accessToken: "access-token-1")
            provider.update { $0.userinfoFault = .delay(seconds: 3) }
            await #expect(throws: JWTKRemoteError(.timeout)) {
                try await UserInfoClient(timeout: 0.3).fetch(endpoint: endpoint, accessToken: "access-token-1")
            }
        }
    }
}
