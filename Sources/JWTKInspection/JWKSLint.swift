import JWTK

/// A lint of a JWK Set (RFC 7517 §5): every key with its properties, thumbprint and findings, and the keys a
/// verifier will skip with the reason. The engine behind `jwtk jwks`; services can run it on the sets they
/// fetch.
///
/// ```swift
/// let report = try JWKSLint.lint(bytes: Array(jwksText.utf8))
/// for entry in report.entries where entry.skipReason != nil { print(entry.keyID ?? "-", entry.skipReason!) }
/// ```
public struct JWKSLint: Sendable {
    /// One member of the set's `keys` array.
    public struct Entry: Sendable {
        /// Position in the `keys` array.
        public let index: Int
        /// `kid`, when it is a string.
        public let keyID: String?
        /// `kty` as written, when it is a string.
        public let keyType: String?
        /// `crv`, when it is a string.
        public let curve: String?
        /// For RSA keys, the modulus size in bits (from `n`, even when the key is skipped).
        public let modulusBits: Int?
        /// `alg`, when it is a string.
        public let algorithm: String?
        /// `use`, when it is a string.
        public let use: String?
        /// `key_ops`, when it is an array of strings.
        public let keyOperations: [String]?
        /// The key as jwtk imports it; nil when it is skipped.
        public let key: VerificationKey?
        /// Why a verifier skips this key (nil when it is usable).
        public let skipReason: JWTKError?
        /// The RFC 7638 thumbprint (SHA-256, base64url) of the key, usable or not: it depends only on the
        /// required members, so a key skipped for its `use`, `key_ops` or `alg` has one. Nil when those members
        /// cannot be read.
        public let thumbprint: String?
        /// Findings about this key, errors first.
        public let findings: [LintFinding]
    }

    /// The keys, in document order.
    public let entries: [Entry]
    /// Findings about the set as a whole (duplicate `kid`s, an empty set), errors first.
    public let findings: [LintFinding]
    /// Whether the document was a single JWK rather than a set.
    public let isSingleKey: Bool

    /// Every finding: the set's, then each key's.
    public var allFindings: [LintFinding] { findings + entries.flatMap(\.findings) }

    /// Lints a JWK Set document (or a single JWK when `acceptSingleKey` is true).
    ///
    /// - Parameters:
    ///   - bytes: the JWK Set (or JWK) document.
    ///   - limits: size, key-count and depth limits, as for `JWKSet/init(bytes:limits:acceptSingleKey:)`.
    ///   - acceptSingleKey: lint a document that is a single JWK (an object with `kty`) as a set of one.
    ///   - minimumRSAKeyBits: RSA keys below this size are reported. Default 2048 (RFC 7518 §3.3).
    /// - Throws: `invalidJSON` when the document is not JSON (naming a duplicate member when that is why) or
    ///   has no `keys` array; `limitExceeded` for documents over `limits`. Bad keys do not throw: they are
    ///   entries with a ``Entry/skipReason``.
    public static func lint(
        bytes: [UInt8], limits: JWKSet.Limits = .init(), acceptSingleKey: Bool = true, minimumRSAKeyBits: Int = 2048
    ) throws(JWTKError) -> JWKSLint {
        try limits.checkSize(bytes.count, of: "JWK Set")
        let root = try JSONDocument.parse(bytes, maxDepth: limits.maxDepth, what: "JWK Set", quotesInput: false).rootValue
        guard root.kind == .object else { throw JWTKError(.invalidJSON, "a JWK Set must be a JSON object") }
        let members: [JSONValue]
        let single: Bool
        if let keys = root["keys"] {
            guard let array = keys.array else { throw JWTKError(.invalidJSON, "JWK Set \"keys\" must be an array") }
            members = array
            single = false
        } else if acceptSingleKey, root["kty"] != nil {
            members = [root]
            single = true
        } else {
            throw JWTKError(.invalidJSON, "not a JWK Set: no \"keys\" array")
        }
        guard members.count <= limits.maxKeys else {
            throw JWTKError(.limitExceeded, "JWK Set has \(members.count) keys; the limit is \(limits.maxKeys)")
        }
        let entries = members.enumerated().map { index, jwk in entry(index: index, jwk: jwk, minimumRSAKeyBits: minimumRSAKeyBits) }

        var setFindings: [LintFinding] = []
        if members.isEmpty {
            setFindings.append(
                LintFinding(id: "empty_set", severity: .warning, message: "the set has no keys", reference: "RFC 7517 §5.1"))
        } else if entries.allSatisfy({ $0.key == nil }) {
            setFindings.append(
                LintFinding(
                    id: "no_usable_key", severity: .error, message: "no key of the set can verify signatures", reference: "RFC 7517 §5"))
        }
        var seen: [String: [Int]] = [:]
        for entry in entries { if let kid = entry.keyID { seen[kid, default: []].append(entry.index) } }
        for (kid, indexes) in seen.sorted(by: { $0.value[0] < $1.value[0] }) where indexes.count > 1 {
            setFindings.append(
                LintFinding(
                    id: "duplicate_kid", severity: .warning,
                    message: "kid \(Shown.value(kid)) is used by keys \(indexes.map { "#\($0)" }.joined(separator: ", ")); "
                        + "a token naming it cannot pick one key",
                    reference: "RFC 7517 §4.5", member: "kid"))
        }
        var thumbprints: [String: Int] = [:]
        for entry in entries {
            guard let tp = entry.thumbprint else { continue }
            if let first = thumbprints[tp] {
                setFindings.append(
                    LintFinding(
                        id: "duplicate_key", severity: .info,
                        message: "keys #\(first) and #\(entry.index) are the same key (thumbprint \(tp))",
                        reference: "RFC 7638 §1"))
            } else {
                thumbprints[tp] = entry.index
            }
        }
        return JWKSLint(entries: entries, findings: setFindings, isSingleKey: single)
    }

    private static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth"]

    private static func entry(index: Int, jwk: JSONValue, minimumRSAKeyBits: Int) -> Entry {
        var findings: [LintFinding] = []
        func add(_ id: String, _ severity: LintFinding.Severity, _ message: String, _ reference: String, _ member: String? = nil) {
            findings.append(LintFinding(id: id, severity: severity, message: message, reference: reference, member: member))
        }
        var key: VerificationKey?
        var skipReason: JWTKError?
        do throws(JWTKError) {
            key = try VerificationKey(try JWKParser.parse(jwk))
        } catch {
            skipReason = error
            add("skipped", .error, "skipped by verifiers: \(error.reason)", "RFC 7517 §5", error.claim)
        }
        let thumbprint = key?.thumbprint ?? (try? VerificationKey(try JWKParser.parse(jwk, purpose: .thumbprint)))?.thumbprint
        let kty = jwk["kty"]?.string
        var modulusBits: Int?
        if case .rsa(let bits) = key?.type {
            modulusBits = bits
        } else if kty == "RSA", let n = jwk["n"]?.string, let bytes = try? Base64URL.decode(n) {
            let trimmed = bytes.drop { $0 == 0 }
            modulusBits = trimmed.first.map { (trimmed.count - 1) * 8 + (8 - $0.leadingZeroBitCount) } ?? 0
        }
        if kty == "RSA", let n = jwk["n"]?.string, let bytes = try? Base64URL.decode(n),
            ROCA.hasFingerprint(modulus: bytes.drop { $0 == 0 })
        {
            add(
                "rsa_roca", .error,
                "RSA modulus has the ROCA fingerprint (CVE-2017-15361): its primes can be recovered; verifiers refuse it; replace the key",
                "CVE-2017-15361", "n")
        }
        let published = privateMembers.filter { jwk[$0] != nil }
        if !published.isEmpty {
            add(
                "private_members", .error,
                "private key members published (\(published.joined(separator: ", "))): this key is compromised; rotate it",
                "RFC 7517 §9.2", published[0])
        }
        if kty == "oct" {
            add(
                "symmetric_key", .error, "a symmetric (oct) key in a key set publishes the secret: anyone can sign with it",
                "RFC 7517 §9.2; RFC 8725 §3.5", "k")
        }
        if let bits = modulusBits, bits < minimumRSAKeyBits {
            add(
                "rsa_key_small", .error, "RSA modulus is \(bits) bits, below \(minimumRSAKeyBits); verifiers refuse it by default",
                "RFC 7518 §3.3", "n")
        }
        if jwk["kid"] == nil {
            add("missing_kid", .warning, "no kid: tokens cannot name this key; verifiers must guess among keys", "RFC 7517 §4.5", "kid")
        }
        if jwk["alg"] == nil {
            add(
                "missing_alg", .warning, "no alg: the key is not bound to one algorithm (RFC 8725 §3.1 recommends binding)",
                "RFC 7517 §4.4", "alg")
        }
        if jwk["use"] == nil && jwk["key_ops"] == nil {
            add("missing_use", .info, "no use or key_ops: the key's purpose is not stated", "RFC 7517 §4.2", "use")
        }
        if jwk["use"] != nil && jwk["key_ops"] != nil {
            add(
                "use_and_key_ops", .warning, "both use and key_ops are present; they should not be used together", "RFC 7517 §4.3",
                "key_ops")
        }
        return Entry(
            index: index, keyID: jwk["kid"]?.string, keyType: kty, curve: jwk["crv"]?.string, modulusBits: modulusBits,
            algorithm: jwk["alg"]?.string, use: jwk["use"]?.string, keyOperations: jwk["key_ops"]?.stringArray, key: key,
            skipReason: skipReason, thumbprint: thumbprint,
            findings: findings.enumerated().sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }.map(\.element))
    }
}
