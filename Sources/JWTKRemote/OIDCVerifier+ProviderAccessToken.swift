import Foundation
import JWTK

extension OIDCVerifier {
    /// The policy ``verifyProviderAccessToken(_:audience:)`` applies with the metadata held now:
    /// `VerificationPolicy.providerAccessToken(issuer:audience:)` with the discovered issuer, your allow-list,
    /// the leeway and clock of the configuration, then `Configuration/adjustPolicy`.
    ///
    /// - Throws: ``JWTKRemoteError`` `notLoaded` before ``prepare()``.
    public func providerAccessTokenPolicy(audience: String) throws(JWTKRemoteError) -> VerificationPolicy {
        guard let metadata else { throw notDiscovered }
        return providerAccessTokenPolicy(metadata, audience: audience)
    }

    private var notDiscovered: JWTKRemoteError {
        JWTKRemoteError(.notLoaded, "the provider has not been discovered yet; call prepare()", url: discovery.documentURL.absoluteString)
    }

    private func providerAccessTokenPolicy(_ metadata: OIDCProviderMetadata, audience: String) -> VerificationPolicy {
        var policy = VerificationPolicy.providerAccessToken(issuer: metadata.issuer, audience: audience)
        policy.algorithms = configuration.allowedAlgorithms
        policy.leeway = configuration.leeway
        policy.clock = configuration.clock
        configuration.adjustPolicy?(&policy)
        return policy
    }

    /// Verifies an ordinary provider access token (`typ` `JWT`, `azp`, `scope`, no `client_id`) with the keys
    /// held now; see `VerificationPolicy.providerAccessToken(issuer:audience:)`. Use
    /// ``verifyAccessToken(_:audience:)`` for RFC 9068 `at+jwt` tokens.
    ///
    /// - Parameters:
    ///   - token: the compact access token, exactly as received.
    ///   - audience: this resource server's identifier; `aud` must contain it.
    /// - Throws: ``JWTKRemoteError``: `notLoaded` before ``prepare()``, `staleKeys`, or `tokenRejected`
    ///   wrapping the core's `JWTKError`.
    public func verifyProviderAccessToken(_ token: String, audience: String) throws(JWTKRemoteError) -> VerifiedJWT {
        try providerAccessTokenVerifier(audience: audience).verify(token)
    }

    /// ``verifyProviderAccessToken(_:audience:)``, reporting every step to `observer` (see
    /// `JWTVerifier.verify(_:observer:)`).
    ///
    /// - Throws: as ``verifyProviderAccessToken(_:audience:)``.
    public func verifyProviderAccessToken(
        _ token: String, audience: String, observer: inout some VerificationObserver
    )
        throws(JWTKRemoteError) -> VerifiedJWT
    {
        try providerAccessTokenVerifier(audience: audience).verify(token, observer: &observer)
    }

    /// The verifier for `audience`, built once per discovered metadata (see `Context.verifiers`).
    private func providerAccessTokenVerifier(audience: String) throws(JWTKRemoteError) -> RemoteJWTVerifier {
        guard let context = self.context.withLock({ $0 }) else { throw notDiscovered }
        return context.verifiers.verifier("provider-at:" + audience) {
            context.jwks.verifier(policy: providerAccessTokenPolicy(context.metadata, audience: audience))
        }
    }
}
