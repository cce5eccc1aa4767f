/// An access token taken from an HTTP `Authorization` header (RFC 6750 §2.1, `Authorization: Bearer b64token`).
///
/// The scheme is compared case-insensitively (RFC 9110 §11.1); the credentials must be exactly one b64token
/// (`ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/"`, then optional `=` padding) after one or more spaces.
/// Surrounding optional whitespace of the field value is ignored. Nothing else is accepted: no parameters, no
/// second token, no tab inside, no empty token. The token itself is never placed in an error message.
///
/// ```swift
/// let bearer = try BearerToken(authorizationHeader: request.headers["Authorization"] ?? "")
/// let verified = try verifier.verify(bearer.token)
/// ```
///
/// The same parser reads `Authorization: DPoP token` (RFC 9449 §7.1) when ``Scheme/dpop`` is passed.
public struct BearerToken: Sendable, Hashable {
    /// An HTTP authentication scheme that carries a b64token.
    public struct Scheme: Sendable, Hashable, CustomStringConvertible {
        /// The scheme's name as it is written in challenges (`Bearer`, `DPoP`).
        public let name: String
        /// Creates a scheme. Its name is compared case-insensitively.
        public init(_ name: String) { self.name = name }
        /// `Bearer` (RFC 6750).
        public static let bearer = Scheme("Bearer")
        /// `DPoP` (RFC 9449 §7.1).
        public static let dpop = Scheme("DPoP")
        public var description: String { name }
    }

    /// The default maximum token length: the verifier's default ``TokenLimits/maxTokenBytes`` (16 KiB).
    public static let defaultMaxLength = TokenLimits().maxTokenBytes

    /// The access token (the b64token), without the scheme.
    public let token: String
    /// The scheme the header used, as configured (not as spelled by the client).
    public let scheme: Scheme

    /// Reads the credentials of an `Authorization` header field value.
    /// - Parameters:
    ///   - authorizationHeader: the field value, such as `Bearer eyJ...`.
    ///   - scheme: the expected scheme; default `Bearer`.
    ///   - maxLength: the longest token accepted, in bytes; default ``defaultMaxLength``.
    /// - Throws: `authorizationSchemeMismatch` when the header names another scheme (or is empty),
    ///   `invalidAuthorizationHeader` when the credentials are missing or not one b64token, `limitExceeded`
    ///   when the token is longer than `maxLength`.
    public init(
        authorizationHeader: String, scheme: Scheme = .bearer, maxLength: Int = BearerToken.defaultMaxLength
    )
        throws(JWTKError)
    {
        var bytes = Array(authorizationHeader.utf8)[...]
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        let nameEnd = bytes.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) ?? bytes.endIndex
        let name = bytes[bytes.startIndex..<nameEnd]
        guard Self.equalIgnoringASCIICase(name, Array(scheme.name.utf8)) else {
            throw JWTKError(
                .authorizationSchemeMismatch, "the Authorization header does not use the \(scheme.name) scheme")
        }
        var rest = bytes[nameEnd...]
        guard rest.first == 0x20 else {
            throw JWTKError(.invalidAuthorizationHeader, "the \(scheme.name) credentials are missing")
        }
        while rest.first == 0x20 { rest.removeFirst() }
        guard !rest.isEmpty else {
            throw JWTKError(.invalidAuthorizationHeader, "the \(scheme.name) credentials are missing")
        }
        guard rest.count <= maxLength else {
            throw JWTKError(
                .limitExceeded, "the \(scheme.name) token is \(rest.count) bytes, more than the limit of \(maxLength)")
        }
        guard Self.isB64Token(rest) else {
            throw JWTKError(
                .invalidAuthorizationHeader,
                "the \(scheme.name) credentials are not a single b64token (RFC 6750 §2.1)")
        }
        self.token = String(decoding: rest, as: UTF8.self)
        self.scheme = scheme
    }

    /// Whether `bytes` is `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
    static func isB64Token(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        var body = 0
        while index < bytes.endIndex {
            let b = bytes[index]
            let ok =
                (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D
                || b == 0x2E || b == 0x5F || b == 0x7E || b == 0x2B || b == 0x2F
            guard ok else { break }
            body += 1
            index += 1
        }
        guard body > 0 else { return false }
        while index < bytes.endIndex {
            guard bytes[index] == 0x3D else { return false }
            index += 1
        }
        return true
    }

    static func equalIgnoringASCIICase(_ a: ArraySlice<UInt8>, _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            let lx = (x >= 0x41 && x <= 0x5A) ? x | 0x20 : x
            let ly = (y >= 0x41 && y <= 0x5A) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }
}
