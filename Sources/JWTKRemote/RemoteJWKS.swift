import Foundation
import JWTK
import Logging

/// A JWK Set fetched from a URL, kept fresh in a `Keyring`.
///
/// The keyring is an ordinary `Keyring`: verification reads its current snapshot synchronously and never
/// waits for the network. `RemoteJWKS` refreshes it:
/// - **on its TTL**, taken from `Cache-Control: max-age` or `Expires` and clamped by ``CacheFreshness``, using
///   `If-None-Match` / `If-Modified-Since` so that an unchanged set costs a `304`;
/// - **on an unknown `kid`**, once per ``Configuration/unknownKeyCooldown`` at most, so forged key ids cannot
///   drive traffic;
/// - **single flight**: concurrent callers that need a refresh share one request.
///
/// When a refresh fails (timeout, HTTP error, invalid or oversized body, TLS), the last good keys keep serving
/// for up to ``Configuration/maxStaleness`` past their freshness; after that verification is refused with
/// ``JWTKRemoteError/Code/staleKeys``. Every failure is logged, kept as ``Statistics/lastError`` and counted.
///
/// ```swift
/// let jwks = try RemoteJWKS(url: URL(string: "https://auth.example.com/.well-known/jwks.json")!)
/// let verifier = jwks.verifier(policy: .accessToken(issuer: "https://auth.example.com", audience: "my-api"))
/// let jwt = try await verifier.verifyRefreshing(token)   // fetches on first use / unknown kid / expiry
/// let again = try verifier.verify(token)                 // synchronous: cached keys only
/// ```
public final class RemoteJWKS: Sendable {
    /// Timeouts, limits, cache bounds and the clock.
    public struct Configuration: Sendable {
        /// Seconds allowed for one request, connection included. Default 5.
        public var timeout: Double = 5
        /// Largest accepted response body in bytes. Default 1 MiB.
        public var maxResponseBytes: Int = 1 << 20
        /// Freshness bounds: server TTLs are clamped to 60 s … 24 h; 10 min when the server says nothing.
        public var freshness = CacheFreshness()
        /// The cooldown, in seconds (default 30): a token with an unknown `kid` triggers a refresh only when no
        /// fetch of any kind started within this time, and after a failed fetch no automatic fetch (TTL-driven
        /// or unknown-`kid`) starts until this time has passed. ``RemoteJWKS/refresh()`` ignores it.
        public var unknownKeyCooldown: Double = 30
        /// How long past the end of their freshness the last good keys keep serving while refreshes fail.
        /// Default 1 h.
        /// - Warning: a key the provider has withdrawn keeps verifying for this long if the provider cannot be
        ///   reached. Zero refuses as soon as the keys expire and a refresh fails.
        public var maxStaleness: Double = 3600
        /// Whether the synchronous ``RemoteJWTVerifier/verify(_:)`` starts a background refresh when it serves
        /// expired keys. Default true. The call itself never waits for it.
        public var refreshesInBackground = true
        /// Limits applied to the fetched JWK Set (size, key count, JSON depth).
        public var jwksLimits = JWKSet.Limits()
        /// The time source for freshness, cooldown and staleness.
        public var clock: JWTClock = .system
        /// Where fetches, `304`s, cooldown hits, stale serves, failures and skipped keys are logged.
        public var logger = Logger(label: "jwtk.remote.jwks")
        /// Called after every fetch with what was fetched, why, and the response (``FetchLog`` records them).
        /// Default none.
        public var fetchObserver: FetchObserver?

        /// The defaults described on each property.
        public init() {}
    }

    /// The freshness of the keys at one moment.
    public enum State: String, Sendable, Hashable {
        /// No key set has been fetched yet.
        case notLoaded = "not_loaded"
        /// The keys are within their freshness lifetime.
        case fresh
        /// The keys are past their freshness but within the maximum staleness; they still verify.
        case stale
        /// The keys are past the maximum staleness; verification is refused.
        case expired
    }

    /// Counters and state, for a health endpoint or metrics exporter.
    public struct Statistics: Sendable {
        /// The freshness of the keys now.
        public var state: State
        /// Usable keys held.
        public var keyCount: Int
        /// The keyring's generation (incremented by every key replacement).
        public var generation: Int
        /// Requests sent (including those that failed).
        public var fetches: Int = 0
        /// `200` responses whose keys were installed.
        public var updates: Int = 0
        /// `304 Not Modified` responses (the set was kept).
        public var notModified: Int = 0
        /// Fetches that failed.
        public var failures: Int = 0
        /// Failures since the last successful fetch.
        public var consecutiveFailures: Int = 0
        /// Refreshes started because a token's `kid` was unknown.
        public var unknownKeyRefreshes: Int = 0
        /// Unknown-`kid` refreshes refused by the cooldown.
        public var cooldownHits: Int = 0
        /// Verifications served with stale keys.
        public var staleServes: Int = 0
        /// Verifications refused because the keys were past the maximum staleness (or never loaded).
        public var refusals: Int = 0
        /// Keys skipped in the last fetched set (unsupported type, wrong `use`, invalid members).
        public var skippedKeys: Int = 0
        /// The skipped keys of the last fetched set, with their reasons.
        public var skippedKeyDetails: [JWKSet.SkippedKey] = []
        /// When the keys were last confirmed by the provider (200 or 304), in the clock's seconds.
        public var lastSuccessAt: Double?
        /// When the keys stop being fresh.
        public var freshUntil: Double?
        /// The error of the last failed fetch, cleared by the next success.
        public var lastError: JWTKRemoteError?
    }

    /// What a completed refresh did.
    public enum RefreshOutcome: Sendable, Hashable {
        /// A new set was installed, with this many usable keys.
        case updated(keyCount: Int)
        /// The server answered `304 Not Modified`; the keys were kept and their freshness extended.
        case notModified
    }

    /// The URL of the JWK Set.
    public let url: URL
    /// The keyring the fetched keys are installed in.
    public let keyring: Keyring
    /// The configuration given at creation.
    public let configuration: Configuration
    private let cache: RemoteDocumentCache<JWKSet>

    /// Creates a source for the JWK Set at `url`. Nothing is fetched until first needed (or ``refresh()``).
    ///
    /// - Parameters:
    ///   - url: the JWK Set's URL: https, or http to a loopback host (``RemoteURLPolicy``).
    ///   - configuration: timeouts, size cap, freshness bounds, cooldowns and staleness.
    ///   - fetcher: the transport; default ``URLSessionFetcher``.
    /// - Throws: ``JWTKRemoteError`` `insecureURL` when `url` is not https (or http to a loopback host).
    public init(
        url: URL, configuration: Configuration = Configuration(), fetcher: any HTTPFetching = URLSessionFetcher()
    ) throws(JWTKRemoteError) {
        try RemoteURLPolicy.check(url)
        self.url = url
        self.configuration = configuration
        let keyring = Keyring(keys: [])
        self.keyring = keyring
        let logger = configuration.logger
        let limits = configuration.jwksLimits
        self.cache = RemoteDocumentCache(
            settings: .init(
                kind: .jwkSet, url: url, timeout: configuration.timeout, maxResponseBytes: configuration.maxResponseBytes,
                freshness: configuration.freshness, retryInterval: configuration.unknownKeyCooldown,
                maxStaleness: configuration.maxStaleness, clock: configuration.clock, logger: logger,
                observer: configuration.fetchObserver,
                wording: .init(
                    document: "JWK Set", installed: "installed JWK Set", servingStale: "serving stale keys",
                    notLoaded: "the JWK Set has not been fetched yet", expiredSubject: "the keys",
                    installedMetadata: { set in ["keys": "\(set.keys.count)", "skipped": "\(set.skipped.count)"] })),
            fetcher: fetcher,
            parse: { response throws(JWTKRemoteError) in try Self.keySet(response.body, limits: limits, url: url) },
            willInstall: { set in
                keyring.replaceKeys(with: set)
                for skip in set.skipped {
                    logger.warning("skipped a key of the JWK Set: \(skip)", metadata: ["url": "\(url.absoluteString)"])
                }
            })
    }

    /// Parses a fetched body as a JWK Set with at least one usable key.
    private static func keySet(_ body: [UInt8], limits: JWKSet.Limits, url: URL) throws(JWTKRemoteError) -> JWKSet {
        let set: JWKSet
        do throws(JWTKError) {
            set = try JWKSet(publishedBytes: body, limits: limits)
        } catch {
            throw JWTKRemoteError(.invalidDocument, "not a usable JWK Set: \(error)", url: url.absoluteString, underlying: error)
        }
        guard !set.keys.isEmpty else {
            let detail =
                set.skipped.isEmpty
                ? "it has no keys"
                : "all \(set.skipped.count) keys were skipped: \(set.skipped.map(\.description).joined(separator: "; "))"
            throw JWTKRemoteError(.invalidDocument, "the JWK Set has no usable key; \(detail)", url: url.absoluteString)
        }
        return set
    }

    /// A verifier that checks tokens against these keys with `policy`.
    public func verifier(policy: VerificationPolicy) -> RemoteJWTVerifier { RemoteJWTVerifier(source: self, policy: policy) }

    /// The counters and state now.
    public var statistics: Statistics {
        let keys = keyring.keys.count
        let generation = keyring.generation
        let snapshot = cache.snapshot
        let c = snapshot.counters
        let skipped = snapshot.document?.skipped ?? []
        return Statistics(
            state: snapshot.state, keyCount: keys, generation: generation, fetches: c.fetches, updates: c.updates,
            notModified: c.notModified, failures: c.failures, consecutiveFailures: c.consecutiveFailures,
            unknownKeyRefreshes: c.demandRefreshes, cooldownHits: c.cooldownHits, staleServes: c.staleServes, refusals: c.refusals,
            skippedKeys: skipped.count, skippedKeyDetails: skipped, lastSuccessAt: snapshot.lastSuccessAt,
            freshUntil: snapshot.freshUntil, lastError: snapshot.lastError)
    }

    /// The freshness of the keys now.
    public var state: State { cache.snapshot.state }

    // MARK: Refresh

    /// Fetches the set now (conditionally when keys are held), whatever its freshness; joins a fetch already in
    /// flight instead of starting another.
    ///
    /// - Returns: whether new keys were installed or the server answered `304`.
    /// - Throws: ``JWTKRemoteError`` from the fetch; the previous keys are kept.
    @discardableResult
    public func refresh() async throws(JWTKRemoteError) -> RefreshOutcome {
        let fetched = try await cache.refresh().get()
        return fetched.updated ? .updated(keyCount: fetched.document.keys.count) : .notModified
    }

    /// Makes sure fresh keys are held: fetches when none are held or they have expired, unless a fetch failed
    /// less than ``Configuration/unknownKeyCooldown`` ago. Returns at once when the keys are fresh.
    ///
    /// - Throws: ``JWTKRemoteError`` when a fetch was made and failed **and** no usable keys remain (none loaded,
    ///   or past the maximum staleness). With stale-but-usable keys the failure is only recorded.
    public func loadIfNeeded() async throws(JWTKRemoteError) {
        if let error = await cache.refreshIfExpired(), !cache.isUsable { throw error }
    }

    /// For a token whose `kid` was not found in keyring generation `seenGeneration`: refreshes once per
    /// cooldown. Returns true when it is worth verifying again (the keys changed).
    func refreshForUnknownKey(seenGeneration: Int, keyID: String?) async -> Bool {
        let demand = cache.demandRefresh(cooldown: configuration.unknownKeyCooldown) { keyring.generation != seenGeneration }
        switch demand {
        case .retry:
            return true
        case .suppressed:
            configuration.logger.debug(
                "unknown kid; refresh suppressed by the cooldown",
                metadata: [
                    "url": "\(url.absoluteString)", "kid": "\(keyID ?? "(none)")", "cooldown": "\(configuration.unknownKeyCooldown)",
                ])
            return false
        case .wait(let task):
            configuration.logger.debug(
                "unknown kid; refreshing the key set", metadata: ["url": "\(url.absoluteString)", "kid": "\(keyID ?? "(none)")"])
            _ = await task.value
            return keyring.generation != seenGeneration
        }
    }

    /// Checks, without waiting, that the keys may be used now. Counts stale serves and refusals and, when
    /// configured, starts a background refresh for expired keys.
    ///
    /// - Throws: ``JWTKRemoteError`` `notLoaded` or `staleKeys`.
    func checkUsable() throws(JWTKRemoteError) {
        _ = try cache.usableDocument(refreshInBackground: configuration.refreshesInBackground)
    }
}
