import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An opt-in cache of verified tokens, for services that see the same bearer token many times.
///
/// ```swift
/// let cache = try VerifiedTokenCache(capacity: 1024)
/// let jwt = try verifier.verify(bearerToken, cache: cache)   // same result and errors as verify(_:)
/// ```
///
/// Rules (each pinned by a test):
/// - An entry is keyed by the **exact token bytes** (never Unicode-equivalent text) and the **verifier's
///   identity**: the verifier's keyring and policy. Changing `policy` gives the verifier a new identity, so no
///   verdict survives a policy change.
/// - An entry is used only while the keyring is at the **generation** that verified it: any
///   ``Keyring/replaceKeys(_:unusableKeyIDs:)`` (a key rotation) sends the next use through a full verification.
/// - Only tokens with a numeric `exp` are stored, and on **every hit** the policy's claim rules run again
///   (`exp`, `nbf`, `iat`, ages with the policy's clock and leeway, and the rest), so a hit
///   never outlives `exp` and fails with exactly the error a fresh verification would give; the entry is
///   then dropped.
/// - Failures are never cached.
/// - **Bounded**: each thread holds at most ``capacity`` entries per cache (memory ≤ capacity × threads);
///   when full, the oldest entry is evicted.
///
/// The hit path takes no lock: entries live in per-thread tables (a `pthread` key), the keyring generation
/// is an atomic read. The returned ``VerifiedJWT`` shares its key object with the keyring, whose reference
/// count the caller's copy touches.
public final class VerifiedTokenCache: Sendable {
    /// Most entries one thread keeps for this cache.
    public let capacity: Int
    /// Largest accepted ``capacity``.
    public static let maxCapacity = 1 << 20
    let id: UInt64

    /// Creates a cache that keeps up to `capacity` verified tokens per thread.
    ///
    /// - Throws: ``JWTKError/Code/invalidArgument`` when `capacity` is below 1 or above ``maxCapacity``.
    public init(capacity: Int = 1024) throws(JWTKError) {
        guard capacity >= 1, capacity <= Self.maxCapacity else {
            throw JWTKError(.invalidArgument, "the token cache capacity must be between 1 and \(Self.maxCapacity), not \(capacity)")
        }
        self.capacity = capacity
        self.id = Self.newIdentity()
    }

    /// Counters of the calling thread's table for this cache.
    public struct Statistics: Sendable, Equatable {
        /// Verifications answered from the cache.
        public var hits: Int
        /// Verifications that went through a full verification.
        public var misses: Int
        /// Entries held now.
        public var count: Int

        /// Creates a value (for comparisons in tests).
        public init(hits: Int, misses: Int, count: Int) {
            self.hits = hits
            self.misses = misses
            self.count = count
        }
    }

    /// The calling thread's counters for this cache (each thread has its own table).
    public var statisticsForCurrentThread: Statistics {
        let table = ThreadTables.current().table(for: self)
        return Statistics(hits: table.hits, misses: table.misses, count: table.entries.count)
    }

    private static let counter = Atomic<UInt64>(0)

    /// A process-unique number (cache ids, verifier identities, the issuer router's identity in its route memo).
    package static func newIdentity() -> UInt64 { counter.add(1, ordering: .relaxed).newValue }
}

/// The key of one entry: the verifier's identity and the exact bytes of the token.
struct CachedTokenKey: Hashable {
    let verifier: UInt64
    let token: String

    static func == (a: Self, b: Self) -> Bool {
        guard a.verifier == b.verifier else { return false }
        // Bytes, not String's canonical equivalence; memcmp (UTF8View.elementsEqual cost ~70 Ir per byte).
        var left = a.token
        var right = b.token
        return left.withUTF8 { l in
            right.withUTF8 { r in unsafe l.count == r.count && (l.isEmpty || memcmp(l.baseAddress!, r.baseAddress!, l.count) == 0) }
        }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(verifier)
        var token = token
        token.withUTF8 { unsafe hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// One thread's entries for one cache.
final class CachedTokenTable {
    struct Entry {
        let jwt: VerifiedJWT
        let generation: Int
        let sequence: Int
    }
    let cacheID: UInt64
    let capacity: Int
    var entries: [CachedTokenKey: Entry] = [:]
    /// Insertion order for eviction; stale pairs (removed or re-inserted keys) are skipped and compacted.
    var order: [(key: CachedTokenKey, sequence: Int)] = []
    var head = 0
    var sequence = 0
    var hits = 0
    var misses = 0

    init(cacheID: UInt64, capacity: Int) {
        self.cacheID = cacheID
        self.capacity = capacity
    }

    func insert(_ key: CachedTokenKey, _ jwt: VerifiedJWT, generation: Int) {
        if entries[key] == nil {
            while entries.count >= capacity, head < order.count {
                let oldest = order[head]
                head += 1
                if entries[oldest.key]?.sequence == oldest.sequence { entries[oldest.key] = nil }
            }
        }
        sequence += 1
        entries[key] = Entry(jwt: jwt, generation: generation, sequence: sequence)
        order.append((key, sequence))
        if order.count - head > 2 * capacity || head > capacity {
            order = order[head...].filter { entries[$0.key]?.sequence == $0.sequence }
            head = 0
        }
    }
}

/// The calling thread's tables, one per cache it used recently (at most `maxTables`).
final class ThreadTables {
    static let maxTables = 8
    var tables: [CachedTokenTable] = []

    private static let perThread = PerThread { ThreadTables() }

    static func current() -> ThreadTables { perThread.current }

    func table(for cache: VerifiedTokenCache) -> CachedTokenTable {
        for table in tables where table.cacheID == cache.id { return table }
        let table = CachedTokenTable(cacheID: cache.id, capacity: cache.capacity)
        tables.insert(table, at: 0)
        if tables.count > Self.maxTables { tables.removeLast() }
        return table
    }
}

extension JWTVerifier {
    /// Verifies a compact JWT like ``verify(_:)``, answering from `cache` when this verifier already verified
    /// exactly this token at the keyring's current generation; see ``VerifiedTokenCache`` for the rules.
    ///
    /// - Returns: the same ``VerifiedJWT`` a fresh verification returns.
    /// - Throws: exactly the ``JWTKError`` a fresh verification would throw.
    public func verify(_ token: String, cache: VerifiedTokenCache) throws(JWTKError) -> VerifiedJWT {
        var cacheHit: Bool?
        return try verify(token, cache: cache, cacheHit: &cacheHit)
    }

    /// ``verify(_:cache:)``, also saying how `cache` answered, for callers that count hits and misses (a
    /// metrics counter, a router) without reading ``VerifiedTokenCache/statisticsForCurrentThread`` around each
    /// call. The thread's counters change exactly as with ``verify(_:cache:)``.
    ///
    /// - Parameters:
    ///   - token: the compact JWS.
    ///   - cache: the cache consulted first.
    ///   - cacheHit: set to `true` when the result came from the cache, `false` when the token went through a
    ///     full verification (also when that throws); left unchanged when a cached entry was found but its
    ///     claims no longer pass (the entry is dropped and the error thrown, counted as neither), as the
    ///     thread's counters do.
    /// - Returns: the same ``VerifiedJWT`` as ``verify(_:cache:)``.
    /// - Throws: exactly what ``verify(_:cache:)`` throws.
    public func verify(_ token: String, cache: VerifiedTokenCache, cacheHit: inout Bool?) throws(JWTKError) -> VerifiedJWT {
        let table = ThreadTables.current().table(for: cache)
        let key = CachedTokenKey(verifier: identity, token: token)
        // Read before verifying: a rotation during the verification leaves the entry at an older generation,
        // so it is verified again, never the other way round.
        let generation = keyring.currentGeneration
        if let entry = table.entries[key] {
            if entry.generation == generation {
                let jwt = entry.jwt
                do throws(JWTKError) {
                    // Fast accept, slow diagnose, as a full verification does: the validator runs only to
                    // decide (and explain) what the in-place check does not pass.
                    if !policy.passesInPlace(jwt.claims, header: jwt.header) {
                        try ClaimValidator(policy: policy).validate(
                            jwt.claims, header: jwt.header, algorithm: jwt.algorithm, key: jwt.key)
                    }
                } catch {
                    table.entries[key] = nil
                    throw error
                }
                table.hits += 1
                cacheHit = true
                return jwt
            }
            table.entries[key] = nil
        }
        table.misses += 1
        cacheHit = false
        let jwt = try verify(token)
        if let exp = try? jwt.claims.expiration, exp.isFinite {
            table.insert(key, jwt, generation: generation)
        }
        return jwt
    }
}
