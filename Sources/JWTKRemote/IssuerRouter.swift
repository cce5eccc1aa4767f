import JWTK

/// One issuer's verifier, as ``IssuerRouter`` delegates to it: it checks the token with that issuer's keys and
/// policy only, loading or refreshing remote keys when it needs to.
///
/// `JWTVerifier` (local keys) and ``RemoteJWTVerifier`` (a JWK Set URL) conform; ``ClosureIssuerVerifier``
/// wraps anything else, and ``VerifierConfiguration`` builds one per issuer of a policy file.
public protocol IssuerVerifying: Sendable {
    /// Verifies `token` for this issuer.
    ///
    /// - Throws: `JWTKError` for a rejected token; ``JWTKRemoteError`` when the keys cannot be obtained.
    func verify(routed token: String) async throws -> VerifiedJWT
}

extension JWTVerifier: IssuerVerifying {
    /// Verifies with the held keys, synchronously.
    public func verify(routed token: String) async throws -> VerifiedJWT { try verify(token) }
}

extension RemoteJWTVerifier: IssuerVerifying {
    /// ``verifyRefreshing(_:)``: loads the keys when needed and refreshes once for an unknown `kid`.
    public func verify(routed token: String) async throws -> VerifiedJWT { try await verifyRefreshing(token) }
}

/// An ``IssuerVerifying`` made of a closure.
public struct ClosureIssuerVerifier: IssuerVerifying {
    private let body: @Sendable (String) async throws -> VerifiedJWT
    /// Creates a verifier that calls `body`.
    public init(_ body: @escaping @Sendable (String) async throws -> VerifiedJWT) { self.body = body }
    /// Calls the closure.
    public func verify(routed token: String) async throws -> VerifiedJWT { try await body(token) }
}

/// A token verified through ``IssuerRouter``: the configured issuer it was routed to and the verified token.
public struct RoutedJWT: Sendable {
    /// The configured issuer, byte for byte the token's verified `iss`.
    public let issuer: String
    /// The verified token.
    public let token: VerifiedJWT

    /// Creates the pair.
    public init(issuer: String, token: VerifiedJWT) {
        self.issuer = issuer
        self.token = token
    }
}

/// Routes a token to the verifier of its issuer among several configured ones.
///
/// The token's `iss` is read WITHOUT verification, only to choose; it is compared byte for byte (no
/// normalisation, no trailing-slash, case or Unicode folding) against the configured issuers. An unknown or
/// missing issuer is refused with `issuer_mismatch` before any key is fetched. After verification the verified
/// `iss` must equal the chosen issuer, so a verifier configured without an issuer check still cannot accept
/// another issuer's token.
///
/// ```swift
/// let router = IssuerRouter([
///     "https://a.example": try RemoteJWKS(url: jwksA).verifier(policy: .accessToken(issuer: "https://a.example", audience: "api")),
///     "https://b.example": JWTVerifier(keys: keysB, policy: .accessToken(issuer: "https://b.example", audience: "api")),
/// ])
/// let routed = try await router.verify(token)  // routed.issuer, routed.token.claims
/// ```
public struct IssuerRouter: Sendable {
    /// The verifiers by exact issuer string.
    public let verifiers: [String: any IssuerVerifying]
    /// The limits applied to the unverified decode.
    public let limits: TokenLimits

    /// Creates a router. Each verifier must check its own issuer's keys and policy only.
    public init(_ verifiers: [String: any IssuerVerifying], limits: TokenLimits = TokenLimits()) {
        self.verifiers = verifiers
        self.limits = limits
    }

    /// The configured issuer a token names, or a typed error: `issuer_mismatch` for an unknown or missing
    /// issuer, `invalid_claim` for a non-string `iss`, decoding errors for a malformed token. Nothing is fetched.
    public func route(_ token: String) throws(JWTKError) -> (issuer: String, verifier: any IssuerVerifying) {
        let issuer = try Self.unverifiedIssuer(of: token, limits: limits)
        // The dictionary groups Unicode-equivalent spellings together; the configured issuer must match the
        // token's byte for byte (a decomposed "é" is another issuer).
        guard let index = verifiers.index(forKey: issuer), verifiers[index].key.utf8.elementsEqual(issuer.utf8) else {
            throw JWTKError(.issuerMismatch, "the token's issuer is not one of the configured issuers", claim: "iss")
        }
        return (verifiers[index].key, verifiers[index].value)
    }

    /// Routes, verifies with the chosen issuer's verifier only, and checks the verified `iss`.
    ///
    /// - Throws: `JWTKError` for a token that cannot be routed or is rejected; ``JWTKRemoteError`` when the
    ///   chosen issuer's keys cannot be obtained.
    public func verify(_ token: String) async throws -> RoutedJWT {
        let (issuer, verifier) = try route(token)
        let verified = try await verifier.verify(routed: token)
        try Self.checkVerifiedIssuer(verified, routed: issuer)
        return RoutedJWT(issuer: issuer, token: verified)
    }

    /// The token's `iss`, read without verification.
    static func unverifiedIssuer(of token: String, limits: TokenLimits) throws(JWTKError) -> String {
        let unverified = try UnverifiedJWT.decode(token, limits: limits)
        guard let payload = unverified.payloadJSON, payload.kind == .object else {
            throw JWTKError(.invalidPayload, "the payload is not a JSON object")
        }
        guard let value = payload["iss"] else {
            throw JWTKError(.issuerMismatch, "the token has no iss; it cannot be routed to an issuer", claim: "iss")
        }
        guard let issuer = value.string else { throw JWTKError(.invalidClaim, "iss is not a string", claim: "iss") }
        return issuer
    }

    /// Refuses a verified token whose `iss` is not byte for byte the issuer it was routed to.
    static func checkVerifiedIssuer(_ verified: VerifiedJWT, routed issuer: String) throws(JWTKError) {
        guard let value = try? verified.claims.issuer, value.utf8.elementsEqual(issuer.utf8) else {
            throw JWTKError(.issuerMismatch, "the verified iss differs from the routed issuer", claim: "iss")
        }
    }
}
