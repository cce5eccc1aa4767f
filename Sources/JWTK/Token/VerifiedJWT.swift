/// A JWT whose signature verified and whose claims passed the policy.
///
/// A copy is one reference: the four parts live in one immutable object made by the verification. A
/// ``VerifiedTokenCache`` hit hands out that object again, so the hit touches only its own thread's
/// reference count, never the shared key's or keyring's.
public struct VerifiedJWT: Sendable {
    /// The four parts, made once per verification (immutable, shared by every copy).
    private final class Storage: Sendable {
        let header: JOSEHeader
        let claims: JWTClaims
        let algorithm: JWSAlgorithm
        let key: VerificationKey

        init(header: JOSEHeader, claims: JWTClaims, algorithm: JWSAlgorithm, key: VerificationKey) {
            self.header = header
            self.claims = claims
            self.algorithm = algorithm
            self.key = key
        }
    }
    private let storage: Storage

    init(header: JOSEHeader, claims: JWTClaims, algorithm: JWSAlgorithm, key: VerificationKey) {
        storage = Storage(header: header, claims: claims, algorithm: algorithm, key: key)
    }

    /// The protected header.
    public var header: JOSEHeader { storage.header }
    /// The claims.
    public var claims: JWTClaims { storage.claims }
    /// The algorithm that was verified.
    public var algorithm: JWSAlgorithm { storage.algorithm }
    /// The key that verified the signature.
    public var key: VerificationKey { storage.key }
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

extension VerifiedJWT: CustomReflectable {
    /// The four parts, as `dump` and debuggers showed them when they were stored fields (not the private
    /// object that holds them).
    public var customMirror: Mirror {
        Mirror(self, children: ["header": header, "claims": claims, "algorithm": algorithm, "key": key], displayStyle: .struct)
    }
}
