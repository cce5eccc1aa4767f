import Foundation
import JWTK
import Testing

/// What a `VerifiedTokenCache` hit does and does not do: it re-checks every time rule against the clock (and
/// gives the error a fresh verification gives when one no longer passes), it matches entries by every byte of
/// the token although it hashes only the tail, and it hands out the thread's own verified object without
/// touching the shared key's reference count.
@Suite struct VerifiedTokenCacheHitTests {
    typealias Base = VerifiedTokenCacheTests
    static let start = Base.start

    static func token(_ claims: String) throws -> String {
        try JWTSigner(key: SigningKey(hmacSecret: Base.secret, keyID: "k1"), algorithm: .HS256).sign(claims: claims)
    }

    static func claims(_ extra: String) -> String {
        "{\"iss\":\"https://issuer.example\",\"aud\":\"client\",\"sub\":\"u1\",\"exp\":\(Int(start + 3600))\(extra)}"
    }

    static func result(_ body: () throws(JWTKError) -> VerifiedJWT) -> String {
        do throws(JWTKError) {
            let jwt = try body()
            return "ok " + jwt.claims.json.serialized(sortKeys: true)
        } catch {
            return "\(error.code.rawValue) at \(error.step.map(\.rawValue) ?? "?"): \(error.message)"
        }
    }

    /// A hit at every clock time, under every time policy, says what a fresh verification says: same code,
    /// step and message, or the same claims.
    @Test func everyHitAgreesWithAFreshVerificationAsTheClockMoves() throws {
        struct Case {
            let extra: String
            let configure: @Sendable (inout VerificationPolicy) -> Void
        }
        let iat = Int(Self.start)
        let cases: [Case] = [
            Case(extra: "", configure: { _ in }),
            Case(extra: ",\"iat\":\(iat)", configure: { $0.maxTokenAge = 100 }),
            Case(
                extra: ",\"iat\":\(iat)",
                configure: {
                    $0.maxTokenAge = 100; $0.leeway = 30
                }),
            Case(extra: ",\"nbf\":\(iat)", configure: { _ in }),
            Case(extra: ",\"nbf\":\(iat),\"iat\":\(iat)", configure: { $0.leeway = 5 }),
            Case(extra: ",\"auth_time\":\(iat)", configure: { $0.maxAuthenticationAge = 100 }),
            Case(extra: ",\"nonce\":\"n-1\"", configure: { $0.nonce = "n-1" }),
        ]
        // Forward, past every limit, then back before nbf/iat (a clock step).
        let offsets: [Double] = [0, 50, 99, 100, 101, 129, 131, 3599, 3600, 3601, 10, -1, -6, -100, .nan, .infinity, -.infinity]
        var hits = 0
        for (index, testCase) in cases.enumerated() {
            let clock = Base.TestClock()
            var verifier = try Base.verifier(clock)
            testCase.configure(&verifier.policy)
            let token = try Self.token(Self.claims(testCase.extra))
            for offset in offsets {
                let cache = try VerifiedTokenCache()
                clock.set(Self.start)
                let first = Self.result { () throws(JWTKError) in try verifier.verify(token, cache: cache) }
                #expect(first.hasPrefix("ok"), "case \(index): \(first)")
                clock.set(Self.start + offset)
                let fresh = Self.result { () throws(JWTKError) in try verifier.verify(token) }
                let cached = Self.result { () throws(JWTKError) in try verifier.verify(token, cache: cache) }
                #expect(cached == fresh, "case \(index), offset \(offset)")
                let statistics = cache.statisticsForCurrentThread
                if fresh.hasPrefix("ok") {
                    #expect(statistics == .init(hits: 1, misses: 1, count: 1), "case \(index), offset \(offset)")
                    hits += 1
                } else {
                    // The entry is dropped: the next use is a full verification.
                    #expect(statistics == .init(hits: 0, misses: 1, count: 0), "case \(index), offset \(offset)")
                }
            }
        }
        #expect(hits > 0)
    }

    /// Only the tail of the token is hashed: a token that ends with a cached token's signature (same length,
    /// same tail) but carries another payload is a different entry, verified in full, and refused.
    @Test func aCachedSignatureOnAnotherPayloadIsNotAHit() throws {
        let clock = Base.TestClock()
        let verifier = try Base.verifier(clock)
        let cache = try VerifiedTokenCache()
        let genuine = try Self.token(Self.claims(",\"jti\":\"j1\""))
        let other = try Self.token(Self.claims(",\"jti\":\"j2\""))
        let genuineParts = genuine.split(separator: ".", omittingEmptySubsequences: false)
        let otherParts = other.split(separator: ".", omittingEmptySubsequences: false)
        let spliced = "\(genuineParts[0]).\(otherParts[1]).\(genuineParts[2])"
        #expect(spliced.utf8.count == genuine.utf8.count)
        #expect(spliced != genuine)
        _ = try verifier.verify(genuine, cache: cache)
        #expect(Base.code { () throws(JWTKError) in try verifier.verify(spliced, cache: cache) } == .signatureInvalid)
        #expect(cache.statisticsForCurrentThread == .init(hits: 0, misses: 2, count: 1))
        // The genuine token is still a hit.
        #expect(try verifier.verify(genuine, cache: cache).claims.jwtID == "j1")
        #expect(cache.statisticsForCurrentThread == .init(hits: 1, misses: 2, count: 1))
    }

    /// A hit returns the object this thread's verification made: holding any number of hits adds no
    /// reference to the key (which every thread shares), so threads on hits do not contend on its count.
    @Test func hitsDoNotRetainTheSharedKey() throws {
        let clock = Base.TestClock()
        let key = try VerificationKey(hmacSecret: Base.secret, keyID: "k1")
        var policy = try Base.verifier(clock).policy
        policy.algorithms = [.HS256]
        let verifier = JWTVerifier(keys: [key], policy: policy)
        let cache = try VerifiedTokenCache()
        let token = try Self.token(Self.claims(""))
        let first = try verifier.verify(token, cache: cache)
        #expect(first.key === key)
        let before = _getRetainCount(key)
        var held: [VerifiedJWT] = []
        for _ in 0..<16 { held.append(try verifier.verify(token, cache: cache)) }
        #expect(_getRetainCount(key) == before)
        #expect(held.allSatisfy { $0.key === key })
        #expect(cache.statisticsForCurrentThread.hits == 16)
    }

    /// The policy's clock is caller code: one that verifies with nine other caches on the same thread evicts
    /// (and frees) this cache's table of the thread. A hit holds that table unretained, so the clock runs before
    /// the table is looked up, and the slow path (the validator reads the clock again) holds it strongly. Under
    /// AddressSanitizer (`make test-asan`) a use of the freed table is a report; here the verdicts must be right.
    @Test func aClockThatUsesOtherCachesCannotFreeTheTableInUse() throws {
        let base = Base.TestClock()
        let inner = try Base.verifier(base)
        let innerToken = try Self.token(Self.claims(",\"jti\":\"inner\""))
        // Counts down the clock reads after which the clock evicts; 0 means "do not evict".
        let evictOnRead = Locked(0)
        let evicting = JWTClock {
            let evict = evictOnRead.withLock { countdown -> Bool in
                guard countdown > 0 else { return false }
                countdown -= 1
                return countdown == 0
            }
            if evict {
                for _ in 0..<9 {
                    let other = try! VerifiedTokenCache(capacity: 1)
                    _ = try? inner.verify(innerToken, cache: other)
                    _ = other.statisticsForCurrentThread
                }
            }
            return base.time.withLock { $0 }
        }
        var verifier = try Base.verifier(base)
        verifier.policy.clock = evicting
        let cache = try VerifiedTokenCache()
        let token = try Self.token(Self.claims(""))
        _ = try verifier.verify(token, cache: cache)
        _ = try verifier.verify(token, cache: cache)
        #expect(cache.statisticsForCurrentThread == .init(hits: 1, misses: 1, count: 1))
        // The first clock read of this verification evicts: the table is looked up after it (a fresh one).
        evictOnRead.withLock { $0 = 1 }
        #expect(try verifier.verify(token, cache: cache).claims.subject == "u1")
        // Hit, then the time check fails and the validator's clock read evicts: the error is still exact.
        _ = try verifier.verify(token, cache: cache)
        base.set(Self.start + 3601)
        evictOnRead.withLock { $0 = 2 }
        #expect(Base.code { () throws(JWTKError) in try verifier.verify(token, cache: cache) } == .expired)
        evictOnRead.withLock { $0 = 0 }
        #expect(Base.code { () throws(JWTKError) in try verifier.verify(token) } == .expired)
    }

    /// Reading a cache's statistics never makes a table (which could evict another cache's table).
    @Test func statisticsOfAnUnusedCacheAreZeroAndMakeNoTable() throws {
        let unused = try VerifiedTokenCache()
        #expect(unused.statisticsForCurrentThread == .init(hits: 0, misses: 0, count: 0))
    }

    /// `VerifiedJWT` and `JOSEHeader` are one reference each: copying a verified token (a cache hit) or a
    /// cached header costs one reference-count operation, not one per string member.
    @Test func verifiedTokenAndHeaderAreOneReference() {
        #expect(MemoryLayout<VerifiedJWT>.size == MemoryLayout<AnyObject>.size)
        #expect(MemoryLayout<JOSEHeader>.size == MemoryLayout<AnyObject>.size)
    }

    /// `dump`, `Mirror` and debuggers still show the parts, not the private object that holds them.
    @Test func mirrorsShowThePartsNotTheStorage() throws {
        let clock = Base.TestClock()
        let jwt = try Base.verifier(clock).verify(try Self.token(Self.claims("")))
        #expect(Mirror(reflecting: jwt).children.map(\.label) == ["header", "claims", "algorithm", "key"])
        #expect(
            Mirror(reflecting: jwt.header).children.map(\.label) == [
                "algorithmName", "keyID", "type", "contentType", "critical", "base64URLEncodePayload", "json",
            ])
    }
}
