public import JWTK

extension RemoteJWTVerifier {
    /// Verifies like ``verify(_:)`` (the keys held now, no network), answering from `cache` when this verifier
    /// already verified exactly this token at the keyring's current generation (a JWK Set refresh that changes
    /// the keys is a new generation); see `VerifiedTokenCache` for the rules.
    ///
    /// - Throws: ``JWTKRemoteError`` (`notLoaded`, `staleKeys`) before the cache is consulted, or exactly the
    ///   `JWTKError` a fresh verification would throw.
    public func verify(_ token: String, cache: VerifiedTokenCache) throws -> VerifiedJWT {
        var cacheHit: Bool?
        return try verify(token, cache: cache, cacheHit: &cacheHit)
    }

    /// ``verify(_:cache:)``, also saying how `cache` answered (see the core's
    /// `JWTVerifier.verify(_:cache:cacheHit:)`).
    ///
    /// - Parameters:
    ///   - token: the compact JWS.
    ///   - cache: the cache consulted once the keys may be used.
    ///   - cacheHit: how the cache answered, as in the core; left unchanged when the keys may not be used.
    /// - Returns: the same `VerifiedJWT` as ``verify(_:cache:)``.
    /// - Throws: what ``verify(_:cache:)`` throws.
    public func verify(_ token: String, cache: VerifiedTokenCache, cacheHit: inout Bool?) throws -> VerifiedJWT {
        try source.checkUsable()
        return try verifier.verify(token, cache: cache, cacheHit: &cacheHit)
    }
}
