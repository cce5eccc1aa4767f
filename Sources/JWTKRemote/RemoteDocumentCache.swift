import Foundation
import JWTK
import Logging

/// The one cache engine behind ``RemoteJWKS`` and ``OIDCDiscovery``: a remote document kept fresh by
/// conditional requests, fetched by one request at a time (single flight), served stale within bounds when
/// refreshes fail, counted, and reported to a ``FetchObserver``.
///
/// All mutable state sits in one `Locked` store; a fetch runs in an unstructured task outside the lock and
/// records its outcome under it. Only a fetch whose id is the one in flight clears the in-flight slot, so a
/// late completion cannot clear a newer fetch.
final class RemoteDocumentCache<Document: Sendable>: Sendable {
    /// Turns a `200` response into a document (content type, parse, validation), or throws.
    typealias Parse = @Sendable (HTTPFetchResponse) throws(JWTKRemoteError) -> Document
    typealias FetchTask = Task<Result<Fetched, JWTKRemoteError>, Never>

    /// What the owner of a cache says in logs and errors, and adds to them.
    struct Wording: Sendable {
        /// The document in log lines: `JWK Set`, `provider metadata`.
        var document: String
        /// The message logged when a new document is installed.
        var installed: String
        /// The warning logged (once per stale period) when a stale document is served.
        var servingStale: String
        /// The reason of `notLoaded`, before `; last error: …`.
        var notLoaded: String
        /// What expired, in the `staleKeys` reason: `the keys`, `the provider metadata`.
        var expiredSubject: String
        /// Metadata for the `installed` log line.
        var installedMetadata: @Sendable (Document) -> Logger.Metadata = { _ in [:] }
    }

    /// The settings a cache is created with.
    struct Settings: Sendable {
        var kind: FetchEvent.Document
        var url: URL
        var timeout: Double
        var maxResponseBytes: Int
        var freshness: CacheFreshness
        /// After a failed fetch, no automatic fetch starts before this many seconds have passed.
        var retryInterval: Double
        /// How long past its freshness the last good document keeps serving while refreshes fail.
        var maxStaleness: Double
        var clock: JWTClock
        var logger: Logger
        var observer: FetchObserver?
        var wording: Wording
    }

    /// The outcome of a completed fetch.
    struct Fetched: Sendable {
        /// The document now held (new, or kept by a `304`).
        var document: Document
        /// Whether the fetch installed a new document (else `304 Not Modified`).
        var updated: Bool
    }

    /// The counters of one cache.
    struct Counters: Sendable {
        var fetches = 0, updates = 0, notModified = 0, failures = 0, consecutiveFailures = 0
        var demandRefreshes = 0, cooldownHits = 0, staleServes = 0, refusals = 0
    }

    /// The state at one moment, read under the lock.
    struct Snapshot: Sendable {
        var document: Document?
        /// Incremented by every installed document (not by a `304`).
        var generation: Int
        var state: RemoteJWKS.State
        var freshUntil: Double?
        var lastSuccessAt: Double?
        var lastError: JWTKRemoteError?
        var counters: Counters
    }

    private struct Store {
        var document: Document?
        var generation = 0
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
        var counters = Counters()
    }

    let settings: Settings
    private let fetcher: any HTTPFetching
    private let parse: Parse
    /// Called with a new document before it becomes the one held (outside the lock).
    private let willInstall: @Sendable (Document) -> Void
    private let store = Locked(Store())

    init(
        settings: Settings, fetcher: any HTTPFetching, parse: @escaping Parse,
        willInstall: @escaping @Sendable (Document) -> Void = { _ in }
    ) {
        self.settings = settings
        self.fetcher = fetcher
        self.parse = parse
        self.willInstall = willInstall
    }

    private var url: String { settings.url.absoluteString }

    // MARK: Reading

    /// The state now.
    var snapshot: Snapshot {
        let now = settings.clock.now
        return store.withLock { store in
            Snapshot(
                document: store.document, generation: store.generation, state: state(store, now),
                freshUntil: store.document == nil ? nil : store.freshUntil, lastSuccessAt: store.lastSuccessAt,
                lastError: store.lastError, counters: store.counters)
        }
    }

    /// The document held, fresh or not, and the generation it belongs to.
    var documentAndGeneration: (Document?, Int) { store.withLock { ($0.document, $0.generation) } }

    private func state(_ store: Store, _ now: Double) -> RemoteJWKS.State {
        guard store.document != nil else { return .notLoaded }
        if now < store.freshUntil { return .fresh }
        return now < store.freshUntil + settings.maxStaleness ? .stale : .expired
    }

    private func cause(_ store: Store) -> String { store.lastError.map { "; last error: \($0)" } ?? "" }

    // MARK: Fetching

    /// Fetches now, whatever the freshness, joining a fetch in flight instead of starting another.
    func refresh() async -> Result<Fetched, JWTKRemoteError> {
        let task = store.withLock { store in startOrJoin(&store, trigger: .requested) }
        return await task.value
    }

    /// Makes sure a fresh document is held when that is allowed: returns at once when it is fresh, waits for a
    /// fetch in flight, starts one unless a failed fetch was less than the retry interval ago.
    ///
    /// - Returns: the error of the fetch waited for, when there was one and it failed; nil otherwise.
    func refreshIfExpired() async -> JWTKRemoteError? {
        let now = settings.clock.now
        let task: FetchTask? = store.withLock { store in
            if store.document != nil && now < store.freshUntil { return nil }
            if let inFlight = store.inFlight { return inFlight.task }
            guard now >= store.retryNotBefore else { return nil }
            return startOrJoin(&store, trigger: store.document == nil ? .initial : .expired)
        }
        guard let task else { return nil }
        if case .failure(let error) = await task.value { return error }
        return nil
    }

    /// Whether the document held may still be used now (fresh, or stale within the maximum staleness).
    var isUsable: Bool {
        let now = settings.clock.now
        return store.withLock { store in store.document != nil && now < store.freshUntil + settings.maxStaleness }
    }

    /// Starts a background refresh when the document held has expired, none is running and the retry interval
    /// allows it (for synchronous paths).
    func refreshInBackgroundIfDue() {
        let now = settings.clock.now
        store.withLock { store in _ = startBackgroundRefreshIfDue(&store, now) }
    }

    private func startBackgroundRefreshIfDue(_ store: inout Store, _ now: Double) -> Bool {
        guard store.document != nil, now >= store.freshUntil, store.inFlight == nil, now >= store.retryNotBefore else { return false }
        _ = startOrJoin(&store, trigger: .background)
        return true
    }

    /// What a caller that found something missing from the document (an unknown `kid`) should do.
    enum Demand {
        /// The document changed since the caller looked: try again without fetching.
        case retry
        /// Wait for this fetch (joined or started), then look again.
        case wait(FetchTask)
        /// A fetch started less than `cooldown` ago: nothing is fetched.
        case suppressed
    }

    /// Decides, under the lock, whether a miss may trigger a fetch: not when `changed()` says the caller's view
    /// is already outdated, and at most once per `cooldown` (measured from the last fetch of any kind).
    func demandRefresh(cooldown: Double, changed: () -> Bool) -> Demand {
        let now = settings.clock.now
        return store.withLock { store in
            if changed() { return .retry }
            if let inFlight = store.inFlight { return .wait(inFlight.task) }
            if let last = store.lastAttemptAt, now - last < cooldown {
                store.counters.cooldownHits += 1
                return .suppressed
            }
            store.counters.demandRefreshes += 1
            return .wait(startOrJoin(&store, trigger: .unknownKey))
        }
    }

    // MARK: Serving

    private enum Verdict {
        case fresh(Document)
        case stale(Document, warn: Bool, refresh: Bool)
        case refused(JWTKRemoteError, warn: Bool)
    }

    /// Checks, without waiting, that the document may be used now, and returns it. Counts stale serves and
    /// refusals, logs the first of each per episode, and (when `refreshInBackground`) starts a background
    /// refresh of an expired document.
    ///
    /// - Throws: `notLoaded` (nothing held yet) or `staleKeys` (past the maximum staleness).
    func usableDocument(refreshInBackground: Bool) throws(JWTKRemoteError) -> Document {
        let now = settings.clock.now
        let verdict: Verdict = store.withLock { store in
            guard let document = store.document else {
                store.counters.refusals += 1
                return .refused(JWTKRemoteError(.notLoaded, "\(settings.wording.notLoaded)\(cause(store))", url: url), warn: false)
            }
            if now < store.freshUntil { return .fresh(document) }
            let refresh = refreshInBackground && startBackgroundRefreshIfDue(&store, now)
            if now < store.freshUntil + settings.maxStaleness {
                store.counters.staleServes += 1
                let warn = !store.warnedStale
                store.warnedStale = true
                return .stale(document, warn: warn, refresh: refresh)
            }
            store.counters.refusals += 1
            let warn = !store.warnedRefusal
            store.warnedRefusal = true
            let age = Int(min(now - store.freshUntil, 9e15))
            return .refused(
                JWTKRemoteError(
                    .staleKeys,
                    "\(settings.wording.expiredSubject) expired \(age) s ago, beyond the maximum staleness of \(DateText.seconds(settings.maxStaleness)) s\(cause(store))",
                    url: url),
                warn: warn)
        }
        switch verdict {
        case .fresh(let document):
            return document
        case .stale(let document, let warn, let refresh):
            if warn {
                settings.logger.warning(
                    "\(settings.wording.servingStale)", metadata: ["url": "\(url)", "background_refresh": "\(refresh)"])
            }
            return document
        case .refused(let error, let warn):
            if warn { settings.logger.error("refusing to verify: \(error)", metadata: ["url": "\(url)"]) }
            throw error
        }
    }

    // MARK: The fetch

    /// Returns the fetch in flight, or starts one. Call with the lock held.
    private func startOrJoin(_ store: inout Store, trigger: FetchEvent.Trigger) -> FetchTask {
        if let inFlight = store.inFlight { return inFlight.task }
        store.nextFetchID += 1
        let id = store.nextFetchID
        let startedAt = settings.clock.now
        store.lastAttemptAt = startedAt
        store.counters.fetches += 1
        let held = store.document
        let etag = held == nil ? nil : store.etag
        let lastModified = held == nil ? nil : store.lastModified
        let task = FetchTask { [self] in
            let (result, response) = await fetch(held: held, etag: etag, lastModified: lastModified)
            complete(id: id, result, response: response)
            if let observer = settings.observer {
                observer(
                    FetchEvent(
                        document: settings.kind, url: settings.url, fetchID: id, trigger: trigger,
                        conditional: etag != nil || lastModified != nil, startedAt: startedAt, finishedAt: settings.clock.now,
                        response: response, outcome: Self.outcome(result)))
            }
            return result.map(\.fetched)
        }
        store.inFlight = (id, task)
        return task
    }

    private struct Received: Sendable {
        var fetched: Fetched
        var response: HTTPFetchResponse
    }

    private static func outcome(_ result: Result<Received, JWTKRemoteError>) -> FetchEvent.Outcome {
        switch result {
        case .success(let received): received.fetched.updated ? .updated : .notModified
        case .failure(let error): .failed(error)
        }
    }

    private func fetch(
        held: Document?, etag: String?, lastModified: String?
    ) async -> (Result<Received, JWTKRemoteError>, HTTPFetchResponse?) {
        var headers = ["Accept": "application/json", "User-Agent": HTTPFetchRequest.defaultUserAgent]
        if let etag { headers["If-None-Match"] = etag }
        if let lastModified { headers["If-Modified-Since"] = lastModified }
        let request = HTTPFetchRequest(
            url: settings.url, headers: headers, timeout: settings.timeout, maxResponseBytes: settings.maxResponseBytes)
        settings.logger.debug(
            "fetching \(settings.wording.document)", metadata: ["url": "\(url)", "conditional": "\(etag != nil || lastModified != nil)"])
        let response: HTTPFetchResponse
        do throws(JWTKRemoteError) {
            response = try await RemoteDocument.get(request, using: fetcher)
        } catch {
            return (.failure(error), nil)
        }
        do throws(JWTKRemoteError) {
            switch response.status {
            case 304 where held != nil && (etag != nil || lastModified != nil):
                return (.success(Received(fetched: Fetched(document: held!, updated: false), response: response)), response)
            case 200:
                try RemoteDocument.requireJSON(response, url: settings.url)
                let document = try parse(response)
                return (.success(Received(fetched: Fetched(document: document, updated: true), response: response)), response)
            default:
                throw RemoteDocument.statusError(response, url: settings.url)
            }
        } catch {
            return (.failure(error), response)
        }
    }

    /// Installs the result of fetch `id` and clears the in-flight slot.
    private func complete(id: Int, _ result: Result<Received, JWTKRemoteError>, response: HTTPFetchResponse?) {
        let now = settings.clock.now
        let log = settings.logger
        switch result {
        case .success(let received):
            let lifetime = settings.freshness.lifetime(headers: received.response.headers, now: now)
            if received.fetched.updated { willInstall(received.fetched.document) }
            store.withLock { store in
                store.document = received.fetched.document
                store.freshUntil = now + lifetime
                store.lastSuccessAt = now
                store.retryNotBefore = -Double.infinity
                store.lastError = nil
                store.warnedStale = false
                store.warnedRefusal = false
                store.counters.consecutiveFailures = 0
                if received.fetched.updated {
                    store.generation += 1
                    store.counters.updates += 1
                    store.etag = received.response.header("etag")
                    store.lastModified = received.response.header("last-modified")
                } else {
                    store.counters.notModified += 1
                    if let etag = received.response.header("etag") { store.etag = etag }
                    if let lastModified = received.response.header("last-modified") { store.lastModified = lastModified }
                }
                if store.inFlight?.id == id { store.inFlight = nil }
            }
            if received.fetched.updated {
                var metadata = settings.wording.installedMetadata(received.fetched.document)
                metadata["url"] = "\(url)"
                metadata["ttl"] = "\(DateText.seconds(lifetime))"
                log.info("\(settings.wording.installed)", metadata: metadata)
            } else {
                log.debug(
                    "\(settings.wording.document) not modified (304)", metadata: ["url": "\(url)", "ttl": "\(DateText.seconds(lifetime))"])
            }
        case .failure(let error):
            let (failures, loaded) = store.withLock { store in
                store.lastError = error
                store.retryNotBefore = now + settings.retryInterval
                store.counters.failures += 1
                store.counters.consecutiveFailures += 1
                if store.inFlight?.id == id { store.inFlight = nil }
                return (store.counters.consecutiveFailures, store.document != nil)
            }
            log.error(
                "\(settings.wording.document) fetch failed: \(error)",
                metadata: ["url": "\(url)", "consecutive_failures": "\(failures)", "keeping_last_good_document": "\(loaded)"])
        }
    }
}
