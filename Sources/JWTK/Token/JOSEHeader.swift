/// The protected header of a JWS (RFC 7515 §4), parsed and type-checked.
///
/// `jku`, `x5u`, `jwk` and `x5c` are recorded only so they can be reported: jwtk never fetches them and
/// never takes a key from a token (RFC 8725 §3.10).
public struct JOSEHeader: Sendable {
    /// The `alg` value exactly as written.
    public let algorithmName: String
    /// The `kid`, if present.
    public let keyID: String?
    /// The `typ`, if present.
    public let type: String?
    /// The `cty`, if present.
    public let contentType: String?
    /// The `crit` list, if present.
    public let critical: [String]?
    /// The RFC 7797 `b64` value, if present.
    public let base64URLEncodePayload: Bool?
    /// The whole header as JSON, for members jwtk does not interpret.
    public let json: JSONValue

    /// Header members that point at or carry keys, which jwtk ignores; present ones are listed here.
    public var ignoredKeyMembers: [String] { ["jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256"].filter { json[$0] != nil } }

    /// Member names registered by RFC 7515 / 7518 for JWS, which `crit` must not list (RFC 7515 §4.1.11).
    static let registeredNames: Set<String> = ["alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"]

    /// Type-checks the members jwtk interprets. Does not judge `alg` or `crit` against a policy.
    init(json: JSONValue) throws(JWTKError) {
        guard json.kind == .object else { throw JWTKError(.invalidHeader, "the JOSE header must be a JSON object") }
        self.json = json
        guard let alg = json["alg"] else { throw JWTKError(.invalidHeader, "the header has no \"alg\"", claim: "alg") }
        guard let algName = alg.string else { throw JWTKError(.invalidHeader, "header \"alg\" must be a string", claim: "alg") }
        algorithmName = algName
        // RFC 7516 §9: a header with "enc" is a JWE header, whatever the segment count says.
        if json["enc"] != nil {
            throw JWTKError(
                .invalidHeader, "the header has \"enc\": it is a JWE header (RFC 7516 §9), not a JWS header", claim: "enc")
        }
        // x5t / x5t#S256 are never used, but a mistyped one is a malformed header (RFC 7515 §4.1.7, §4.1.8).
        // Looked up without allocating; decoded only when present.
        try Self.checkThumbprint(json, "x5t#S256", bytes: 32)
        try Self.checkThumbprint(json, "x5t", bytes: 20)
        keyID = try Self.optionalString(json, "kid")
        type = try Self.optionalString(json, "typ")
        contentType = try Self.optionalString(json, "cty")
        if let crit = json["crit"] {
            guard let list = crit.stringArray, !list.isEmpty else {
                throw JWTKError(.unsupportedCriticalHeader, "header \"crit\" must be a non-empty array of strings", claim: "crit")
            }
            critical = list
        } else {
            critical = nil
        }
        if let b64 = json["b64"] {
            guard let flag = b64.bool else { throw JWTKError(.invalidHeader, "header \"b64\" must be a boolean", claim: "b64") }
            base64URLEncodePayload = flag
        } else {
            base64URLEncodePayload = nil
        }
    }

    private static func checkThumbprint(_ json: JSONValue, _ name: String, bytes: Int) throws(JWTKError) {
        guard let text = try optionalString(json, name) else { return }
        guard let digest = try? Base64URL.decode(text), digest.count == bytes else {
            throw JWTKError(
                .invalidHeader, "header \(Shown.value(name)) must be the base64url of a \(bytes)-byte certificate digest", claim: name)
        }
    }

    private static func optionalString(_ json: JSONValue, _ name: String) throws(JWTKError) -> String? {
        guard let value = json[name] else { return nil }
        guard let s = value.string else { throw JWTKError(.invalidHeader, "header \(Shown.value(name)) must be a string", claim: name) }
        return s
    }

    /// `typ` normalised for comparison: ASCII letters lower-cased (media types are case-insensitive in ASCII
    /// only, RFC 2045 §5.1; no Unicode case folding, so U+212A KELVIN SIGN stays distinct from "k"), without an
    /// `application/` prefix (RFC 7515 §4.1.9).
    package static func normalizedType(_ type: String) -> String {
        // No array: a short typ stays a small (inline) string, as lowercased() kept it before.
        var lower = type
        if type.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) {
            lower = ""
            for scalar in type.unicodeScalars {
                lower.unicodeScalars.append(
                    scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(UInt8(scalar.value) | 0x20) : scalar)
            }
        }
        return lower.hasPrefix("application/") ? String(lower.dropFirst(12)) : lower
    }
}
