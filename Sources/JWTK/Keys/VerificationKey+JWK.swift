extension VerificationKey {
    /// Parses one JSON Web Key (RFC 7517) for signature verification.
    ///
    /// Rules applied: `kty` RSA, EC (P-256, P-384, P-521; coordinates exactly the curve size, point on the
    /// curve), OKP (Ed25519, Ed448) or oct; `use`, when present, must be `"sig"`; `key_ops`, when present, must
    /// contain `"verify"`; `alg`, when present, must be a supported algorithm that fits the key, and becomes
    /// the only algorithm the key verifies; RSA `e` must be odd and greater than 1; an `x5c` leaf certificate
    /// must carry the same public key. Private members are ignored (only the public part is kept) and
    /// reported through ``hadPrivateMembers``.
    ///
    /// - Throws: ``JWTKError`` with `invalidJSON`, `invalidKey`, `unsupportedKey`, `unsupportedAlgorithm`,
    ///   `algorithmKeyMismatch`, `keyUsageMismatch` or `limitExceeded`.
    public convenience init(jwk: String, limits: JWKSet.Limits = .init()) throws(JWTKError) {
        // Refuse by length before copying: a huge document costs no more than the limit.
        try limits.checkSize(jwk.utf8.count, of: "JWK")
        try self.init(jwkBytes: Array(jwk.utf8), limits: limits)
    }

    /// Parses one JWK from its UTF-8 JSON bytes; see ``init(jwk:limits:)``.
    public convenience init(jwkBytes: [UInt8], limits: JWKSet.Limits = .init()) throws(JWTKError) {
        try limits.checkSize(jwkBytes.count, of: "JWK")
        let document = try JSONDocument.parse(jwkBytes, maxDepth: limits.maxDepth, what: "JWK", quotesInput: false)
        let parts = try JWKParser.parse(document.rootValue)
        try self.init(parts)
    }

    package convenience init(_ parts: JWKParser.Parts) throws(JWTKError) {
        try self.init(
            material: parts.material, type: parts.type, keyID: parts.keyID, algorithm: parts.algorithm, use: parts.use,
            keyOperations: parts.keyOperations, hadPrivateMembers: parts.hadPrivateMembers,
            certificateChainLength: parts.certificateChainLength, thumbprintMembers: parts.thumbprintMembers)
    }

    /// Wraps an HMAC shared secret (raw bytes, not base64) as a verification key.
    ///
    /// The secret must not be empty. Whether it is long enough is decided at verification time by the policy
    /// (RFC 7518 §3.2: at least the hash output, 32 bytes for HS256).
    /// - Throws: `invalidKey` for an empty secret; `algorithmKeyMismatch` when `algorithm` is not HS*.
    public convenience init(hmacSecret: [UInt8], keyID: String? = nil, algorithm: JWSAlgorithm? = nil) throws(JWTKError) {
        guard !hmacSecret.isEmpty else { throw JWTKError(.invalidKey, "an HMAC secret must not be empty") }
        try self.init(
            material: .hmac(try HMACSecret(bytes: hmacSecret)), type: .oct(bytes: hmacSecret.count), keyID: keyID,
            algorithm: algorithm, use: nil, keyOperations: nil, hadPrivateMembers: false)
    }
}

extension VerificationKey {
    /// Refuses an HMAC secret that is really a key document (the CVE-2015-9235 class: a verifier handed a
    /// public key as its "secret" accepts tokens anyone MACs with that public key). Refused: bytes holding a
    /// PEM BEGIN line, a JSON object with `kty` or `keys` (a JWK or JWK Set), and DER that imports as a public
    /// key or certificate. `VerificationKey(hmacSecret:)` does not run this check; callers that take a secret
    /// from a file or the environment should (`jwtk verify` and `jwtk sign` do).
    ///
    /// The message names what the bytes look like, never the bytes.
    /// - Throws: `invalidKey` when `secret` is key material.
    public static func checkHMACSecretIsNotKeyMaterial(_ secret: [UInt8]) throws(JWTKError) {
        let begin = Array("-----BEGIN ".utf8)
        if secret.count >= begin.count,
            (0...(secret.count - begin.count)).contains(where: { secret[$0..<$0 + begin.count].elementsEqual(begin) })
        {
            throw JWTKError(
                .invalidKey,
                "the HMAC secret is PEM text (it has a BEGIN line): a key is not a shared secret (CVE-2015-9235); give the key as a key")
        }
        let firstNonSpace = secret.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        if firstNonSpace == UInt8(ascii: "{"), let root = try? JSONDocument.parse(secret, maxDepth: 64, what: "JSON").rootValue,
            root["kty"] != nil || root["keys"] != nil
        {
            throw JWTKError(
                .invalidKey, "the HMAC secret is a JWK or JWK Set: a key is not a shared secret (CVE-2015-9235); give the key as a key")
        }
        if secret.first == 0x30, (try? VerificationKey(der: secret)) != nil {
            throw JWTKError(
                .invalidKey, "the HMAC secret is a DER public key or certificate: a key is not a shared secret (CVE-2015-9235)")
        }
    }
}
