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
        // One pass over the field value's UTF-8 bytes in place (no array, slice or intermediate string); the
        // token string is built once, from the checked bytes.
        var header = authorizationHeader
        var name = scheme.name
        let parsed = header.withUTF8 { bytes in
            name.withUTF8 { expected in unsafe Self.parse(bytes, scheme: expected, maxLength: maxLength) }
        }
        switch parsed {
        case .schemeMismatch:
            throw JWTKError(
                .authorizationSchemeMismatch, "the Authorization header does not use the \(scheme.name) scheme")
        case .missing:
            throw JWTKError(.invalidAuthorizationHeader, "the \(scheme.name) credentials are missing")
        case .tooLong(let count):
            throw JWTKError(
                .limitExceeded, "the \(scheme.name) token is \(count) bytes, more than the limit of \(maxLength)")
        case .notB64Token:
            throw JWTKError(
                .invalidAuthorizationHeader,
                "the \(scheme.name) credentials are not a single b64token (RFC 6750 §2.1)")
        case .token(let token):
            self.token = token
        }
        self.scheme = scheme
    }

    /// What ``parse(_:scheme:maxLength:)`` found, in the order the checks run.
    enum Parsed {
        case schemeMismatch
        case missing
        case tooLong(Int)
        case notB64Token
        case token(String)
    }

    /// Trims the field value, compares the scheme, finds the credentials, checks their length and that they are
    /// one b64token, then builds the token string: once, from the bytes in place.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, scheme: UnsafeBufferPointer<UInt8>, maxLength: Int) -> Parsed {
        var start = 0
        var end = bytes.count
        while start < end, unsafe bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, unsafe bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        var nameEnd = start
        while nameEnd < end, unsafe bytes[nameEnd] != 0x20, unsafe bytes[nameEnd] != 0x09 { nameEnd += 1 }
        guard unsafe equalIgnoringASCIICase(UnsafeBufferPointer(rebasing: bytes[start..<nameEnd]), scheme) else {
            return .schemeMismatch
        }
        guard nameEnd < end, unsafe bytes[nameEnd] == 0x20 else { return .missing }
        var tokenStart = nameEnd
        while tokenStart < end, unsafe bytes[tokenStart] == 0x20 { tokenStart += 1 }
        guard tokenStart < end else { return .missing }
        guard end - tokenStart <= maxLength else { return .tooLong(end - tokenStart) }
        let credentials = unsafe UnsafeBufferPointer(rebasing: bytes[tokenStart..<end])
        guard unsafe isB64Token(credentials) else { return .notB64Token }
        return unsafe .token(String(decoding: credentials, as: UTF8.self))
    }

    /// The class of each byte in a b64token: 1 for `ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/"`, 2 for
    /// `=`, 0 for anything else (RFC 6750 §2.1).
    static let b64TokenClasses: [UInt8] = (0..<256).map { byte -> UInt8 in
        switch byte {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E, 0x2B, 0x2F: return 1
        case 0x3D: return 2
        default: return 0
        }
    }

    /// Whether `bytes` is `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
    static func isB64Token(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        unsafe b64TokenClasses.withUnsafeBufferPointer { classes in
            var index = 0
            // 8 bytes per step while they are all token characters (their classes AND to 1), with one branch
            // per step; then byte by byte from the first step that is not.
            while index + 8 <= bytes.count {
                let all =
                    unsafe classes[Int(bytes[index])] & classes[Int(bytes[index + 1])] & classes[Int(bytes[index + 2])]
                    & classes[Int(bytes[index + 3])] & classes[Int(bytes[index + 4])]
                    & classes[Int(bytes[index + 5])] & classes[Int(bytes[index + 6])]
                    & classes[Int(bytes[index + 7])]
                guard all == 1 else { break }
                index += 8
            }
            while index < bytes.count, unsafe classes[Int(bytes[index])] == 1 { index += 1 }
            guard index > 0 else { return false }
            while index < bytes.count {
                guard unsafe classes[Int(bytes[index])] == 2 else { return false }
                index += 1
            }
            return true
        }
    }

    static func equalIgnoringASCIICase(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<a.count {
            let x = unsafe a[index]
            let y = unsafe b[index]
            let lx = (x >= 0x41 && x <= 0x5A) ? x | 0x20 : x
            let ly = (y >= 0x41 && y <= 0x5A) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }
}
