import Foundation
public import Hummingbird
public import JWTK
public import JWTKHummingbird
public import JWTKRemote
import NIOConcurrencyHelpers
public import Prometheus
import ServiceLifecycle

/// The example resource server behind `jwtk-example-service`: `GET /me`, `GET /admin` (scope `admin`),
/// `GET /healthz` and `GET /metrics`, on 127.0.0.1 only.
public enum ExampleService {
    /// One issuer the service accepts tokens from.
    public struct Issuer: Sendable {
        /// The issuer identifier, compared exactly; its discovery document gives the JWK Set.
        public var issuer: String
        /// The audience the token's `aud` must contain.
        public var audience: String
        /// Creates an issuer entry.
        public init(issuer: String, audience: String) {
            self.issuer = issuer
            self.audience = audience
        }
    }

    /// What the service is started with.
    public struct Configuration: Sendable {
        /// The port on 127.0.0.1; 0 lets the kernel choose.
        public var port: Int = 0
        /// The accepted issuers (at least one).
        public var issuers: [Issuer] = []
        /// Seconds between JWK Set refreshes.
        public var refreshInterval: Double = 300
        /// Seconds between refreshes caused by an unknown `kid` (key rotation), per issuer.
        public var unknownKeyCooldown: Double = 30
        /// The clock tokens are checked against (tests pin it); the key cache keeps the system clock.
        public var clock: JWTClock = .system
        /// The realm named in challenges.
        public var realm = "jwtk-example"
        /// A policy file's configuration: when set, its issuers, rules, scopes, refresh interval and realm (if any) replace
        /// ``issuers``, ``realm`` and ``refreshInterval``.
        public var policy: VerifierConfiguration?
        /// Accept DPoP-bound tokens (`Authorization: DPoP` with a `DPoP` proof, RFC 9449), checked with
        /// ``clock``; proofs are remembered in a replay cache of ``dpopReplayCapacity`` entries.
        public var dpop = false
        /// The DPoP replay cache's capacity.
        public var dpopReplayCapacity = DPoPReplayCache.defaultCapacity
        /// Verified tokens kept per thread in a `VerifiedTokenCache` (hits counted in `/metrics`); nil: no cache.
        /// With a ``policy`` it is the router's token cache, this capacity replacing the file's
        /// `cache.token_cache_capacity`.
        public var tokenCacheCapacity: Int?
        /// Serve `GET /me-unprotected` (a fixed body, no middleware): the baseline of load measurements.
        public var benchmarkRoute = false
        /// Creates the default configuration.
        public init() {}
    }

    /// The parts a caller (or a test) needs.
    public struct Built: Sendable {
        /// The Hummingbird application, with the refresh services attached.
        public let application: Application<RouterResponder<JWTRequestContext>>
        /// The registry `/metrics` serves.
        public let registry: PrometheusCollectorRegistry
    }

    /// Builds the service. Keys are fetched (discovery, then the JWK Set) before the server accepts traffic;
    /// a provider that cannot be reached makes `run()` throw instead of serving without keys.
    ///
    /// - Parameter onServerRunning: called with the bound port once the server listens.
    public static func build(
        _ configuration: Configuration, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> Built {
        if let policy = configuration.policy { return try build(policy: policy, configuration, onServerRunning: onServerRunning) }
        guard !configuration.issuers.isEmpty else {
            throw JWTKError(.invalidArgument, "at least one --issuer (with its --audience) is required")
        }
        let registry = PrometheusCollectorRegistry()
        let metrics = JWTKMetrics(factory: PrometheusMetricsFactory(registry: registry))
        var seen = Set<String>()
        var discoveries: [(OIDCDiscovery, Issuer)] = []
        for entry in configuration.issuers {
            guard seen.insert(entry.issuer).inserted else {
                throw JWTKError(.invalidArgument, "the issuer \(entry.issuer) is configured twice")
            }
            discoveries.append((try OIDCDiscovery(issuer: entry.issuer), entry))
        }
        // The JWK Set URL comes from discovery, fetched before traffic; the verifiers are installed then.
        let holder = VerifierHolder()
        let refreshersBox = RefresherHolder()
        let router = Router(context: JWTRequestContext.self)
        addOperationalRoutes(to: router, registry: registry, refreshers: refreshersBox)
        let dpop = try dpopOptions(enabled: configuration.dpop, configuration)
        let tokenCache = try configuration.tokenCacheCapacity.map { capacity throws(JWTKError) in try VerifiedTokenCache(capacity: capacity)
        }
        if configuration.benchmarkRoute { router.get("me-unprotected") { _, _ in "{}\n" } }
        let authenticator = JWTAuthenticator<JWTRequestContext>(
            verifier: holder,
            realm: configuration.realm, metrics: metrics, dpop: dpop)
        let protected = router.group().add(middleware: authenticator)
        addProtectedRoutes(to: protected, realm: configuration.realm)

        let sources = discoveries
        let clock = configuration.clock
        let interval = configuration.refreshInterval
        let cooldown = configuration.unknownKeyCooldown
        var app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: configuration.port), serverName: "jwtk-example-service"),
            services: [refreshersBox],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) })
        app.beforeServerStarts {
            var routes: [String: any JWTTokenVerifying] = [:]
            var services: [JWKSRefreshService] = []
            for (discovery, entry) in sources {
                let metadata = try await discovery.metadata()
                var jwksConfiguration = RemoteJWKS.Configuration()
                jwksConfiguration.unknownKeyCooldown = cooldown
                let jwks = try RemoteJWKS(url: metadata.jwksURI, configuration: jwksConfiguration)
                let service = JWKSRefreshService(jwks: jwks, issuer: entry.issuer, interval: interval, metrics: metrics)
                try await service.prepare()
                var policy = VerificationPolicy(issuer: entry.issuer, audience: entry.audience)
                policy.algorithms = Set(JWSAlgorithm.allCases.filter { $0.family != .hmac })
                policy.clock = clock
                if let tokenCache {
                    routes[entry.issuer] = CachingTokenVerifier(
                        jwks.verifier(policy: policy), issuerLabel: entry.issuer, cache: tokenCache, metrics: metrics)
                } else {
                    routes[entry.issuer] = RemoteTokenVerifier(jwks.verifier(policy: policy), issuerLabel: entry.issuer)
                }
                services.append(service)
            }
            holder.install(IssuerRouter(routes))
            refreshersBox.install(services)
        }
        return Built(application: app, registry: registry)
    }
}

/// The verifier in use, installed once the keys are loaded.
extension ExampleService {
    /// `GET /healthz` (`ok`) and `GET /metrics` (the registry in Prometheus text format, after every installed
    /// refresh service has recorded its key set's age), the routes both ways of building the service share.
    static func addOperationalRoutes(
        to router: Router<JWTRequestContext>, registry: PrometheusCollectorRegistry, refreshers: RefresherHolder
    ) {
        router.get("healthz") { _, _ in "ok\n" }
        router.get("metrics") { _, _ in
            for service in refreshers.installed { service.recordKeySetAge() }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }

    /// `GET /me` (the verified claims as JSON, sorted keys, `Cache-Control: no-store`) and `GET /admin`
    /// (scope `admin` required), behind the authenticator of `protected`; both ways of building the service
    /// share them.
    static func addProtectedRoutes(to protected: RouterGroup<JWTRequestContext>, realm: String) {
        protected.get("me") { _, context -> Response in
            guard let identity = context.identity else { return Response(status: .unauthorized) }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.cacheControl] = "no-store"
            return Response(
                status: .ok, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: identity.claims.json.serialized(sortKeys: true) + "\n")))
        }
        protected.group("admin").add(middleware: RequireScopes<JWTRequestContext>(["admin"], realm: realm))
            .get { _, _ in "admin ok\n" }
    }

    /// The middleware's DPoP support when `enabled` (`--dpop`, or `"dpop": true` in a policy file): proofs
    /// judged at the service's clock, remembered in a replay cache of `dpopReplayCapacity` entries.
    static func dpopOptions(enabled: Bool, _ configuration: Configuration) throws -> DPoPOptions? {
        guard enabled else { return nil }
        var dpopConfiguration = DPoPVerifier.Configuration()
        dpopConfiguration.clock = configuration.clock
        return DPoPOptions(
            verifier: try DPoPVerifier(
                configuration: dpopConfiguration, replayCache: try DPoPReplayCache(capacity: configuration.dpopReplayCapacity)))
    }
}

final class VerifierHolder: JWTTokenVerifying {
    func verifyToken(_ token: String) async throws -> JWTIdentity { try await current().verifyToken(token) }
    func issuerLabel(forRefused token: String) -> String { (try? current().issuerLabel(forRefused: token)) ?? "unrouted" }

    private let box = NIOLockedValueBox<(any JWTTokenVerifying)?>(nil)
    func install(_ verifier: any JWTTokenVerifying) { box.withLockedValue { $0 = verifier } }
    func current() throws -> any JWTTokenVerifying {
        guard let verifier = box.withLockedValue({ $0 }) else { throw JWTKRemoteError(.notLoaded, "keys not loaded") }
        return verifier
    }
}

/// Runs the refresh services created before the server started, as one `Service` of the application: it
/// waits for them to be installed, then runs them until graceful shutdown.
final class RefresherHolder: Service, Sendable {
    private let services = NIOLockedValueBox<[JWKSRefreshService]>([])
    /// The services installed so far.
    var installed: [JWKSRefreshService] { services.withLockedValue { $0 } }
    private let stream: AsyncStream<[JWKSRefreshService]>
    private let continuation: AsyncStream<[JWKSRefreshService]>.Continuation
    init() { (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1)) }
    func install(_ services: [JWKSRefreshService]) {
        self.services.withLockedValue { $0 = services }
        continuation.yield(services)
        continuation.finish()
    }
    func run() async throws {
        let first: [JWKSRefreshService]?? = await cancelWhenGracefulShutdown { [stream] in
            var iterator = stream.makeAsyncIterator()
            return await iterator.next()
        }
        guard let services = first ?? nil else { return }
        await withTaskGroup(of: Void.self) { group in
            for service in services { group.addTask { try? await service.run() } }
        }
    }
}
