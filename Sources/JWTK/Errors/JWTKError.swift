/// The one error type of jwtk.
///
/// Every failure carries a stable ``Code`` (its `rawValue`, such as `"expired"`, is part of the public
/// contract and safe to match on in logs and scripts), the claim or key id involved where relevant, and a
/// human-readable reason. Two errors compare equal when their codes are equal, so tests and callers can write
/// `catch let error where error.code == .expired` or `#expect(throws: JWTKError(.expired))`.
///
/// Signature and key errors are always reported before, and instead of, claim errors: a token whose
/// signature does not verify never produces `expired` or `audienceMismatch`.
public struct JWTKError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code. New codes may be added; existing ones keep their meaning and `rawValue`.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        /// The stable identifier, for logs, JSON output and scripts.
        public let rawValue: String
        /// The broad class of failure the code belongs to.
        public let category: Category

        private init(_ rawValue: String, _ category: Category) {
            self.rawValue = rawValue
            self.category = category
        }

        public var description: String { rawValue }

        // Token shape and encoding
        /// The token is not a compact JWS (wrong number of segments, empty segment, bad characters).
        public static let malformedToken = Code("malformed_token", .malformed)
        /// The token has five segments: a JWE. jwtk verifies signed tokens only.
        public static let encryptedTokenUnsupported = Code("encrypted_token_unsupported", .malformed)
        /// A segment is not strict base64url (padding, `+`, `/`, whitespace, non-zero trailing bits).
        public static let invalidBase64URL = Code("invalid_base64url", .malformed)
        /// A header or payload is not valid UTF-8 JSON of the expected shape, or has duplicate members.
        public static let invalidJSON = Code("invalid_json", .malformed)
        /// A configured limit (token size, JSON depth, key count, ...) was exceeded.
        public static let limitExceeded = Code("limit_exceeded", .limits)

        // Algorithms and headers
        /// The header's `alg` is not an algorithm jwtk implements.
        public static let unsupportedAlgorithm = Code("unsupported_algorithm", .algorithm)
        /// The header's `alg` is implemented but not in the caller's allow-list.
        public static let algorithmNotAllowed = Code("algorithm_not_allowed", .algorithm)
        /// The token is unsecured (`alg: none` in any spelling). The verifier never accepts it.
        public static let unsecuredTokenRefused = Code("unsecured_token_refused", .algorithm)
        /// The key cannot be used with the token's algorithm (RSA key for HS256, P-384 key for ES256, JWK `alg` differs).
        public static let algorithmKeyMismatch = Code("algorithm_key_mismatch", .key)
        /// The `crit` header names an extension that the caller has not declared it understands, or is malformed.
        public static let unsupportedCriticalHeader = Code("unsupported_critical_header", .header)
        /// The header is missing a required member or a member has the wrong type.
        public static let invalidHeader = Code("invalid_header", .header)
        /// The header's `typ` does not match the policy.
        public static let typeMismatch = Code("type_mismatch", .header)

        // Keys
        /// No key in the keyring matches the token's `kid` (or, without a `kid`, its algorithm).
        public static let keyNotFound = Code("key_not_found", .key)
        /// Several keys fit a token without `kid` and the policy does not allow trying them.
        public static let ambiguousKey = Code("ambiguous_key", .key)
        /// Key material is invalid (malformed JWK/PEM/DER, point not on the curve, bad exponent).
        public static let invalidKey = Code("invalid_key", .key)
        /// The key type or curve is valid but not supported.
        public static let unsupportedKey = Code("unsupported_key", .key)
        /// The key is weaker than the policy allows (RSA below the minimum size, short HMAC secret).
        public static let weakKey = Code("weak_key", .key)
        /// The key is marked for another use (`use` other than `sig`, `key_ops` without `verify`).
        public static let keyUsageMismatch = Code("key_usage_mismatch", .key)

        // Signature
        /// The signature does not verify (including wrong length and out-of-range ECDSA values).
        public static let signatureInvalid = Code("signature_invalid", .signature)

        // Claims
        /// The payload of a JWT is not a JSON object.
        public static let invalidPayload = Code("invalid_payload", .claims)
        /// `exp` is at or before now (minus leeway).
        public static let expired = Code("expired", .claims)
        /// `nbf` is after now (plus leeway).
        public static let notYetValid = Code("not_yet_valid", .claims)
        /// `iat` is after now (plus leeway).
        public static let issuedInFuture = Code("issued_in_future", .claims)
        /// `iat` is older than the policy's maximum token age.
        public static let tokenTooOld = Code("token_too_old", .claims)
        /// A required claim is absent.
        public static let missingClaim = Code("missing_claim", .claims)
        /// A claim is present but has the wrong JSON type or an invalid value.
        public static let invalidClaim = Code("invalid_claim", .claims)
        /// `iss` is not the expected issuer.
        public static let issuerMismatch = Code("issuer_mismatch", .claims)
        /// `aud` does not contain an expected audience.
        public static let audienceMismatch = Code("audience_mismatch", .claims)
        /// `sub` differs from the expected subject.
        public static let subjectMismatch = Code("subject_mismatch", .claims)
        /// OpenID Connect: `nonce` differs from the one the client sent.
        public static let nonceMismatch = Code("nonce_mismatch", .claims)
        /// OpenID Connect: `azp` is missing or differs from the client id.
        public static let authorizedPartyMismatch = Code("authorized_party_mismatch", .claims)
        /// OpenID Connect: `auth_time` is older than the requested `max_age`.
        public static let authenticationTooOld = Code("authentication_too_old", .claims)
        /// OpenID Connect: `at_hash` or `c_hash` does not match the access token or code.
        public static let tokenHashMismatch = Code("token_hash_mismatch", .claims)

        // HTTP credentials (RFC 6750 §2.1, RFC 9449 §7.1)
        /// The `Authorization` header names another scheme than the one expected (`Basic` where `Bearer` is read).
        public static let authorizationSchemeMismatch = Code("authorization_scheme_mismatch", .malformed)
        /// The `Authorization` header uses the expected scheme but its credentials are not one b64token.
        public static let invalidAuthorizationHeader = Code("invalid_authorization_header", .malformed)

        // Other
        /// An input outside the token (a file, a parameter) is unusable.
        public static let invalidArgument = Code("invalid_argument", .usage)
        /// OpenSSL failed for a reason unrelated to the input (allocation, missing provider).
        public static let cryptoFailure = Code("crypto_failure", .internal)

        public static let allCases: [Code] = [
            .malformedToken, .encryptedTokenUnsupported, .invalidBase64URL, .invalidJSON, .limitExceeded,
            .unsupportedAlgorithm, .algorithmNotAllowed, .unsecuredTokenRefused, .algorithmKeyMismatch,
            .unsupportedCriticalHeader, .invalidHeader, .typeMismatch, .keyNotFound, .ambiguousKey, .invalidKey,
            .unsupportedKey, .weakKey, .keyUsageMismatch, .signatureInvalid, .invalidPayload, .expired,
            .notYetValid, .issuedInFuture, .tokenTooOld, .missingClaim, .invalidClaim, .issuerMismatch,
            .audienceMismatch, .subjectMismatch, .nonceMismatch, .authorizedPartyMismatch, .authenticationTooOld,
            .tokenHashMismatch, .authorizationSchemeMismatch, .invalidAuthorizationHeader, .invalidArgument,
            .cryptoFailure,
        ]

        public static func == (a: Code, b: Code) -> Bool { a.rawValue == b.rawValue }
        public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
    }

    /// The broad class of a failure; the CLI maps it to exit statuses.
    public enum Category: String, Sendable, Hashable {
        case malformed, limits, algorithm, header, key, signature, claims, usage, `internal`
    }

    /// What failed.
    public let code: Code
    /// A sentence describing the failure with the values involved.
    public let reason: String
    /// The claim or header member involved (`"exp"`, `"aud"`, `"crit"`), when there is one.
    public let claim: String?
    /// The key id involved, when there is one.
    public let keyID: String?
    /// OpenSSL's error text for key-import failures; empty on the verification path.
    public let openSSLErrors: [String]
    /// The verification step that raised the error: set on every error ``JWTVerifier`` throws, nil for errors
    /// raised outside a verification (key import, signing, inspection).
    public internal(set) var step: VerificationStep?

    /// Creates an error. Callers mostly compare against errors made with just a code.
    public init(_ code: Code, _ reason: String = "", claim: String? = nil, keyID: String? = nil, openSSLErrors: [String] = []) {
        self.code = code
        self.reason = reason
        self.claim = claim
        self.keyID = keyID
        self.openSSLErrors = openSSLErrors
    }

    /// The sentence the `jwtk` CLI prints for this error: the reason (or the code when there is none) and the
    /// code in brackets, `the token expired at 2026-01-01T01:00:00Z (now …, leeway 0s) [expired]`. Never
    /// contains a secret or key body.
    public var message: String { "\(reason.isEmpty ? code.rawValue : reason) [\(code.rawValue)]" }

    /// `code: reason`, plus OpenSSL's error text for key-import failures: the form logs already rely on
    /// (``message`` and `localizedDescription` are the CLI's `reason [code]`).
    public var description: String {
        var text = "\(code.rawValue): \(reason.isEmpty ? code.rawValue : reason)"
        if !openSSLErrors.isEmpty { text += " (OpenSSL: \(openSSLErrors.joined(separator: "; ")))" }
        return text
    }

    /// The error with `step` as its step, unless it already names one.
    func at(_ step: VerificationStep) -> JWTKError {
        guard self.step == nil else { return self }
        var error = self
        error.step = step
        return error
    }

    /// Errors are equal when their codes are equal.
    public static func == (a: JWTKError, b: JWTKError) -> Bool { a.code == b.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
