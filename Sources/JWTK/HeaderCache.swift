import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one protected header decided, for one verifier at one keyring generation: everything of a
/// verification that depends only on the header segment's bytes, the policy and the keys.
///
/// Made only after a token with this header verified in full, so only genuine headers take a slot.
final class HeaderCacheEntry {
    /// The header segment exactly as received (base64url text): a hit decodes and parses nothing.
    let segment: [UInt8]
    /// ``JWTVerifier``'s identity (keyring and policy).
    let verifier: UInt64
    /// The keyring generation the keys were selected at.
    let generation: Int
    let header: JOSEHeader
    let algorithm: JWSAlgorithm
    /// The keys to try, in order, after selection and the strength checks.
    let keys: [VerificationKey]
    /// The verifier's keyring, to notice that it is gone (then the entry's keys must be let go).
    weak var keyring: Keyring?

    init(
        segment: UnsafeBufferPointer<UInt8>, verifier: UInt64, keyring: Keyring, generation: Int, header: JOSEHeader,
        algorithm: JWSAlgorithm, keys: [VerificationKey]
    ) {
        self.keyring = keyring
        self.segment = unsafe Array(segment)
        self.verifier = verifier
        self.generation = generation
        self.header = header
        self.algorithm = algorithm
        self.keys = keys
    }

    func matches(_ segment: UnsafeBufferPointer<UInt8>, verifier: UInt64, generation: Int) -> Bool {
        guard self.verifier == verifier, self.generation == generation, self.segment.count == segment.count else { return false }
        return unsafe self.segment.withUnsafeBufferPointer { mine in
            unsafe mine.isEmpty || memcmp(mine.baseAddress!, segment.baseAddress!, mine.count) == 0
        }
    }
}

/// The calling thread's recently verified headers: a few slots, replaced round robin, no lock (each thread has
/// its own, held by a `pthread` key and released when the thread exits).
///
/// Bounded: ``slotCount`` entries per thread, each at most the policy's header size limit plus its keys. An
/// entry is dropped at the thread's next verification after its keyring was deallocated or replaced its keys,
/// so a slot does not keep rotated-out or dropped keys alive. (A thread that never verifies again keeps its
/// slots until it exits.) A hostile header can only take a slot after a token carrying it verified, and
/// costs a miss otherwise.
final class HeaderCache {
    static let slotCount = 4
    private var slots: [HeaderCacheEntry?] = Array(repeating: nil, count: HeaderCache.slotCount)
    private var next = 0
    /// Lookups this thread answered from a slot (tests: proof that the hit path ran).
    private(set) var hits = 0
    /// ``Keyring/changes`` when this thread last dropped the entries of dead keyrings and past generations.
    private var seenChanges = 0

    private static let perThread = PerThread { HeaderCache() }

    /// The calling thread's cache.
    static func current() -> HeaderCache { perThread.current }

    /// The entry for exactly these header bytes, this verifier and this generation. An entry of the same
    /// verifier at another generation is dropped on the way: its keys may have been rotated out, and a slot
    /// must not keep them alive.
    func lookup(_ segment: UnsafeBufferPointer<UInt8>, verifier: UInt64, generation: Int) -> HeaderCacheEntry? {
        let changes = Keyring.changes.load(ordering: .acquiring)
        if changes != seenChanges {
            seenChanges = changes
            for index in slots.indices {
                guard let slot = slots[index] else { continue }
                if let keyring = slot.keyring, keyring.currentGeneration == slot.generation { continue }
                slots[index] = nil
            }
        }
        for index in slots.indices {
            guard let slot = slots[index], slot.verifier == verifier else { continue }
            if slot.generation != generation {
                slots[index] = nil
            } else if unsafe slot.matches(segment, verifier: verifier, generation: generation) {
                hits &+= 1
                return slot
            }
        }
        return nil
    }

    func insert(_ entry: HeaderCacheEntry) {
        slots[next] = entry
        next = (next + 1) % Self.slotCount
    }

    /// Entries held now (tests).
    var count: Int { slots.count { $0 != nil } }

    /// Drops every entry of this thread (tests).
    func removeAll() {
        slots = Array(repeating: nil, count: Self.slotCount)
        next = 0
    }
}
