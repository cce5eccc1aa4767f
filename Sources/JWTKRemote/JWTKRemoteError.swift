import JWTK

/// A failure to fetch or use remote key material or provider metadata (JWK Sets, OpenID Connect discovery,
/// userinfo).
///
/// Like `JWTKError` it carries a stable ``Code`` whose `rawValue` (such as `"stale_keys"`) is part of the
/// public contract, and two errors compare equal when their codes are equal, so tests and callers can write
/// `#expect(throws: JWTKRemoteError(.timeout))`.
///
/// It is the one error type of JWTKRemote: every remote `verify…` method is `throws(JWTKRemoteError)`. A token
/// that is rejected on its own merits (bad signature, expired, wrong audience, unknown `kid` after a refresh)
/// is code ``Code/tokenRejected``, carrying the core's `JWTKError` in ``rejection`` (its code, reason, claim
/// and key id unchanged); every other code means the keys or metadata needed to judge the token could not be
/// obtained or may no longer be used.
public struct JWTKRemoteError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code. New codes may be added; existing ones keep their meaning and `rawValue`.
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        /// The stable identifier, for logs, JSON output and scripts.
        public let rawValue: String

        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The stable identifier.
        public var description: String { rawValue }

        /// The request could not be made or did not complete (connection refused, reset, DNS failure).
        public static let fetchFailed = Code("fetch_failed")
        /// The request did not complete within the configured timeout.
        public static let timeout = Code("timeout")
        /// The TLS handshake failed (untrusted certificate, wrong host name, protocol error).
        public static let tlsFailure = Code("tls_failure")
        /// The server answered with a status other than 200 (or 304 to a conditional request).
        public static let httpStatus = Code("http_status")
        /// The response body is larger than the configured cap.
        public static let responseTooLarge = Code("response_too_large")
        /// The response's `Content-Type` is not JSON.
        public static let unexpectedContentType = Code("unexpected_content_type")
        /// The response is not a valid document of the expected kind (not JSON, no `keys`, no usable key,
        /// a required metadata member missing or of the wrong type).
        public static let invalidDocument = Code("invalid_document")
        /// The URL is not https (plain http is accepted only for loopback hosts), has no host, or carries
        /// credentials. Refused before any connection is made.
        public static let insecureURL = Code("insecure_url")
        /// The server redirected to another origin (or to an insecure URL); the redirect was not followed.
        public static let redirectRefused = Code("redirect_refused")
        /// OpenID Connect discovery: the document's `issuer` differs from the configured issuer (Discovery §4.3).
        public static let issuerMismatch = Code("issuer_mismatch")
        /// OpenID Connect discovery: none of the provider's ID token signing algorithms is in the caller's
        /// allow-list.
        public static let noCommonAlgorithm = Code("no_common_algorithm")
        /// OpenID Connect discovery: the provider does not publish the endpoint needed (for example
        /// `userinfo_endpoint`).
        public static let missingEndpoint = Code("missing_endpoint")
        /// The last good keys (or metadata) are older than the maximum staleness and every refresh since has
        /// failed; they are no longer used.
        public static let staleKeys = Code("stale_keys")
        /// No key set (or metadata) has been fetched successfully yet.
        public static let notLoaded = Code("not_loaded")
        /// Userinfo: the response's `sub` differs from the ID token's `sub` (OpenID Connect Core §5.3.2).
        public static let subjectMismatch = Code("subject_mismatch")
        /// The calling task was cancelled while waiting for the request.
        public static let cancelled = Code("cancelled")
        /// An input given by the caller is unusable (an access token that is not an RFC 6750 §2.1 `b64token`).
        public static let invalidArgument = Code("invalid_argument")
        /// The response carries a `Content-Encoding` (gzip, br, ...) although jwtk asked for `identity`: its
        /// inflated size is not bounded by the size cap, so it is refused before its body is read.
        public static let unexpectedContentEncoding = Code("unexpected_content_encoding")

        /// The token was rejected by the core verifier (signature, claims, header, key selection); the
        /// `JWTKError` is ``JWTKRemoteError/rejection``. The keys themselves were usable.
        public static let tokenRejected = Code("token_rejected")

        /// Every code, in declaration order.
        public static let allCases: [Code] = [
            .fetchFailed, .timeout, .tlsFailure, .httpStatus, .responseTooLarge, .unexpectedContentType, .invalidDocument,
            .insecureURL, .redirectRefused, .issuerMismatch, .noCommonAlgorithm, .missingEndpoint, .staleKeys, .notLoaded,
            .subjectMismatch, .cancelled, .invalidArgument, .unexpectedContentEncoding, .tokenRejected,
        ]

        /// Codes are equal when their identifiers are equal.
        public static func == (a: Code, b: Code) -> Bool { a.rawValue == b.rawValue }
        /// Hashes the identifier.
        public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
    }

    /// What failed.
    public let code: Code
    /// A sentence describing the failure with the values involved.
    public let reason: String
    /// The URL involved, when there is one.
    public let url: String?
    /// The HTTP status, for ``Code/httpStatus`` and ``Code/redirectRefused``.
    public let status: Int?
    /// The core error behind an ``Code/invalidDocument`` (a JWK Set that failed to parse) or a
    /// ``Code/tokenRejected``, when there is one.
    public let underlying: JWTKError?

    /// Creates an error. Callers mostly compare against errors made with just a code.
    public init(_ code: Code, _ reason: String = "", url: String? = nil, status: Int? = nil, underlying: JWTKError? = nil) {
        self.code = code
        self.reason = reason
        self.url = url
        self.status = status
        self.underlying = underlying
    }

    /// The rejection of a token by the core verifier (for ``Code/tokenRejected``), else nil: the `JWTKError`
    /// to map to a `401`, while any other code means the keys were unavailable (a `503`).
    public var rejection: JWTKError? { code == .tokenRejected ? underlying : nil }

    /// A token rejection: code ``Code/tokenRejected`` carrying `error` (its reason becomes this error's reason).
    public static func rejected(_ error: JWTKError) -> JWTKRemoteError {
        JWTKRemoteError(.tokenRejected, error.reason, underlying: error)
    }

    /// The sentence the `jwtk` CLI prints for this error: `reason (url) [code]`, the code standing in for an
    /// empty reason; for a ``rejection``, the core error's own `message`.
    public var message: String {
        if let rejection { return rejection.message }
        var text = reason.isEmpty ? code.rawValue : reason
        if let url { text += " (\(url))" }
        return "\(text) [\(code.rawValue)]"
    }

    /// `code: reason (url)`: the form logs already rely on (``message`` and `localizedDescription` are the
    /// CLI's `reason (url) [code]`); for a ``rejection``, the core error's own `description`.
    public var description: String {
        if let rejection { return rejection.description }
        var text = "\(code.rawValue): \(reason.isEmpty ? code.rawValue : reason)"
        if let url { text += " (\(url))" }
        return text
    }

    /// Errors are equal when their codes are equal; two rejections also need equal core codes, so
    /// `#expect(throws: JWTKRemoteError.rejected(JWTKError(.expired)))` tells an expired token from a forged one.
    public static func == (a: JWTKRemoteError, b: JWTKRemoteError) -> Bool {
        a.code == b.code && (a.code != .tokenRejected || a.underlying?.code == b.underlying?.code)
    }
    /// Hashes the code (and a rejection's core code).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        if code == .tokenRejected { hasher.combine(underlying?.code) }
    }
}
