/// Everything a ``JWTVerifier`` checks besides the signature, as data.
///
/// The defaults follow RFC 8725: every supported algorithm may be used but only with a key of its own
/// family, `exp` is required, no leeway, RSA keys of at least 2048 bits, HMAC secrets at least as long as the
/// hash, unknown `crit` extensions refused, and a token that carries `aud` is refused unless the policy names
/// an audience it accepts (RFC 7519 §4.1.3).
///
/// ```swift
/// var policy = VerificationPolicy(issuer: "https://auth.example.com", audience: "my-api")
/// policy.algorithms = [.RS256, .ES256]
/// policy.leeway = 30
/// ```
public struct VerificationPolicy: Sendable {
    /// Algorithms the verifier accepts (RFC 8725 §3.1). Default: all supported algorithms; the key still
    /// decides the family. Narrow it to what your issuer uses.
    public var algorithms: Set<JWSAlgorithm> = Set(JWSAlgorithm.allCases)
    /// Accepted issuers, compared exactly. Empty: `iss` is not checked (only its type).
    public var issuers: Set<String> = []
    /// Accepted audiences: the token's `aud` must contain at least one. Empty: see ``ignoresAudience``.
    public var audiences: Set<String> = []
    /// When true and ``audiences`` is empty, a token's `aud` is not checked (only its type).
    /// - Warning: RFC 7519 §4.1.3 requires rejecting a token whose `aud` does not name you; turn this on only
    ///   when the issuer's tokens are meant for every relying party.
    public var ignoresAudience = false
    /// Expected `sub`, compared exactly. Nil: not checked.
    public var subject: String?
    /// Whether `exp` must be present. Default true.
    /// - Warning: a token without `exp` never expires.
    public var requiresExpiration = true
    /// Whether `iat` must be present. Default false.
    public var requiresIssuedAt = false
    /// Clock-skew allowance in seconds, applied to `exp`, `nbf`, `iat` and ages. Default 0.
    /// - Warning: RFC 7519 suggests "usually no more than a few minutes".
    public var leeway: Double = 0
    /// The source of "now".
    public var clock: JWTClock = .system
    /// Maximum token age in seconds, measured from `iat` (which then becomes required). Nil: no limit.
    public var maxTokenAge: Double?
    /// Expected header `typ`, compared case-insensitively after dropping an `application/` prefix
    /// (RFC 8725 §3.11). Nil: `typ` is not checked.
    public var expectedType: String?
    /// Header `typ` values that are refused (compared like ``expectedType``). The OpenID Connect preset refuses
    /// `at+jwt`, so an access token can never pass as an ID token (RFC 8725 §3.12).
    public var rejectedTypes: Set<String> = []
    /// Claims that must be present (and not null).
    public var requiredClaims: [String] = []
    /// Smallest accepted RSA modulus in bits. Default 2048 (RFC 7518 §3.3).
    public var minimumRSAKeyBits = 2048
    /// Whether HMAC secrets shorter than the hash output are refused (RFC 7518 §3.2). Default true.
    public var requiresFullLengthHMACSecrets = true
    /// Extension header names (listed in `crit`) that the caller processes itself. Others are refused.
    public var understoodCriticalHeaders: Set<String> = []
    /// Whether RFC 7797 unencoded payloads (`"b64": false`, listed in `crit`) are accepted. Default false.
    public var allowsUnencodedPayload = false
    /// When a token has no `kid` (or several keys share it) and more than one key fits, how many to try.
    /// Default 1: refuse as ambiguous.
    public var maxKeysTried = 1
    /// Whether a keyring that holds both symmetric (`oct`) and asymmetric keys may verify. Default false: such
    /// a set is refused with `unsupported_key` (RFC 8725 §3.1, §3.5: a shared secret does not belong next to
    /// public keys, and one family must not stand in for another). The key's family still decides the algorithm
    /// when this is true.
    public var allowsMixedKeyTypes = false
    /// Token size and JSON limits.
    public var limits = TokenLimits()

    // OpenID Connect (set by ``openIDConnect(issuer:clientID:nonce:maxAuthenticationAge:accessToken:authorizationCode:)``)
    /// Expected `nonce` (OIDC Core §3.1.3.7 step 11). Nil: not checked.
    public var nonce: String?
    /// The client id for OIDC `azp` rules: when `azp` is present it must equal this; when `aud` has several
    /// values `azp` is required. Nil: not checked.
    public var authorizedParty: String?
    /// Maximum seconds since `auth_time` (the OIDC `max_age` request parameter). Nil: not checked.
    public var maxAuthenticationAge: Double?
    /// An access token returned with the ID token: `at_hash` must be present and match (OIDC Core §3.1.3.8).
    public var accessTokenForHash: String?
    /// An authorization code returned with the ID token: `c_hash` must be present and match (§3.3.2.11).
    public var authorizationCodeForHash: String?

    /// A policy with the defaults described above.
    public init() {}

    /// A policy that checks one issuer and one audience, with the other defaults.
    public init(issuer: String?, audience: String?) {
        if let issuer { issuers = [issuer] }
        if let audience { audiences = [audience] }
    }

    /// OpenID Connect ID token validation (OIDC Core §3.1.3.7): `iss` equals `issuer` exactly, `aud` contains
    /// `clientID`, `azp` equals `clientID` when present and is required when `aud` has several values, `exp`,
    /// `iat` and `sub` required, `nonce` checked when given, `auth_time` checked against `maxAuthenticationAge`,
    /// `at_hash`/`c_hash` checked when the access token or code is given.
    public static func openIDConnect(
        issuer: String, clientID: String, nonce: String? = nil, maxAuthenticationAge: Double? = nil,
        accessToken: String? = nil, authorizationCode: String? = nil
    ) -> VerificationPolicy {
        var policy = VerificationPolicy(issuer: issuer, audience: clientID)
        policy.requiresExpiration = true
        policy.requiresIssuedAt = true
        policy.requiredClaims = ["sub"]
        policy.authorizedParty = clientID
        policy.rejectedTypes = ["at+jwt"]
        policy.nonce = nonce
        policy.maxAuthenticationAge = maxAuthenticationAge
        policy.accessTokenForHash = accessToken
        policy.authorizationCodeForHash = authorizationCode
        return policy
    }

    /// JWT access token validation (RFC 9068 §4): `typ` must be `at+jwt`, `iss` equals `issuer`, `aud`
    /// contains `audience`, and `iss exp aud sub client_id iat jti` are required.
    public static func accessToken(issuer: String, audience: String) -> VerificationPolicy {
        var policy = VerificationPolicy(issuer: issuer, audience: audience)
        policy.expectedType = "at+jwt"
        policy.requiresExpiration = true
        policy.requiresIssuedAt = true
        policy.requiredClaims = ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"]
        return policy
    }
}
