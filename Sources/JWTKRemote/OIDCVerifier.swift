import Foundation
import JWTK

/// Verifies OpenID Connect ID tokens (and RFC 9068 access tokens) from one provider, given only its issuer URL
/// and your client id.
///
/// It discovers the provider's metadata (``OIDCDiscovery``), fetches and caches its JWK Set (``RemoteJWKS``),
/// accepts only the ID token algorithms the provider publishes **and** your allow-list permits (never `none`,
/// never HMAC by default), and checks every rule of OpenID Connect Core §3.1.3.7 through
/// `VerificationPolicy/openIDConnect(issuer:clientID:nonce:maxAuthenticationAge:accessToken:authorizationCode:)`:
/// `iss` equals the discovered issuer exactly, `aud` contains the client id, `azp` rules, `exp`, `iat`, `sub`,
/// and `nonce` when you pass one.
///
/// ```swift
/// let oidc = try OIDCVerifier(issuer: "https://auth.smarttask.io", clientID: "my-client-id")
/// try await oidc.prepare()                                        // discovery + JWKS, at start-up
/// let jwt = try oidc.verify(idToken: token, nonce: sessionNonce) // synchronous, cached keys
/// let fresh = try await oidc.verifyRefreshing(idToken: token, nonce: sessionNonce) // may fetch
/// let profile = try await oidc.userInfo(accessToken: accessToken, expectedSubject: try jwt.claims.subject)
/// ```
///
/// Errors: every method throws ``JWTKRemoteError``. A rejected token is code
/// ``JWTKRemoteError/Code/tokenRejected`` with the core's `JWTKError` in ``JWTKRemoteError/rejection``; any
/// other code means the provider's metadata or keys cannot be obtained or used.
public final class OIDCVerifier: Sendable {
    /// What is accepted, and the remote sources' settings.
    public struct Configuration: Sendable {
        /// Algorithms you accept; intersected with the provider's `id_token_signing_alg_values_supported` for ID
        /// tokens. Default: every asymmetric algorithm jwtk implements (HMAC ID tokens are signed with the client
        /// secret, which a JWK Set does not carry).
        public var allowedAlgorithms: Set<JWSAlgorithm> = Set(JWSAlgorithm.allCases.filter { $0.family != .hmac })
        /// Clock-skew allowance in seconds for `exp`, `nbf`, `iat`, `auth_time`. Default 0.
        public var leeway: Double = 0
        /// The time source for token validation and for the caches (it replaces the clocks in ``discovery`` and
        /// ``jwks``).
        public var clock: JWTClock = .system
        /// Discovery settings (timeout, size cap, TTL bounds, staleness).
        public var discovery = OIDCDiscovery.Configuration()
        /// JWK Set settings (timeout, size cap, TTL bounds, cooldown, staleness).
        public var jwks = RemoteJWKS.Configuration()
        /// Applied to every policy built, after the preset (for example to require `auth_time` or set
        /// `maxTokenAge`). It cannot weaken the issuer, audience or algorithm rules unless it sets them itself.
        /// It runs when a verifier is built: once per audience (and once for ID tokens without a nonce,
        /// `max_age`, access token or code) for each discovered metadata, then the verifier is reused.
        /// ID tokens with any of those get a verifier of their own per call.
        public var adjustPolicy: (@Sendable (inout VerificationPolicy) -> Void)?

        /// The defaults described on each property.
        public init() {}
    }

    struct Context: Sendable {
        let metadata: OIDCProviderMetadata
        let discoveryGeneration: Int
        let jwks: RemoteJWKS
        let idTokenAlgorithms: Set<JWSAlgorithm>
        /// The verifiers built for this metadata, reused across calls: a verifier's identity is what the core's
        /// per-thread header cache is keyed by, so a verifier built per call would never find its header.
        let verifiers = VerifierMemo()
    }

    /// Verifiers by purpose (`id`, `at:<audience>`, `provider-at:<audience>`), for one metadata generation.
    /// Bounded: beyond ``capacity`` purposes (many audiences) a verifier is built per call, uncached.
    final class VerifierMemo: Sendable {
        static let capacity = 32
        /// Keyed by the purpose's UTF-8 bytes: a `String` key would merge canonically equivalent audiences
        /// ("café" and "cafe\u{301}"), which the verifier compares byte for byte.
        private let table = Locked([[UInt8]: RemoteJWTVerifier]())

        /// The verifier for `purpose`, built by `make` the first time.
        func verifier(_ purpose: String, _ make: () -> RemoteJWTVerifier) -> RemoteJWTVerifier {
            let key = Array(purpose.utf8)
            if let known = table.withLock({ $0[key] }) { return known }
            let made = make()
            return table.withLock { table in
                if let known = table[key] { return known }
                if table.count < Self.capacity { table[key] = made }
                return made
            }
        }
    }

    /// The issuer, exactly as configured (and as the discovery document must state it).
    public let issuer: String
    /// The client id: the expected `aud`, and `azp` when present.
    public let clientID: String
    /// The configuration given at creation.
    public let configuration: Configuration
    /// The discovery client.
    public let discovery: OIDCDiscovery
    private let fetcher: any HTTPFetching
    let context = Locked<Context?>(nil)

    /// Creates a verifier. Nothing is fetched until ``prepare()`` or the first verification.
    ///
    /// - Throws: ``JWTKRemoteError`` `insecureURL` when the issuer is not https (or http to a loopback host).
    public init(
        issuer: String, clientID: String, configuration: Configuration = Configuration(), fetcher: any HTTPFetching = URLSessionFetcher()
    )
        throws(JWTKRemoteError)
    {
        var discoveryConfiguration = configuration.discovery
        discoveryConfiguration.clock = configuration.clock
        self.discovery = try OIDCDiscovery(issuer: issuer, configuration: discoveryConfiguration, fetcher: fetcher)
        self.issuer = issuer
        self.clientID = clientID
        self.configuration = configuration
        self.fetcher = fetcher
    }

    /// The provider metadata in use, once discovered.
    public var metadata: OIDCProviderMetadata? { context.withLock { $0?.metadata } }

    /// The provider's JWK Set source, once discovered (for its ``RemoteJWKS/statistics``).
    public var jwks: RemoteJWKS? { context.withLock { $0?.jwks } }

    /// Discovers the provider and loads its keys; call at start-up so that the synchronous ``verify(idToken:nonce:maxAuthenticationAge:accessToken:authorizationCode:)``
    /// has keys.
    ///
    /// - Returns: the provider metadata.
    /// - Throws: ``JWTKRemoteError`` from discovery or the first JWK Set fetch.
    @discardableResult
    public func prepare() async throws(JWTKRemoteError) -> OIDCProviderMetadata {
        let context = try await currentContext()
        try await context.jwks.loadIfNeeded()
        if context.jwks.state == .notLoaded, let error = context.jwks.statistics.lastError { throw error }
        return context.metadata
    }

    /// Verifies an ID token with the metadata and keys held now, without waiting or touching the network.
    ///
    /// - Parameters:
    ///   - idToken: the compact ID token, exactly as received.
    ///   - nonce: the nonce sent in the authentication request; the token's `nonce` must equal it.
    ///   - maxAuthenticationAge: the `max_age` sent, in seconds; `auth_time` is then required and checked.
    ///   - accessToken: an access token returned with the ID token; `at_hash` must match it.
    ///   - authorizationCode: a code returned with the ID token; `c_hash` must match it.
    /// - Throws: ``JWTKRemoteError``: `notLoaded` before ``prepare()``, `staleKeys`, `noCommonAlgorithm`, or
    ///   `tokenRejected` for a rejected token, whose ``JWTKRemoteError/rejection`` is the `JWTKError`
    ///   (`nonceMismatch`, `audienceMismatch`, `authorizedPartyMismatch`, `issuerMismatch`, `expired`,
    ///   `keyNotFound`, `signatureInvalid`, ...).
    public func verify(
        idToken: String, nonce: String? = nil, maxAuthenticationAge: Double? = nil, accessToken: String? = nil,
        authorizationCode: String? = nil
    ) throws(JWTKRemoteError) -> VerifiedJWT {
        let context = try heldContext()
        return try idTokenVerifier(context, nonce, maxAuthenticationAge, accessToken, authorizationCode).verify(idToken)
    }

    /// Verifies an ID token, first refreshing expired metadata or keys and refreshing the keys once for an
    /// unknown `kid` (cooldown permitting); see ``verify(idToken:nonce:maxAuthenticationAge:accessToken:authorizationCode:)``.
    ///
    /// - Throws: ``JWTKRemoteError`` when metadata or keys cannot be obtained, or `tokenRejected` (with the
    ///   `JWTKError` in ``JWTKRemoteError/rejection``) for a rejected token.
    public func verifyRefreshing(
        idToken: String, nonce: String? = nil, maxAuthenticationAge: Double? = nil, accessToken: String? = nil,
        authorizationCode: String? = nil
    ) async throws(JWTKRemoteError) -> VerifiedJWT {
        let context = try await currentContext()
        return try await idTokenVerifier(context, nonce, maxAuthenticationAge, accessToken, authorizationCode).verifyRefreshing(idToken)
    }

    /// Verifies a JWT access token issued by this provider (RFC 9068: `typ` `at+jwt`, `iss`, `aud` contains
    /// `audience`, `exp`, `iat`, `sub`, `client_id`, `jti`) with the keys held now. The algorithms are your
    /// allow-list (the provider's ID token algorithms do not govern access tokens).
    ///
    /// - Throws: ``JWTKRemoteError``, as for ID tokens (`tokenRejected` for a rejected token).
    public func verifyAccessToken(_ token: String, audience: String) throws(JWTKRemoteError) -> VerifiedJWT {
        let context = try heldContext()
        return try accessTokenVerifier(context, audience).verify(token)
    }

    /// ``verifyAccessToken(_:audience:)`` with refreshing, as ``verifyRefreshing(idToken:nonce:maxAuthenticationAge:accessToken:authorizationCode:)``.
    ///
    /// - Throws: ``JWTKRemoteError`` (`tokenRejected` for a rejected token).
    public func verifyAccessTokenRefreshing(_ token: String, audience: String) async throws(JWTKRemoteError) -> VerifiedJWT {
        let context = try await currentContext()
        return try await accessTokenVerifier(context, audience).verifyRefreshing(token)
    }

    /// Calls the provider's `userinfo_endpoint` with the access token (OIDC Core §5.3).
    ///
    /// - Parameters:
    ///   - accessToken: the access token, sent as `Authorization: Bearer`; it must be an RFC 6750 b64token.
    ///   - expectedSubject: the verified ID token's `sub`; the response's `sub` must equal it (§5.3.2).
    /// - Throws: ``JWTKRemoteError``: `missingEndpoint` when the provider publishes no userinfo endpoint,
    ///   `insecureURL`, fetch errors, `httpStatus`, `invalidDocument`, `subjectMismatch`.
    public func userInfo(accessToken: String, expectedSubject: String?) async throws(JWTKRemoteError) -> UserInfo {
        try await discovery.userInfo(accessToken: accessToken, expectedSubject: expectedSubject)
    }

    // MARK: Internals

    func idTokenPolicy(
        _ context: Context, _ nonce: String?, _ maxAuthenticationAge: Double?, _ accessToken: String?, _ authorizationCode: String?
    ) -> VerificationPolicy {
        var policy = VerificationPolicy.openIDConnect(
            issuer: context.metadata.issuer, clientID: clientID, nonce: nonce, maxAuthenticationAge: maxAuthenticationAge,
            accessToken: accessToken, authorizationCode: authorizationCode)
        policy.algorithms = context.idTokenAlgorithms
        policy.leeway = configuration.leeway
        policy.clock = configuration.clock
        configuration.adjustPolicy?(&policy)
        return policy
    }

    /// The ID token verifier: the memo's when no per-login value is checked, a new one otherwise.
    func idTokenVerifier(
        _ context: Context, _ nonce: String?, _ maxAuthenticationAge: Double?, _ accessToken: String?, _ authorizationCode: String?
    ) -> RemoteJWTVerifier {
        let make = {
            context.jwks.verifier(policy: self.idTokenPolicy(context, nonce, maxAuthenticationAge, accessToken, authorizationCode))
        }
        guard nonce == nil, maxAuthenticationAge == nil, accessToken == nil, authorizationCode == nil else { return make() }
        return context.verifiers.verifier("id", make)
    }

    /// The access token verifier for `audience`, built once per metadata.
    func accessTokenVerifier(_ context: Context, _ audience: String) -> RemoteJWTVerifier {
        context.verifiers.verifier("at:" + audience) { context.jwks.verifier(policy: self.accessTokenPolicy(context, audience)) }
    }

    func accessTokenPolicy(_ context: Context, _ audience: String) -> VerificationPolicy {
        var policy = VerificationPolicy.accessToken(issuer: context.metadata.issuer, audience: audience)
        policy.algorithms = configuration.allowedAlgorithms
        policy.leeway = configuration.leeway
        policy.clock = configuration.clock
        configuration.adjustPolicy?(&policy)
        return policy
    }

    /// The context for the metadata held now, following a background metadata refresh when one completed.
    func heldContext() throws(JWTKRemoteError) -> Context {
        discovery.refreshInBackgroundIfDue()
        let (metadata, generation) = discovery.cachedMetadataAndGeneration
        if let current = context.withLock({ $0 }), current.discoveryGeneration == generation { return current }
        guard let metadata else {
            throw JWTKRemoteError(
                .notLoaded, "the provider has not been discovered yet; call prepare() or verifyRefreshing",
                url: discovery.documentURL.absoluteString)
        }
        return try install(metadata, generation: generation)
    }

    /// The context for fresh (or usable stale) metadata, fetching it when needed.
    private func currentContext() async throws(JWTKRemoteError) -> Context {
        let metadata = try await discovery.metadata()
        let (_, generation) = discovery.cachedMetadataAndGeneration
        if let current = context.withLock({ $0 }), current.discoveryGeneration == generation { return current }
        return try install(metadata, generation: generation)
    }

    private func install(_ metadata: OIDCProviderMetadata, generation: Int) throws(JWTKRemoteError) -> Context {
        let algorithms = try metadata.idTokenAlgorithms(allowedBy: configuration.allowedAlgorithms)
        var jwksConfiguration = configuration.jwks
        jwksConfiguration.clock = configuration.clock
        let url = metadata.jwksURI
        let fetcher = fetcher
        let made: Result<Context, JWTKRemoteError> = context.withLock { context in
            if let current = context, current.discoveryGeneration >= generation, current.jwks.url == url { return .success(current) }
            let jwks: RemoteJWKS
            if let current = context, current.jwks.url == url {
                jwks = current.jwks
            } else {
                do throws(JWTKRemoteError) {
                    jwks = try RemoteJWKS(url: url, configuration: jwksConfiguration, fetcher: fetcher)
                } catch {
                    return .failure(error)
                }
            }
            let new = Context(metadata: metadata, discoveryGeneration: generation, jwks: jwks, idTokenAlgorithms: algorithms)
            context = new
            return .success(new)
        }
        return try made.get()
    }
}
