import JWTK

/// A token decoded WITHOUT verification, with a lint of what it says: the engine behind `jwtk inspect`.
///
/// Nothing here is trusted: the header, claims and key id are whatever the sender wrote. The findings say
/// which parts a careful verifier would refuse or question, each with the specification section it comes
/// from. A five-segment token is recognised as a JWE and its protected header is shown.
///
/// ```swift
/// let inspection = try TokenInspection.inspect(token, now: 1_767_227_400)
/// for finding in inspection.findings { print(finding) }   // "warning: ... (RFC 8725 §3.2)"
/// ```
public struct TokenInspection: Sendable {
    /// The serialization the token uses.
    public enum Form: String, Sendable {
        /// A compact JWS (three segments); a JWT when its payload is a claims object.
        case jws
        /// A compact JWE (five segments): encrypted; jwtk shows its protected header only.
        case jwe
    }

    /// A NumericDate claim (`exp`, `nbf`, `iat`, `auth_time`, `updated_at`) read for display.
    public struct TimeClaim: Sendable {
        /// The claim name.
        public let name: String
        /// Seconds since the epoch, as written.
        public let value: Double
        /// The instant in RFC 3339 UTC, or nil when out of the representable range.
        public let utc: String?
        /// `value - now`: positive in the future, negative in the past.
        public let secondsFromNow: Double
    }

    /// Claims shown as times, in this order.
    public static let timeClaimNames = ["iat", "nbf", "exp", "auth_time", "updated_at"]

    /// JWS or JWE.
    public let form: Form
    /// The token's length in bytes.
    public let byteCount: Int
    /// The protected header, or nil when it is not valid JSON (see ``headerText`` and the findings).
    public let header: JSONValue?
    /// The decoded header bytes as text (invalid UTF-8 replaced), for when ``header`` is nil.
    public let headerText: String
    /// The payload bytes (empty for a JWE).
    public let payload: [UInt8]
    /// The payload parsed as JSON, when it is JSON.
    public let payloadJSON: JSONValue?
    /// The signature bytes (empty for a JWE and for an unsecured token).
    public let signature: [UInt8]
    /// The header's `alg`, when it is a string.
    public let algorithmName: String?
    /// The header's `kid`, when it is a string.
    public let keyID: String?
    /// What the signature's length implies (`"256 bytes: RSA signature, implies a 2048-bit modulus"`).
    public let signatureSummary: String
    /// The NumericDate claims present, in ``timeClaimNames`` order.
    public let times: [TimeClaim]
    /// The lint, errors first.
    public let findings: [LintFinding]
    /// The instant the relative times and time findings were computed for.
    public let now: Double

    /// Decodes and lints a compact token without verifying it.
    ///
    /// - Parameters:
    ///   - token: the compact token, exactly as received (no whitespace is removed).
    ///   - now: seconds since the epoch for time findings (`JWTClock.system.now` for the current time).
    ///   - limits: size and depth limits, as for verification.
    ///   - maxLifetime: lifetimes (`exp` minus `iat`) longer than this many seconds are reported. Default one day.
    /// - Throws: `JWTKError` when the token cannot be decoded at all: `malformedToken`, `invalidBase64URL`,
    ///   `invalidJSON` (a header that is not JSON), `invalidHeader` (not an object), `limitExceeded`.
    ///   Duplicate header members do not throw: they are reported as a finding.
    public static func inspect(
        _ token: String, now: Double, limits: TokenLimits = TokenLimits(), maxLifetime: Double = 86_400
    ) throws(JWTKError) -> TokenInspection {
        let byteCount = token.utf8.count
        guard byteCount <= limits.maxTokenBytes else {
            throw JWTKError(.limitExceeded, "token is \(byteCount) bytes; the limit is \(limits.maxTokenBytes)")
        }
        let segments = token.utf8.split(separator: UInt8(ascii: "."), maxSplits: 5, omittingEmptySubsequences: false)
        if segments.count == 5 { return try inspectJWE(token, now: now, limits: limits) }

        var lint = Lint(now: now, maxLifetime: maxLifetime)
        let headerJSON: JSONValue?
        let headerText: String
        let payload: [UInt8]
        let payloadJSON: JSONValue?
        let signature: [UInt8]
        do throws(JWTKError) {
            let unverified = try UnverifiedJWT.decode(token, limits: limits)
            headerJSON = unverified.headerJSON
            headerText = headerJSON!.serialized()
            payload = unverified.payload
            payloadJSON = unverified.payloadJSON
            signature = unverified.signature
        } catch {
            // A header with duplicate members is refused by the strict parser; show it and say why.
            guard error.code == .invalidJSON, error.reason.hasPrefix("header"), segments.count == 3,
                let headerBytes = try? Base64URL.decode(String(decoding: segments[0], as: UTF8.self)),
                case let duplicates = DuplicateMembers.find(in: headerBytes), !duplicates.isEmpty
            else { throw error }
            lint.duplicates(duplicates, in: "header", reference: "RFC 7515 §4")
            headerJSON = nil
            headerText = String(decoding: headerBytes, as: UTF8.self)
            payload = try Base64URL.decode(String(decoding: segments[1], as: UTF8.self))
            payloadJSON = try? JSONValue.parse(bytes: payload, maxDepth: limits.maxJSONDepth)
            signature = try Base64URL.decode(String(decoding: segments[2], as: UTF8.self))
        }
        let algorithmName = headerJSON?["alg"]?.string ?? Self.firstString(named: "alg", in: headerText)
        if let headerJSON { lint.header(headerJSON) }
        let summary = lint.signature(signature, algorithmName: algorithmName)
        if payloadJSON == nil, !payload.isEmpty {
            let duplicates = DuplicateMembers.find(in: payload)
            if !duplicates.isEmpty, payload.first == UInt8(ascii: "{") {
                lint.duplicates(duplicates, in: "claims", reference: "RFC 7519 §4")
            } else {
                lint.add(
                    "payload_not_json", .info, "the payload is not JSON: this is a JWS over arbitrary content, not a JWT",
                    "RFC 7519 §7.2")
            }
        }
        var times: [TimeClaim] = []
        if let claims = payloadJSON {
            if claims.kind == .object {
                lint.claims(claims)
                times = Self.timeClaims(claims, now: now)
            } else {
                lint.add(
                    "payload_not_object", .error, "the payload is JSON \(claims.kind.rawValue), not a claims object", "RFC 7519 §7.2")
            }
        }
        return TokenInspection(
            form: .jws, byteCount: byteCount, header: headerJSON, headerText: headerText, payload: payload, payloadJSON: payloadJSON,
            signature: signature, algorithmName: algorithmName, keyID: headerJSON?["kid"]?.string, signatureSummary: summary,
            times: times, findings: lint.sorted, now: now)
    }

    private static func inspectJWE(_ token: String, now: Double, limits: TokenLimits) throws(JWTKError) -> TokenInspection {
        let header = try UnverifiedJWT.decodeEncryptedHeader(token, limits: limits)
        var lint = Lint(now: now, maxLifetime: .infinity)
        lint.add(
            "jwe", .error,
            "the token has five segments: an encrypted JWE (alg \(header["alg"]?.string ?? "?"), enc \(header["enc"]?.string ?? "?")); "
                + "jwtk shows its protected header but does not decrypt or verify it",
            "RFC 7516 §9")
        if let cty = header["cty"]?.string, JOSEHeader.normalizedType(cty) == "jwt" {
            lint.add(
                "nested", .info, "cty \(Shown.value(cty)): the encrypted content is a nested JWT (sign, then encrypt)", "RFC 7519 §5.2",
                member: "cty")
        }
        if header["alg"]?.string == "RSA1_5" {
            lint.add(
                "weak_key_management", .warning, "key management alg RSA1_5 (RSAES-PKCS1-v1_5) is vulnerable to padding-oracle attacks",
                "RFC 8725 §3.2", member: "alg")
        }
        if header["zip"] != nil {
            lint.add("compression", .warning, "zip: the plaintext was compressed before encryption", "RFC 8725 §3.6", member: "zip")
        }
        return TokenInspection(
            form: .jwe, byteCount: token.utf8.count, header: header, headerText: header.serialized(), payload: [], payloadJSON: nil,
            signature: [], algorithmName: header["alg"]?.string, keyID: header["kid"]?.string,
            signatureSummary: "none: a JWE has an authentication tag, not a signature", times: [], findings: lint.sorted, now: now)
    }

    private static func timeClaims(_ claims: JSONValue, now: Double) -> [TimeClaim] {
        timeClaimNames.compactMap { name in
            guard let value = claims[name]?.number else { return nil }
            return TimeClaim(name: name, value: value, utc: DateText.rfc3339(value), secondsFromNow: value - now)
        }
    }

    /// Best effort for a header that does not parse: the first `"name":"value"` string member.
    private static func firstString(named name: String, in text: String) -> String? {
        let needle = Array("\(Shown.value(name))")
        let chars = Array(text)
        guard chars.count >= needle.count,
            let start = (0...(chars.count - needle.count)).first(where: { Array(chars[$0..<($0 + needle.count)]) == needle })
        else { return nil }
        let rest = chars[(start + needle.count)...].drop { $0 == " " || $0 == ":" }
        guard rest.first == "\"" else { return nil }
        return String(rest.dropFirst().prefix { $0 != "\"" })
    }
}

/// The rules behind ``TokenInspection/findings``.
private struct Lint {
    let now: Double
    let maxLifetime: Double
    var findings: [LintFinding] = []

    static let knownTypes: Set<String> = [
        "jwt", "jose", "jose+json", "at+jwt", "dpop+jwt", "logout+jwt", "secevent+jwt", "oauth-authz-req+jwt",
        "token-introspection+jwt", "jwk-set+jwt", "entity-statement+jwt", "trust-chain+jwt", "id_token+jwt", "vc+jwt", "vp+jwt",
        "vc+sd-jwt", "dc+sd-jwt", "sd-jwt", "kb+jwt", "client-authentication+jwt",
    ]

    var sorted: [LintFinding] {
        findings.enumerated().sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }.map(\.element)
    }

    mutating func add(
        _ id: String, _ severity: LintFinding.Severity, _ message: String, _ reference: String, member: String? = nil
    ) {
        findings.append(LintFinding(id: id, severity: severity, message: message, reference: reference, member: member))
    }

    mutating func duplicates(_ names: [String], in part: String, reference: String) {
        for name in names {
            add(
                "duplicate_member", .error,
                "the \(part) has the member \(Shown.value(name)) more than once; parsers disagree on which one wins, jwtk refuses the token",
                reference, member: name)
        }
    }

    mutating func header(_ header: JSONValue) {
        if let alg = header["alg"] {
            if let name = alg.string {
                if JWSAlgorithm.isUnsecuredName(name) {
                    add(
                        "alg_none", .error, "alg \(Shown.value(name)): the token is unsecured (no signature); jwtk never accepts it",
                        "RFC 8725 §3.1; RFC 7518 §3.6", member: "alg")
                } else if let algorithm = JWSAlgorithm(rawValue: name) {
                    if algorithm.family == .hmac {
                        add(
                            "symmetric_alg", .warning,
                            "alg \(name) is symmetric: anyone able to verify this token can also mint one; "
                                + "prefer an asymmetric algorithm across trust boundaries",
                            "RFC 8725 §3.2; RFC 7518 §3.2", member: "alg")
                    }
                } else {
                    add(
                        "unsupported_alg", .error, "alg \(Shown.value(name)) is not a JWS algorithm jwtk implements", "RFC 7518 §3.1",
                        member: "alg")
                }
            } else {
                add("invalid_header", .error, "header \"alg\" is not a string", "RFC 7515 §4.1.1", member: "alg")
            }
        } else {
            add("invalid_header", .error, "the header has no \"alg\"", "RFC 7515 §4.1.1", member: "alg")
        }
        for (name, section) in [("jku", "§4.1.2"), ("x5u", "§4.1.5")] where header[name] != nil {
            add(
                "header_key_url", .warning,
                "header \(Shown.value(name)) points at keys by URL (\(Shown.value(header[name]?.string ?? header[name]!.serialized()))); "
                    + "fetching it lets the sender choose the key (and is an SSRF vector); jwtk never fetches it",
                "RFC 8725 §3.10; RFC 7515 \(section)", member: name)
        }
        for (name, section) in [("jwk", "§4.1.3"), ("x5c", "§4.1.6")] where header[name] != nil {
            add(
                "embedded_key", .warning,
                "header \(Shown.value(name)) carries a key inside the token; a verifier that uses it accepts any forgery (CVE-2018-0114 class); "
                    + "jwtk ignores it",
                "RFC 8725 §3.10; RFC 7515 \(section)", member: name)
        }
        if let crit = header["crit"] {
            let names = crit.stringArray.map { $0.joined(separator: ", ") } ?? crit.serialized()
            add(
                "crit", .warning,
                "crit [\(names)]: verifiers must refuse the token unless they understand each listed extension; jwtk refuses it unless configured",
                "RFC 7515 §4.1.11", member: "crit")
        }
        if header["b64"]?.bool == false {
            add("unencoded_payload", .info, "b64 false: the payload is not base64url-encoded", "RFC 7797 §3", member: "b64")
        }
        if let typ = header["typ"] {
            if let text = typ.string {
                if !Self.knownTypes.contains(JOSEHeader.normalizedType(text)) {
                    add(
                        "unknown_typ", .warning,
                        "typ \(Shown.value(text)) is not a registered JWT media type; check what kind of token this is",
                        "RFC 8725 §3.11; RFC 7519 §5.1", member: "typ")
                }
            } else {
                add("invalid_header", .error, "header \"typ\" is not a string", "RFC 7515 §4.1.9", member: "typ")
            }
        } else {
            add(
                "no_typ", .info, "no typ: explicit typing keeps one kind of JWT from being accepted as another", "RFC 8725 §3.11",
                member: "typ")
        }
        if let cty = header["cty"]?.string, JOSEHeader.normalizedType(cty) == "jwt" {
            add(
                "nested", .warning, "cty \(Shown.value(cty)): the payload is a nested JWT; jwtk does not verify nested tokens",
                "RFC 7519 §5.2",
                member: "cty")
        }
        if header["kid"] == nil {
            add(
                "no_kid", .info, "no kid: a verifier with several keys cannot tell which one signed the token", "RFC 7515 §4.1.4",
                member: "kid")
        }
    }

    /// Checks the signature length against the algorithm; returns what the length implies.
    mutating func signature(_ signature: [UInt8], algorithmName: String?) -> String {
        let count = signature.count
        guard let name = algorithmName else { return "\(count) bytes" }
        if JWSAlgorithm.isUnsecuredName(name) {
            if count == 0 { return "0 bytes: unsecured, no signature" }
            add("signature_length", .error, "alg \(name) but the token carries a \(count)-byte signature", "RFC 7519 §6.1")
            return "\(count) bytes, although alg \(name) has no signature"
        }
        guard let algorithm = JWSAlgorithm(rawValue: name) else { return "\(count) bytes" }
        switch algorithm.family {
        case .hmac:
            let expected = algorithm.hashBits / 8
            if count == expected { return "\(count) bytes: an HMAC-SHA-\(algorithm.hashBits) tag" }
            add(
                "signature_length", .error, "an \(name) signature is \(expected) bytes; this one is \(count)", "RFC 7518 §3.2",
                member: "alg")
            return "\(count) bytes; \(name) tags are \(expected) bytes"
        case .rsaPKCS1, .rsaPSS:
            let bits = count * 8
            if bits < 2048 {
                add(
                    "rsa_key_small", .warning,
                    "the signature implies a \(bits)-bit RSA key; keys below 2048 bits are refused by default", "RFC 7518 §3.3")
            }
            return "\(count) bytes: an RSA signature, which implies a \(bits)-bit modulus"
        case .ecdsa:
            let curve = algorithm.ecdsaCurve!
            let expected = 2 * ((curve + 7) / 8)
            if count == expected { return "\(count) bytes: raw ECDSA R||S on P-\(curve)" }
            if count > 0, signature[0] == 0x30 {
                add(
                    "ecdsa_der", .error,
                    "the \(name) signature is \(count) bytes and starts like DER; JWS requires raw R||S of \(expected) bytes",
                    "RFC 7518 §3.4")
                return "\(count) bytes: DER-encoded ECDSA (JWS requires raw R||S, \(expected) bytes)"
            }
            add("signature_length", .error, "an \(name) signature is \(expected) bytes (raw R||S); this one is \(count)", "RFC 7518 §3.4")
            return "\(count) bytes; \(name) signatures are \(expected) bytes"
        case .eddsa:
            let expected: [Int]
            switch algorithm {
            case .Ed25519: expected = [64]
            case .Ed448: expected = [114]
            default: expected = [64, 114]
            }
            if expected.contains(count) { return "\(count) bytes: an \(count == 64 ? "Ed25519" : "Ed448") signature" }
            add(
                "signature_length", .error, "an \(name) signature is 64 (Ed25519) or 114 (Ed448) bytes; this one is \(count)",
                "RFC 8037 §3.1")
            return "\(count) bytes; \(name) signatures are 64 or 114 bytes"
        }
    }

    mutating func claims(_ claims: JSONValue) {
        func time(_ value: Double) -> String { DateText.rfc3339(value) ?? "\(value)" }
        for (name, section) in [("exp", "§4.1.4"), ("nbf", "§4.1.5"), ("iat", "§4.1.6")] {
            if let value = claims[name], !value.kind.isNumber {
                add(
                    "invalid_claim", .error, "\(Shown.value(name)) must be a NumericDate (a JSON number), found \(value.kind.rawValue)",
                    "RFC 7519 \(section)", member: name)
            }
        }
        for (name, section) in [("iss", "§4.1.1"), ("sub", "§4.1.2"), ("jti", "§4.1.7")] {
            if let value = claims[name], value.string == nil {
                add(
                    "invalid_claim", .error, "\(Shown.value(name)) must be a string, found \(value.kind.rawValue)", "RFC 7519 \(section)",
                    member: name)
            }
        }
        if let aud = claims["aud"], aud.string == nil, (aud.stringArray?.isEmpty ?? true) {
            add("invalid_claim", .error, "\"aud\" must be a string or a non-empty array of strings", "RFC 7519 §4.1.3", member: "aud")
        }
        let exp = claims["exp"]?.number
        let iat = claims["iat"]?.number
        let nbf = claims["nbf"]?.number
        if let exp {
            if exp <= now {
                add(
                    "expired", .error, "expired at \(time(exp)), \(Self.span(now - exp)) before now (\(time(now)))", "RFC 7519 §4.1.4",
                    member: "exp")
            }
            if let start = iat ?? nbf, exp - start > maxLifetime {
                add(
                    "long_lifetime", .warning,
                    "lifetime \(Self.span(exp - start)) (\(iat != nil ? "iat" : "nbf") to exp) is longer than \(Self.span(maxLifetime)); "
                        + "bearer tokens should be short-lived",
                    "RFC 6750 §5.3", member: "exp")
            }
        } else if claims["exp"] == nil {
            add(
                "missing_exp", .warning, "no exp: the token never expires; jwtk verify refuses it unless --allow-missing-exp",
                "RFC 7519 §4.1.4", member: "exp")
        }
        if let nbf, nbf > now {
            add(
                "not_yet_valid", .error, "not valid before \(time(nbf)), \(Self.span(nbf - now)) after now", "RFC 7519 §4.1.5",
                member: "nbf")
        }
        if let iat, iat > now {
            add(
                "iat_in_future", .error, "issued in the future: iat \(time(iat)) is \(Self.span(iat - now)) after now (clock skew?)",
                "RFC 7519 §4.1.6", member: "iat")
        }
        if claims["iss"] == nil {
            add("no_iss", .info, "no iss: nothing says who issued the token", "RFC 8725 §3.8", member: "iss")
        }
        if claims["aud"] == nil {
            add("no_aud", .info, "no aud: nothing says whom the token is meant for", "RFC 8725 §3.9", member: "aud")
        }
    }

    /// A duration as `4m12s`, `3h`, `2d5h`: the two largest non-zero units.
    static func span(_ seconds: Double) -> String {
        let total = Int64(min(abs(seconds), 9e15).rounded())
        let units: [(String, Int64)] = [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)]
        guard let first = units.firstIndex(where: { total >= $0.1 }) else { return "0s" }
        var text = "\(total / units[first].1)\(units[first].0)"
        if first + 1 < units.count {
            let next = (total % units[first].1) / units[first + 1].1
            if next > 0 { text += "\(next)\(units[first + 1].0)" }
        }
        return text
    }
}

extension TokenInspection {
    /// A duration as text: the two largest non-zero units of `4m12s`, `3h`, `2d5h`, `0s`.
    public static func durationText(_ seconds: Double) -> String { Lint.span(seconds) }
}
