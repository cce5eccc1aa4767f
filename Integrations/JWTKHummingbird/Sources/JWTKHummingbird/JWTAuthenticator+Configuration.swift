public import Hummingbird
public import HummingbirdAuth
public import JWTKRemote

extension JWTAuthenticator {
    /// The middleware for a policy file: verifies with the file's ``JWTKRemote/IssuerRouter`` (`verifiers.router`)
    /// and names the file's realm (else `realm`) in its challenges. Scopes per route prefix are
    /// ``PolicyAuthenticator``'s (or ``RouteScopeRequirements`` placed after this middleware).
    public init(
        configuration: VerifierConfiguration, verifiers: ConfiguredVerifiers, realm: String = "jwtk",
        locations: TokenLocations = .authorizationHeader, metrics: JWTKMetrics = JWTKMetrics()
    ) {
        self.init(verifier: verifiers.router, realm: configuration.realm ?? realm, locations: locations, metrics: metrics)
    }
}

/// Refuses, with `403` and `error="insufficient_scope"`, a request whose path falls under a policy file's route
/// prefix (the longest that matches) when its verified token lacks one of that prefix's scopes. Place it after
/// ``JWTAuthenticator``; a path no rule covers passes; without an identity it answers `401`.
public struct RouteScopeRequirements<Context: AuthRequestContext>: RouterMiddleware where Context.Identity == JWTIdentity {
    /// The rules, as in the policy file.
    public let configuration: VerifierConfiguration
    /// The realm named in challenges.
    public let realm: String

    /// Creates the requirement from a policy file's `routes`.
    public init(configuration: VerifierConfiguration, realm: String = "jwtk") {
        self.configuration = configuration
        self.realm = configuration.realm ?? realm
    }

    /// Passes the request on when the token carries every scope its path requires.
    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let required = configuration.scopes(forPath: request.uri.path)
        if required.isEmpty { return try await next(request, context) }
        return try await RequireScopes<Context>(required, realm: realm).handle(request, context: context, next: next)
    }
}

/// ``JWTAuthenticator`` and ``RouteScopeRequirements`` of one policy file as one middleware: the token is
/// verified by the file's issuer router, then the path's scopes are required.
///
/// ```swift
/// let configuration = try VerifierConfiguration.load(contentsOf: "policy.json")
/// let verifiers = try configuration.makeVerifiers()
/// let services = try await verifiers.refreshServices(metrics: metrics)  // before traffic
/// router.group("api").add(middleware: PolicyAuthenticator<JWTRequestContext>(configuration: configuration, verifiers: verifiers))
/// ```
public struct PolicyAuthenticator<Context: AuthRequestContext>: RouterMiddleware where Context.Identity == JWTIdentity {
    /// The authentication step.
    public let authenticator: JWTAuthenticator<Context>
    /// The scope step.
    public let scopes: RouteScopeRequirements<Context>

    /// Creates the middleware.
    public init(
        configuration: VerifierConfiguration, verifiers: ConfiguredVerifiers, realm: String = "jwtk",
        locations: TokenLocations = .authorizationHeader, metrics: JWTKMetrics = JWTKMetrics()
    ) {
        self.init(
            authenticator: JWTAuthenticator(
                configuration: configuration, verifiers: verifiers, realm: realm, locations: locations, metrics: metrics),
            configuration: configuration, realm: realm)
    }

    /// Creates the middleware around an authenticator of your own (a cache in front of the router, for example).
    public init(authenticator: JWTAuthenticator<Context>, configuration: VerifierConfiguration, realm: String = "jwtk") {
        self.authenticator = authenticator
        self.scopes = RouteScopeRequirements(configuration: configuration, realm: realm)
    }

    /// Authenticates, then checks the path's scopes.
    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try await authenticator.handle(request, context: context) { request, context in
            try await scopes.handle(request, context: context, next: next)
        }
    }
}

extension ConfiguredVerifiers {
    /// One ``JWKSRefreshService`` per remote issuer (discovering the provider first when configured), each
    /// having fetched its keys once: call it before the server accepts traffic and run the services with it.
    /// The interval is the file's `cache.jwks_refresh_interval`.
    ///
    /// - Throws: ``JWTKRemoteError`` from the first issuer whose metadata or keys cannot be obtained.
    public func refreshServices(metrics: JWTKMetrics = JWTKMetrics()) async throws(JWTKRemoteError) -> [JWKSRefreshService] {
        var services: [JWKSRefreshService] = []
        for issuer in issuers {
            guard let jwks = try await issuer.keySource() else { continue }
            let service = JWKSRefreshService(
                jwks: jwks, issuer: issuer.issuer, interval: configuration.cache.refreshInterval, metrics: metrics)
            try await service.prepare()
            services.append(service)
        }
        return services
    }
}
