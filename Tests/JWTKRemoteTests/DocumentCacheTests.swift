import Foundation
import JWTK
import JWTKTestSupport
import Testing

@testable import JWTKRemote

/// The two documents JWTKRemote caches, behind one cache engine: every rule below is asserted for both, over
/// a real loopback provider and a manual clock.
enum CachedDocument: String, CaseIterable, CustomStringConvertible, Sendable {
    case jwkSet
    case discovery

    var description: String { rawValue }

    /// The path the provider counts requests under.
    var path: String { self == .jwkSet ? "/jwks" : "/.well-known/openid-configuration" }

    /// Serves the document with these caching headers.
    func serve(_ provider: TestProvider, cacheControl: String?, etag: String? = nil) throws {
        let key = try TestIssuer(kid: "k1")
        provider.update {
            $0.jwks = jwksDocument([key])
            switch self {
            case .jwkSet:
                $0.jwksCacheControl = cacheControl
                $0.jwksETag = etag
            case .discovery:
                $0.discoveryCacheControl = cacheControl
                $0.discoveryETag = etag
            }
        }
    }

    /// Makes this document fail (or recover, with `.none`).
    func fail(_ provider: TestProvider, _ fault: TestProvider.Fault) {
        provider.update {
            switch self {
            case .jwkSet: $0.jwksFault = fault
            case .discovery: $0.discoveryFault = fault
            }
        }
    }

    /// The cache for this document, on `clock`, with a 30 s retry interval after failures.
    func cache(
        _ provider: TestProvider, clock: ManualClock, maxStaleness: Double = 3600, observer: FetchObserver? = nil
    ) throws -> Cached {
        switch self {
        case .jwkSet:
            var configuration = RemoteJWKS.Configuration.roomy
            configuration.clock = clock.clock
            configuration.maxStaleness = maxStaleness
            configuration.unknownKeyCooldown = 30
            configuration.refreshesInBackground = false
            configuration.fetchObserver = observer
            return .jwks(try RemoteJWKS(url: URL(string: provider.base + path)!, configuration: configuration))
        case .discovery:
            var configuration = OIDCDiscovery.Configuration.roomy
            configuration.clock = clock.clock
            configuration.maxStaleness = maxStaleness
            configuration.retryInterval = 30
            configuration.fetchObserver = observer
            return .discovery(try OIDCDiscovery(issuer: provider.base, configuration: configuration))
        }
    }
}

/// A ``RemoteJWKS`` or an ``OIDCDiscovery``, driven through their public entry points.
enum Cached: Sendable {
    case jwks(RemoteJWKS)
    case discovery(OIDCDiscovery)

    /// What a verification does first: `loadIfNeeded()` / `metadata()`.
    func load() async throws(JWTKRemoteError) {
        switch self {
        case .jwks(let jwks): try await jwks.loadIfNeeded()
        case .discovery(let discovery): _ = try await discovery.metadata()
        }
    }

    /// `refresh()`.
    func refresh() async throws(JWTKRemoteError) {
        switch self {
        case .jwks(let jwks): try await jwks.refresh()
        case .discovery(let discovery): try await discovery.refresh()
        }
    }

    /// Uses what is held: the synchronous check before a JWK Set verification, or `metadata()`.
    func useHeld() async throws(JWTKRemoteError) {
        switch self {
        case .jwks(let jwks): try jwks.checkUsable()
        case .discovery(let discovery): _ = try await discovery.metadata()
        }
    }

    var state: RemoteJWKS.State {
        switch self {
        case .jwks(let jwks): jwks.state
        case .discovery(let discovery): discovery.state
        }
    }

    var fetches: Int {
        switch self {
        case .jwks(let jwks): jwks.statistics.fetches
        case .discovery(let discovery): discovery.counts.fetches
        }
    }

    var notModified: Int {
        switch self {
        case .jwks(let jwks): jwks.statistics.notModified
        case .discovery(let discovery): discovery.notModifiedCount
        }
    }

    var lastError: JWTKRemoteError? {
        switch self {
        case .jwks(let jwks): jwks.statistics.lastError
        case .discovery(let discovery): discovery.lastError
        }
    }
}

@Suite struct DocumentCacheTests {
    let clock = ManualClock()

    @Test(arguments: CachedDocument.allCases)
    func revalidationIsConditionalAndA304KeepsTheDocument(_ document: CachedDocument) async throws {
        try await TestProvider.with { provider in
            try document.serve(provider, cacheControl: "max-age=120", etag: #""v1""#)
            let cache = try document.cache(provider, clock: clock)
            try await cache.load()
            #expect(provider.lastHeaders(document.path)["if-none-match"] == nil)
            clock.advance(60)
            try await cache.load()
            #expect(provider.count(document.path) == 1)  // fresh: no request
            clock.advance(61)
            #expect(cache.state == .stale)
            try await cache.load()
            #expect(provider.count(document.path) == 2)
            #expect(provider.lastHeaders(document.path)["if-none-match"] == #""v1""#)
            #expect(cache.notModified == 1)
            #expect(cache.state == .fresh)  // the 304 renewed the freshness
            clock.advance(119)
            #expect(cache.state == .fresh)
            clock.advance(2)
            #expect(cache.state == .stale)
        }
    }

    @Test(arguments: CachedDocument.allCases)
    func aNonConditional304IsAnError(_ document: CachedDocument) async throws {
        try await TestProvider.with { provider in
            try document.serve(provider, cacheControl: nil)
            document.fail(provider, .raw(status: 304, headers: [:], body: []))
            let cache = try document.cache(provider, clock: clock)
            await #expect(throws: JWTKRemoteError(.httpStatus)) { try await cache.refresh() }
            #expect(cache.state == .notLoaded)
        }
    }

    @Test(arguments: CachedDocument.allCases)
    func concurrentCallersShareOneRequest(_ document: CachedDocument) async throws {
        try await TestProvider.with { provider in
            try document.serve(provider, cacheControl: "max-age=600")
            document.fail(provider, .delay(seconds: 1))
            let cache = try document.cache(provider, clock: clock)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask { index.isMultiple(of: 2) ? try await cache.load() : try await cache.refresh() }
                }
                try await group.waitForAll()
            }
            #expect(provider.count(document.path) == 1)
            #expect(cache.fetches == 1)
            #expect(cache.state == .fresh)
        }
    }

    @Test(arguments: CachedDocument.allCases)
    func aFailedRefreshServesTheLastGoodDocumentUpToTheMaximumStaleness(_ document: CachedDocument) async throws {
        try await TestProvider.with { provider in
            try document.serve(provider, cacheControl: "max-age=60")
            let cache = try document.cache(provider, clock: clock, maxStaleness: 100)
            try await cache.load()
            document.fail(provider, .status(503))
            clock.advance(61)
            try await cache.load()  // the refresh fails; the stale document still serves
            #expect(provider.count(document.path) == 2)
            #expect(cache.lastError == JWTKRemoteError(.httpStatus))
            #expect(cache.state == .stale)
            try await cache.useHeld()
            // At the bound (60 s fresh + 100 s stale) it still serves; one second past, it is refused.
            clock.advance(98)
            #expect(cache.state == .stale)
            try await cache.useHeld()
            clock.advance(2)
            #expect(cache.state == .expired)
            await #expect(throws: JWTKRemoteError(.staleKeys)) { try await cache.useHeld() }
            document.fail(provider, .none)
            try await cache.refresh()
            #expect(cache.state == .fresh)
            #expect(cache.lastError == nil)
        }
    }

    @Test(arguments: CachedDocument.allCases)
    func aFailedFetchIsNotRepeatedWithinTheRetryInterval(_ document: CachedDocument) async throws {
        try await TestProvider.with { provider in
            try document.serve(provider, cacheControl: nil)
            document.fail(provider, .status(500))
            let cache = try document.cache(provider, clock: clock)
            await #expect(throws: JWTKRemoteError(.httpStatus)) { try await cache.load() }
            clock.advance(29)
            try? await cache.load()
            #expect(provider.count(document.path) == 1)
            await #expect(throws: JWTKRemoteError(.notLoaded)) { try await cache.useHeld() }
            clock.advance(1)
            document.fail(provider, .none)
            try await cache.load()
            #expect(provider.count(document.path) == 2)
            #expect(cache.state == .fresh)
        }
    }

    @Test(arguments: CachedDocument.allCases)
    func everyFetchIsReportedToTheObserver(_ document: CachedDocument) async throws {
        try await TestProvider.with { provider in
            try document.serve(provider, cacheControl: "max-age=60", etag: #""v1""#)
            let log = FetchLog()
            let cache = try document.cache(provider, clock: clock, observer: log.observer)
            try await cache.load()
            clock.advance(61)
            try await cache.load()
            document.fail(provider, .status(503))
            try? await cache.refresh()
            let events = log.events
            #expect(events.map(\.trigger) == [.initial, .expired, .requested])
            #expect(events.map(\.conditional) == [false, true, true])
            #expect(events.map(\.outcome) == [.updated, .notModified, .failed(JWTKRemoteError(.httpStatus))])
            #expect(events.map { $0.response?.status } == [200, 304, 503])
            #expect(events.map(\.fetchID) == [1, 2, 3])
            #expect(events.allSatisfy { $0.document == (document == .jwkSet ? .jwkSet : .discovery) })
            #expect(events.allSatisfy { $0.url.absoluteString == provider.base + document.path })
            #expect(events[2].error == JWTKRemoteError(.httpStatus))
            let url = URL(string: provider.base + document.path)!
            #expect(log.lastResponse(for: url)?.status == 503)
            #expect(log.lastResponse(for: URL(string: provider.base + "/elsewhere")!) == nil)
        }
    }

    /// A transport failure has no response; the event still says what happened.
    @Test(arguments: CachedDocument.allCases)
    func aFetchThatGetsNoResponseIsReportedWithoutOne(_ document: CachedDocument) async throws {
        try await TestProvider.with { provider in
            try document.serve(provider, cacheControl: nil)
            document.fail(provider, .oversize(bytes: 2 << 20))
            let log = FetchLog()
            let cache = try document.cache(provider, clock: clock, observer: log.observer)
            await #expect(throws: JWTKRemoteError(.responseTooLarge)) { try await cache.refresh() }
            #expect(log.events.count == 1)
            #expect(log.events.first?.response == nil)
            #expect(log.events.first?.error == JWTKRemoteError(.responseTooLarge))
        }
    }
}

/// The JWK Set's own trigger: a token naming a `kid` the set does not hold.
@Suite struct UnknownKeyFetchEventTests {
    let clock = ManualClock()

    @Test func anUnknownKidRefreshIsReportedAsSuch() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            let k2 = try TestIssuer(kid: "k2")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksCacheControl = "max-age=600"
            }
            let log = FetchLog()
            var configuration = RemoteJWKS.Configuration.roomy
            configuration.clock = clock.clock
            configuration.fetchObserver = log.observer
            let jwks = try RemoteJWKS(url: URL(string: provider.base + "/jwks")!, configuration: configuration)
            var policy = VerificationPolicy(issuer: "https://issuer.test", audience: nil)
            policy.clock = clock.clock
            let verifier = jwks.verifier(policy: policy)
            _ = try await verifier.verifyRefreshing(try k1.basicToken(now: clock.now))
            provider.update { $0.jwks = jwksDocument([k1, k2]) }
            clock.advance(31)  // past the cooldown, still fresh
            _ = try await verifier.verifyRefreshing(try k2.basicToken(now: clock.now))
            #expect(log.events.map(\.trigger) == [.initial, .unknownKey])
            #expect(log.events.map(\.outcome) == [.updated, .updated])
            #expect(jwks.statistics.unknownKeyRefreshes == 1)
        }
    }
}

@Suite struct FetchLogTests {
    func event(_ id: Int) -> FetchEvent {
        FetchEvent(
            document: .jwkSet, url: URL(string: "https://issuer.test/jwks")!, fetchID: id, trigger: .requested, conditional: false,
            startedAt: 0, finishedAt: 0, response: nil, outcome: .updated)
    }

    /// The log holds response bodies, so it is bounded: at its capacity it keeps everything, one past it drops
    /// the oldest.
    @Test func keepsAtMostItsCapacityDroppingTheOldest() {
        let log = FetchLog(capacity: 3)
        for id in 1...3 { log.record(event(id)) }
        #expect(log.events.map(\.fetchID) == [1, 2, 3])
        log.record(event(4))
        #expect(log.events.map(\.fetchID) == [2, 3, 4])
        #expect(FetchLog().capacity == 16)
        let none = FetchLog(capacity: -1)
        none.record(event(1))
        #expect(none.capacity == 0 && none.events.isEmpty)
    }
}
