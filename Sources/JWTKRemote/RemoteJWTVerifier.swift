import JWTK

/// Verifies tokens against a ``RemoteJWKS``.
///
/// - ``verify(_:)`` is synchronous and never touches the network: it uses the keys held now (refusing when none
///   are loaded or they are past the maximum staleness). This is the hot path.
/// - ``verifyRefreshing(_:)`` first loads or refreshes expired keys, and refreshes once (cooldown permitting)
///   when the token's `kid` is unknown, then verifies the same way.
///
/// Both throw one type, ``JWTKRemoteError``: code ``JWTKRemoteError/Code/tokenRejected`` when the token is
/// rejected (signature, claims, or a `kid` that is still unknown), with the core's `JWTKError` in
/// ``JWTKRemoteError/rejection``; any other code when the keys could not be obtained or are too stale to use.
///
/// ```swift
/// do {
///     let jwt = try verifier.verify(token)
/// } catch {  // error is a JWTKRemoteError
///     if let rejection = error.rejection { print("401", rejection.code) } else { print("503", error.code) }
/// }
/// ```
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
    /// - Throws: ``JWTKRemoteError``: `notLoaded` or `staleKeys` when the keys may not be used, or
    ///   `tokenRejected` wrapping the core's `JWTKError` (every token rejection).
    public func verify(_ token: String) throws(JWTKRemoteError) -> VerifiedJWT {
        try source.checkUsable()
        do throws(JWTKError) {
            return try verifier.verify(token)
        } catch {
            throw .rejected(error)
        }
    }

    /// Loads or refreshes the keys when needed, then verifies; a `kid` not found triggers one refresh (at most
    /// once per cooldown, shared with concurrent callers) and one more attempt.
    ///
    /// - Throws: ``JWTKRemoteError`` when no usable keys can be had (`fetchFailed`, `timeout`, `httpStatus`, ...,
    ///   `notLoaded`, `staleKeys`), or `tokenRejected` for a rejected token, whose ``JWTKRemoteError/rejection``
    ///   is `keyNotFound` when the `kid` is still unknown after the refresh or the cooldown suppressed it.
    public func verifyRefreshing(_ token: String) async throws(JWTKRemoteError) -> VerifiedJWT {
        try await source.loadIfNeeded()
        let generation = source.keyring.generation
        do throws(JWTKRemoteError) {
            return try verify(token)
        } catch {
            guard let rejection = error.rejection, rejection.code == .keyNotFound,
                await source.refreshForUnknownKey(seenGeneration: generation, keyID: rejection.keyID)
            else { throw error }
            return try verify(token)
        }
    }
}
