public import CoreMetrics

/// The metrics the integration records through swift-metrics. With no backend bootstrapped they cost a no-op.
///
/// | name | type | dimensions | meaning |
/// |---|---|---|---|
/// | `jwtk_verifications_total` | counter | `outcome` (`ok` or a stable error code), `issuer` | tokens checked by the middleware |
/// | `jwtk_jwks_refreshes_total` | counter | `outcome` (`updated`, `not_modified` or a remote error code), `issuer` | background JWK Set refreshes |
/// | `jwtk_jwks_age_seconds` | gauge | `issuer` | seconds since the held JWK Set was last fetched successfully |
/// | `jwtk_token_cache_lookups_total` | counter | `result` (`hit` or `miss`), `issuer` | verifications through a ``CachingTokenVerifier``'s cache |
///
/// The `issuer` label is always a configured issuer (or `local`, `none`, `unrouted`), never a value taken
/// from an unverified token, so its cardinality is bounded by configuration.
public struct JWTKMetrics: Sendable {
    /// The prefix of every name; default `jwtk`.
    public let prefix: String
    /// The backend; nil uses the process-wide `MetricsSystem.factory` (a no-op until bootstrapped).
    public let factory: (any MetricsFactory)?
    /// Creates the recorder.
    public init(prefix: String = "jwtk", factory: (any MetricsFactory)? = nil) {
        self.prefix = prefix
        self.factory = factory
        self.fixedObservation = factory.map { !Self.isNoOp($0) }
    }

    /// Whether the given `factory` records anything, decided once; nil: the process-wide factory, read per event
    /// (it may be bootstrapped later, or overridden for a task).
    private let fixedObservation: Bool?

    private var backend: any MetricsFactory { factory ?? MetricsSystem.factory }

    /// False when the backend is swift-metrics' no-op handler (nothing bootstrapped): then no label is built
    /// and no handle is created, so an unobserved service pays one type check per event.
    private var observed: Bool { fixedObservation ?? !Self.isNoOp(MetricsSystem.factory) }

    /// Whether `factory` is swift-metrics' no-op handler, by its (final) class: cheaper than a dynamic cast.
    @inline(__always)
    private static func isNoOp(_ factory: any MetricsFactory) -> Bool {
        ObjectIdentifier(type(of: factory)) == ObjectIdentifier(NOOPMetricsHandler.self)
    }

    /// Whether a backend records anything (false while swift-metrics has no backend bootstrapped): callers skip
    /// the work of measuring what would not be recorded.
    public var isObserved: Bool { observed }

    /// Counts one verification.
    public func recordVerification(outcome: String, issuer: String) {
        guard observed else { return }
        Counter(label: "\(prefix)_verifications_total", dimensions: [("outcome", outcome), ("issuer", issuer)], factory: backend)
            .increment()
    }

    /// Counts one JWK Set refresh.
    public func recordRefresh(outcome: String, issuer: String) {
        guard observed else { return }
        Counter(label: "\(prefix)_jwks_refreshes_total", dimensions: [("outcome", outcome), ("issuer", issuer)], factory: backend)
            .increment()
    }

    /// Records the age of an issuer's key set.
    public func recordKeySetAge(_ seconds: Double, issuer: String) {
        guard observed else { return }
        Gauge(label: "\(prefix)_jwks_age_seconds", dimensions: [("issuer", issuer)], factory: backend).record(seconds)
    }

    /// Counts one lookup in a verified-token cache.
    public func recordTokenCacheLookup(hit: Bool, issuer: String) {
        guard observed else { return }
        Counter(
            label: "\(prefix)_token_cache_lookups_total", dimensions: [("result", hit ? "hit" : "miss"), ("issuer", issuer)],
            factory: backend
        ).increment()
    }
}
