import JWTK

extension RemoteJWTVerifier {
    /// ``verify(_:)``, reporting every step to `observer` (see `JWTVerifier.verify(_:observer:)`).
    ///
    /// - Throws: ``JWTKRemoteError``: `notLoaded` or `staleKeys` (nothing is reported then), or
    ///   `tokenRejected` wrapping the core's `JWTKError` (its step was reported as failed).
    public func verify(_ token: String, observer: inout some VerificationObserver) throws(JWTKRemoteError) -> VerifiedJWT {
        try source.checkUsable()
        do throws(JWTKError) {
            return try verifier.verify(token, observer: &observer)
        } catch {
            throw .rejected(error)
        }
    }

    /// Verifies only the signature with the keys held now, reporting every step to `observer` (see
    /// `JWTVerifier.verifySignature(_:detachedPayload:observer:)`).
    ///
    /// - Throws: ``JWTKRemoteError``: `notLoaded`, `staleKeys`, or `tokenRejected` wrapping the core's `JWTKError`.
    public func verifySignature(_ token: String, observer: inout some VerificationObserver) throws(JWTKRemoteError) -> VerifiedJWS {
        try source.checkUsable()
        do throws(JWTKError) {
            return try verifier.verifySignature(token, observer: &observer)
        } catch {
            throw .rejected(error)
        }
    }
}

extension OIDCVerifier {
    /// ``verify(idToken:nonce:maxAuthenticationAge:accessToken:authorizationCode:)``, reporting every step to
    /// `observer` (see `JWTVerifier.verify(_:observer:)`); the observer receives the policy built for the
    /// provider.
    ///
    /// - Throws: ``JWTKRemoteError`` (nothing is reported then), or `tokenRejected` wrapping the core's
    ///   `JWTKError`.
    public func verify(
        idToken: String, nonce: String? = nil, maxAuthenticationAge: Double? = nil, accessToken: String? = nil,
        authorizationCode: String? = nil, observer: inout some VerificationObserver
    ) throws(JWTKRemoteError) -> VerifiedJWT {
        let context = try heldContext()
        let policy = idTokenPolicy(context, nonce, maxAuthenticationAge, accessToken, authorizationCode)
        return try context.jwks.verifier(policy: policy).verify(idToken, observer: &observer)
    }

    /// ``verifyAccessToken(_:audience:)``, reporting every step to `observer`.
    ///
    /// - Throws: ``JWTKRemoteError``, `tokenRejected` for a rejected token.
    public func verifyAccessToken(
        _ token: String, audience: String, observer: inout some VerificationObserver
    )
        throws(JWTKRemoteError) -> VerifiedJWT
    {
        let context = try heldContext()
        return try context.jwks.verifier(policy: accessTokenPolicy(context, audience)).verify(token, observer: &observer)
    }
}
