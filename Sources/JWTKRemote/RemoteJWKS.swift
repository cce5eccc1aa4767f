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

    private struct Counters {
        var fetches = 0, updates = 0, notModified = 0, failures = 0, consecutiveFailures = 0
        var unknownKeyRefreshes = 0, cooldownHits = 0, staleServes = 0, refusals = 0, skippedKeys = 0
    }

    private typealias FetchTask = Task<Result<RefreshOutcome, JWTKRemoteError>, Never>

    private struct Store {
        var loaded = false
        var freshUntil = -Double.infinity
        var lastSuccessAt: Double?
        var etag: String?
        var lastModified: String?
        var lastAttemptAt: Double?
        var retryNotBefore = -Double.infinity
        var lastError: JWTKRemoteError?
        var inFlight: (id: Int, task: FetchTask)?
        var nextFetchID = 0
        var warnedStale = false
        var warnedRefusal = false
        var skipped: [JWKSet.SkippedKey] = []
        var counters = Counters()
    }

    /// The URL of the JWK Set.
    public let url: URL
    /// The keyring the fetched keys are installed in.
    public let keyring: Keyring
    /// The configuration given at creation.
    public let configuration: Configuration
    private let fetcher: any HTTPFetching
    private let store = Locked(Store())

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
        self.fetcher = fetcher
        self.keyring = Keyring(keys: [])
    }

    /// A verifier that checks tokens against these keys with `policy`.
    public func verifier(policy: VerificationPolicy) -> RemoteJWTVerifier { RemoteJWTVerifier(source: self, policy: policy) }

    /// The counters and state now.
    public var statistics: Statistics {
        let now = configuration.clock.now
        let keys = keyring.keys.count
        let generation = keyring.generation
        return store.withLock { store in
            let c = store.counters
            return Statistics(
                state: state(store, now), keyCount: keys, generation: generation, fetches: c.fetches, updates: c.updates,
                notModified: c.notModified, failures: c.failures, consecutiveFailures: c.consecutiveFailures,
                unknownKeyRefreshes: c.unknownKeyRefreshes, cooldownHits: c.cooldownHits, staleServes: c.staleServes,
                refusals: c.refusals, skippedKeys: c.skippedKeys, skippedKeyDetails: store.skipped, lastSuccessAt: store.lastSuccessAt,
                freshUntil: store.loaded ? store.freshUntil : nil, lastError: store.lastError)
        }
    }

    /// The freshness of the keys now.
    public var state: State {
        let now = configuration.clock.now
        return store.withLock { state($0, now) }
    }

    private func state(_ store: Store, _ now: Double) -> State {
        guard store.loaded else { return .notLoaded }
        if now < store.freshUntil { return .fresh }
        return now < store.freshUntil + configuration.maxStaleness ? .stale : .expired
    }

    // MARK: Refresh

    /// Fetches the set now (conditionally when keys are held), whatever its freshness; joins a fetch already in
    /// flight instead of starting another.
    ///
    /// - Returns: whether new keys were installed or the server answered `304`.
    /// - Throws: ``JWTKRemoteError`` from the fetch; the previous keys are kept.
    @discardableResult
    public func refresh() async throws(JWTKRemoteError) -> RefreshOutcome {
        let task = store.withLock { store in startOrJoin(&store) }
        return try await task.value.get()
    }

    /// Makes sure fresh keys are held: fetches when none are held or they have expired, unless a fetch failed
    /// less than ``Configuration/unknownKeyCooldown`` ago. Returns at once when the keys are fresh.
    ///
    /// - Throws: ``JWTKRemoteError`` when a fetch was made and failed **and** no usable keys remain (none loaded,
    ///   or past the maximum staleness). With stale-but-usable keys the failure is only recorded.
    public func loadIfNeeded() async throws(JWTKRemoteError) {
        let now = configuration.clock.now
        let task: FetchTask? = store.withLock { store in
            if store.loaded && now < store.freshUntil { return nil }
            if let inFlight = store.inFlight { return inFlight.task }
            guard now >= store.retryNotBefore else { return nil }
            return startOrJoin(&store)
        }
        guard let task else { return }
        if case .failure(let error) = await task.value {
            let usable = store.withLock { store in store.loaded && configuration.clock.now < store.freshUntil + configuration.maxStaleness }
            if !usable { throw error }
        }
    }

    /// For a token whose `kid` was not found in keyring generation `seenGeneration`: refreshes once per
    /// cooldown. Returns true when it is worth verifying again (the keys changed).
    func refreshForUnknownKey(seenGeneration: Int, keyID: String?) async -> Bool {
        let now = configuration.clock.now
        enum Step {
            case retry
            case wait(FetchTask)
            case give_up
        }
        let step: Step = store.withLock { store in
            if keyring.generation != seenGeneration { return .retry }
            if let inFlight = store.inFlight { return .wait(inFlight.task) }
            if let last = store.lastAttemptAt, now - last < configuration.unknownKeyCooldown {
                store.counters.cooldownHits += 1
                return .give_up
            }
            store.counters.unknownKeyRefreshes += 1
            return .wait(startOrJoin(&store))
        }
        switch step {
        case .retry:
            return true
        case .give_up:
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
        let now = configuration.clock.now
        enum Verdict {
            case fresh
            case stale(warn: Bool, refresh: Bool)
            case refused(JWTKRemoteError, warn: Bool)
        }
        let verdict: Verdict = store.withLock { store in
            guard store.loaded else {
                store.counters.refusals += 1
                let cause = store.lastError.map { "; last error: \($0)" } ?? ""
                return .refused(
                    JWTKRemoteError(.notLoaded, "the JWK Set has not been fetched yet\(cause)", url: url.absoluteString), warn: false)
            }
            if now < store.freshUntil { return .fresh }
            let refresh = configuration.refreshesInBackground && store.inFlight == nil && now >= store.retryNotBefore
            if refresh { _ = startOrJoin(&store) }
            if now < store.freshUntil + configuration.maxStaleness {
                store.counters.staleServes += 1
                let warn = !store.warnedStale
                store.warnedStale = true
                return .stale(warn: warn, refresh: refresh)
            }
            store.counters.refusals += 1
            let warn = !store.warnedRefusal
            store.warnedRefusal = true
            let age = Int(now - store.freshUntil)
            let cause = store.lastError.map { "; last error: \($0)" } ?? ""
            return .refused(
                JWTKRemoteError(
                    .staleKeys,
                    "the keys expired \(age) s ago, beyond the maximum staleness of \(DateText.seconds(configuration.maxStaleness)) s\(cause)",
                    url: url.absoluteString),
                warn: warn)
        }
        switch verdict {
        case .fresh:
            return
        case .stale(let warn, let refresh):
            if warn {
                configuration.logger.warning(
                    "serving stale keys", metadata: ["url": "\(url.absoluteString)", "background_refresh": "\(refresh)"])
            }
        case .refused(let error, let warn):
            if warn { configuration.logger.error("refusing to verify: \(error)", metadata: ["url": "\(url.absoluteString)"]) }
            throw error
        }
    }

    /// Returns the fetch in flight, or starts one. Call with the lock held.
    private func startOrJoin(_ store: inout Store) -> FetchTask {
        if let inFlight = store.inFlight { return inFlight.task }
        store.nextFetchID += 1
        let id = store.nextFetchID
        store.lastAttemptAt = configuration.clock.now
        store.counters.fetches += 1
        let conditional = store.loaded ? (etag: store.etag, lastModified: store.lastModified) : (etag: nil, lastModified: nil)
        let task = FetchTask { [self] in
            let result = await fetch(etag: conditional.etag, lastModified: conditional.lastModified)
            complete(id: id, result)
            return result.map(\.outcome)
        }
        store.inFlight = (id, task)
        return task
    }

    private struct Fetched {
        var outcome: RefreshOutcome
        var response: HTTPFetchResponse
        var set: JWKSet?
    }

    private func fetch(etag: String?, lastModified: String?) async -> Result<Fetched, JWTKRemoteError> {
        var headers = ["Accept": "application/json", "User-Agent": HTTPFetchRequest.defaultUserAgent]
        if let etag { headers["If-None-Match"] = etag }
        if let lastModified { headers["If-Modified-Since"] = lastModified }
        let request = HTTPFetchRequest(
            url: url, headers: headers, timeout: configuration.timeout, maxResponseBytes: configuration.maxResponseBytes)
        configuration.logger.debug(
            "fetching JWK Set", metadata: ["url": "\(url.absoluteString)", "conditional": "\(etag != nil || lastModified != nil)"])
        do throws(JWTKRemoteError) {
            let response = try await RemoteDocument.get(request, using: fetcher)
            switch response.status {
            case 304 where etag != nil || lastModified != nil:
                return .success(Fetched(outcome: .notModified, response: response, set: nil))
            case 200:
                try RemoteDocument.requireJSON(response, url: url)
                let set: JWKSet
                do throws(JWTKError) {
                    set = try JWKSet(publishedBytes: response.body, limits: configuration.jwksLimits)
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
                return .success(Fetched(outcome: .updated(keyCount: set.keys.count), response: response, set: set))
            default:
                throw RemoteDocument.statusError(response, url: url)
            }
        } catch {
            return .failure(error)
        }
    }

    /// Installs the result of fetch `id` and clears the in-flight slot.
    private func complete(id: Int, _ result: Result<Fetched, JWTKRemoteError>) {
        let now = configuration.clock.now
        let log = configuration.logger
        switch result {
        case .success(let fetched):
            let lifetime = configuration.freshness.lifetime(headers: fetched.response.headers, now: now)
            if let set = fetched.set {
                keyring.replaceKeys(with: set)
                for skip in set.skipped {
                    log.warning("skipped a key of the JWK Set: \(skip)", metadata: ["url": "\(url.absoluteString)"])
                }
            }
            store.withLock { store in
                store.loaded = true
                store.freshUntil = now + lifetime
                store.lastSuccessAt = now
                store.retryNotBefore = -Double.infinity
                store.lastError = nil
                store.warnedStale = false
                store.warnedRefusal = false
                store.counters.consecutiveFailures = 0
                if let set = fetched.set {
                    store.counters.updates += 1
                    store.counters.skippedKeys = set.skipped.count
                    store.skipped = set.skipped
                    store.etag = fetched.response.header("etag")
                    store.lastModified = fetched.response.header("last-modified")
                } else {
                    store.counters.notModified += 1
                    if let etag = fetched.response.header("etag") { store.etag = etag }
                }
                if store.inFlight?.id == id { store.inFlight = nil }
            }
            if let set = fetched.set {
                log.info(
                    "installed JWK Set",
                    metadata: [
                        "url": "\(url.absoluteString)", "keys": "\(set.keys.count)", "skipped": "\(set.skipped.count)",
                        "ttl": "\(DateText.seconds(lifetime))",
                    ])
            } else {
                log.debug("JWK Set not modified (304)", metadata: ["url": "\(url.absoluteString)", "ttl": "\(DateText.seconds(lifetime))"])
            }
        case .failure(let error):
            let (failures, loaded) = store.withLock { store in
                store.lastError = error
                store.retryNotBefore = now + configuration.unknownKeyCooldown
                store.counters.failures += 1
                store.counters.consecutiveFailures += 1
                if store.inFlight?.id == id { store.inFlight = nil }
                return (store.counters.consecutiveFailures, store.loaded)
            }
            log.error(
                "JWK Set fetch failed: \(error)",
                metadata: ["url": "\(url.absoluteString)", "consecutive_failures": "\(failures)", "keeping_last_good_keys": "\(loaded)"])
        }
    }
}

/// Verifies tokens against a ``RemoteJWKS``.
///
/// - ``verify(_:)`` is synchronous and never touches the network: it uses the keys held now (refusing when none
///   are loaded or they are past the maximum staleness). This is the hot path.
/// - ``verifyRefreshing(_:)`` first loads or refreshes expired keys, and refreshes once (cooldown permitting)
///   when the token's `kid` is unknown, then verifies the same way.
///
/// Both throw either a `JWTKError` (the token is rejected: signature, claims, or a `kid` that is still
/// unknown) or a ``JWTKRemoteError`` (the keys could not be obtained or are too stale to use).
public struct RemoteJWTVerifier: Sendable {
    /// Where the keys come from.
    public let source: RemoteJWKS
    /// The core verifier over the source's keyring.
    public var verifier: JWTVerifier

    /// What is checked.
    public var policy: VerificationPolicy {
        get { verifier.policy }
        set { verifier.policy = newValue }
    }

    /// Creates a verifier over `source` with `policy`.
    public init(source: RemoteJWKS, policy: VerificationPolicy) {
        self.source = source
        self.verifier = JWTVerifier(keyring: source.keyring, policy: policy)
    }

    /// Verifies with the keys held now, without waiting or touching the network.
    ///
    /// - Throws: ``JWTKRemoteError`` (`notLoaded`, `staleKeys`) or `JWTKError` (every token rejection).
    public func verify(_ token: String) throws -> VerifiedJWT {
        try source.checkUsable()
        return try verifier.verify(token)
    }

    /// Loads or refreshes the keys when needed, then verifies; a `kid` not found triggers one refresh (at most
    /// once per cooldown, shared with concurrent callers) and one more attempt.
    ///
    /// - Throws: ``JWTKRemoteError`` when no usable keys can be had (`fetchFailed`, `timeout`, `httpStatus`, ...,
    ///   `notLoaded`, `staleKeys`) or `JWTKError` for a rejected token (`keyNotFound` when the `kid` is
    ///   still unknown after the refresh or the cooldown suppressed it).
    public func verifyRefreshing(_ token: String) async throws -> VerifiedJWT {
        try await source.loadIfNeeded()
        let generation = source.keyring.generation
        do {
            return try verify(token)
        } catch let error as JWTKError where error.code == .keyNotFound {
            guard await source.refreshForUnknownKey(seenGeneration: generation, keyID: error.keyID) else { throw error }
            return try verify(token)
        }
    }
}
