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
/// - Only tokens with a numeric `exp` are stored, and on **every hit** the policy's time rules run again with
///   its clock and leeway (`exp`, `nbf`, `iat`, the maximum token age and, for a policy with a maximum
///   authentication age, the whole claim validation), so a hit never outlives `exp`. When a rule no longer
///   passes, the full claim validation runs and the hit fails with exactly the error a fresh verification
///   would give; the entry is then dropped. The other rules (issuer, audience, type, required claims, …) are
///   not re-run: they depend only on the token's bytes and the policy, and both are part of the key.
/// - Failures are never cached.
/// - **Bounded**: each thread holds at most ``capacity`` entries per cache (memory ≤ capacity × threads);
///   when full, the oldest entry is evicted.
///
/// The hit path takes no lock and touches no shared reference count: entries live in per-thread tables (a
/// `pthread` key), the keyring generation is an atomic read, and the returned ``VerifiedJWT`` is one reference
/// to the object the thread's own verification made.
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
        // Reading never makes a table: that could evict (and free) another cache's table of this thread.
        guard let table = ThreadTables.current().existingTable(for: self) else { return Statistics(hits: 0, misses: 0, count: 0) }
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
        return unsafe Self.withBytes(a.token) { l in
            unsafe Self.withBytes(b.token) { r in
                unsafe l.count == r.count && (l.isEmpty || memcmp(l.baseAddress!, r.baseAddress!, l.count) == 0)
            }
        }
    }

    /// The string's UTF-8 bytes, borrowed in place: `withUTF8` needs a `var` copy, a retain and a release of
    /// the caller's string (shared by every thread that verifies it) on each comparison and hash.
    @inline(__always)
    private static func withBytes<R>(_ string: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = unsafe string.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = string
        return copy.withUTF8(body)
    }

    /// The verifier, the length and the last ``hashedTailBytes`` bytes: the tail of a compact JWS is its
    /// signature, which nobody without the key can choose, and `Hasher` is seeded per process, so stored
    /// tokens (all verified) spread over the table as well as with the whole token hashed, at a fixed cost instead of SipHash over every byte (4.1k
    /// of a 7.6k-instruction RS256 hit). Equality still compares every byte.
    func hash(into hasher: inout Hasher) {
        hasher.combine(verifier)
        unsafe Self.withBytes(token) { bytes in
            hasher.combine(bytes.count)
            let tail = unsafe UnsafeBufferPointer(rebasing: bytes[max(0, bytes.count - Self.hashedTailBytes)...])
            unsafe hasher.combine(bytes: UnsafeRawBufferPointer(tail))
        }
    }

    /// A string with its own storage holding `token`'s bytes (one allocation; a plain copy shares the buffer).
    static func ownCopy(of token: String) -> String {
        let count = token.utf8.count
        return unsafe String(unsafeUninitializedCapacity: count) { buffer in
            unsafe withBytes(token) { bytes in unsafe _ = buffer.initialize(fromContentsOf: bytes) }
            return count
        }
    }

    /// How many bytes at the end of the token are hashed: an HS256 signature is 43 base64url characters.
    static let hashedTailBytes = 32
}

/// The time claims of a cached token, read once when it was stored: what a hit checks again.
struct CachedTokenTimes {
    let expiration: Double
    let notBefore: Double?
    let issuedAt: Double?

    init?(_ claims: JWTClaims) {
        // A verified token's registered time claims are numbers when present; anything else is not stored.
        do throws(JWTKError) {
            guard let exp = try claims.expiration, exp.isFinite else { return nil }
            expiration = exp
            notBefore = try claims.numericDate("nbf")
            issuedAt = try claims.numericDate("iat")
        } catch {
            return nil
        }
    }
}

extension VerificationPolicy {
    /// Whether a cached token's time rules pass at `now` (the policy's clock, read again for this hit); the rest of the verdict was
    /// decided by the verification that stored it (same token bytes, same policy). False sends the hit
    /// through the full claim validation, which gives the exact error (or passes, when this check is merely
    /// conservative). A policy with a maximum authentication age always takes the validator (`auth_time`
    /// is a time rule this check does not hold).
    func passesTimeRules(_ times: CachedTokenTimes, now: Double) -> Bool {
        guard self.maxAuthenticationAge == nil else { return false }
        let leeway = self.leeway
        guard leeway.isFinite, leeway >= 0, now.isFinite, now < times.expiration + leeway else { return false }
        if let nbf = times.notBefore, now + leeway < nbf { return false }
        if let iat = times.issuedAt {
            if iat > now + leeway { return false }
            if let maxAge = self.maxTokenAge, !(maxAge >= 0) || now - iat > maxAge + leeway { return false }
        } else if self.maxTokenAge != nil {
            return false
        }
        return true
    }
}

/// One thread's entries for one cache.
final class CachedTokenTable {
    struct Entry {
        let jwt: VerifiedJWT
        let times: CachedTokenTimes
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

    func insert(_ key: CachedTokenKey, _ jwt: VerifiedJWT, times: CachedTokenTimes, generation: Int) {
        if entries[key] == nil {
            while entries.count >= capacity, head < order.count {
                let oldest = order[head]
                head += 1
                if entries[oldest.key]?.sequence == oldest.sequence { entries[oldest.key] = nil }
            }
        }
        sequence += 1
        entries[key] = Entry(jwt: jwt, times: times, generation: generation, sequence: sequence)
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

    /// The calling thread's table for `cache`, if it has one (never makes or evicts a table).
    func existingTable(for cache: VerifiedTokenCache) -> CachedTokenTable? {
        for table in tables where table.cacheID == cache.id { return table }
        return nil
    }

    func table(for cache: VerifiedTokenCache) -> CachedTokenTable {
        for table in tables where table.cacheID == cache.id { return table }
        let table = CachedTokenTable(cacheID: cache.id, capacity: cache.capacity)
        tables.insert(table, at: 0)
        if tables.count > Self.maxTables { tables.removeLast() }
        return table
    }

    /// The calling thread's table for `cache`, not retained (the hit path). It stays alive while this thread's
    /// tables hold it: only a later ``table(for:)`` on this same thread for a ninth cache evicts it. So the
    /// caller may use it unretained only while no code it does not control runs (the policy's clock is caller
    /// code and may verify with other caches); before any such call it takes a strong reference.
    static func unretainedTable(for cache: VerifiedTokenCache) -> Unmanaged<CachedTokenTable> {
        unsafe perThread.currentUnmanaged._withUnsafeGuaranteedRef { current in
            let id = cache.id
            for index in current.tables.indices where current.tables[index].cacheID == id {
                return unsafe Unmanaged.passUnretained(current.tables[index])
            }
            return unsafe Unmanaged.passUnretained(current.table(for: cache))
        }
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

    /// A hit whose time check did not pass: the full claim validation decides (and explains). Out of line, so
    /// that the hit path does not set up the validator (a copy of the policy).
    @inline(never)
    private func diagnose(_ jwt: VerifiedJWT, _ key: CachedTokenKey, in table: CachedTokenTable) throws(JWTKError) -> VerifiedJWT {
        do throws(JWTKError) {
            try ClaimValidator(policy: policy).validate(jwt.claims, header: jwt.header, algorithm: jwt.algorithm, key: jwt.key)
        } catch {
            table.entries[key] = nil
            throw error
        }
        table.hits += 1
        return jwt
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
        // The clock is read first: it is caller code (it may verify with other caches on this thread and so
        // evict this cache's table), and from here to the hit's last use of the table no caller code runs.
        let now = policy.clock.now
        let unretained = unsafe ThreadTables.unretainedTable(for: cache)
        let key = CachedTokenKey(verifier: identity, token: token)
        // Read before verifying: a rotation during the verification leaves the entry at an older generation,
        // so it is verified again, never the other way round.
        let generation = keyring.currentGeneration
        // The table is used through a guaranteed reference, not a retained one (see `unretainedTable`): the
        // hit path writes no reference count but the returned token's own.
        if let entry = unsafe unretained._withUnsafeGuaranteedRef({ $0.entries[key] }) {
            if entry.generation == generation {
                // Fast accept, slow diagnose, as a full verification does: the validator runs only to decide
                // (and explain) what the time check does not pass.
                if policy.passesTimeRules(entry.times, now: now) {
                    unsafe unretained._withUnsafeGuaranteedRef { $0.hits += 1 }
                    cacheHit = true
                    return entry.jwt
                }
                // The validator reads the clock again (caller code): the table is held strongly from here.
                let jwt = try diagnose(entry.jwt, key, in: unsafe unretained.takeUnretainedValue())
                cacheHit = true
                return jwt
            }
            unsafe unretained._withUnsafeGuaranteedRef { $0.entries[key] = nil }
        }
        let table = unsafe unretained.takeUnretainedValue()
        table.misses += 1
        cacheHit = false
        let jwt = try verify(token)
        if let times = CachedTokenTimes(jwt.claims) {
            // The stored key owns a copy of the bytes: a key sharing the caller's string would have the
            // lookups of every thread that sees this string retain its one reference count.
            table.insert(
                CachedTokenKey(verifier: identity, token: CachedTokenKey.ownCopy(of: token)), jwt, times: times, generation: generation)
        }
        return jwt
    }
}
