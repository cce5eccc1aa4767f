/// Why a DPoP proof (RFC 9449) or its binding to an access token was refused.
///
/// Every failure carries a stable ``Code`` (its `rawValue`, such as `"dpop_replayed"`, is part of the public
/// contract) and the `WWW-Authenticate` error it maps to (``Code/challenge``): `invalid_dpop_proof` for the
/// proof itself (RFC 9449 §7.1), `use_dpop_nonce` when a server nonce is missing or stale (§9), `invalid_token`
/// when the access token is not bound to the proof's key (§7.1, Figure 16). Reasons never contain the proof,
/// the access token or key material.
public struct DPoPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The `error` a resource server sends in its `WWW-Authenticate: DPoP` challenge for a failure.
    public enum Challenge: String, Sendable, Hashable {
        /// `invalid_dpop_proof`: the proof is missing, malformed or fails a check of RFC 9449 §4.3.
        case invalidDPoPProof = "invalid_dpop_proof"
        /// `use_dpop_nonce`: the server requires a (fresh) nonce in the proof (RFC 9449 §9).
        case useDPoPNonce = "use_dpop_nonce"
        /// `invalid_token`: the access token is not bound to the proof's key (RFC 9449 §7.1).
        case invalidToken = "invalid_token"
        /// Not the client's fault (the replay cache is full): answer `503` and let the client retry.
        case unavailable = "temporarily_unavailable"
    }

    /// A stable error code. New codes may be added; existing ones keep their meaning and `rawValue`.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        /// The stable identifier, for logs, `error_description` and scripts.
        public let rawValue: String
        /// The `WWW-Authenticate` error this code answers with.
        public let challenge: Challenge

        private init(_ rawValue: String, _ challenge: Challenge = .invalidDPoPProof) {
            self.rawValue = rawValue
            self.challenge = challenge
        }

        /// The ``rawValue``.
        public var description: String { rawValue }

        /// No `DPoP` header was sent with a DPoP-bound access token.
        public static let proofMissing = Code("dpop_proof_missing")
        /// More than one `DPoP` header field (RFC 9449 §4.3 step 1).
        public static let multipleProofs = Code("dpop_multiple_proofs")
        /// The proof is not one well-formed compact JWT with a JSON object header and payload (§4.3 step 2).
        public static let malformedProof = Code("dpop_malformed_proof")
        /// The proof is larger than the configured limit, or one of its claims is.
        public static let limitExceeded = Code("dpop_limit_exceeded")
        /// The header's `typ` is not `dpop+jwt` (§4.3 step 4).
        public static let typeMismatch = Code("dpop_type_mismatch")
        /// The header's `alg` is `none`, symmetric, unknown or not in the allow-list (§4.3 step 5).
        public static let algorithmNotAllowed = Code("dpop_algorithm_not_allowed")
        /// The header's `jwk` is missing, not a public asymmetric key, holds private members, does not fit
        /// `alg`, or is too weak (RSA below the minimum size) (§4.3 step 7).
        public static let invalidKey = Code("dpop_invalid_key")
        /// The signature does not verify with the header's `jwk` (§4.3 step 6).
        public static let signatureInvalid = Code("dpop_signature_invalid")
        /// A required claim (`jti`, `htm`, `htu`, `iat`, `ath`) is absent (§4.3 step 3).
        public static let missingClaim = Code("dpop_missing_claim")
        /// A claim has the wrong JSON type or an unusable value (an empty `jti`, an `htu` that is no http(s) URI).
        public static let invalidClaim = Code("dpop_invalid_claim")
        /// `htm` is not the request's method (§4.3 step 8).
        public static let methodMismatch = Code("dpop_method_mismatch")
        /// `htu` is not the request's target URI, ignoring query and fragment (§4.3 step 9).
        public static let uriMismatch = Code("dpop_uri_mismatch")
        /// `iat` is older than the accepted window (§4.3 step 11).
        public static let proofTooOld = Code("dpop_proof_too_old")
        /// `iat` is further in the future than the accepted clock skew (§4.3 step 11).
        public static let issuedInFuture = Code("dpop_issued_in_future")
        /// `ath` is not the base64url SHA-256 of the access token (§4.3 step 12).
        public static let tokenHashMismatch = Code("dpop_token_hash_mismatch")
        /// This `jti` was already used with this key within the window (§11.1).
        public static let replayed = Code("dpop_replayed")
        /// The replay cache holds its capacity of live entries: the proof cannot be recorded, so it is refused.
        public static let replayCacheFull = Code("dpop_replay_cache_full", .unavailable)
        /// The server requires a `nonce` and the proof has none (§9).
        public static let nonceRequired = Code("dpop_nonce_required", .useDPoPNonce)
        /// The proof's `nonce` is not one the server accepts now (§4.3 step 10).
        public static let nonceMismatch = Code("dpop_nonce_mismatch", .useDPoPNonce)
        /// The access token has no `cnf.jkt`, or it is not the RFC 7638 thumbprint of the proof's key (§6.1).
        public static let keyBindingMismatch = Code("dpop_key_binding_mismatch", .invalidToken)

        /// Every code.
        public static let allCases: [Code] = [
            .proofMissing, .multipleProofs, .malformedProof, .limitExceeded, .typeMismatch, .algorithmNotAllowed,
            .invalidKey, .signatureInvalid, .missingClaim, .invalidClaim, .methodMismatch, .uriMismatch, .proofTooOld,
            .issuedInFuture, .tokenHashMismatch, .replayed, .replayCacheFull, .nonceRequired, .nonceMismatch,
            .keyBindingMismatch,
        ]

        /// Codes are equal when their raw values are.
        public static func == (a: Code, b: Code) -> Bool { a.rawValue == b.rawValue }
        /// Hashes the raw value.
        public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
    }

    /// What failed.
    public let code: Code
    /// A sentence describing the failure; never the proof, the token or key material.
    public let reason: String
    /// The header member or claim involved (`"htu"`, `"jwk"`), when there is one.
    public let claim: String?
    /// The core error behind this one (a key import or signature failure), when there is one.
    public let underlying: JWTKError.Code?

    /// Creates an error.
    public init(_ code: Code, _ reason: String = "", claim: String? = nil, underlying: JWTKError.Code? = nil) {
        self.code = code
        self.reason = reason
        self.claim = claim
        self.underlying = underlying
    }

    /// `code: reason`.
    public var description: String { "\(code.rawValue): \(reason.isEmpty ? code.rawValue : reason)" }

    /// Errors are equal when their codes are equal.
    public static func == (a: DPoPError, b: DPoPError) -> Bool { a.code == b.code }
    /// Hashes the code.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
