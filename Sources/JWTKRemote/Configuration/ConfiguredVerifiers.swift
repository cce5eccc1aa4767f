import Foundation
import JWTK

extension VerifierConfiguration {
    /// Builds one verifier per issuer and the ``IssuerRouter`` over them. Nothing is fetched: a remote issuer
    /// discovers its provider and loads its keys on its first token (or ``ConfiguredVerifiers/prepare()``), so a
    /// token for an unknown issuer never causes traffic.
    ///
    /// - Parameters:
    ///   - clock: the time tokens are judged at (the key caches keep the system clock).
    ///   - fetcher: the transport for discovery and JWK Sets.
    ///   - timeout: seconds allowed for each request; nil keeps the remote sources' default (5 s).
    ///   - tokenCache: whether the router gets a `VerifiedTokenCache` of `cache.token_cache_capacity` entries per
    ///     thread (none when the file sets 0); off by default, right for a single verification such as the CLI's.
    /// - Throws: ``VerifierConfigurationError`` when a URL is refused by the remote URL policy.
    public func makeVerifiers(
        clock: JWTClock = .system, fetcher: any HTTPFetching = URLSessionFetcher(), timeout: Double? = nil, tokenCache: Bool = false
    ) throws(VerifierConfigurationError) -> ConfiguredVerifiers {
        var built: [ConfiguredIssuer] = []
        for (index, entry) in issuers.enumerated() {
            do throws(JWTKRemoteError) {
                built.append(try ConfiguredIssuer(entry, cache: cache, clock: clock, fetcher: fetcher, timeout: timeout))
            } catch {
                throw VerifierConfigurationError("issuers[\(index)]", "cannot be set up: \(error.reason)")
            }
        }
        var cache: VerifiedTokenCache?
        if tokenCache, self.cache.tokenCacheCapacity > 0 {
            do throws(JWTKError) {
                cache = try VerifiedTokenCache(capacity: self.cache.tokenCacheCapacity)
            } catch {
                throw VerifierConfigurationError("cache.token_cache_capacity", error.reason)
            }
        }
        return ConfiguredVerifiers(configuration: self, issuers: built, tokenCache: cache)
    }
}

/// The verifiers a ``VerifierConfiguration`` describes: one ``ConfiguredIssuer`` per issuer and the
/// ``IssuerRouter`` that chooses among them.
public struct ConfiguredVerifiers: Sendable {
    /// The configuration they were built from.
    public let configuration: VerifierConfiguration
    /// One per issuer, in file order.
    public let issuers: [ConfiguredIssuer]
    /// Routes a token by its (unverified) `iss` to its issuer's verifier.
    public let router: IssuerRouter

    init(configuration: VerifierConfiguration, issuers: [ConfiguredIssuer], tokenCache: VerifiedTokenCache?) {
        self.configuration = configuration
        self.issuers = issuers
        var table: [String: any IssuerVerifying] = [:]
        for issuer in issuers { table[issuer.issuer] = issuer }
        self.router = IssuerRouter(table, tokenCache: tokenCache)
    }

    /// The issuer whose identifier is byte for byte `issuer`.
    public func issuer(_ issuer: String) -> ConfiguredIssuer? { issuers.first { $0.issuer.utf8.elementsEqual(issuer.utf8) } }

    /// The issuer a token routes to (its unverified `iss`), without fetching anything.
    ///
    /// - Throws: `JWTKError` as ``IssuerRouter/route(_:)``.
    public func route(_ token: String) throws(JWTKError) -> ConfiguredIssuer {
        let (name, _) = try router.route(token)
        guard let issuer = issuer(name) else { throw JWTKError(.issuerMismatch, "the token's issuer is not configured", claim: "iss") }
        return issuer
    }

    /// Discovers every remote issuer and loads its keys (the middleware calls it before accepting traffic).
    ///
    /// - Throws: ``JWTKRemoteError`` from the first issuer whose metadata or keys cannot be obtained.
    public func prepare() async throws(JWTKRemoteError) {
        for issuer in issuers { _ = try await issuer.resolve() }
    }
}

/// One configured issuer: its policy and its keys (local, a JWK Set URL, or discovered), verifying its own
/// tokens only.
public final class ConfiguredIssuer: IssuerVerifying {
    /// The issuer's entry in the configuration.
    public let settings: VerifierConfiguration.Issuer
    /// The issuer identifier.
    public var issuer: String { settings.issuer }
    /// The policy before discovery (an `id-token` issuer's algorithms are then narrowed to those the provider
    /// publishes).
    public let basePolicy: VerificationPolicy
    /// The discovery client, for a `discovery` issuer.
    public let discovery: OIDCDiscovery?

    private let localKeyring: Keyring?
    private let jwksConfiguration: RemoteJWKS.Configuration
    private let fetcher: any HTTPFetching
    /// The JWK Set source: made at once for a `jwks` issuer, after discovery for a `discovery` one.
    private let source: Locked<RemoteJWKS?>
    /// The verifier in force, kept so that its identity (which a `VerifiedTokenCache` keys entries by) stays
    /// the same from one token to the next; made again only when the key source or the discovered algorithms
    /// change (a key rotation keeps the keyring and bumps its generation).
    private let current: Locked<Resolved?>

    /// What a verification of this issuer's tokens uses now.
    public struct Resolved: Sendable {
        /// The core verifier: the policy in force over the issuer's keyring.
        public let verifier: JWTVerifier
        /// The remote key source (nil for local keys), for its statistics and refresh service.
        public let jwks: RemoteJWKS?
    }

    init(
        _ settings: VerifierConfiguration.Issuer, cache: VerifierConfiguration.Cache, clock: JWTClock, fetcher: any HTTPFetching,
        timeout: Double?
    ) throws(JWTKRemoteError) {
        self.settings = settings
        self.basePolicy = settings.policy(clock: clock)
        self.fetcher = fetcher
        var configuration = RemoteJWKS.Configuration()
        configuration.unknownKeyCooldown = cache.unknownKeyCooldown
        configuration.maxStaleness = cache.maxStaleness
        configuration.freshness = CacheFreshness(
            minimumTTL: cache.minimumTTL, maximumTTL: cache.maximumTTL,
            defaultTTL: min(max(CacheFreshness().defaultTTL, cache.minimumTTL), cache.maximumTTL))
        var discoveryConfiguration = OIDCDiscovery.Configuration()
        if let timeout {
            configuration.timeout = timeout
            discoveryConfiguration.timeout = timeout
        }
        self.jwksConfiguration = configuration
        switch settings.keys {
        case .discovery:
            self.discovery = try OIDCDiscovery(issuer: settings.issuer, configuration: discoveryConfiguration, fetcher: fetcher)
            self.localKeyring = nil
            self.source = Locked(nil)
        case .jwks(let url):
            self.discovery = nil
            self.localKeyring = nil
            self.source = Locked(try RemoteJWKS(url: url, configuration: configuration, fetcher: fetcher))
        case .keysFile(_, let keys):
            self.discovery = nil
            self.localKeyring = Keyring(keys: keys)
            self.source = Locked(nil)
        }
        let policy = basePolicy
        self.current = Locked(localKeyring.map { Resolved(verifier: JWTVerifier(keyring: $0, policy: policy), jwks: nil) })
    }

    /// The remote key source held now: always for a `jwks` issuer, after the first discovery for a
    /// `discovery` one, nil for local keys.
    public var jwks: RemoteJWKS? { source.withLock { $0 } }

    /// The remote key source, discovering the provider first when configured; nothing but discovery is fetched
    /// (the keys are not). Nil for local keys.
    ///
    /// - Throws: ``JWTKRemoteError`` when the discovery document cannot be obtained or its `jwks_uri` is refused.
    public func keySource() async throws(JWTKRemoteError) -> RemoteJWKS? {
        try await discovered().jwks
    }

    /// Discovers (when configured) and loads the keys when needed, and returns the verifier in force.
    ///
    /// - Throws: ``JWTKRemoteError`` when the metadata or the keys cannot be obtained, or an `id-token`
    ///   provider publishes none of the allowed algorithms (`noCommonAlgorithm`).
    public func resolve() async throws(JWTKRemoteError) -> Resolved {
        if localKeyring != nil, let resolved = current.withLock({ $0 }) { return resolved }
        let (policy, source) = try await discovered()
        guard let jwks = source else { throw JWTKRemoteError(.notLoaded, "the issuer has no key source") }
        try await jwks.loadIfNeeded()
        if jwks.state == .notLoaded, let error = jwks.statistics.lastError { throw error }
        return current.withLock { (held: inout Resolved?) -> Resolved in
            if let held, held.jwks === jwks, held.verifier.policy.algorithms == policy.algorithms { return held }
            let made = Resolved(verifier: JWTVerifier(keyring: jwks.keyring, policy: policy), jwks: jwks)
            held = made
            return made
        }
    }

    /// The policy in force and the key source, after discovery when configured.
    private func discovered() async throws(JWTKRemoteError) -> (policy: VerificationPolicy, jwks: RemoteJWKS?) {
        guard let discovery else { return (basePolicy, source.withLock { $0 }) }
        var policy = basePolicy
        let metadata = try await discovery.metadata()
        if settings.profile == .idToken { policy.algorithms = try metadata.idTokenAlgorithms(allowedBy: basePolicy.algorithms) }
        let configuration = jwksConfiguration
        let fetcher = self.fetcher
        let jwks = try source.withLock { (held: inout RemoteJWKS?) throws(JWTKRemoteError) -> RemoteJWKS in
            if let held, held.url == metadata.jwksURI { return held }
            let made = try RemoteJWKS(url: metadata.jwksURI, configuration: configuration, fetcher: fetcher)
            held = made
            return made
        }
        return (policy, jwks)
    }

    /// Verifies a token with this issuer's keys and policy only: local keys synchronously; remote keys loaded
    /// when needed and refreshed once for an unknown `kid` (cooldown permitting).
    public func verify(routed token: String) async throws(JWTKRemoteError) -> VerifiedJWT {
        let resolved = try await resolve()
        guard let jwks = resolved.jwks else { return try await resolved.verifier.verify(routed: token) }
        return try await RemoteJWTVerifier(source: jwks, policy: resolved.verifier.policy).verifyRefreshing(token)
    }

    /// Verifies like ``verify(routed:)`` through `cache`, with the one verifier this issuer keeps (so a token
    /// seen before is a hit until a key rotation, a new `jwks_uri` or new discovered algorithms); a `kid` not
    /// found goes through the refresh-once path, uncached.
    public func verify(
        routed token: String, cache: VerifiedTokenCache
    ) async throws(JWTKRemoteError) -> (token: VerifiedJWT, cacheHit: Bool) {
        let resolved = try await resolve()
        guard let jwks = resolved.jwks else { return try await resolved.verifier.verify(routed: token, cache: cache) }
        return try await RemoteJWTVerifier.verify(token, with: resolved.verifier, source: jwks, cache: cache) {
            () async throws(JWTKRemoteError) in
            try await RemoteJWTVerifier(source: jwks, policy: resolved.verifier.policy).verifyRefreshing(token)
        }
    }
}
