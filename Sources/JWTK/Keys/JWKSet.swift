/// A JSON Web Key Set (RFC 7517 §5), parsed into verification keys.
///
/// Keys that cannot be used for verification — unknown `kty`, unsupported curve, `use` other than `sig`,
/// `key_ops` without `verify`, invalid members — are skipped, never failing the whole set (RFC 7517 §5), and
/// each skip is recorded in ``skipped`` with its reason.
///
/// ```swift
/// let set = try JWKSet(json: jwksText)
/// for skip in set.skipped { print("skipped key \(skip.index): \(skip.reason)") }
/// let keyring = Keyring(jwks: set)
/// ```
public struct JWKSet: Sendable {
    /// Limits applied while parsing JWKs and JWK Sets.
    public struct Limits: Sendable, Hashable {
        /// Maximum size of the JSON document in bytes. Default 1 MiB.
        public var maxBytes: Int
        /// Maximum number of keys in a set (usable or not). Default 100.
        public var maxKeys: Int
        /// Maximum JSON nesting depth. Default 16.
        public var maxDepth: Int

        public init(maxBytes: Int = 1 << 20, maxKeys: Int = 100, maxDepth: Int = 16) {
            self.maxBytes = maxBytes
            self.maxKeys = maxKeys
            self.maxDepth = maxDepth
        }

        /// Throws `limitExceeded` when a `what` document of `count` bytes is larger than ``maxBytes``.
        package func checkSize(_ count: Int, of what: String) throws(JWTKError) {
            guard count <= maxBytes else { throw JWTKError(.limitExceeded, "\(what) is \(count) bytes; the limit is \(maxBytes)") }
        }
    }

    /// A key of the set that was not imported, and why.
    public struct SkippedKey: Sendable, CustomStringConvertible {
        /// The key's position in the `keys` array.
        public let index: Int
        /// Its `kid`, when it had one.
        public let keyID: String?
        /// Its `kty`, when it had one.
        public let keyType: String?
        /// Why it was skipped.
        public let reason: JWTKError

        public var description: String {
            "key #\(index)\(keyID.map { " (kid \($0))" } ?? ""): \(reason.reason)"
        }
    }

    /// The usable keys, in document order.
    public let keys: [VerificationKey]
    /// The keys that were skipped, with reasons.
    public let skipped: [SkippedKey]

    /// Creates a set from already-built keys.
    public init(keys: [VerificationKey]) {
        self.keys = keys
        self.skipped = []
    }

    /// Parses a JWK Set document (`{"keys": [...]}`).
    ///
    /// - Parameters:
    ///   - json: the JWK Set document.
    ///   - limits: size, key-count and depth limits.
    ///   - acceptSingleKey: when true, a document that is a single JWK (an object with `kty`) is
    ///     accepted as a set of one.
    /// - Throws: `invalidJSON` when the document is not JSON or has no `keys` array; `limitExceeded` when it
    ///   is larger or has more keys than `limits` allow. Individual bad keys do not throw: see ``skipped``.
    public init(json: String, limits: Limits = .init(), acceptSingleKey: Bool = false) throws(JWTKError) {
        // Refuse by length before copying: a huge document costs no more than the limit.
        try limits.checkSize(json.utf8.count, of: "JWK Set")
        try self.init(bytes: Array(json.utf8), limits: limits, acceptSingleKey: acceptSingleKey)
    }

    /// Parses a JWK Set from UTF-8 JSON bytes; see ``init(json:limits:acceptSingleKey:)``.
    public init(bytes: [UInt8], limits: Limits = .init(), acceptSingleKey: Bool = false) throws(JWTKError) {
        try self.init(bytes: bytes, limits: limits, acceptSingleKey: acceptSingleKey, publishedSet: false)
    }

    /// Parses a JWK Set that anyone can read (fetched from a URL): symmetric (`oct`) keys are skipped, since
    /// whoever reads the set could sign with them (RFC 7517 §9.2), and so are keys carrying private members
    /// (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`): the provider published its private key, which is compromised.
    package init(publishedBytes bytes: [UInt8], limits: Limits = .init()) throws(JWTKError) {
        try self.init(bytes: bytes, limits: limits, acceptSingleKey: false, publishedSet: true)
    }

    private init(bytes: [UInt8], limits: Limits, acceptSingleKey: Bool, publishedSet: Bool) throws(JWTKError) {
        try limits.checkSize(bytes.count, of: "JWK Set")
        let document = try JSONDocument.parse(bytes, maxDepth: limits.maxDepth, what: "JWK Set", quotesInput: false)
        let root = document.rootValue
        guard root.kind == .object else { throw JWTKError(.invalidJSON, "a JWK Set must be a JSON object") }
        let entries: [JSONValue]
        if let keysMember = root["keys"] {
            guard let array = keysMember.array else { throw JWTKError(.invalidJSON, "JWK Set \"keys\" must be an array") }
            entries = array
        } else if acceptSingleKey, root["kty"] != nil {
            entries = [root]
        } else {
            throw JWTKError(.invalidJSON, "not a JWK Set: no \"keys\" array")
        }
        guard entries.count <= limits.maxKeys else {
            throw JWTKError(.limitExceeded, "JWK Set has \(entries.count) keys; the limit is \(limits.maxKeys)")
        }
        var keys: [VerificationKey] = []
        var skipped: [SkippedKey] = []
        for (index, entry) in entries.enumerated() {
            do throws(JWTKError) {
                let parts = try JWKParser.parse(entry)
                if publishedSet, case .oct = parts.type {
                    throw JWTKError(
                        .unsupportedKey,
                        "a symmetric (oct) key in a published JWK Set is never used: anyone who reads the set could sign with it",
                        claim: "kty", keyID: parts.keyID)
                }
                // By presence, whatever the key type (an EC or OKP key has only `d`; `p` on one is still a leak).
                let present = publishedSet ? ["d", "p", "q", "dp", "dq", "qi", "oth"].filter { entry[$0] != nil } : []
                if !present.isEmpty {
                    throw JWTKError(
                        .unsupportedKey,
                        "a key in a published JWK Set carries private members (\(present.joined(separator: ", "))): the provider published its private key, so it is never used",
                        claim: present.first, keyID: parts.keyID)
                }
                keys.append(try VerificationKey(parts))
            } catch {
                skipped.append(SkippedKey(index: index, keyID: entry["kid"]?.string, keyType: entry["kty"]?.string, reason: error))
            }
        }
        self.keys = keys
        self.skipped = skipped
    }
}
