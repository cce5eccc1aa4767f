/// A public key (or HMAC secret) that verifies signatures, parsed once into OpenSSL and kept.
///
/// Create one from a JWK (``init(jwk:limits:)``), a PEM or DER document (``init(pem:keyID:algorithm:)``,
/// ``init(der:keyID:algorithm:)``) or a shared secret (``init(hmacSecret:keyID:algorithm:)``), or get many from
/// a ``JWKSet``. Instances are immutable and shared safely across threads; nothing on the verification path
/// re-parses key material.
///
/// ```swift
/// let key = try VerificationKey(jwk: #"{"kty":"EC","crv":"P-256","x":"...","y":"...","kid":"k1"}"#)
/// print(key.thumbprint)   // RFC 7638 SHA-256 thumbprint
/// ```
public final class VerificationKey: Sendable, CustomStringConvertible {
    /// The type and size of a key.
    public enum KeyType: Sendable, Hashable, CustomStringConvertible {
        /// RSA with a modulus of `bits` bits.
        case rsa(bits: Int)
        /// ECDSA on a NIST curve: `"P-256"`, `"P-384"` or `"P-521"`.
        case ec(curve: String)
        /// Edwards curve: `"Ed25519"` or `"Ed448"`.
        case okp(curve: String)
        /// HMAC secret of `bytes` bytes.
        case oct(bytes: Int)

        /// The JWK `kty` value.
        public var jwkKeyType: String {
            switch self {
            case .rsa: return "RSA"
            case .ec: return "EC"
            case .okp: return "OKP"
            case .oct: return "oct"
            }
        }

        public var description: String {
            switch self {
            case .rsa(let bits): return "RSA \(bits)-bit"
            case .ec(let curve): return "EC \(curve)"
            case .okp(let curve): return "OKP \(curve)"
            case .oct(let bytes): return "oct \(bytes * 8)-bit"
            }
        }
    }

    /// The OpenSSL object behind the key (`Backend/OpenSSL/KeyMaterial.swift`).
    typealias Material = KeyMaterial

    /// The key id (`kid`), if any.
    public let keyID: String?
    /// The one algorithm this key is bound to (JWK `alg`, or the caller's choice), or nil when the key's type
    /// alone decides (``compatibleAlgorithms``).
    public let algorithm: JWSAlgorithm?
    /// The JWK `use` member, if given (always `"sig"` for a usable key).
    public let use: String?
    /// The JWK `key_ops` member, if given (always containing `"verify"` for a usable key).
    public let keyOperations: [String]?
    /// Type and size.
    public let type: KeyType
    /// The RFC 7638 JWK thumbprint (SHA-256, base64url).
    public let thumbprint: String
    /// True when the source JWK or PEM carried private-key members; only the public part is used.
    public let hadPrivateMembers: Bool
    /// The number of certificates in the JWK's `x5c` chain (0 when absent). The leaf's key was checked to be this key.
    public let certificateChainLength: Int
    let material: Material

    init(
        material: Material, type: KeyType, keyID: String?, algorithm: JWSAlgorithm?, use: String?,
        keyOperations: [String]?, hadPrivateMembers: Bool, certificateChainLength: Int = 0,
        thumbprintMembers: [(String, String)]? = nil
    ) throws(JWTKError) {
        self.material = material
        self.type = type
        self.keyID = keyID
        self.use = use
        self.keyOperations = keyOperations
        self.hadPrivateMembers = hadPrivateMembers
        self.certificateChainLength = certificateChainLength
        // From the JWK's members when the parser has them (exporting the key from OpenSSL cost about a third of a
        // JWK Set import); from the key itself otherwise (PEM, DER, certificates).
        let canonical = Self.canonicalJWK(members: thumbprintMembers ?? Self.publicMembers(material: material, type: type))
        self.thumbprint = Base64URL.encode(Crypto.digest(Array(canonical.utf8), hashBits: 256))
        if let algorithm {
            guard Self.family(type, fits: algorithm) else {
                throw JWTKError(.algorithmKeyMismatch, "a \(type) key cannot be used with \(algorithm)", keyID: keyID)
            }
        }
        self.algorithm = algorithm
    }

    /// Every algorithm this key can verify: its bound ``algorithm`` alone, or all that fit its type.
    public var compatibleAlgorithms: [JWSAlgorithm] {
        if let algorithm { return [algorithm] }
        return JWSAlgorithm.allCases.filter { Self.family(type, fits: $0) }
    }

    /// Whether this key may verify a token signed with `algorithm` (type, curve and binding all agree).
    public func canVerify(_ algorithm: JWSAlgorithm) -> Bool {
        if let bound = self.algorithm, bound != algorithm { return false }
        return Self.family(type, fits: algorithm)
    }

    static func family(_ type: KeyType, fits algorithm: JWSAlgorithm) -> Bool {
        switch (type, algorithm.family) {
        case (.oct, .hmac), (.rsa, .rsaPKCS1), (.rsa, .rsaPSS): return true
        case (.ec(let curve), .ecdsa): return curve == "P-\(algorithm.ecdsaCurve ?? 0)"
        case (.okp(let curve), .eddsa):
            switch algorithm {
            case .EdDSA: return true
            case .Ed25519: return curve == "Ed25519"
            case .Ed448: return curve == "Ed448"
            default: return false
            }
        default: return false
        }
    }

    /// The RFC 7638 canonical JSON: required members only, lexicographic order, no whitespace.
    static func canonicalJWK(members: [(String, String)]) -> String {
        let body = members.sorted { $0.0 < $1.0 }.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",")
        return "{\(body)}"
    }

    /// The public JWK members required by RFC 7638 for this key's type.
    static func publicMembers(material: Material, type: KeyType) -> [(String, String)] {
        if let secret = material.secret { return [("kty", "oct"), ("k", Base64URL.encode(secret.bytes))] }
        guard let key = material.evp else { return [] }
        switch type {
        case .rsa:
            let (n, e) = key.rsaComponents() ?? ([], [])
            return [("kty", "RSA"), ("n", Base64URL.encode(n)), ("e", Base64URL.encode(e))]
        case .ec(let curve):
            let (x, y) = key.ecCoordinates() ?? ([], [])
            return [("kty", "EC"), ("crv", curve), ("x", Base64URL.encode(x)), ("y", Base64URL.encode(y))]
        case .okp(let curve):
            return [("kty", "OKP"), ("crv", curve), ("x", Base64URL.encode(key.rawPublic() ?? []))]
        case .oct:
            return []
        }
    }

    /// The public JWK of this key as compact JSON, with `kid`, `alg`, `use` and `key_ops` when set.
    /// For an HMAC secret this includes `k`: the secret itself.
    public var publicJWK: String {
        var members = Self.publicMembers(material: material, type: type).map { "\"\($0.0)\":\"\($0.1)\"" }
        if let keyID { members.append("\"kid\":\(JSONText.quote(keyID))") }
        if let algorithm { members.append("\"alg\":\"\(algorithm)\"") }
        if let use { members.append("\"use\":\(JSONText.quote(use))") }
        if let keyOperations { members.append("\"key_ops\":[\(keyOperations.map { JSONText.quote($0) }.joined(separator: ","))]") }
        return "{\(members.joined(separator: ","))}"
    }

    /// The SubjectPublicKeyInfo of an asymmetric key as PEM; nil for HMAC secrets.
    public var publicKeyPEM: String? {
        guard let key = material.evp, let der = key.spkiDER() else { return nil }
        return PEM.encode(der, label: "PUBLIC KEY")
    }

    public var description: String {
        var text = "\(type)"
        if let keyID { text += " kid=\(keyID)" }
        if let algorithm { text += " alg=\(algorithm)" }
        return text + " thumbprint=\(thumbprint)"
    }
}
