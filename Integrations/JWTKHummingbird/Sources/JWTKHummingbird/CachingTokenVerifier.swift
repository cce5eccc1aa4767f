public import JWTK
public import JWTKRemote

/// A verifier with a ``JWTK/VerifiedTokenCache`` in front: a token this verifier already accepted at the
/// keyring's current generation is answered without parsing or signature work, with the policy's claim rules
/// (expiry included) run again on every hit; see `VerifiedTokenCache` for the rules. Hits and misses are counted
/// as `jwtk_token_cache_lookups_total{result="hit"|"miss"}` when a metrics backend is bootstrapped (nothing is
/// read or counted otherwise).
///
/// ```swift
/// let cached = CachingTokenVerifier(verifier, cache: try VerifiedTokenCache(capacity: 4096), metrics: metrics)
/// router.add(middleware: JWTAuthenticator<JWTRequestContext>(verifier: cached, realm: "api"))
/// ```
public struct CachingTokenVerifier: JWTTokenVerifying {
    private enum Source: Sendable {
        case local(JWTVerifier)
        case remote(RemoteJWTVerifier)
    }
    private let source: Source
    /// The cache consulted first.
    public let cache: VerifiedTokenCache
    /// The label identities and metrics carry.
    public let issuerLabel: String
    /// Where hits and misses are counted.
    public let metrics: JWTKMetrics

    /// A cache in front of a local-key verifier.
    public init(_ verifier: JWTVerifier, issuerLabel: String = "local", cache: VerifiedTokenCache, metrics: JWTKMetrics = JWTKMetrics()) {
        self.source = .local(verifier)
        self.issuerLabel = issuerLabel
        self.cache = cache
        self.metrics = metrics
    }

    /// A cache in front of a remote JWK Set verifier. Keys are loaded (or refreshed when expired) first; a token
    /// whose `kid` is unknown goes through the source's refresh-once path, uncached.
    public init(_ verifier: RemoteJWTVerifier, issuerLabel: String, cache: VerifiedTokenCache, metrics: JWTKMetrics = JWTKMetrics()) {
        self.source = .remote(verifier)
        self.issuerLabel = issuerLabel
        self.cache = cache
        self.metrics = metrics
    }

    /// The fixed label.
    public func issuerLabel(forRefused token: String) -> String { issuerLabel }

    /// Verifies through the cache.
    public func verifyToken(_ token: String) async throws -> JWTIdentity {
        switch source {
        case .local(let verifier):
            return JWTIdentity(
                token: try counted { () throws(JWTKError) in try verifier.verify(token, cache: cache) }, issuerLabel: issuerLabel)
        case .remote(let verifier):
            try await verifier.source.loadIfNeeded()
            do {
                return JWTIdentity(token: try counted { () throws in try verifier.verify(token, cache: cache) }, issuerLabel: issuerLabel)
            } catch let error as JWTKError where error.code == .keyNotFound {
                return JWTIdentity(token: try await verifier.verifyRefreshing(token), issuerLabel: issuerLabel)
            }
        }
    }

    /// Runs the synchronous cached verification and, when metrics are observed, counts whether it was a hit
    /// (the calling thread's counters before and after: the call does not leave the thread).
    private func counted<E: Error>(_ body: () throws(E) -> VerifiedJWT) throws(E) -> VerifiedJWT {
        guard metrics.isObserved else { return try body() }
        let before = cache.statisticsForCurrentThread
        defer {
            let after = cache.statisticsForCurrentThread
            if after.hits > before.hits {
                metrics.recordTokenCacheLookup(hit: true, issuer: issuerLabel)
            } else if after.misses > before.misses {
                metrics.recordTokenCacheLookup(hit: false, issuer: issuerLabel)
            }
        }
        return try body()
    }
}
