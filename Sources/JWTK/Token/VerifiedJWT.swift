/// A JWT whose signature verified and whose claims passed the policy.
public struct VerifiedJWT: Sendable {
    /// The protected header.
    public let header: JOSEHeader
    /// The claims.
    public let claims: JWTClaims
    /// The algorithm that was verified.
    public let algorithm: JWSAlgorithm
    /// The key that verified the signature.
    public let key: VerificationKey
}

/// A JWS whose signature verified; the payload is arbitrary bytes and no claim was checked.
public struct VerifiedJWS: Sendable {
    /// The protected header.
    public let header: JOSEHeader
    /// The payload bytes (decoded from base64url, or as sent for `b64: false` / detached payloads).
    public let payload: [UInt8]
    /// The algorithm that was verified.
    public let algorithm: JWSAlgorithm
    /// The key that verified the signature.
    public let key: VerificationKey
}
