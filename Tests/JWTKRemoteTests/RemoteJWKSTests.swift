import Foundation
import JWTK
import JWTKRemote
import JWTKTestSupport
import Logging
import Testing

@Suite struct RemoteJWKSTests {
    let clock = ManualClock()
    let logs = LogCapture()

    func source(
        _ provider: TestProvider, path: String = "/jwks", _ adjust: (inout RemoteJWKS.Configuration) -> Void = { _ in }
    ) throws
        -> RemoteJWKS
    {
        var configuration = RemoteJWKS.Configuration.roomy
        configuration.clock = clock.clock
        configuration.logger = logs.logger
        adjust(&configuration)
        return try RemoteJWKS(url: URL(string: provider.base + path)!, configuration: configuration)
    }

    var policy: VerificationPolicy {
        var policy = VerificationPolicy(issuer: "https://issuer.test", audience: nil)
        policy.clock = clock.clock
        return policy
    }

    @Test func cachedKeysAreReusedUntilMaxAgeExpires() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksCacheControl = "public, max-age=300"
            }
            let verifier = try source(provider).verifier(policy: policy)
            let token = try k1.basicToken(now: clock.now)
            for _ in 0..<5 { _ = try await verifier.verifyRefreshing(token) }
            #expect(provider.count("/jwks") == 1)
            clock.advance(299)
            _ = try await verifier.verifyRefreshing(token)
            #expect(provider.count("/jwks") == 1)
            clock.advance(2)
            _ = try await verifier.verifyRefreshing(token)
            #expect(provider.count("/jwks") == 2)
            #expect(verifier.source.statistics.updates == 2)
        }
    }

    @Test func tooShortMaxAgeIsRaisedToTheMinimumTTL() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksCacheControl = "max-age=1"
            }
            let verifier = try source(provider).verifier(policy: policy)
            let token = try k1.basicToken(now: clock.now)
            _ = try await verifier.verifyRefreshing(token)
            clock.advance(59)
            _ = try await verifier.verifyRefreshing(token)
            #expect(provider.count("/jwks") == 1)
            clock.advance(2)
            _ = try await verifier.verifyRefreshing(token)
            #expect(provider.count("/jwks") == 2)
        }
    }

    @Test func responseWithoutCacheHeadersUsesTheDefaultTTL() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update { $0.jwks = jwksDocument([k1]) }
            let jwks = try source(provider)
            try await jwks.refresh()
            #expect(jwks.statistics.freshUntil == clock.now + 600)
        }
    }

    @Test func expiresHeaderSetsTheFreshnessWhenThereIsNoMaxAge() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksDate = "Thu, 01 Jan 2026 00:00:00 GMT"
                $0.jwksExpires = "Thu, 01 Jan 2026 00:05:00 GMT"
            }
            let jwks = try source(provider)
            try await jwks.refresh()
            #expect(jwks.statistics.freshUntil == clock.now + 300)
        }
    }

    @Test func notModifiedResponseKeepsTheKeySet() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksCacheControl = "max-age=120"
                $0.jwksETag = #""v1""#
            }
            let verifier = try source(provider).verifier(policy: policy)
            let token = try k1.basicToken(now: clock.now)
            _ = try await verifier.verifyRefreshing(token)
            #expect(provider.lastHeaders("/jwks")["if-none-match"] == nil)
            let generation = verifier.source.keyring.generation
            clock.advance(121)
            _ = try await verifier.verifyRefreshing(token)
            #expect(provider.count("/jwks") == 2)
            #expect(provider.lastHeaders("/jwks")["if-none-match"] == #""v1""#)
            let stats = verifier.source.statistics
            #expect(stats.notModified == 1)
            #expect(stats.updates == 1)
            #expect(stats.state == .fresh)
            #expect(verifier.source.keyring.generation == generation)
            #expect(stats.freshUntil == clock.now + 120)
            #expect(logs.contains("304"))
        }
    }

    @Test func requestsCarryAcceptAndUserAgentNamingJWTK() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update { $0.jwks = jwksDocument([k1]) }
            try await source(provider).refresh()
            let headers = provider.lastHeaders("/jwks")
            #expect(headers["accept"] == "application/json")
            #expect(headers["user-agent"] == "jwtk/\(JWTKLibrary.version)")
        }
    }

    @Test func unknownKidTriggersARefreshThatPicksUpARotatedKey() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            let k2 = try TestIssuer(kid: "k2")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksCacheControl = "max-age=3600"
            }
            let verifier = try source(provider).verifier(policy: policy)
            _ = try await verifier.verifyRefreshing(try k1.basicToken(now: clock.now))
            let rotated = try k2.basicToken(now: clock.now)
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try verifier.verify(rotated) }
            provider.update { $0.jwks = jwksDocument([k1, k2]) }
            clock.advance(31)  // past the cooldown that follows the first fetch
            let jwt = try await verifier.verifyRefreshing(rotated)
            #expect(jwt.key.keyID == "k2")
            #expect(provider.count("/jwks") == 2)
            #expect(verifier.source.statistics.unknownKeyRefreshes == 1)
            #expect(try verifier.verify(rotated).key.keyID == "k2")
        }
    }

    @Test func cooldownLimitsRefreshesUnderAFloodOfForgedKids() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksCacheControl = "max-age=3600"
            }
            let verifier = try source(provider).verifier(policy: policy)
            _ = try await verifier.verifyRefreshing(try k1.basicToken(now: clock.now))
            clock.advance(31)
            for i in 0..<40 {
                let forged = try k1.renamed("forged-\(i)").basicToken(now: clock.now)
                await #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try await verifier.verifyRefreshing(forged) }
                clock.advance(0.5)  // 20 s of flood in total, inside one 30 s cooldown
            }
            #expect(provider.count("/jwks") == 2)
            let stats = verifier.source.statistics
            #expect(stats.unknownKeyRefreshes == 1)
            #expect(stats.cooldownHits == 39)
            clock.advance(11)  // the cooldown has passed: one more refresh is allowed
            let forged = try k1.renamed("forged-late").basicToken(now: clock.now)
            await #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try await verifier.verifyRefreshing(forged) }
            #expect(provider.count("/jwks") == 3)
        }
    }

    @Test func concurrentFirstVerificationsShareOneFetch() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksFault = .delay(seconds: 0.3)
            }
            let verifier = try source(provider).verifier(policy: policy)
            let token = try k1.basicToken(now: clock.now)
            let kids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<25 { group.addTask { try await verifier.verifyRefreshing(token).key.keyID } }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(kids.count == 25 && kids.allSatisfy { $0 == "k1" })
            #expect(provider.count("/jwks") == 1)
        }
    }

    @Test func concurrentUnknownKidVerificationsCauseExactlyOneFetchEvenWithoutCooldown() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            let k2 = try TestIssuer(kid: "k2")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksCacheControl = "max-age=3600"
            }
            let verifier = try source(provider) { $0.unknownKeyCooldown = 0 }.verifier(policy: policy)
            _ = try await verifier.verifyRefreshing(try k1.basicToken(now: clock.now))
            provider.update {
                $0.jwks = jwksDocument([k1, k2])
                $0.jwksFault = .delay(seconds: 0.3)
            }
            let token = try k2.basicToken(now: clock.now)
            let kids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<25 { group.addTask { try await verifier.verifyRefreshing(token).key.keyID } }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(kids.count == 25 && kids.allSatisfy { $0 == "k2" })
            #expect(provider.count("/jwks") == 2)
        }
    }

    static let faults: [(TestProvider.Fault, JWTKRemoteError.Code)] = [
        (.status(500), .httpStatus),
        (.status(503), .httpStatus),
        (.garbage, .invalidDocument),
        (.oversize(bytes: 2 << 20), .responseTooLarge),
        (.wrongContentType, .unexpectedContentType),
        (.noUsableKeys, .invalidDocument),
        (.notAKeySet, .invalidDocument),
        (.oversizeChunked(bytes: 2 << 20), .responseTooLarge),
        (.delay(seconds: 30), .timeout),
        (.slowBody(chunks: 8, interval: 4), .timeout),
        (.truncatedBody(sent: 40), .timeout),
        (.closedMidBody(sent: 40), .fetchFailed),
        (.closedMidBody(sent: 0), .fetchFailed),
        (.closedMidChunkedBody(sent: 40), .fetchFailed),
    ]

    @Test(arguments: faults)
    func failedRefreshKeepsTheLastGoodKeysAndIsObservable(fault: TestProvider.Fault, expected: JWTKRemoteError.Code) async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksCacheControl = "max-age=60"
            }
            // The slow faults take 30 s or more, so 20 s times them out and still leaves a cold first fetch
            // room under a sanitizer on a busy pool (see roomyTimeout); the other faults need no timeout.
            let timeout = expected == .timeout ? 20 : roomyTimeout
            let verifier = try source(provider) { $0.timeout = timeout }.verifier(policy: policy)
            let token = try k1.basicToken(now: clock.now)
            _ = try await verifier.verifyRefreshing(token)
            let before = verifier.source.statistics
            provider.update { $0.jwksFault = fault }
            clock.advance(61)
            let jwt = try await verifier.verifyRefreshing(token)  // the refresh fails; the last good key still verifies
            #expect(jwt.key.keyID == "k1")
            #expect(provider.count("/jwks") == 2)
            let stats = verifier.source.statistics
            #expect(stats.lastError?.code == expected)
            #expect(stats.fetches == 2)
            #expect(stats.updates == 1)
            #expect(stats.notModified == 0)
            #expect(stats.failures == 1)
            #expect(stats.consecutiveFailures == 1)
            #expect(stats.state == .stale)
            #expect(stats.staleServes == 1)
            #expect(stats.refusals == 0)
            #expect(stats.keyCount == 1)
            #expect(stats.generation == before.generation)  // the failed fetch replaced nothing
            #expect(stats.lastSuccessAt == before.lastSuccessAt)
            #expect(logs.contains("JWK Set fetch failed: \(expected.rawValue)", atLeast: .error))
            #expect(logs.contains("serving stale keys", atLeast: .warning))
            _ = try verifier.verify(token)  // the synchronous path serves the stale key too
            // No background refresh inside the retry interval: the stale serve is counted, nothing is fetched.
            #expect(verifier.source.statistics.staleServes == 2)
            #expect(verifier.source.statistics.fetches == 2)
        }
    }

    @Test func staleKeysAreRefusedOnceTheMaximumStalenessIsReached() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksCacheControl = "max-age=60"
            }
            let verifier = try source(provider) { $0.maxStaleness = 600 }.verifier(policy: policy)
            let token = try k1.basicToken(now: clock.now)
            _ = try await verifier.verifyRefreshing(token)
            provider.update { $0.jwksFault = .status(500) }
            clock.advance(60 + 599)
            _ = try await verifier.verifyRefreshing(token)  // within the staleness bound
            clock.advance(2)
            await #expect(throws: JWTKRemoteError(.staleKeys)) { try await verifier.verifyRefreshing(token) }
            #expect(throws: JWTKRemoteError(.staleKeys)) { try verifier.verify(token) }
            let stats = verifier.source.statistics
            #expect(stats.state == .expired)
            #expect(stats.refusals == 2)
            #expect(stats.lastError?.code == .httpStatus)
            #expect(logs.contains("refusing to verify", atLeast: .error))
            // The provider recovers: the next allowed refresh restores service.
            provider.update { $0.jwksFault = .none }
            clock.advance(31)
            _ = try await verifier.verifyRefreshing(token)
            #expect(verifier.source.statistics.state == .fresh)
            #expect(verifier.source.statistics.lastError == nil)
        }
    }

    @Test func firstFetchFailureIsThrownWithItsStatus() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.jwksFault = .status(500) }
            let verifier = try source(provider).verifier(policy: policy)
            let token = try TestIssuer(kid: "k1").basicToken(now: clock.now)
            do {
                _ = try await verifier.verifyRefreshing(token)
                Issue.record("expected a failure")
            } catch let error as JWTKRemoteError {
                #expect(error.code == .httpStatus)
                #expect(error.status == 500)
            }
            // Within the retry interval, no new request: the failure is reported from memory.
            await #expect(throws: JWTKRemoteError(.notLoaded)) { try await verifier.verifyRefreshing(token) }
            #expect(provider.count("/jwks") == 1)
        }
    }

    @Test func synchronousVerifyNeverTouchesTheNetwork() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksCacheControl = "max-age=60"
            }
            let verifier = try source(provider) { $0.refreshesInBackground = false }.verifier(policy: policy)
            let token = try k1.basicToken(now: clock.now)
            #expect(throws: JWTKRemoteError(.notLoaded)) { try verifier.verify(token) }
            #expect(provider.count("/jwks") == 0)
            try await verifier.source.refresh()
            for _ in 0..<100 { _ = try verifier.verify(token) }
            let forged = try k1.renamed("forged").basicToken(now: clock.now)
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try verifier.verify(forged) }
            clock.advance(120)  // expired but within the staleness bound: served, still no request
            _ = try verifier.verify(token)
            try await Task.sleep(for: .milliseconds(100))
            #expect(provider.count("/jwks") == 1)
        }
    }

    @Test func synchronousVerifyOfExpiredKeysStartsABackgroundRefresh() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksCacheControl = "max-age=60"
            }
            let verifier = try source(provider).verifier(policy: policy)
            let token = try k1.basicToken(now: clock.now)
            try await verifier.source.refresh()
            clock.advance(61)
            _ = try verifier.verify(token)
            #expect(await eventually { verifier.source.statistics.state == .fresh })
            #expect(provider.count("/jwks") == 2)
        }
    }

    @Test func skippedKeysAreCountedAndLogged() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update { $0.jwks = jwksDocument([k1], extra: [#"{"kty":"XYZ","kid":"strange"}"#]) }
            let jwks = try source(provider)
            #expect(try await jwks.refresh() == .updated(keyCount: 1))
            #expect(jwks.statistics.skippedKeys == 1)
            #expect(jwks.statistics.skippedKeyDetails.map(\.keyID) == ["strange"])
            #expect(logs.contains("skipped a key", atLeast: .warning))
        }
    }

    @Test func sameOriginRedirectIsFollowed() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update { $0.jwks = jwksDocument([k1]) }
            let jwks = try source(provider, path: "/redirect-same")
            #expect(try await jwks.refresh() == .updated(keyCount: 1))
            #expect(provider.count("/jwks") == 1)
        }
    }

    @Test func redirectToAnotherOriginIsRefusedWithoutFollowingIt() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update { $0.jwks = jwksDocument([k1]) }
            let jwks = try source(provider, path: "/redirect-other")
            await #expect(throws: JWTKRemoteError(.redirectRefused)) { try await jwks.refresh() }
            #expect(provider.count("/redirect-other") == 1)
            #expect(provider.count("/jwks") == 0)
            #expect(jwks.statistics.lastError?.code == .redirectRefused)
        }
    }
}
