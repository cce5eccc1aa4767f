import Foundation
import JWTK
import Logging

/// Fetches and caches an OpenID Provider's metadata from `issuer + "/.well-known/openid-configuration"`.
///
/// The same rules as ``RemoteJWKS`` apply: https (or loopback http) only, same-origin redirects only, a timeout,
/// a size cap, `Accept: application/json` and a jwtk `User-Agent`. The document's `issuer` must equal the
/// configured issuer exactly (Discovery §4.3) and its `jwks_uri` must pass ``RemoteURLPolicy``. The metadata is
/// refreshed on its own TTL (`Cache-Control` / `Expires`, clamped; 1 h by default); when a refresh fails the
/// last good metadata keeps serving up to ``Configuration/maxStaleness``.
///
/// ```swift
/// let discovery = try OIDCDiscovery(issuer: "https://auth.smarttask.io")
/// let metadata = try await discovery.metadata()
/// print(metadata.jwksURI, metadata.idTokenSigningAlgorithms)
/// ```
public final class OIDCDiscovery: Sendable {
    /// Timeouts, limits, cache bounds and the clock.
    public struct Configuration: Sendable {
        /// Seconds allowed for one request. Default 5.
        public var timeout: Double = 5
        /// Largest accepted document in bytes. Default 1 MiB.
        public var maxResponseBytes: Int = 1 << 20
        /// Freshness bounds: 60 s … 24 h, 1 h when the server says nothing.
        public var freshness = CacheFreshness(minimumTTL: 60, maximumTTL: 86_400, defaultTTL: 3600)
        /// Minimum seconds between a failed fetch and the next attempt. Default 30.
        public var retryInterval: Double = 30
        /// How long past its freshness the last good metadata keeps serving while refreshes fail. Default 24 h.
        public var maxStaleness: Double = 86_400
        /// The time source.
        public var clock: JWTClock = .system
        /// Where fetches and failures are logged.
        public var logger = Logger(label: "jwtk.remote.discovery")

        /// The defaults described on each property.
        public init() {}
    }

    private typealias FetchTask = Task<Result<OIDCProviderMetadata, JWTKRemoteError>, Never>

    private struct Store {
        var metadata: OIDCProviderMetadata?
        var freshUntil = -Double.infinity
        var retryNotBefore = -Double.infinity
        var lastError: JWTKRemoteError?
        var inFlight: (id: Int, task: FetchTask)?
        var nextID = 0
        var fetches = 0
        var failures = 0
        var generation = 0
        var warnedStale = false
    }

    /// The issuer, exactly as configured.
    public let issuer: String
    /// Where the metadata is fetched from.
    public let documentURL: URL
    /// The configuration given at creation.
    public let configuration: Configuration
    private let fetcher: any HTTPFetching
    private let store = Locked(Store())

    /// Creates a discovery client for `issuer`. Nothing is fetched until ``metadata()``.
    ///
    /// - Throws: ``JWTKRemoteError`` `insecureURL` when the issuer is not https (or http to a loopback host).
    public init(
        issuer: String, configuration: Configuration = Configuration(), fetcher: any HTTPFetching = URLSessionFetcher()
    ) throws(JWTKRemoteError) {
        self.documentURL = try OIDCProviderMetadata.discoveryURL(forIssuer: issuer)
        self.issuer = issuer
        self.configuration = configuration
        self.fetcher = fetcher
    }

    /// The metadata held now, fresh or not, without fetching.
    public var cachedMetadata: OIDCProviderMetadata? { store.withLock { $0.metadata } }

    /// The metadata held now and a number that changes whenever a fetch installs new metadata.
    var cachedMetadataAndGeneration: (OIDCProviderMetadata?, Int) { store.withLock { ($0.metadata, $0.generation) } }

    /// The error of the last failed fetch, cleared by the next success.
    public var lastError: JWTKRemoteError? { store.withLock { $0.lastError } }

    /// Requests sent and failed so far.
    public var counts: (fetches: Int, failures: Int) { store.withLock { ($0.fetches, $0.failures) } }

    /// The metadata: cached while fresh, else fetched (single flight). When the fetch fails, the last good
    /// metadata is returned while within the maximum staleness, and the failure is logged and kept in
    /// ``lastError``.
    ///
    /// - Throws: ``JWTKRemoteError`` when there is no usable metadata: the fetch error (`fetchFailed`,
    ///   `timeout`, `httpStatus`, `invalidDocument`, `issuerMismatch`, ...), `staleKeys` past the maximum
    ///   staleness, or `notLoaded` while a failed first fetch waits out the retry interval.
    public func metadata() async throws(JWTKRemoteError) -> OIDCProviderMetadata {
        let now = configuration.clock.now
        enum Step {
            case have(OIDCProviderMetadata)
            case wait(FetchTask)
            case none
        }
        let step: Step = store.withLock { store in
            if let metadata = store.metadata, now < store.freshUntil { return .have(metadata) }
            if let inFlight = store.inFlight { return .wait(inFlight.task) }
            if now < store.retryNotBefore { return .none }
            return .wait(startOrJoin(&store))
        }
        var fetchError: JWTKRemoteError?
        switch step {
        case .have(let metadata):
            return metadata
        case .wait(let task):
            switch await task.value {
            case .success(let metadata): return metadata
            case .failure(let error): fetchError = error
            }
        case .none:
            break
        }
        let later = configuration.clock.now
        let (metadata, freshUntil, lastError) = store.withLock { ($0.metadata, $0.freshUntil, $0.lastError) }
        guard let metadata else {
            throw fetchError
                ?? JWTKRemoteError(
                    .notLoaded, "no provider metadata yet\(lastError.map { "; last error: \($0)" } ?? "")", url: documentURL.absoluteString)
        }
        guard later < freshUntil + configuration.maxStaleness else {
            throw JWTKRemoteError(
                .staleKeys, "the provider metadata is past the maximum staleness\(lastError.map { "; last error: \($0)" } ?? "")",
                url: documentURL.absoluteString)
        }
        let warn = store.withLock { store in
            defer { store.warnedStale = true }
            return !store.warnedStale
        }
        if warn { configuration.logger.warning("serving stale provider metadata", metadata: ["url": "\(documentURL.absoluteString)"]) }
        return metadata
    }

    /// Fetches the metadata now, whatever its freshness (joining a fetch in flight).
    ///
    /// - Throws: ``JWTKRemoteError`` from the fetch or the validation; the previous metadata is kept.
    @discardableResult
    public func refresh() async throws(JWTKRemoteError) -> OIDCProviderMetadata {
        let task = store.withLock { startOrJoin(&$0) }
        return try await task.value.get()
    }

    /// Calls the provider's `userinfo_endpoint` with the access token (OIDC Core §5.3), using this client's
    /// timeout, size cap and transport.
    ///
    /// - Parameters:
    ///   - accessToken: the access token, sent as `Authorization: Bearer`; it must be an RFC 6750 b64token.
    ///   - expectedSubject: the verified ID token's `sub`; the response's `sub` must equal it (§5.3.2).
    /// - Throws: ``JWTKRemoteError``: the errors of ``metadata()``, `missingEndpoint` when the provider publishes
    ///   no userinfo endpoint, `insecureURL`, `invalidArgument`, fetch errors, `httpStatus`, `invalidDocument`,
    ///   `subjectMismatch`.
    public func userInfo(accessToken: String, expectedSubject: String?) async throws(JWTKRemoteError) -> UserInfo {
        let metadata = try await metadata()
        guard let endpoint = metadata.userinfoEndpoint else {
            throw JWTKRemoteError(.missingEndpoint, "the provider publishes no userinfo_endpoint", url: documentURL.absoluteString)
        }
        let client = UserInfoClient(timeout: configuration.timeout, maxResponseBytes: configuration.maxResponseBytes, fetcher: fetcher)
        return try await client.fetch(
            endpoint: try RemoteURLPolicy.url(endpoint), accessToken: accessToken, expectedSubject: expectedSubject)
    }

    /// Starts a background refresh when the metadata has expired and none is running (for synchronous paths).
    func refreshInBackgroundIfDue() {
        let now = configuration.clock.now
        store.withLock { store in
            guard store.metadata != nil, now >= store.freshUntil, store.inFlight == nil, now >= store.retryNotBefore else { return }
            _ = startOrJoin(&store)
        }
    }

    private func startOrJoin(_ store: inout Store) -> FetchTask {
        if let inFlight = store.inFlight { return inFlight.task }
        store.nextID += 1
        store.fetches += 1
        let id = store.nextID
        let task = FetchTask { [self] in
            let result = await fetch()
            complete(id: id, result)
            return result.map(\.0)
        }
        store.inFlight = (id, task)
        return task
    }

    private func fetch() async -> Result<(OIDCProviderMetadata, HTTPFetchResponse), JWTKRemoteError> {
        let request = HTTPFetchRequest(
            url: documentURL, headers: ["Accept": "application/json", "User-Agent": HTTPFetchRequest.defaultUserAgent],
            timeout: configuration.timeout, maxResponseBytes: configuration.maxResponseBytes)
        configuration.logger.debug("fetching provider metadata", metadata: ["url": "\(documentURL.absoluteString)"])
        do throws(JWTKRemoteError) {
            let response = try await RemoteDocument.get(request, using: fetcher)
            guard response.status == 200 else { throw RemoteDocument.statusError(response, url: documentURL) }
            try RemoteDocument.requireJSON(response, url: documentURL)
            do throws(JWTKRemoteError) {
                return .success((try OIDCProviderMetadata(json: response.body, expectedIssuer: issuer), response))
            } catch {
                throw JWTKRemoteError(error.code, error.reason, url: documentURL.absoluteString, underlying: error.underlying)
            }
        } catch {
            return .failure(error)
        }
    }

    private func complete(id: Int, _ result: Result<(OIDCProviderMetadata, HTTPFetchResponse), JWTKRemoteError>) {
        let now = configuration.clock.now
        switch result {
        case .success(let (metadata, response)):
            let lifetime = configuration.freshness.lifetime(headers: response.headers, now: now)
            store.withLock { store in
                store.metadata = metadata
                store.generation += 1
                store.warnedStale = false
                store.freshUntil = now + lifetime
                store.retryNotBefore = -Double.infinity
                store.lastError = nil
                if store.inFlight?.id == id { store.inFlight = nil }
            }
            configuration.logger.info(
                "provider metadata fetched",
                metadata: ["issuer": "\(issuer)", "jwks_uri": "\(metadata.jwksURI.absoluteString)", "ttl": "\(DateText.seconds(lifetime))"])
        case .failure(let error):
            store.withLock { store in
                store.lastError = error
                store.failures += 1
                store.retryNotBefore = now + configuration.retryInterval
                if store.inFlight?.id == id { store.inFlight = nil }
            }
            configuration.logger.error("provider metadata fetch failed: \(error)", metadata: ["url": "\(documentURL.absoluteString)"])
        }
    }
}
