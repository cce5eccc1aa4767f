/// A JWS signature algorithm that jwtk implements (RFC 7518 §3, RFC 8037, RFC 9864).
///
/// `none` is deliberately not a case: an unsecured token can never be verified, only decoded through
/// ``UnverifiedJWT``. Names are compared exactly and case-sensitively (`"hs256"` is not `HS256`).
public enum JWSAlgorithm: String, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible {
    case HS256, HS384, HS512
    case RS256, RS384, RS512
    case PS256, PS384, PS512
    case ES256, ES384, ES512
    /// EdDSA with an Ed25519 or Ed448 key (RFC 8037).
    case EdDSA
    /// EdDSA with an Ed25519 key only (RFC 9864 fully specified name).
    case Ed25519
    /// EdDSA with an Ed448 key only (RFC 9864 fully specified name).
    case Ed448

    /// The family of keys an algorithm needs. The key decides: an algorithm is only ever used with a key of
    /// its family (RFC 8725 §3.1).
    public enum Family: String, Sendable {
        case hmac, rsaPKCS1, rsaPSS, ecdsa, eddsa
    }

    public var description: String { rawValue }

    /// The key family this algorithm needs.
    public var family: Family {
        switch self {
        case .HS256, .HS384, .HS512: return .hmac
        case .RS256, .RS384, .RS512: return .rsaPKCS1
        case .PS256, .PS384, .PS512: return .rsaPSS
        case .ES256, .ES384, .ES512: return .ecdsa
        case .EdDSA, .Ed25519, .Ed448: return .eddsa
        }
    }

    /// The hash size in bits (256, 384, 512), or 0 for EdDSA, whose hash is part of the algorithm.
    public var hashBits: Int {
        switch self {
        case .HS256, .RS256, .PS256, .ES256: return 256
        case .HS384, .RS384, .PS384, .ES384: return 384
        case .HS512, .RS512, .PS512, .ES512: return 512
        case .EdDSA, .Ed25519, .Ed448: return 0
        }
    }

    /// For ECDSA, the only curve the algorithm is defined with (256, 384 or 521); nil otherwise.
    public var ecdsaCurve: Int? {
        switch self {
        case .ES256: return 256
        case .ES384: return 384
        case .ES512: return 521
        default: return nil
        }
    }

    /// Whether `name` spells the unsecured algorithm `none` in any case (`none`, `None`, `NONE`, ...).
    public static func isUnsecuredName(_ name: String) -> Bool {
        name.utf8.count == 4 && name.lowercased() == "none"
    }

    /// The hash used for OpenID Connect `at_hash`/`c_hash` (OIDC Core §3.1.3.6): the algorithm's hash,
    /// SHA-512 for Ed25519 (by the convention of OpenID Connect implementations). nil for Ed448 (SHAKE256, unsupported).
    var tokenHashBits: Int? {
        switch self {
        case .EdDSA, .Ed25519: return 512
        case .Ed448: return nil
        default: return hashBits
        }
    }
}
