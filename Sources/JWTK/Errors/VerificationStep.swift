/// One check of a verification. The cases are declared in the order ``JWTVerifier`` runs them: this
/// declaration is the one place that order is written, and `allCases` lists it.
///
/// A later step never runs when an earlier one fails, so a forged token never reports a claim error. Every
/// ``JWTKError`` thrown by ``JWTVerifier/verify(_:)`` names the step that raised it in ``JWTKError/step``, and
/// ``JWTVerifier/verify(_:observer:)`` reports each step to a ``VerificationObserver``.
public enum VerificationStep: String, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    /// Token shape and size: a compact JWS of three segments within the size limit.
    case shape
    /// The protected header: strict base64url, a JSON object within the limits, members of the right types.
    case header
    /// `alg` is not `none` in any spelling.
    case unsecuredAlgorithm = "alg_none"
    /// `alg` is implemented and in the policy's allow-list.
    case algorithm = "alg"
    /// Every `crit` extension is understood; `b64` (RFC 7797) is listed when used.
    case criticalHeaders = "crit"
    /// A key selected by `kid` and key type, never from the token itself.
    case keySelection = "key"
    /// The selected key is strong enough (RSA size, HMAC secret length).
    case keyStrength = "key_strength"
    /// The signature verifies over the exact signed bytes.
    case signature
    /// The payload is a JSON object of claims (not a nested JWT).
    case payload
    /// The header's `typ` is the expected one, or not one the policy refuses.
    case type = "typ"
    /// The registered claims, when present, have their types.
    case claimTypes = "claim_types"
    /// `exp`.
    case expiration = "exp"
    /// `nbf`.
    case notBefore = "nbf"
    /// `iat` and the maximum token age.
    case issuedAt = "iat"
    /// `iss`.
    case issuer = "iss"
    /// `aud`.
    case audience = "aud"
    /// `sub`.
    case subject = "sub"
    /// The policy's required claims are present.
    case requiredClaims = "required"
    /// OpenID Connect: `nonce`.
    case nonce
    /// OpenID Connect: `azp`.
    case authorizedParty = "azp"
    /// OpenID Connect: `auth_time` and `max_age`.
    case authenticationTime = "auth_time"
    /// OpenID Connect: `at_hash`.
    case accessTokenHash = "at_hash"
    /// OpenID Connect: `c_hash`.
    case codeHash = "c_hash"

    /// A stable identifier (`"signature"`, `"exp"`, `"azp"`): the raw value.
    public var id: String { rawValue }

    /// The identifier.
    public var description: String { rawValue }

    /// Whether the step belongs to claim validation (none of them runs for a signature-only verification).
    public var isClaimStep: Bool { self >= .payload }

    /// The position of the step in the order of checks, from 0.
    public var position: Int { Self.allCases.firstIndex(of: self)! }

    /// Steps compare by their position in the order of checks.
    public static func < (a: Self, b: Self) -> Bool { a.position < b.position }

    /// A short title.
    public var title: String {
        switch self {
        case .shape: "Token shape and size"
        case .header: "Protected header is a JSON object"
        case .unsecuredAlgorithm: "alg is not none"
        case .algorithm: "alg is allowed"
        case .criticalHeaders: "Critical header extensions understood"
        case .keySelection: "Key selected by kid and key type"
        case .keyStrength: "Key strength"
        case .signature: "Signature"
        case .payload: "Claims are a JSON object"
        case .type: "Header typ"
        case .claimTypes: "Registered claims have their types"
        case .expiration: "Expiration (exp)"
        case .notBefore: "Not before (nbf)"
        case .issuedAt: "Issued at (iat) and maximum age"
        case .issuer: "Issuer (iss)"
        case .audience: "Audience (aud)"
        case .subject: "Subject (sub)"
        case .requiredClaims: "Required claims present"
        case .nonce: "Nonce (nonce)"
        case .authorizedParty: "Authorized party (azp)"
        case .authenticationTime: "Authentication time (auth_time)"
        case .accessTokenHash: "Access token hash (at_hash)"
        case .codeHash: "Code hash (c_hash)"
        }
    }

    /// The specification sections the step enforces.
    public var reference: String {
        switch self {
        case .shape: "RFC 7515 §7.1; RFC 8725 §3.4"
        case .header: "RFC 7515 §4; RFC 7515 §5.2"
        case .unsecuredAlgorithm: "RFC 8725 §3.1; RFC 7518 §3.6"
        case .algorithm: "RFC 8725 §3.1"
        case .criticalHeaders: "RFC 7515 §4.1.11"
        case .keySelection: "RFC 7515 §4.1.4; RFC 8725 §3.1"
        case .keyStrength: "RFC 7518 §3.2; RFC 7518 §3.3"
        case .signature: "RFC 7515 §5.2"
        case .payload: "RFC 7519 §7.2"
        case .type: "RFC 8725 §3.11"
        case .claimTypes: "RFC 7519 §4.1"
        case .expiration: "RFC 7519 §4.1.4"
        case .notBefore: "RFC 7519 §4.1.5"
        case .issuedAt: "RFC 7519 §4.1.6"
        case .issuer: "RFC 7519 §4.1.1; RFC 8725 §3.8"
        case .audience: "RFC 7519 §4.1.3; RFC 8725 §3.9"
        case .subject: "RFC 7519 §4.1.2"
        case .requiredClaims: "RFC 7519 §4"
        case .nonce: "OpenID Connect Core §3.1.3.7 step 11"
        case .authorizedParty: "OpenID Connect Core §3.1.3.7 steps 4-5"
        case .authenticationTime: "OpenID Connect Core §3.1.3.7 step 13"
        case .accessTokenHash: "OpenID Connect Core §3.1.3.8"
        case .codeHash: "OpenID Connect Core §3.3.2.11"
        }
    }
}
