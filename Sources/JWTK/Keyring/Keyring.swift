import Synchronization

/// A thread-safe set of verification keys, selected per token by `kid` and algorithm.
///
/// Readers take an immutable snapshot (one lock acquisition and one retain) and verify outside the lock;
/// ``replaceKeys(_:unusableKeyIDs:)`` builds a new snapshot and swaps it in atomically, so a refresh never blocks or
/// disturbs verifications in flight.
///
/// Selection rules (fail closed, RFC 8725 §3.1): with a `kid`, only keys with exactly that `kid`
/// (byte-for-byte) are considered, and of those only keys whose type fits the token's algorithm. Without a
/// `kid`, the one key that fits the algorithm is used; when several fit, selection fails as ambiguous unless
/// the policy allows a bounded try-all. There is never a default-key fallback. A `kid` carried by several keys
/// of the set, counting keys that were skipped as unusable (``init(jwks:)``), makes a token naming it ambiguous.
/// A keyring that holds both symmetric (`oct`) and asymmetric keys verifies nothing unless the policy opts in
/// (``VerificationPolicy/allowsMixedKeyTypes``, RFC 8725 §3.1, §3.5).
public final class Keyring: Sendable {
    /// How keys without a `kid` are treated when a token carries one.
    public enum UnidentifiedKeyMatching: Sendable, Hashable {
        /// A token with a `kid` is only ever verified by keys with that `kid` (the default; right for JWK Sets).
        case strict
        /// Keys that have no `kid` also serve tokens with any `kid` — for a key the caller named explicitly
        /// (a PEM file on the command line), where the token's `kid` carries no information.
        case matchAnyKeyID
    }

    final class Snapshot: Sendable {
        let keys: [VerificationKey]
        let byID: [String: [VerificationKey]]
        let withoutID: [VerificationKey]
        /// `kid`s of keys that were skipped as unusable; a token naming one of them is ambiguous when a usable
        /// key carries it too.
        let unusableKeyIDs: [String]
        /// Whether the keys mix symmetric and asymmetric types.
        let mixesSymmetricAndAsymmetric: Bool
        let generation: Int

        init(keys: [VerificationKey], unusableKeyIDs: [String], generation: Int) {
            self.keys = keys
            self.unusableKeyIDs = unusableKeyIDs
            let symmetric = keys.contains { if case .oct = $0.type { true } else { false } }
            let asymmetric = keys.contains { if case .oct = $0.type { false } else { true } }
            self.mixesSymmetricAndAsymmetric = symmetric && asymmetric
            var byID: [String: [VerificationKey]] = [:]
            var withoutID: [VerificationKey] = []
            for key in keys {
                if let id = key.keyID { byID[id, default: []].append(key) } else { withoutID.append(key) }
            }
            self.byID = byID
            self.withoutID = withoutID
            self.generation = generation
        }
    }

    private let state: Locked<Snapshot>
    /// The snapshot's generation, readable without the lock (``VerifiedTokenCache`` hits read it on every
    /// verification). Written inside the lock, after the new snapshot is in place.
    private let atomicGeneration = Atomic<Int>(1)
    /// How keys without a `kid` are matched; fixed at creation.
    public let unidentifiedKeyMatching: UnidentifiedKeyMatching

    /// Creates a keyring holding `keys`.
    ///
    /// - Parameters:
    ///   - keys: the keys tokens may be verified with.
    ///   - unidentifiedKeyMatching: how a token without a `kid` is matched to a key (default `.strict`).
    ///   - unusableKeyIDs: the `kid`s of keys that belong to the same set but could not be imported
    ///   (``JWKSet/skipped``). A token whose `kid` is among them and also on a usable key is `ambiguous_key`:
    ///   which key the issuer meant cannot be known.
    public init(keys: [VerificationKey], unidentifiedKeyMatching: UnidentifiedKeyMatching = .strict, unusableKeyIDs: [String] = []) {
        self.state = Locked(Snapshot(keys: keys, unusableKeyIDs: unusableKeyIDs, generation: 1))
        self.unidentifiedKeyMatching = unidentifiedKeyMatching
    }

    /// Creates a keyring from the usable keys of a JWK Set; the `kid`s of its skipped keys still count for
    /// ambiguity (a `kid` shared with a skipped key is `ambiguous_key`).
    public convenience init(jwks: JWKSet) { self.init(keys: jwks.keys, unusableKeyIDs: jwks.skipped.compactMap(\.keyID)) }

    /// The keys currently held.
    public var keys: [VerificationKey] { snapshot().keys }

    /// Incremented by every ``replaceKeys(_:unusableKeyIDs:)``; lets callers see that a refresh happened.
    public var generation: Int { snapshot().generation }

    /// Atomically replaces every key. Verifications already running finish with the keys they started with.
    ///
    /// - Parameters:
    ///   - keys: the new keys.
    ///   - unusableKeyIDs: as in ``init(keys:unidentifiedKeyMatching:unusableKeyIDs:)``.
    public func replaceKeys(_ keys: [VerificationKey], unusableKeyIDs: [String] = []) {
        state.withLock { current in
            current = Snapshot(keys: keys, unusableKeyIDs: unusableKeyIDs, generation: current.generation + 1)
            atomicGeneration.store(current.generation, ordering: .releasing)
        }
        Self.changes.add(1, ordering: .releasing)
    }

    /// Atomically replaces every key with the usable keys of `set`, keeping its skipped keys' `kid`s for
    /// ambiguity; see ``init(jwks:)``.
    public func replaceKeys(with set: JWKSet) { replaceKeys(set.keys, unusableKeyIDs: set.skipped.compactMap(\.keyID)) }

    /// The current generation without taking the lock.
    var currentGeneration: Int { atomicGeneration.load(ordering: .acquiring) }

    /// How many keyrings have been replaced or deallocated in the process. The header caches compare it with
    /// the count they last saw (one atomic load per verification) and only then drop the entries of dead
    /// keyrings and of past generations, so a per-thread cache does not keep the keys of a dropped verifier
    /// or rotated-out keys alive.
    static let changes = Atomic<Int>(0)

    deinit { Self.changes.add(1, ordering: .releasing) }

    func snapshot() -> Snapshot { state.withLock { $0 } }

    /// Whether any key carries exactly this `kid`.
    public func containsKey(withID keyID: String) -> Bool { !snapshot().keys(withID: keyID).isEmpty }
}

extension Keyring.Snapshot {
    /// Keys whose `kid` equals `keyID` byte for byte. (A `String`-keyed dictionary groups canonically
    /// equivalent spellings together; the filter keeps only exact matches, RFC 7515 §4.1.4.)
    func keys(withID keyID: String) -> [VerificationKey] {
        guard let bucket = byID[keyID] else { return [] }
        if bucket.count == 1, let only = bucket.first, Exact.equal(only.keyID!, keyID) { return bucket }
        return bucket.filter { Exact.equal($0.keyID!, keyID) }
    }

    /// The keys to try for a token, in order; throws when there is none or the choice is ambiguous.
    func select(
        keyID: String?, algorithm: JWSAlgorithm, matching: Keyring.UnidentifiedKeyMatching, maxCandidates: Int,
        allowsMixedKeyTypes: Bool = false
    ) throws(JWTKError) -> [VerificationKey] {
        if mixesSymmetricAndAsymmetric, !allowsMixedKeyTypes {
            throw JWTKError(
                .unsupportedKey,
                "the key set mixes symmetric (oct) and asymmetric keys, so one set would hold a shared secret next to public keys "
                    + "(RFC 8725 §3.1, §3.5); refusing to verify with it unless mixed key types are allowed explicitly "
                    + "(VerificationPolicy.allowsMixedKeyTypes; jwtk verify --allow-mixed-keys)")
        }
        let pool: [VerificationKey]
        if let keyID {
            var found = keys(withID: keyID)
            // A kid shared by several keys of the set names no key for sure, even when only one is usable.
            if !found.isEmpty, !unusableKeyIDs.isEmpty || (found.count > 1 && maxCandidates <= 1) {
                var unusable = 0
                for id in unusableKeyIDs where Exact.equal(id, keyID) { unusable += 1 }
                if unusable > 0 || (found.count > 1 && maxCandidates <= 1) {
                    throw JWTKError(
                        .ambiguousKey,
                        "\(found.count + unusable) keys of the set carry kid \(Shown.value(keyID))\(unusable > 0 ? " (\(unusable) of them unusable)" : ""); refusing to guess",
                        keyID: keyID)
                }
            }
            // Keys without a kid are a fallback for a kid no key carries, never pooled with an exact match.
            if found.isEmpty, matching == .matchAnyKeyID { found = withoutID }
            guard !found.isEmpty else {
                let hint = keys.contains { $0.canVerify(algorithm) } ? "; a key that fits \(algorithm) exists under another kid" : ""
                throw JWTKError(.keyNotFound, "no key with kid \(Shown.value(keyID))\(hint)", keyID: keyID)
            }
            pool = found
        } else {
            pool = keys
        }
        let fitting = pool.filter { $0.canVerify(algorithm) }
        if fitting.isEmpty {
            if keyID != nil {
                let types = pool.map { "\($0.type)\($0.algorithm.map { " (alg \($0))" } ?? "")" }.joined(separator: ", ")
                throw JWTKError(
                    .algorithmKeyMismatch, "the key with kid \(Shown.value(keyID!)) (\(types)) cannot verify \(algorithm)", keyID: keyID)
            }
            throw JWTKError(.keyNotFound, "no key can verify \(algorithm) (the token has no kid)")
        }
        if fitting.count > 1 {
            guard maxCandidates > 1 else {
                throw JWTKError(
                    .ambiguousKey,
                    "\(fitting.count) keys fit \(algorithm)\(keyID.map { " with kid \(Shown.value($0))" } ?? " and the token has no kid"); refusing to guess",
                    keyID: keyID)
            }
            guard fitting.count <= maxCandidates else {
                throw JWTKError(
                    .ambiguousKey, "\(fitting.count) keys fit \(algorithm); more than the \(maxCandidates) the policy allows trying",
                    keyID: keyID)
            }
        }
        return fitting
    }
}
