import Foundation
import Hummingbird
import JWTK
import JWTKHummingbird
import JWTKRemote
import Prometheus

extension ExampleService {
    /// The service from a policy file (`--policy FILE`): the file's issuers behind its issuer router, its scopes
    /// per route prefix (and `admin` on `/admin` as always), its realm, refresh interval and `dpop` switch. Keys (and the
    /// discovery documents) are fetched before the server accepts traffic.
    static func build(
        policy: VerifierConfiguration, _ configuration: Configuration, onServerRunning: @escaping @Sendable (Int) async -> Void
    ) throws -> Built {
        // The router's token cache, in front of one stable verifier per issuer: only with --token-cache N
        // (opt-in), whose N replaces the file's cache.token_cache_capacity (0: off).
        var policy = policy
        if let capacity = configuration.tokenCacheCapacity { policy.cache.tokenCacheCapacity = capacity }
        let verifiers = try policy.makeVerifiers(clock: configuration.clock, tokenCache: configuration.tokenCacheCapacity != nil)
        let realm = policy.realm ?? configuration.realm
        let registry = PrometheusCollectorRegistry()
        let metrics = JWTKMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let holder = VerifierHolder()
        let refreshersBox = RefresherHolder()
        let router = Router(context: JWTRequestContext.self)
        addOperationalRoutes(to: router, registry: registry, refreshers: refreshersBox)
        let authenticator = PolicyAuthenticator<JWTRequestContext>(
            authenticator: JWTAuthenticator(
                verifier: holder, realm: realm, metrics: metrics,
                dpop: try dpopOptions(enabled: policy.dpop || configuration.dpop, configuration)),
            configuration: policy, realm: realm)
        let protected = router.group().add(middleware: authenticator)
        addProtectedRoutes(to: protected, realm: realm)
        if configuration.benchmarkRoute { router.get("me-unprotected") { _, _ in "{}\n" } }

        let remote = policy.issuers.contains {
            if case .keysFile = $0.keys { return false }
            return true
        }
        var app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: configuration.port), serverName: "jwtk-example-service"),
            services: remote ? [refreshersBox] : [],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) })
        app.beforeServerStarts {
            let services = try await verifiers.refreshServices(metrics: metrics)
            holder.install(verifiers.router)
            refreshersBox.install(services)
        }
        return Built(application: app, registry: registry)
    }
}
