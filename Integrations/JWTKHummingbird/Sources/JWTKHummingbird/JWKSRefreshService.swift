import Foundation
import JWTK
public import JWTKRemote
public import ServiceLifecycle

/// Keeps one issuer's ``JWTKRemote/RemoteJWKS`` fresh as a swift-service-lifecycle `Service`.
///
/// Call ``prepare()`` before the server accepts traffic (for Hummingbird: `app.beforeServerStarts`), so the
/// first request finds keys; then run the service in the same `ServiceGroup` as the server. It refreshes every
/// ``interval`` seconds (HTTP caching and `304 Not Modified` are handled by the source), records each outcome
/// and the key-set age, and returns promptly on graceful shutdown or cancellation. A failed refresh keeps the
/// held keys (the source's ``JWTKRemote/RemoteJWKS/Configuration/maxStaleness`` bounds how long).
public struct JWKSRefreshService: Service {
    /// The key source refreshed.
    public let jwks: RemoteJWKS
    /// The issuer label metrics carry.
    public let issuer: String
    /// Seconds between refreshes.
    public let interval: Double
    /// Where outcomes are counted.
    public let metrics: JWTKMetrics

    /// Creates the service. `interval` must be positive and at most ``maximumInterval`` (one day).
    public init(jwks: RemoteJWKS, issuer: String, interval: Double = 300, metrics: JWTKMetrics = JWTKMetrics()) {
        precondition(interval > 0 && interval <= Self.maximumInterval, "the refresh interval must be in (0, 86400] seconds")
        self.jwks = jwks
        self.issuer = issuer
        self.interval = interval
        self.metrics = metrics
    }

    /// The longest refresh interval accepted, in seconds: one day (the JWK Set cache's own upper bound).
    public static let maximumInterval: Double = 86_400

    /// Fetches the keys once; throws when they cannot be obtained, so a service does not start without keys.
    public func prepare() async throws(JWTKRemoteError) {
        _ = try await refreshOnce()
    }

    /// Refreshes until graceful shutdown or cancellation.
    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let pause = Duration.milliseconds(Int64(interval * 1000))
            let slept: Void? = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            guard slept != nil else { return }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            _ = try? await refreshOnce()
        }
    }

    @discardableResult
    private func refreshOnce() async throws(JWTKRemoteError) -> RemoteJWKS.RefreshOutcome {
        do {
            let outcome = try await jwks.refresh()
            switch outcome {
            case .updated: metrics.recordRefresh(outcome: "updated", issuer: issuer)
            case .notModified: metrics.recordRefresh(outcome: "not_modified", issuer: issuer)
            }
            recordAge()
            return outcome
        } catch {
            metrics.recordRefresh(outcome: error.code.rawValue, issuer: issuer)
            recordAge()
            throw error
        }
    }

    /// Records the key set's age now (call it when metrics are scraped, so the gauge is current).
    public func recordKeySetAge() { recordAge() }

    private func recordAge() {
        guard let last = jwks.statistics.lastSuccessAt else { return }
        metrics.recordKeySetAge(max(0, jwks.configuration.clock.now - last), issuer: issuer)
    }
}
