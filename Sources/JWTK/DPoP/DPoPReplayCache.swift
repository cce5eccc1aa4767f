/// The `jti` values of accepted DPoP proofs, remembered while their proof could still be accepted, so that a
/// proof is used once (RFC 9449 §11.1).
///
/// - **Bounded**: at most ``capacity`` entries. An entry is kept until its proof leaves the verifier's `iat`
///   window (`iat` + ``DPoPVerifier/Configuration/maxAge``), then dropped on the next sweep.
/// - **Fail closed**: when all ``capacity`` entries are still live, a new proof cannot be recorded and is refused
///   with ``DPoPError/Code/replayCacheFull`` (a `503` for the middleware) rather than forgetting a live `jti`,
///   which would let that proof be replayed. Size the capacity for the proofs one window brings.
/// - **Thread-safe**: one lock around the table; a sweep runs only when the table is full and an entry has
///   expired, so a full table of live entries costs one comparison per refused proof.
/// - Entries are keyed by the proof key's thumbprint and the `jti`, so one client's `jti` never collides with
///   another's.
///
/// One cache may be shared by several ``DPoPVerifier``s (one per route group, say); a `jti` is then used once
/// across all of them.
public final class DPoPReplayCache: Sendable {
    /// The most entries held.
    public let capacity: Int
    /// The largest accepted ``capacity``.
    public static let maxCapacity = 1 << 22
    /// The default ``capacity``.
    public static let defaultCapacity = 100_000

    private struct State {
        var expiries: [String: Double] = [:]
        var earliestExpiry = Double.infinity
    }
    private let state = Locked(State())

    /// Creates an empty cache.
    ///
    /// - Throws: `invalid_argument` when `capacity` is below 1 or above ``maxCapacity``.
    public init(capacity: Int = DPoPReplayCache.defaultCapacity) throws(JWTKError) {
        guard capacity >= 1, capacity <= Self.maxCapacity else {
            throw JWTKError(.invalidArgument, "the DPoP replay cache capacity must be between 1 and \(Self.maxCapacity), not \(capacity)")
        }
        self.capacity = capacity
    }

    /// The entries held now (live or not yet swept).
    public var count: Int { state.withLock { $0.expiries.count } }

    /// Records `key` until `expiresAt`; throws `dpop_replayed` when it is held and live, `dpop_replay_cache_full`
    /// when the table is full of live entries.
    func record(_ key: String, expiresAt: Double, now: Double) throws(DPoPError) {
        let capacity = self.capacity
        try state.withLock { (state: inout State) throws(DPoPError) in
            if let expiry = state.expiries[key] {
                if expiry >= now {
                    throw DPoPError(.replayed, "this proof's jti was already used with this key", claim: "jti")
                }
                state.expiries[key] = nil
            }
            if state.expiries.count >= capacity, state.earliestExpiry < now {
                var earliest = Double.infinity
                state.expiries = state.expiries.filter { _, expiry in
                    guard expiry >= now else { return false }
                    earliest = min(earliest, expiry)
                    return true
                }
                state.earliestExpiry = earliest
            }
            guard state.expiries.count < capacity else {
                throw DPoPError(
                    .replayCacheFull, "the DPoP replay cache holds \(capacity) live proofs; this proof cannot be recorded", claim: "jti")
            }
            state.expiries[key] = expiresAt
            state.earliestExpiry = min(state.earliestExpiry, expiresAt)
        }
    }
}
