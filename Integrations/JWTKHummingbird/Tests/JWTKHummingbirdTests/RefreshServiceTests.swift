import Foundation
import JWTK
import JWTKHummingbird
import JWTKRemote
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Testing

/// ``JWKSRefreshService`` against a real loopback provider: refreshes in the background, stops on shutdown.
@Suite("JWK Set refresh service")
struct RefreshServiceTests {
    @Test func refreshesInBackgroundAndStopsOnGracefulShutdown() async throws {
        let old = try SigningKey.generate(for: .ES256, keyID: "r-old")
        let new = try SigningKey.generate(for: .ES256, keyID: "r-new")
        let provider = LoopbackProvider(keys: [old])
        try await withRunning({ provider.application(onRunning: $0) }) { port in
            var configuration = RemoteJWKS.Configuration()
            configuration.unknownKeyCooldown = 3600
            let jwks = try RemoteJWKS(url: URL(string: "http://127.0.0.1:\(port)/jwks")!, configuration: configuration)
            let service = JWKSRefreshService(jwks: jwks, issuer: "r", interval: 0.05)
            try await service.prepare()
            #expect(jwks.keyring.keys.map(\.keyID) == ["r-old"])
            provider.keys.withLockedValue { $0 = [new] }
            let group = ServiceGroup(
                configuration: .init(services: [service], gracefulShutdownSignals: [], logger: Logger(label: "t")))
            let running = Task { try await group.run() }
            // Wait (bounded) for a background refresh to install the rotated key; no request triggers it.
            var rotated = false
            for _ in 0..<400 where !rotated {
                try await Task.sleep(for: .milliseconds(25))
                rotated = jwks.keyring.keys.map(\.keyID) == ["r-new"]
            }
            #expect(rotated)
            await group.triggerGracefulShutdown()
            try await running.value  // returns: the service stopped
            let fetches = provider.count("jwks")
            try await Task.sleep(for: .milliseconds(200))
            #expect(provider.count("jwks") == fetches)
        }
    }

    @Test func prepareFailsWithoutAProvider() async throws {
        let jwks = try RemoteJWKS(url: URL(string: "http://127.0.0.1:9/jwks")!)
        await #expect(throws: JWTKRemoteError.self) { try await JWKSRefreshService(jwks: jwks, issuer: "x").prepare() }
    }
}
