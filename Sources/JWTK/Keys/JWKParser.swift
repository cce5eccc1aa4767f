/// Turns a parsed JWK object into key material, member by member.
package enum JWKParser {
    package struct Parts {
        var material: VerificationKey.Material
        var type: VerificationKey.KeyType
        var keyID: String?
        var algorithm: JWSAlgorithm?
        var use: String?
        var keyOperations: [String]?
        var hadPrivateMembers: Bool
        var certificateChainLength: Int
        var kty: String
        /// The RFC 7638 required members, taken from the JWK's own (checked, normalised) values, so the thumbprint
        /// needs no export of the key from OpenSSL: the same values the export gives (minimal big-endian RSA `n`
        /// and `e`, full-length EC coordinates, the raw OKP key, the HMAC secret).
        var thumbprintMembers: [(String, String)]
    }

    /// Reads the members every JWK may have; used by the set parser to report skipped keys.
    static func keyID(of jwk: JSONValue) -> String? { jwk["kid"]?.string }

    /// What the key is being imported for; decides which `key_ops` value is required. `thumbprint` reads the
    /// key material only: RFC 7638 depends on the required members alone, so `use`, `key_ops` and `alg` are
    /// ignored (a `use: enc` key has a thumbprint).
    package enum Purpose { case verify, sign, thumbprint }

    package static func parse(_ jwk: JSONValue, purpose: Purpose = .verify) throws(JWTKError) -> Parts {
        guard jwk.kind == .object else { throw JWTKError(.invalidKey, "a JWK must be a JSON object") }
        let keyID = try optionalString(jwk, "kid")
        guard let kty = try optionalString(jwk, "kty") else {
            throw JWTKError(.invalidKey, "JWK has no \"kty\"", claim: "kty", keyID: keyID)
        }
        if purpose == .thumbprint { return try material(jwk, keyID: keyID, kty: kty, algorithm: nil, use: nil, keyOperations: nil) }
        let use = try optionalString(jwk, "use")
        if let use, use != "sig" {
            throw JWTKError(.keyUsageMismatch, "JWK \"use\" is \(Shown.value(use)), not \"sig\"", claim: "use", keyID: keyID)
        }
        var keyOperations: [String]?
        if let ops = jwk["key_ops"] {
            guard let list = ops.stringArray else {
                throw JWTKError(.invalidKey, "JWK \"key_ops\" must be an array of strings", claim: "key_ops", keyID: keyID)
            }
            let needed = purpose == .verify ? "verify" : "sign"
            guard list.contains(needed) else {
                throw JWTKError(.keyUsageMismatch, "JWK \"key_ops\" does not contain \"\(needed)\"", claim: "key_ops", keyID: keyID)
            }
            guard Set(list).count == list.count else {
                throw JWTKError(.invalidKey, "JWK \"key_ops\" repeats a value (RFC 7517 §4.3)", claim: "key_ops", keyID: keyID)
            }
            keyOperations = list
        }
        var algorithm: JWSAlgorithm?
        if let algName = try optionalString(jwk, "alg") {
            guard let alg = JWSAlgorithm(rawValue: algName) else {
                throw JWTKError(
                    .unsupportedAlgorithm, "JWK \"alg\" \(Shown.value(algName)) is not a supported signature algorithm", claim: "alg",
                    keyID: keyID)
            }
            algorithm = alg
        }
        return try material(jwk, keyID: keyID, kty: kty, algorithm: algorithm, use: use, keyOperations: keyOperations)
    }

    /// The key material of `jwk` by its `kty`, then the `alg` fit and the certificate chain.
    private static func material(
        _ jwk: JSONValue, keyID: String?, kty: String, algorithm: JWSAlgorithm?, use: String?, keyOperations: [String]?
    ) throws(JWTKError) -> Parts {

        let material: VerificationKey.Material
        let type: VerificationKey.KeyType
        let members: [(String, String)]
        var hadPrivate = false
        switch kty {
        case "RSA":
            let n = try requiredBytes(jwk, "n", keyID)
            let e = try requiredBytes(jwk, "e", keyID)
            try checkRSA(n: n, e: e, keyID: keyID)
            hadPrivate = ["d", "p", "q", "dp", "dq", "qi", "oth"].contains { jwk[$0] != nil }
            let key = try EVPKey.rsaPublic(n: n, e: e)
            material = .asymmetric(key)
            type = .rsa(bits: key.bits)
            // OpenSSL holds n and e as numbers: its export is the minimal big-endian form, leading zeros dropped.
            members = [
                ("kty", "RSA"), ("n", Base64URL.encode(n.drop { $0 == 0 })), ("e", Base64URL.encode(e.drop { $0 == 0 })),
            ]
        case "EC":
            guard let crv = try optionalString(jwk, "crv") else {
                throw JWTKError(.invalidKey, "EC JWK has no \"crv\"", claim: "crv", keyID: keyID)
            }
            guard let curve = ["P-256": 256, "P-384": 384, "P-521": 521][crv] else {
                throw JWTKError(
                    .unsupportedKey, "EC curve \(Shown.value(crv)) is not supported (P-256, P-384, P-521)", claim: "crv", keyID: keyID)
            }
            let size = (curve + 7) / 8
            let x = try requiredBytes(jwk, "x", keyID)
            let y = try requiredBytes(jwk, "y", keyID)
            guard x.count == size, y.count == size else {
                throw JWTKError(
                    .invalidKey, "EC \(crv) coordinates must be \(size) bytes each (x: \(x.count), y: \(y.count))", keyID: keyID)
            }
            hadPrivate = jwk["d"] != nil
            material = .asymmetric(try EVPKey.ecPublic(curve: curve, x: x, y: y))
            type = .ec(curve: crv)
            // Full-length coordinates of a point OpenSSL accepted (each below the field prime): its export.
            members = [("kty", "EC"), ("crv", crv), ("x", Base64URL.encode(x)), ("y", Base64URL.encode(y))]
        case "OKP":
            guard let crv = try optionalString(jwk, "crv") else {
                throw JWTKError(.invalidKey, "OKP JWK has no \"crv\"", claim: "crv", keyID: keyID)
            }
            let kind: EVPKey.Kind
            let size: Int
            switch crv {
            case "Ed25519": (kind, size) = (.ed25519, 32)
            case "Ed448": (kind, size) = (.ed448, 57)
            default:
                throw JWTKError(
                    .unsupportedKey, "OKP curve \(Shown.value(crv)) is not a signature curve jwtk supports (Ed25519, Ed448)", claim: "crv",
                    keyID: keyID)
            }
            let x = try requiredBytes(jwk, "x", keyID)
            guard x.count == size else {
                throw JWTKError(.invalidKey, "\(crv) public key must be \(size) bytes, got \(x.count)", keyID: keyID)
            }
            hadPrivate = jwk["d"] != nil
            material = .asymmetric(try EVPKey.okpPublic(kind, raw: x))
            type = .okp(curve: crv)
            members = [("kty", "OKP"), ("crv", crv), ("x", Base64URL.encode(x))]
        case "oct":
            let k = try requiredBytes(jwk, "k", keyID)
            guard !k.isEmpty else { throw JWTKError(.invalidKey, "oct JWK has an empty \"k\"", claim: "k", keyID: keyID) }
            material = .hmac(try HMACSecret(bytes: k))
            type = .oct(bytes: k.count)
            members = [("kty", "oct"), ("k", Base64URL.encode(k))]
        default:
            throw JWTKError(.unsupportedKey, "JWK \"kty\" \(Shown.value(kty)) is not supported", claim: "kty", keyID: keyID)
        }

        if let algorithm, !VerificationKey.family(type, fits: algorithm) {
            throw JWTKError(.algorithmKeyMismatch, "JWK \"alg\" \(algorithm) does not fit a \(type) key", claim: "alg", keyID: keyID)
        }
        let chainLength = try checkCertificateChain(jwk, material: material, keyID: keyID)
        return Parts(
            material: material, type: type, keyID: keyID, algorithm: algorithm, use: use, keyOperations: keyOperations,
            hadPrivateMembers: hadPrivate, certificateChainLength: chainLength, kty: kty, thumbprintMembers: members)
    }

    /// RFC 7518 §6.3.1: `e` must be odd and > 1; `n` must be odd (RFC 8017 §3.1). jwtk also bounds `e` to 64
    /// bits and `n` to 16384 bits, so a published key cannot make every verification arbitrarily slow.
    static func checkRSA(n: [UInt8], e: [UInt8], keyID: String?) throws(JWTKError) {
        let eTrimmed = e.drop { $0 == 0 }
        guard let last = eTrimmed.last, last & 1 == 1, eTrimmed.count > 1 || last > 1 else {
            throw JWTKError(.invalidKey, "RSA public exponent must be odd and greater than 1", claim: "e", keyID: keyID)
        }
        guard eTrimmed.count <= 8 else {
            throw JWTKError(.invalidKey, "RSA public exponent is larger than 64 bits", claim: "e", keyID: keyID)
        }
        let nTrimmed = n.drop { $0 == 0 }
        guard nTrimmed.count >= 64 else {
            throw JWTKError(.invalidKey, "RSA modulus is implausibly short (\(nTrimmed.count) bytes)", claim: "n", keyID: keyID)
        }
        guard nTrimmed.count <= 2048 else {
            throw JWTKError(.invalidKey, "RSA modulus is larger than 16384 bits", claim: "n", keyID: keyID)
        }
        guard let lastN = nTrimmed.last, lastN & 1 == 1 else {
            throw JWTKError(.invalidKey, "RSA modulus is even: not a product of odd primes", claim: "n", keyID: keyID)
        }
        if ROCA.hasFingerprint(modulus: nTrimmed) {
            throw JWTKError(
                .weakKey,
                "RSA modulus has the ROCA fingerprint (CVE-2017-15361, Infineon RSALib): its primes can be recovered from it; "
                    + "the key must be replaced",
                claim: "n", keyID: keyID)
        }
    }

    /// RFC 7517 §4.7: the key in the first `x5c` certificate must match the JWK's key. `x5t#S256`, when
    /// present, must be the SHA-256 of that certificate. No chain validation is done: trust comes from where
    /// the JWK was obtained, not from the certificate.
    private static func checkCertificateChain(_ jwk: JSONValue, material: VerificationKey.Material, keyID: String?) throws(JWTKError) -> Int
    {
        // Thumbprints are type-checked whether or not x5c is present: a mistyped one is a broken key.
        let sha1 = try thumbprintMember(jwk, "x5t", bytes: 20, keyID: keyID)
        let sha256 = try thumbprintMember(jwk, "x5t#S256", bytes: 32, keyID: keyID)
        guard let x5c = jwk["x5c"] else { return 0 }
        guard let certs = x5c.stringArray, let leafText = certs.first else {
            throw JWTKError(.invalidKey, "JWK \"x5c\" must be a non-empty array of base64 strings", claim: "x5c", keyID: keyID)
        }
        guard let key = material.evp else {
            throw JWTKError(.invalidKey, "an oct JWK cannot carry \"x5c\"", claim: "x5c", keyID: keyID)
        }
        guard let der = Base64.decode(Array(leafText.utf8)) else {
            throw JWTKError(.invalidKey, "JWK \"x5c\" leaf is not base64", claim: "x5c", keyID: keyID)
        }
        let leafKey = try EVPKey.publicFromCertificate(der: der)
        guard leafKey.samePublicKey(as: key) else {
            throw JWTKError(.invalidKey, "the key in the \"x5c\" leaf certificate differs from the JWK's key", claim: "x5c", keyID: keyID)
        }
        if let expected = sha256, Crypto.digest(der, hashBits: 256) != expected {
            throw JWTKError(
                .invalidKey, "JWK \"x5t#S256\" does not match the \"x5c\" leaf certificate", claim: "x5t#S256", keyID: keyID)
        }
        if let expected = sha1, Crypto.sha1(der) != expected {
            throw JWTKError(.invalidKey, "JWK \"x5t\" does not match the \"x5c\" leaf certificate", claim: "x5t", keyID: keyID)
        }
        return certs.count
    }

    /// An `x5t` / `x5t#S256` member (RFC 7517 §4.8, §4.9): a base64url string of a `bytes`-byte digest.
    private static func thumbprintMember(_ jwk: JSONValue, _ name: String, bytes: Int, keyID: String?) throws(JWTKError) -> [UInt8]? {
        guard let text = try optionalString(jwk, name) else { return nil }
        guard let digest = try? Base64URL.decode(text) else {
            throw JWTKError(.invalidKey, "JWK member \(Shown.value(name)) is not strict base64url", claim: name, keyID: keyID)
        }
        guard digest.count == bytes else {
            throw JWTKError(
                .invalidKey, "JWK member \(Shown.value(name)) must be a \(bytes)-byte digest, got \(digest.count) bytes", claim: name,
                keyID: keyID)
        }
        return digest
    }

    static func optionalString(_ jwk: JSONValue, _ name: String) throws(JWTKError) -> String? {
        guard let value = jwk[name] else { return nil }
        guard let s = value.string else {
            throw JWTKError(.invalidKey, "JWK member \(Shown.value(name)) must be a string", claim: name, keyID: jwk["kid"]?.string)
        }
        return s
    }

    static func requiredBytes(_ jwk: JSONValue, _ name: String, _ keyID: String?) throws(JWTKError) -> [UInt8] {
        guard let text = try optionalString(jwk, name) else {
            throw JWTKError(.invalidKey, "JWK is missing \(Shown.value(name))", claim: name, keyID: keyID)
        }
        do {
            return try Base64URL.decode(text)
        } catch {
            throw JWTKError(.invalidKey, "JWK member \(Shown.value(name)) is not strict base64url", claim: name, keyID: keyID)
        }
    }
}
