import JWTK

/// Verifies tokens against a ``RemoteJWKS``.
///
/// - ``verify(_:)`` is synchronous and never touches the network: it uses the keys held now (refusing when none
///   are loaded or they are past the maximum staleness). This is the hot path.
/// - ``verifyRefreshing(_:)`` first loads or refreshes expired keys, and refreshes once (cooldown permitting)
///   when the token's `kid` is unknown, then verifies the same way.
///
/// Both throw either a `JWTKError` (the token is rejected: signature, claims, or a `kid` that is still
/// unknown) or a ``JWTKRemoteError`` (the keys could not be obtained or are too stale to use).
public struct RemoteJWTVerifier: Sendable {
    /// Where the keys come from.
    public let source: RemoteJWKS
    /// The core verifier over the source's keyring.
    public var verifier: JWTVerifier

    /// What is checked.
    public var policy: VerificationPolicy {
        get { verifier.policy }
        set { verifier.policy = newValue }
    }

    /// Creates a verifier over `source` with `policy`.
    public init(source: RemoteJWKS, policy: VerificationPolicy) {
        self.source = source
        self.verifier = JWTVerifier(keyring: source.keyring, policy: policy)
    }

    /// Verifies with the keys held now, without waiting or touching the network.
    ///
    /// - Throws: ``JWTKRemoteError`` (`notLoaded`, `staleKeys`) or `JWTKError` (every token rejection).
    public func verify(_ token: String) throws -> VerifiedJWT {
        try source.checkUsable()
        return try verifier.verify(token)
    }

    /// Loads or refreshes the keys when needed, then verifies; a `kid` not found triggers one refresh (at most
    /// once per cooldown, shared with concurrent callers) and one more attempt.
    ///
    /// - Throws: ``JWTKRemoteError`` when no usable keys can be had (`fetchFailed`, `timeout`, `httpStatus`, ...,
    ///   `notLoaded`, `staleKeys`) or `JWTKError` for a rejected token (`keyNotFound` when the `kid` is
    ///   still unknown after the refresh or the cooldown suppressed it).
    public func verifyRefreshing(_ token: String) async throws -> VerifiedJWT {
        try await source.loadIfNeeded()
        let generation = source.keyring.generation
        do {
            return try verify(token)
        } catch let error as JWTKError where error.code == .keyNotFound {
            guard await source.refreshForUnknownKey(seenGeneration: generation, keyID: error.keyID) else { throw error }
            return try verify(token)
        }
    }
}
