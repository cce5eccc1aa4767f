/// A private key (or HMAC secret) that signs tokens: for test fixtures, the `jwtk sign` command and
/// reproducing a provider's tokens.
///
/// ```swift
/// let key = try SigningKey.generate(for: .ES256, keyID: "k1")
/// let token = try JWTSigner(key: key, algorithm: .ES256).sign(claims: #"{"sub":"1","exp":4102444800}"#)
/// let verifier = JWTVerifier(keys: [key.verificationKey])
/// ```
public final class SigningKey: Sendable {
    let material: VerificationKey.Material
    /// The key id put into signed headers, if any.
    public let keyID: String?
    /// The public counterpart, usable for verification.
    public let verificationKey: VerificationKey

    private init(material: VerificationKey.Material, keyID: String?, verificationKey: VerificationKey) {
        self.material = material
        self.keyID = keyID
        self.verificationKey = verificationKey
    }

    private convenience init(evp: EVPKey, keyID: String?) throws(JWTKError) {
        guard evp.hasPrivate else { throw JWTKError(.invalidKey, "the key has no private part; it cannot sign") }
        let publicKey = try VerificationKey(evpKey: evp, keyID: keyID, algorithm: nil, hadPrivateMembers: false)
        self.init(material: .asymmetric(evp), keyID: keyID, verificationKey: publicKey)
    }

    /// Signs a fixed message and verifies it with the public part: proves that the private scalar or
    /// exponent belongs to the public key (a JWK's `d` can come from another key).
    private func checkPairwise() throws(JWTKError) {
        guard let algorithm = verificationKey.compatibleAlgorithms.first(where: { $0.family != .rsaPSS }) else { return }
        let message = Array("jwtk pairwise check".utf8)
        let signature: [UInt8]
        do {
            signature = try sign(message, algorithm: algorithm)
        } catch {
            // Inconsistent RSA members make OpenSSL's private operation itself fail ("no inverse").
            throw JWTKError(.invalidKey, "the private key cannot sign: \(error.reason)", keyID: keyID, openSSLErrors: error.openSSLErrors)
        }
        let valid = try unsafe signature.withUnsafeBufferPointer { sig throws(JWTKError) in
            try unsafe message.withUnsafeBufferPointer { input throws(JWTKError) in
                try unsafe SignatureCheck.verify(key: verificationKey, algorithm: algorithm, signature: sig, input: input)
            }
        }
        guard valid else { throw JWTKError(.invalidKey, "the private key does not belong to the public key", keyID: keyID) }
    }

    /// An HMAC secret for HS256/384/512.
    public convenience init(hmacSecret: [UInt8], keyID: String? = nil) throws(JWTKError) {
        let publicKey = try VerificationKey(hmacSecret: hmacSecret, keyID: keyID)
        self.init(material: publicKey.material, keyID: keyID, verificationKey: publicKey)
    }

    /// A private key from PEM (`PRIVATE KEY` PKCS#8, `RSA PRIVATE KEY`, `EC PRIVATE KEY`). Other key blocks
    /// in the same input (a certificate, a public key, another private key) must carry the same key.
    /// - Throws: `invalidKey` when no private key is found; `ambiguousKey` when the blocks hold different keys.
    public convenience init(pem: String, keyID: String? = nil) throws(JWTKError) {
        let blocks = try PEM.blocks(in: pem)
        guard let block = blocks.first(where: { $0.label.hasSuffix("PRIVATE KEY") }) else {
            throw JWTKError(.invalidKey, "no PRIVATE KEY block in the PEM input")
        }
        try self.init(evp: try EVPKey.privateFromDER(der: block.der), keyID: keyID)
        try checkPairwise()
        let keyLabels: Set<String> = [
            "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE", "TRUSTED CERTIFICATE",
        ]
        if blocks.filter({ keyLabels.contains($0.label) }).count > 1 {
            // The verification reading checks that every key block is one key; it must be this one.
            let all = try VerificationKey(pem: pem)
            guard all.thumbprint == verificationKey.thumbprint else {
                throw JWTKError(.ambiguousKey, "the PEM input holds different keys; give one key per file")
            }
        }
    }

    /// A private JWK (RSA with `d` and ideally the CRT members, EC with `d`, OKP with `d`, or oct).
    /// - Throws: `invalidKey` when private members are missing or inconsistent.
    public convenience init(jwk: String) throws(JWTKError) {
        let document = try JSONDocument.parse(Array(jwk.utf8), maxDepth: 16, what: "JWK", quotesInput: false)
        let json = document.rootValue
        let parts = try JWKParser.parse(json, purpose: .sign)
        let keyID = parts.keyID
        func bytes(_ name: String) throws(JWTKError) -> [UInt8] { try JWKParser.requiredBytes(json, name, keyID) }
        switch parts.type {
        case .oct:
            try self.init(hmacSecret: try bytes("k"), keyID: keyID)
            return
        case .rsa:
            let primes: (p: [UInt8], q: [UInt8], dp: [UInt8], dq: [UInt8], qi: [UInt8])?
            if json["p"] != nil {
                primes = (try bytes("p"), try bytes("q"), try bytes("dp"), try bytes("dq"), try bytes("qi"))
            } else {
                primes = nil
            }
            try self.init(evp: try EVPKey.rsaPrivate(n: try bytes("n"), e: try bytes("e"), d: try bytes("d"), primes: primes), keyID: keyID)
        case .ec(let crv):
            let curve = Int(crv.dropFirst(2)) ?? 0
            try self.init(evp: try EVPKey.ecPrivate(curve: curve, x: try bytes("x"), y: try bytes("y"), d: try bytes("d")), keyID: keyID)
        case .okp(let crv):
            let evp = try EVPKey.okpPrivate(crv == "Ed448" ? .ed448 : .ed25519, raw: try bytes("d"))
            guard evp.rawPublic() == (try bytes("x")) else { throw JWTKError(.invalidKey, "OKP \"d\" does not match \"x\"", keyID: keyID) }
            try self.init(evp: evp, keyID: keyID)
        }
        guard let mine = material.evp, let declared = parts.material.evp, mine.samePublicKey(as: declared)
        else {
            throw JWTKError(.invalidKey, "the JWK's private members do not match its public members", keyID: keyID)
        }
        try checkPairwise()
    }

    /// Reads a private key file: a JWK (JSON) or PEM.
    public static func load(contents: [UInt8], keyID: String? = nil) throws(JWTKError) -> SigningKey {
        guard let text = String(validating: contents, as: UTF8.self) else {
            // DER: the same pairwise check as PEM and JWK, so a key whose private members do not belong to its
            // public key is refused here too rather than signing tokens that never verify.
            let key = try SigningKey(evp: try EVPKey.privateFromDER(der: contents), keyID: keyID)
            try key.checkPairwise()
            return key
        }
        if text.first(where: { !$0.isWhitespace }) == "{" { return try SigningKey(jwk: text) }
        return try SigningKey(pem: text, keyID: keyID)
    }

    /// Generates a fresh key for `algorithm`: RSA 2048 (or `rsaBits`), the algorithm's curve, Ed25519, or a
    /// random secret as long as the hash.
    public static func generate(for algorithm: JWSAlgorithm, keyID: String? = nil, rsaBits: Int = 2048) throws(JWTKError) -> SigningKey {
        switch algorithm.family {
        case .hmac: return try SigningKey(hmacSecret: try Crypto.randomBytes(algorithm.hashBits / 8), keyID: keyID)
        case .rsaPKCS1, .rsaPSS:
            guard (1024...16384).contains(rsaBits) else {
                throw JWTKError(.invalidArgument, "RSA key size must be between 1024 and 16384 bits, not \(rsaBits)")
            }
            return try SigningKey(evp: try EVPKey.generateRSA(bits: rsaBits), keyID: keyID)
        case .ecdsa: return try SigningKey(evp: try EVPKey.generateEC(curve: algorithm.ecdsaCurve!), keyID: keyID)
        case .eddsa: return try SigningKey(evp: try EVPKey.generateOKP(algorithm == .Ed448 ? .ed448 : .ed25519), keyID: keyID)
        }
    }

    /// The private key as PKCS#8 PEM; nil for HMAC secrets.
    public var privateKeyPEM: String? {
        guard let evp = material.evp, let der = evp.pkcs8DER() else { return nil }
        return PEM.encode(der, label: "PRIVATE KEY")
    }

    /// Signs `input` with `algorithm`. ECDSA signatures are raw R||S (RFC 7518 §3.4).
    /// - Throws: `algorithmKeyMismatch` when the key cannot sign with `algorithm`.
    public func sign(_ input: [UInt8], algorithm: JWSAlgorithm) throws(JWTKError) -> [UInt8] {
        guard VerificationKey.family(verificationKey.type, fits: algorithm) else {
            throw JWTKError(.algorithmKeyMismatch, "a \(verificationKey.type) key cannot sign \(algorithm)", keyID: keyID)
        }
        switch (material.secret, material.evp, algorithm.family) {
        case (let secret?, _, .hmac): return try secret.sign(message: input, hashBits: algorithm.hashBits)
        case (_, let evp?, .rsaPKCS1): return try evp.sign(message: input, hashBits: algorithm.hashBits, padding: .pkcs1)
        case (_, let evp?, .rsaPSS): return try evp.sign(message: input, hashBits: algorithm.hashBits, padding: .pss)
        case (_, let evp?, .ecdsa): return try evp.signECDSA(message: input, hashBits: algorithm.hashBits)
        case (_, let evp?, .eddsa): return try evp.sign(message: input, hashBits: 0, padding: .none)
        default: throw JWTKError(.algorithmKeyMismatch, "a \(verificationKey.type) key cannot sign \(algorithm)", keyID: keyID)
        }
    }
}

/// Produces compact JWS tokens.
///
/// ```swift
/// let signer = JWTSigner(key: try SigningKey(pem: pemText, keyID: "k1"), algorithm: .RS256)
/// let token = try signer.sign(claims: #"{"iss":"https://issuer","sub":"42","exp":4102444800}"#)
/// ```
public struct JWTSigner: Sendable {
    /// The signing key.
    public let key: SigningKey
    /// The algorithm written into `alg`.
    public let algorithm: JWSAlgorithm

    public init(key: SigningKey, algorithm: JWSAlgorithm) {
        self.key = key
        self.algorithm = algorithm
    }

    /// Signs a JSON claims object. The header is `{"alg":…,"typ":…,"kid":…}` (`kid` when the key has one)
    /// plus `extraHeader` members (a JSON object text, merged after those).
    /// - Throws: `invalidJSON` when `claims` is not a JSON object; signing errors.
    public func sign(claims: String, type: String? = "JWT", extraHeader: String? = nil) throws(JWTKError) -> String {
        let document = try JSONDocument.parse(Array(claims.utf8), maxDepth: 64, what: "claims")
        guard document.rootValue.kind == .object else { throw JWTKError(.invalidJSON, "claims must be a JSON object") }
        return try sign(payload: Array(claims.utf8), type: type, extraHeader: extraHeader)
    }

    /// Signs arbitrary payload bytes as a compact JWS.
    public func sign(payload: [UInt8], type: String? = nil, extraHeader: String? = nil) throws(JWTKError) -> String {
        var members = ["\"alg\":\"\(algorithm)\""]
        if let type { members.append("\"typ\":\(JSONText.quote(type))") }
        if let kid = key.keyID { members.append("\"kid\":\(JSONText.quote(kid))") }
        if let extraHeader {
            let extra = try JSONDocument.parse(Array(extraHeader.utf8), maxDepth: 16, what: "extra header")
            guard let pairs = extra.rootValue.members else { throw JWTKError(.invalidJSON, "extra header must be a JSON object") }
            for (name, value) in pairs where !["alg", "typ", "kid"].contains(name) {
                members.append("\(JSONText.quote(name)):\(value.serialized())")
            }
        }
        let header = Base64URL.encode(Array("{\(members.joined(separator: ","))}".utf8))
        let signingInput = header + "." + Base64URL.encode(payload)
        let signature = try key.sign(Array(signingInput.utf8), algorithm: algorithm)
        return signingInput + "." + Base64URL.encode(signature)
    }
}
