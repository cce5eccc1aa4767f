import ArgumentParser
import Foundation
import Hummingbird
import JWTKExampleService
import JWTKRemote

/// `jwtk-example-service`: a resource server protected by jwtk, on 127.0.0.1 only.
@main
struct ExampleServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwtk-example-service",
        abstract: "A resource server protected by jwtk (127.0.0.1 only): GET /me, /admin (scope admin), /healthz, /metrics.")

    @Option(help: "The TCP port on 127.0.0.1 (0: the kernel chooses; the chosen port is printed).")
    var port: Int

    @Option(help: "An accepted issuer (repeatable, each followed by its --audience); its discovery document gives the keys.")
    var issuer: [String] = []

    @Option(help: "The audience of the preceding --issuer.")
    var audience: [String] = []

    @Option(help: "Seconds between JWK Set refreshes.")
    var refreshInterval: Double = 300

    @Option(help: "A policy file (docs/schemas/policy.schema.json): its issuers, rules and route scopes, instead of --issuer/--audience.")
    var policy: String?

    @Flag(help: "Accept DPoP-bound tokens: Authorization: DPoP with a DPoP proof header (RFC 9449).")
    var dpop = false

    @Option(
        help:
            "Keep up to N verified tokens per thread (a token cache; hits and misses in /metrics); with --policy, N replaces the file's cache.token_cache_capacity."
    )
    var tokenCache: Int?

    @Flag(help: "Also serve GET /me-unprotected (no token; the baseline for load tests).")
    var benchmarkRoute = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        if policy != nil, !issuer.isEmpty || !audience.isEmpty {
            throw ValidationError("--policy names the issuers and audiences; drop --issuer and --audience")
        }
        if policy != nil, refreshInterval != 300 {
            throw ValidationError("with --policy the refresh interval is the file's cache.jwks_refresh_interval; drop --refresh-interval")
        }
        guard policy != nil || !issuer.isEmpty else { throw ValidationError("at least one --issuer (or --policy FILE) is required") }
        guard issuer.count == audience.count else {
            throw ValidationError("every --issuer needs its --audience (\(issuer.count) issuers, \(audience.count) audiences)")
        }
        guard refreshInterval > 0, refreshInterval <= 86_400 else {  // JWKSRefreshService.maximumInterval
            throw ValidationError("--refresh-interval must be more than 0 and at most 86400 seconds")
        }
    }

    func run() async throws {
        var configuration = ExampleService.Configuration()
        configuration.port = port
        configuration.refreshInterval = refreshInterval
        configuration.issuers = zip(issuer, audience).map { ExampleService.Issuer(issuer: $0, audience: $1) }
        configuration.dpop = dpop
        configuration.tokenCacheCapacity = tokenCache
        configuration.benchmarkRoute = benchmarkRoute
        if let policy {
            do {
                configuration.policy = try VerifierConfiguration.load(contentsOf: policy)
            } catch {
                throw ValidationError("\(policy): \(error)")
            }
        }
        let built = try ExampleService.build(configuration) { port in
            FileHandle.standardOutput.write(Data("jwtk-example-service listening on http://127.0.0.1:\(port)\n".utf8))
        }
        try await built.application.runService()
    }
}
