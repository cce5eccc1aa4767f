import Foundation
import JWTK
import Logging

/// Fetches and caches an OpenID Provider's metadata from `issuer + "/.well-known/openid-configuration"`.
///
/// It runs on the same cache engine as ``RemoteJWKS``: https (or loopback http) only, same-origin redirects
/// only, a timeout, a size cap, `Accept: application/json` and a jwtk `User-Agent`; refreshed on its own TTL
/// (`Cache-Control` / `Expires`, clamped; 1 h by default) with `If-None-Match` / `If-Modified-Since`, so an
/// unchanged document costs a `304`; one request at a time (single flight); and when a refresh fails the last
/// good metadata keeps serving up to ``Configuration/maxStaleness``. The document's `issuer` must equal the
/// configured issuer exactly (Discovery §4.3) and its `jwks_uri` must pass ``RemoteURLPolicy``.
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
        /// Called after every fetch with what was fetched, why, and the response (``FetchLog`` records them).
        /// Default none.
        public var fetchObserver: FetchObserver?

        /// The defaults described on each property.
        public init() {}
    }

    /// The freshness of the metadata at one moment (the same states as the keys of a ``RemoteJWKS``).
    public typealias State = RemoteJWKS.State

    /// The issuer, exactly as configured.
    public let issuer: String
    /// Where the metadata is fetched from.
    public let documentURL: URL
    /// The configuration given at creation.
    public let configuration: Configuration
    private let fetcher: any HTTPFetching
    private let cache: RemoteDocumentCache<OIDCProviderMetadata>

    /// Creates a discovery client for `issuer`. Nothing is fetched until ``metadata()``.
    ///
    /// - Throws: ``JWTKRemoteError`` `insecureURL` when the issuer is not https (or http to a loopback host).
    public init(
        issuer: String, configuration: Configuration = Configuration(), fetcher: any HTTPFetching = URLSessionFetcher()
    ) throws(JWTKRemoteError) {
        let documentURL = try OIDCProviderMetadata.discoveryURL(forIssuer: issuer)
        self.documentURL = documentURL
        self.issuer = issuer
        self.configuration = configuration
        self.fetcher = fetcher
        self.cache = RemoteDocumentCache(
            settings: .init(
                kind: .discovery, url: documentURL, timeout: configuration.timeout, maxResponseBytes: configuration.maxResponseBytes,
                freshness: configuration.freshness, retryInterval: configuration.retryInterval,
                maxStaleness: configuration.maxStaleness, clock: configuration.clock, logger: configuration.logger,
                observer: configuration.fetchObserver,
                wording: .init(
                    document: "provider metadata", installed: "provider metadata fetched", servingStale: "serving stale provider metadata",
                    notLoaded: "no provider metadata yet", expiredSubject: "the provider metadata",
                    installedMetadata: { metadata in ["issuer": "\(metadata.issuer)", "jwks_uri": "\(metadata.jwksURI.absoluteString)"] })),
            fetcher: fetcher,
            parse: { response throws(JWTKRemoteError) in
                do throws(JWTKRemoteError) {
                    return try OIDCProviderMetadata(json: response.body, expectedIssuer: issuer)
                } catch {
                    throw JWTKRemoteError(error.code, error.reason, url: documentURL.absoluteString, underlying: error.underlying)
                }
            })
    }

    /// The metadata held now, fresh or not, without fetching.
    public var cachedMetadata: OIDCProviderMetadata? { cache.documentAndGeneration.0 }

    /// The metadata held now and a number that changes whenever a fetch installs new metadata.
    var cachedMetadataAndGeneration: (OIDCProviderMetadata?, Int) { cache.documentAndGeneration }

    /// The error of the last failed fetch, cleared by the next success.
    public var lastError: JWTKRemoteError? { cache.snapshot.lastError }

    /// Requests sent and failed so far.
    public var counts: (fetches: Int, failures: Int) {
        let counters = cache.snapshot.counters
        return (counters.fetches, counters.failures)
    }

    /// `304 Not Modified` answers so far (each kept the metadata and extended its freshness).
    public var notModifiedCount: Int { cache.snapshot.counters.notModified }

    /// The freshness of the metadata now.
    public var state: State { cache.snapshot.state }

    /// The metadata: cached while fresh, else fetched (single flight). When the fetch fails, the last good
    /// metadata is returned while within the maximum staleness, and the failure is logged and kept in
    /// ``lastError``.
    ///
    /// - Throws: ``JWTKRemoteError`` when there is no usable metadata: the fetch error (`fetchFailed`,
    ///   `timeout`, `httpStatus`, `invalidDocument`, `issuerMismatch`, ...), `staleKeys` past the maximum
    ///   staleness, or `notLoaded` while a failed first fetch waits out the retry interval.
    public func metadata() async throws(JWTKRemoteError) -> OIDCProviderMetadata {
        let fetchError = await cache.refreshIfExpired()
        let snapshot = cache.snapshot
        guard let metadata = snapshot.document else {
            throw fetchError
                ?? JWTKRemoteError(
                    .notLoaded, "no provider metadata yet\(snapshot.lastError.map { "; last error: \($0)" } ?? "")",
                    url: documentURL.absoluteString)
        }
        if snapshot.state == .fresh { return metadata }
        // Stale (or past the maximum staleness): the engine's check counts it, warns once, and refuses when
        // the metadata may no longer be used.
        return try cache.usableDocument(refreshInBackground: false)
    }

    /// Fetches the metadata now, whatever its freshness (joining a fetch in flight).
    ///
    /// - Throws: ``JWTKRemoteError`` from the fetch or the validation; the previous metadata is kept.
    @discardableResult
    public func refresh() async throws(JWTKRemoteError) -> OIDCProviderMetadata {
        try await cache.refresh().get().document
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
    func refreshInBackgroundIfDue() { cache.refreshInBackgroundIfDue() }
}
