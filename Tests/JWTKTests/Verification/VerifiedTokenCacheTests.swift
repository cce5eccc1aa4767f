import Foundation
import JWTK
import Testing

/// `VerifiedTokenCache`: every rule that can end an entry, the bound at its value and one past it, exact-byte
/// keys, and many threads at once. The clock is the only fake (a settable time).
@Suite struct VerifiedTokenCacheTests {
    static let secret = Array("a-32-byte-hmac-secret-for-tests!".utf8)
    static let otherSecret = Array("another-32-byte-secret-for-tests".utf8)
    static let start = 1_767_225_600.0  // 2026-01-01T00:00:00Z

    /// A settable clock shared with the verifier's policy.
    final class TestClock: Sendable {
        let time = Locked(VerifiedTokenCacheTests.start)
        var clock: JWTClock { JWTClock { [time] in time.withLock { $0 } } }
        func set(_ seconds: Double) { time.withLock { $0 = seconds } }
    }

    static func token(jti: String = "j1", exp: Double? = start + 600, nbf: Double? = nil, secret: [UInt8] = secret) throws -> String {
        var claims = "{\"iss\":\"https://issuer.example\",\"aud\":\"client\",\"sub\":\"u1\",\"jti\":\"\(jti)\""
        if let exp { claims += ",\"exp\":\(Int(exp))" }
        if let nbf { claims += ",\"nbf\":\(Int(nbf))" }
        claims += "}"
        return try JWTSigner(key: SigningKey(hmacSecret: secret, keyID: "k1"), algorithm: .HS256).sign(claims: claims)
    }

    static func verifier(_ clock: TestClock, keyring: Keyring? = nil) throws -> JWTVerifier {
        var policy = VerificationPolicy(issuer: "https://issuer.example", audience: "client")
        policy.algorithms = [.HS256]
        policy.clock = clock.clock
        let ring = try keyring ?? Keyring(keys: [VerificationKey(hmacSecret: secret, keyID: "k1")])
        return JWTVerifier(keyring: ring, policy: policy)
    }

    static func code(_ body: () throws(JWTKError) -> VerifiedJWT) -> JWTKError.Code? {
        do throws(JWTKError) {
            _ = try body()
            return nil
        } catch { return error.code }
    }

    @Test func secondVerificationIsAHitWithTheSameResult() throws {
        let clock = TestClock()
        let verifier = try Self.verifier(clock)
        let cache = try VerifiedTokenCache(capacity: 4)
        let token = try Self.token()
        let first = try verifier.verify(token, cache: cache)
        let second = try verifier.verify(token, cache: cache)
        #expect(try first.claims.jwtID == "j1")
        #expect(try second.claims.jwtID == "j1")
        #expect(second.claims.payload == first.claims.payload)
        #expect(second.algorithm == .HS256)
        #expect(cache.statisticsForCurrentThread == .init(hits: 1, misses: 1, count: 1))
    }

    @Test func expiryIsCheckedOnEveryHitAndEndsTheEntry() throws {
        let clock = TestClock()
        let verifier = try Self.verifier(clock)
        let cache = try VerifiedTokenCache()
        let token = try Self.token(exp: Self.start + 60)
        _ = try verifier.verify(token, cache: cache)
        clock.set(Self.start + 59)
        _ = try verifier.verify(token, cache: cache)
        #expect(cache.statisticsForCurrentThread.hits == 1)
        clock.set(Self.start + 60)
        let fresh = Self.code { () throws(JWTKError) in try verifier.verify(token) }
        #expect(fresh == .expired)
        #expect(Self.code { () throws(JWTKError) in try verifier.verify(token, cache: cache) } == fresh)
        #expect(cache.statisticsForCurrentThread.count == 0)
        // Back in time (a clock step): a full verification again, not a stale verdict.
        clock.set(Self.start + 10)
        _ = try verifier.verify(token, cache: cache)
        #expect(cache.statisticsForCurrentThread.misses == 2)
    }

    @Test func notBeforeIsCheckedOnEveryHit() throws {
        let clock = TestClock()
        let verifier = try Self.verifier(clock)
        let cache = try VerifiedTokenCache()
        let token = try Self.token(nbf: Self.start)
        _ = try verifier.verify(token, cache: cache)
        clock.set(Self.start - 1)
        #expect(Self.code { () throws(JWTKError) in try verifier.verify(token, cache: cache) } == .notYetValid)
        #expect(Self.code { () throws(JWTKError) in try verifier.verify(token) } == .notYetValid)
    }

    @Test func keyRotationEndsEveryEntry() throws {
        let clock = TestClock()
        let keyring = Keyring(keys: [try VerificationKey(hmacSecret: Self.secret, keyID: "k1")])
        let verifier = try Self.verifier(clock, keyring: keyring)
        let cache = try VerifiedTokenCache()
        let token = try Self.token()
        _ = try verifier.verify(token, cache: cache)
        _ = try verifier.verify(token, cache: cache)
        #expect(cache.statisticsForCurrentThread.hits == 1)
        // The same kid, another secret: the cached verdict must not survive.
        keyring.replaceKeys([try VerificationKey(hmacSecret: Self.otherSecret, keyID: "k1")])
        #expect(Self.code { () throws(JWTKError) in try verifier.verify(token, cache: cache) } == .signatureInvalid)
        #expect(Self.code { () throws(JWTKError) in try verifier.verify(token) } == .signatureInvalid)
        // Rotating back verifies again (a miss), then hits.
        keyring.replaceKeys([try VerificationKey(hmacSecret: Self.secret, keyID: "k1")])
        _ = try verifier.verify(token, cache: cache)
        _ = try verifier.verify(token, cache: cache)
        #expect(cache.statisticsForCurrentThread == .init(hits: 2, misses: 3, count: 1))
    }

    @Test func policyChangeEndsEveryEntry() throws {
        let clock = TestClock()
        var verifier = try Self.verifier(clock)
        let cache = try VerifiedTokenCache()
        let token = try Self.token()
        _ = try verifier.verify(token, cache: cache)
        verifier.policy.audiences = ["another-client"]
        #expect(Self.code { () throws(JWTKError) in try verifier.verify(token, cache: cache) } == .audienceMismatch)
        #expect(cache.statisticsForCurrentThread.hits == 0)
        // A second verifier over the same keyring and an equal policy has its own identity too.
        let other = JWTVerifier(keyring: verifier.keyring, policy: try Self.verifier(clock).policy)
        _ = try other.verify(token, cache: cache)
        #expect(cache.statisticsForCurrentThread.misses == 3)
    }

    @Test func capacityAtItsValueAndOnePast() throws {
        let clock = TestClock()
        let verifier = try Self.verifier(clock)
        let capacity = 3
        let cache = try VerifiedTokenCache(capacity: capacity)
        let tokens = try (0...capacity).map { try Self.token(jti: "j\($0)") }
        for token in tokens.prefix(capacity) { _ = try verifier.verify(token, cache: cache) }
        #expect(cache.statisticsForCurrentThread.count == capacity)
        for token in tokens.prefix(capacity) { _ = try verifier.verify(token, cache: cache) }
        #expect(cache.statisticsForCurrentThread == .init(hits: capacity, misses: capacity, count: capacity))
        // One past: the oldest entry goes, the count stays at the capacity.
        _ = try verifier.verify(tokens[capacity], cache: cache)
        #expect(cache.statisticsForCurrentThread.count == capacity)
        _ = try verifier.verify(tokens[0], cache: cache)
        #expect(cache.statisticsForCurrentThread.misses == capacity + 2)
        // Churn far beyond the capacity stays bounded.
        for round in 0..<50 { _ = try verifier.verify(tokens[round % tokens.count], cache: cache) }
        #expect(cache.statisticsForCurrentThread.count == capacity)
    }

    @Test(arguments: [0, -1, VerifiedTokenCache.maxCapacity + 1])
    func capacityOutOfRangeIsRefused(_ capacity: Int) {
        #expect(throws: JWTKError.self) { try VerifiedTokenCache(capacity: capacity) }
        do { _ = try VerifiedTokenCache(capacity: capacity) } catch { #expect(error.code == .invalidArgument) }
    }

    @Test func capacityAtTheLimitsIsAccepted() throws {
        #expect(try VerifiedTokenCache(capacity: 1).capacity == 1)
        #expect(try VerifiedTokenCache(capacity: VerifiedTokenCache.maxCapacity).capacity == VerifiedTokenCache.maxCapacity)
    }

    @Test func failuresAndTokensWithoutExpAreNotCached() throws {
        let clock = TestClock()
        var verifier = try Self.verifier(clock)
        let cache = try VerifiedTokenCache()
        let forged = try Self.token(secret: Self.otherSecret)
        for _ in 0..<2 {
            #expect(Self.code { () throws(JWTKError) in try verifier.verify(forged, cache: cache) } == .signatureInvalid)
        }
        verifier.policy.requiresExpiration = false
        let noExp = try Self.token(exp: nil)
        _ = try verifier.verify(noExp, cache: cache)
        _ = try verifier.verify(noExp, cache: cache)
        #expect(cache.statisticsForCurrentThread == .init(hits: 0, misses: 4, count: 0))
    }

    @Test func keysAreExactBytesNotCanonicalEquivalence() throws {
        let clock = TestClock()
        let verifier = try Self.verifier(clock)
        let cache = try VerifiedTokenCache()
        let token = try Self.token()
        _ = try verifier.verify(token, cache: cache)
        // U+212A KELVIN SIGN is canonically equivalent to "K": equal as Swift Strings, different bytes.
        let k = try #require(token.firstIndex(of: "K"))
        var twin = token
        twin.replaceSubrange(k...k, with: "\u{212A}")
        #expect(twin == token)
        let fresh = Self.code { () throws(JWTKError) in try verifier.verify(twin) }
        #expect(fresh != nil)
        #expect(Self.code { () throws(JWTKError) in try verifier.verify(twin, cache: cache) } == fresh)
    }

    @Test func manyThreadsHitAndRotateSafely() async throws {
        let clock = TestClock()
        let keyring = Keyring(keys: [try VerificationKey(hmacSecret: Self.secret, keyID: "k1")])
        let verifier = try Self.verifier(clock, keyring: keyring)
        let cache = try VerifiedTokenCache(capacity: 8)
        let tokens = try (0..<12).map { try Self.token(jti: "t\($0)") }
        let failures = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var failures = 0
                    for i in 0..<400 {
                        let token = tokens[(i + worker) % tokens.count]
                        do throws(JWTKError) {
                            let jwt = try verifier.verify(token, cache: cache)
                            if jwt.claims.payload.isEmpty { failures += 1 }
                        } catch { failures += 1 }
                        // The same keys again: a new generation with equal keys; verdicts stay valid.
                        if worker == 0, i % 50 == 0 { keyring.replaceKeys(keyring.keys) }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }
}
