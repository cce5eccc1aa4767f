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
    // Two optionals rather than an enum: a `switch` binding copied the whole verifier out of the payload (a
    // retain and a release of each of its references) on every request; optional chaining borrows it.
    private let local: JWTVerifier?
    private let remote: RemoteJWTVerifier?
    /// The cache consulted first.
    public let cache: VerifiedTokenCache
    /// The label identities and metrics carry.
    public let issuerLabel: String
    /// Where hits and misses are counted.
    public let metrics: JWTKMetrics

    /// A cache in front of a local-key verifier.
    public init(_ verifier: JWTVerifier, issuerLabel: String = "local", cache: VerifiedTokenCache, metrics: JWTKMetrics = JWTKMetrics()) {
        self.local = verifier
        self.remote = nil
        self.issuerLabel = issuerLabel
        self.cache = cache
        self.metrics = metrics
    }

    /// A cache in front of a remote JWK Set verifier. Keys are loaded (or refreshed when expired) first; a token
    /// whose `kid` is unknown goes through the source's refresh-once path, uncached.
    public init(_ verifier: RemoteJWTVerifier, issuerLabel: String, cache: VerifiedTokenCache, metrics: JWTKMetrics = JWTKMetrics()) {
        self.local = nil
        self.remote = verifier
        self.issuerLabel = issuerLabel
        self.cache = cache
        self.metrics = metrics
    }

    /// The fixed label.
    public func issuerLabel(forRefused token: String) -> String { issuerLabel }

    /// Verifies through the cache.
    public func verifyToken(_ token: String) async throws -> JWTIdentity {
        if let identity = try verifyTokenWithoutSuspending(token) { return identity }
        // The core says how the cache answered (no counters read around the call); a miss is counted even when
        // its verification fails, a cached entry refused on its claims is counted as neither, as the core counts.
        var cacheHit: Bool?
        defer { count(cacheHit) }
        try await remote!.source.loadIfNeeded()
        do {
            return JWTIdentity(token: try remote!.verify(token, cache: cache, cacheHit: &cacheHit), issuerLabel: issuerLabel)
        } catch let error as JWTKError where error.code == .keyNotFound {
            return JWTIdentity(token: try await remote!.verifyRefreshing(token), issuerLabel: issuerLabel)
        }
    }

    /// A local-key verifier's cached verification, without suspending (the middleware's path); nil for a remote
    /// one, which may have to load its keys first.
    public func verifyTokenWithoutSuspending(_ token: String) throws -> JWTIdentity? {
        guard local != nil else { return nil }
        var cacheHit: Bool?
        defer { count(cacheHit) }
        return JWTIdentity(token: try local!.verify(token, cache: cache, cacheHit: &cacheHit), issuerLabel: issuerLabel)
    }

    @inline(__always)
    private func count(_ cacheHit: Bool?) {
        if let cacheHit { metrics.recordTokenCacheLookup(hit: cacheHit, issuer: issuerLabel) }
    }
}
