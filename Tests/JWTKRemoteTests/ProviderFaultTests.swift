import Foundation
import JWTK
import JWTKRemote
import JWTKTestSupport
import Synchronization
import Testing

/// Provider faults that span several requests: a burst of 5xx answers, a key set that changes between two
/// requests, and one that changes while a request is in flight. The keyring must keep its last good keys and
/// its statistics must say exactly what happened.
extension RemoteJWKSTests {
    @Test func burstOf5xxKeepsTheLastGoodKeysThenRecoveryInstallsTheNewSet() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            let k2 = try TestIssuer(kid: "k2")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksCacheControl = "max-age=60"
            }
            let verifier = try source(provider).verifier(policy: policy)
            let old = try k1.basicToken(now: clock.now)
            let new = try k2.basicToken(now: clock.now)
            _ = try await verifier.verifyRefreshing(old)
            let loaded = verifier.source.statistics
            #expect(loaded.generation == 2 && loaded.updates == 1 && loaded.fetches == 1)

            // The provider rotates to {k1, k2} but answers the next three requests with 503.
            provider.update {
                $0.jwks = jwksDocument([k1, k2])
                $0.jwksBurstRemaining = 3
                $0.jwksBurstStatus = 503
            }
            clock.advance(61)
            for attempt in 1...3 {
                // Each attempt comes after the retry interval, so each one reaches the provider and fails.
                let jwt = try await verifier.verifyRefreshing(old)
                #expect(jwt.key.keyID == "k1")
                // The new key is not known yet, and the cooldown that follows the failure stops another fetch.
                await #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try await verifier.verifyRefreshing(new) }
                let stats = verifier.source.statistics
                #expect(stats.state == .stale)
                #expect(stats.fetches == 1 + attempt)
                #expect(stats.failures == attempt)
                #expect(stats.consecutiveFailures == attempt)
                #expect(stats.lastError?.code == .httpStatus)
                #expect(stats.lastError?.status == 503)
                #expect(stats.staleServes == 2 * attempt)  // both verifications of the attempt used the stale set
                #expect(stats.cooldownHits == attempt)
                #expect(stats.generation == loaded.generation)
                #expect(stats.keyCount == 1)
                #expect(stats.updates == 1)
                clock.advance(31)
            }
            #expect(provider.count("/jwks") == 4)

            // The burst is over: the next fetch installs the new set and clears the failure state.
            let jwt = try await verifier.verifyRefreshing(new)
            #expect(jwt.key.keyID == "k2")
            _ = try verifier.verify(old)
            let stats = verifier.source.statistics
            #expect(provider.count("/jwks") == 5)
            #expect(stats.state == .fresh)
            #expect(stats.fetches == 5)
            #expect(stats.updates == 2)
            #expect(stats.failures == 3)
            #expect(stats.consecutiveFailures == 0)
            #expect(stats.lastError == nil)
            #expect(stats.generation == loaded.generation + 1)
            #expect(stats.keyCount == 2)
            #expect(stats.staleServes == 6)
            #expect(stats.refusals == 0)
            #expect(stats.lastSuccessAt == clock.now)
        }
    }

    @Test func keySetChangedBetweenTwoRequestsRetiresTheOldKey() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            let k2 = try TestIssuer(kid: "k2")
            // The first response carries {k1}; right after it the provider publishes {k2} only.
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksAfterNextServe = jwksDocument([k2])
                $0.jwksCacheControl = "max-age=3600"
            }
            let verifier = try source(provider).verifier(policy: policy)
            let retired = try k1.basicToken(now: clock.now)
            let current = try k2.basicToken(now: clock.now)
            _ = try await verifier.verifyRefreshing(retired)
            #expect(provider.settings.withLock { $0.jwks } == jwksDocument([k2]))
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try verifier.verify(current) }
            clock.advance(31)  // past the unknown-kid cooldown
            #expect(try await verifier.verifyRefreshing(current).key.keyID == "k2")
            // The withdrawn key stops verifying as soon as the new snapshot is installed.
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try verifier.verify(retired) }
            // Within the cooldown: no second refresh.
            await #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try await verifier.verifyRefreshing(retired) }
            let stats = verifier.source.statistics
            #expect(verifier.source.keyring.keys.map(\.keyID) == ["k2"])
            #expect(stats.fetches == 2)
            #expect(stats.updates == 2)
            #expect(stats.unknownKeyRefreshes == 1)
            #expect(stats.cooldownHits == 1)
            #expect(stats.failures == 0)
            #expect(stats.generation == 3)
            #expect(provider.count("/jwks") == 2)
        }
    }

    @Test func keySetChangedWhileARequestIsInFlightInstallsExactlyWhatWasServed() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            let k2 = try TestIssuer(kid: "k2")
            provider.update {
                $0.jwks = jwksDocument([k1])
                $0.jwksCacheControl = "max-age=3600"
                $0.jwksFault = .delay(seconds: 1.5)
            }
            let jwks = try source(provider)
            async let first = jwks.refresh()
            #expect(await eventually(within: 10) { provider.count("/jwks") == 1 })
            // The request has been read (and answers with the set it saw); the provider rotates meanwhile.
            provider.update {
                $0.jwks = jwksDocument([k2])
                $0.jwksFault = .none
            }
            async let joined = jwks.refresh()  // joins the fetch in flight instead of starting another
            #expect(try await first == .updated(keyCount: 1))
            #expect(try await joined == .updated(keyCount: 1))
            #expect(provider.count("/jwks") == 1)
            #expect(jwks.keyring.keys.map(\.keyID) == ["k1"])
            #expect(jwks.statistics.generation == 2)
            #expect(jwks.statistics.fetches == 1)

            #expect(try await jwks.refresh() == .updated(keyCount: 1))
            #expect(jwks.keyring.keys.map(\.keyID) == ["k2"])
            let stats = jwks.statistics
            #expect(stats.generation == 3)
            #expect(stats.fetches == 2)
            #expect(stats.updates == 2)
            #expect(stats.failures == 0)
            #expect(provider.count("/jwks") == 2)
        }
    }

    @Test func keySetOverTheJWKSLimitsIsAFailedFetchThatKeepsTheLastGoodKeys() async throws {
        try await TestProvider.with { provider in
            let issuers = try (0..<4).map { try TestIssuer(kid: "k\($0)") }
            provider.update {
                $0.jwks = jwksDocument(Array(issuers.prefix(3)))
                $0.jwksCacheControl = "max-age=60"
            }
            let jwks = try source(provider) { $0.jwksLimits.maxKeys = 3 }
            #expect(try await jwks.refresh() == .updated(keyCount: 3))  // exactly at the limit
            provider.update { $0.jwks = jwksDocument(issuers) }  // one past it
            let error = await #expect(throws: JWTKRemoteError(.invalidDocument)) { try await jwks.refresh() }
            #expect(error?.underlying?.code == .limitExceeded)
            let stats = jwks.statistics
            #expect(stats.keyCount == 3)
            #expect(stats.generation == 2)
            #expect(stats.failures == 1)
            #expect(stats.lastError?.underlying?.code == .limitExceeded)
            let verifier = jwks.verifier(policy: policy)
            _ = try verifier.verify(try issuers[0].basicToken(now: clock.now))
        }
    }
}
