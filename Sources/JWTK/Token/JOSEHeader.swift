/// The protected header of a JWS (RFC 7515 §4), parsed and type-checked.
///
/// `jku`, `x5u`, `jwk` and `x5c` are recorded only so they can be reported: jwtk never fetches them and
/// never takes a key from a token (RFC 8725 §3.10).
public struct JOSEHeader: Sendable {
    /// The parsed members, in one immutable object: a copy of the header (a header-cache hit hands the
    /// cached header to every token that has it) is one reference, not one per string.
    private final class Storage: Sendable {
        let algorithmName: String
        let keyID: String?
        let type: String?
        let contentType: String?
        let critical: [String]?
        let base64URLEncodePayload: Bool?
        let json: JSONValue

        init(
            algorithmName: String, keyID: String?, type: String?, contentType: String?, critical: [String]?,
            base64URLEncodePayload: Bool?, json: JSONValue
        ) {
            self.algorithmName = algorithmName
            self.keyID = keyID
            self.type = type
            self.contentType = contentType
            self.critical = critical
            self.base64URLEncodePayload = base64URLEncodePayload
            self.json = json
        }
    }
    private let storage: Storage

    /// The `alg` value exactly as written.
    public var algorithmName: String { storage.algorithmName }
    /// The `kid`, if present.
    public var keyID: String? { storage.keyID }
    /// The `typ`, if present.
    public var type: String? { storage.type }
    /// The `cty`, if present.
    public var contentType: String? { storage.contentType }
    /// The `crit` list, if present.
    public var critical: [String]? { storage.critical }
    /// The RFC 7797 `b64` value, if present.
    public var base64URLEncodePayload: Bool? { storage.base64URLEncodePayload }
    /// The whole header as JSON, for members jwtk does not interpret.
    public var json: JSONValue { storage.json }

    /// Header members that point at or carry keys, which jwtk ignores; present ones are listed here.
    public var ignoredKeyMembers: [String] { ["jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256"].filter { json[$0] != nil } }

    /// Member names registered by RFC 7515 / 7518 for JWS, which `crit` must not list (RFC 7515 §4.1.11).
    static let registeredNames: Set<String> = ["alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"]

    /// Type-checks the members jwtk interprets. Does not judge `alg` or `crit` against a policy.
    init(json: JSONValue) throws(JWTKError) {
        guard json.kind == .object else { throw JWTKError(.invalidHeader, "the JOSE header must be a JSON object") }
        guard let alg = json["alg"] else { throw JWTKError(.invalidHeader, "the header has no \"alg\"", claim: "alg") }
        guard let algName = alg.string else { throw JWTKError(.invalidHeader, "header \"alg\" must be a string", claim: "alg") }
        // RFC 7516 §9: a header with "enc" is a JWE header, whatever the segment count says.
        if json["enc"] != nil {
            throw JWTKError(
                .invalidHeader, "the header has \"enc\": it is a JWE header (RFC 7516 §9), not a JWS header", claim: "enc")
        }
        // x5t / x5t#S256 are never used, but a mistyped one is a malformed header (RFC 7515 §4.1.7, §4.1.8).
        // Looked up without allocating; decoded only when present.
        try Self.checkThumbprint(json, "x5t#S256", bytes: 32)
        try Self.checkThumbprint(json, "x5t", bytes: 20)
        let keyID = try Self.optionalString(json, "kid")
        let type = try Self.optionalString(json, "typ")
        let contentType = try Self.optionalString(json, "cty")
        var critical: [String]?
        if let crit = json["crit"] {
            guard let list = crit.stringArray, !list.isEmpty else {
                throw JWTKError(.unsupportedCriticalHeader, "header \"crit\" must be a non-empty array of strings", claim: "crit")
            }
            critical = list
        }
        var base64URLEncodePayload: Bool?
        if let b64 = json["b64"] {
            guard let flag = b64.bool else { throw JWTKError(.invalidHeader, "header \"b64\" must be a boolean", claim: "b64") }
            base64URLEncodePayload = flag
        }
        storage = Storage(
            algorithmName: algName, keyID: keyID, type: type, contentType: contentType, critical: critical,
            base64URLEncodePayload: base64URLEncodePayload, json: json)
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

extension JOSEHeader: CustomReflectable {
    /// The parsed members, as `dump` and debuggers showed them when they were stored fields (not the private
    /// object that holds them).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "algorithmName": algorithmName, "keyID": keyID as Any, "type": type as Any, "contentType": contentType as Any,
                "critical": critical as Any, "base64URLEncodePayload": base64URLEncodePayload as Any, "json": json,
            ], displayStyle: .struct)
    }
}
