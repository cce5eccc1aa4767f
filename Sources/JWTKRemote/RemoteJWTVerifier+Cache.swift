public import JWTK

extension RemoteJWTVerifier {
    /// Verifies like ``verify(_:)`` (the keys held now, no network), answering from `cache` when this verifier
    /// already verified exactly this token at the keyring's current generation (a JWK Set refresh that changes
    /// the keys is a new generation); see `VerifiedTokenCache` for the rules.
    ///
    /// - Throws: ``JWTKRemoteError`` (`notLoaded`, `staleKeys`) before the cache is consulted, or exactly the
    ///   `JWTKError` a fresh verification would throw.
    public func verify(_ token: String, cache: VerifiedTokenCache) throws -> VerifiedJWT {
        try source.checkUsable()
        return try verifier.verify(token, cache: cache)
    }
}
