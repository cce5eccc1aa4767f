/// PEM armour (RFC 7468): `-----BEGIN LABEL-----`, base64 body, `-----END LABEL-----`.
package enum PEM {
    package struct Block: Sendable {
        package let label: String
        package let der: [UInt8]
    }

    /// Every PEM block in `text`, in order. Text outside blocks is ignored (as OpenSSL does); a block whose
    /// body is not base64 or whose END label differs makes the whole input invalid.
    package static func blocks(in text: String) throws(JWTKError) -> [Block] {
        var blocks: [Block] = []
        var label: String?
        var body: [UInt8] = []
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingSpaces()
            if let current = label {
                if line.hasPrefix("-----END ") {
                    guard line == "-----END \(current)-----" else {
                        throw JWTKError(.invalidKey, "PEM block \(Shown.value(current)) ends with \(Shown.value(String(line)))")
                    }
                    guard let der = Base64.decode(body, ignoringLineBreaks: true), !der.isEmpty else {
                        throw JWTKError(.invalidKey, "PEM block \(Shown.value(current)) is not valid base64")
                    }
                    blocks.append(Block(label: current, der: der))
                    label = nil
                    body = []
                } else {
                    body.append(contentsOf: line.utf8)
                }
            } else if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 {
                label = String(line.dropFirst(11).dropLast(5))
            }
        }
        if let label { throw JWTKError(.invalidKey, "PEM block \(Shown.value(label)) has no END line") }
        return blocks
    }

    package static func encode(_ der: [UInt8], label: String) -> String {
        "-----BEGIN \(label)-----\n\(Base64.encode(der, lineLength: 64))\n-----END \(label)-----\n"
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return s
    }
}

extension VerificationKey {
    /// Reads a public key from PEM: `PUBLIC KEY` (SubjectPublicKeyInfo), `RSA PUBLIC KEY` (PKCS#1) or
    /// `CERTIFICATE` (X.509; its subject public key is used, nothing about the certificate is validated).
    /// A private-key PEM (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`) is accepted by its public part,
    /// and flagged through ``hadPrivateMembers``. The first usable block wins.
    ///
    /// - Parameters:
    ///   - keyID: the `kid` tokens must carry to select this key (nil: any).
    ///   - algorithm: pin the key to one algorithm (recommended for RSA keys, which fit RS* and PS*).
    /// - Throws: `invalidKey` when no block holds a supported key; `algorithmKeyMismatch` for a bad pin.
    public convenience init(pem: String, keyID: String? = nil, algorithm: JWSAlgorithm? = nil) throws(JWTKError) {
        let blocks = try PEM.blocks(in: pem)
        guard !blocks.isEmpty else { throw JWTKError(.invalidKey, "no PEM block found") }
        var firstError: JWTKError?
        for block in blocks {
            do throws(JWTKError) {
                let key: EVPKey
                var isPrivate = false
                switch block.label {
                case "PUBLIC KEY": key = try EVPKey.publicFromSPKI(der: block.der)
                case "RSA PUBLIC KEY": key = try EVPKey.publicFromPKCS1(der: block.der)
                case "CERTIFICATE", "TRUSTED CERTIFICATE": key = try EVPKey.publicFromCertificate(der: block.der)
                case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
                    key = try EVPKey.privateFromDER(der: block.der)
                    isPrivate = true
                default:
                    throw JWTKError(.invalidKey, "PEM block \(Shown.value(block.label)) is not a key or certificate")
                }
                try self.init(evpKey: key, keyID: keyID, algorithm: algorithm, hadPrivateMembers: isPrivate)
                return
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        throw firstError ?? JWTKError(.invalidKey, "no usable PEM block")
    }

    /// Reads a public key from DER: SubjectPublicKeyInfo, PKCS#1 RSAPublicKey or an X.509 certificate, tried
    /// in that order. See ``init(pem:keyID:algorithm:)``.
    public convenience init(der: [UInt8], keyID: String? = nil, algorithm: JWSAlgorithm? = nil) throws(JWTKError) {
        let key: EVPKey
        if let k = try? EVPKey.publicFromSPKI(der: der) {
            key = k
        } else if let k = try? EVPKey.publicFromPKCS1(der: der) {
            key = k
        } else if let k = try? EVPKey.publicFromCertificate(der: der) {
            key = k
        } else {
            OpenSSLErrors.clear()
            throw JWTKError(.invalidKey, "DER input is not a SubjectPublicKeyInfo, PKCS#1 RSA public key or X.509 certificate")
        }
        try self.init(evpKey: key, keyID: keyID, algorithm: algorithm, hadPrivateMembers: false)
    }

    /// Reads a key file's contents: a JWK or JWK Set's single key (JSON), PEM, or DER.
    ///
    /// - Throws: as the format-specific initialisers; `invalidKey` when the bytes are none of these.
    public static func load(contents: [UInt8], keyID: String? = nil, algorithm: JWSAlgorithm? = nil) throws(JWTKError) -> [VerificationKey]
    {
        let firstNonSpace = contents.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        if firstNonSpace == UInt8(ascii: "{") {
            let set = try JWKSet(bytes: contents, acceptSingleKey: true)
            if set.keys.isEmpty, let first = set.skipped.first { throw first.reason }
            guard keyID != nil || algorithm != nil else { return set.keys }
            var adjusted: [VerificationKey] = []
            for key in set.keys {
                if let keyID, let own = key.keyID, !Exact.equal(own, keyID) {
                    throw JWTKError(
                        .invalidArgument, "the JWK's kid \(Shown.value(own)) differs from the requested \(Shown.value(keyID))", keyID: own)
                }
                if let algorithm, let own = key.algorithm, own != algorithm {
                    throw JWTKError(.algorithmKeyMismatch, "the JWK's alg \(own) differs from the requested \(algorithm)", keyID: key.keyID)
                }
                adjusted.append(
                    try VerificationKey(
                        material: key.material, type: key.type, keyID: keyID ?? key.keyID, algorithm: algorithm ?? key.algorithm,
                        use: key.use,
                        keyOperations: key.keyOperations, hadPrivateMembers: key.hadPrivateMembers,
                        certificateChainLength: key.certificateChainLength))
            }
            return adjusted
        }
        if let text = String(validating: contents, as: UTF8.self), text.contains("-----BEGIN ") {
            return [try VerificationKey(pem: text, keyID: keyID, algorithm: algorithm)]
        }
        return [try VerificationKey(der: contents, keyID: keyID, algorithm: algorithm)]
    }

    convenience init(evpKey key: EVPKey, keyID: String?, algorithm: JWSAlgorithm?, hadPrivateMembers: Bool) throws(JWTKError) {
        let type: KeyType
        switch key.kind {
        case .rsa:
            guard let (n, e) = key.rsaComponents() else { throw JWTKError(.invalidKey, "RSA key has no readable modulus") }
            try JWKParser.checkRSA(n: n, e: e, keyID: keyID)
            type = .rsa(bits: key.bits)
        case .ec:
            guard [256, 384, 521].contains(key.curve) else { throw JWTKError(.unsupportedKey, "EC key is not on P-256, P-384 or P-521") }
            type = .ec(curve: "P-\(key.curve)")
        case .ed25519: type = .okp(curve: "Ed25519")
        case .ed448: type = .okp(curve: "Ed448")
        case .rsaPSS:
            throw JWTKError(.unsupportedKey, "RSA-PSS-restricted keys (id-RSASSA-PSS) are not supported; use an rsaEncryption key")
        case .unknown: throw JWTKError(.unsupportedKey, "key type is not supported (RSA, EC, Ed25519, Ed448)")
        }
        // A private key is reduced to its public part, so a verification key never holds private material.
        let publicKey: EVPKey
        if key.hasPrivate {
            guard let spki = key.spkiDER() else { throw JWTKError(.invalidKey, "could not derive the public key") }
            publicKey = try EVPKey.publicFromSPKI(der: spki)
        } else {
            publicKey = key
        }
        try self.init(
            material: .asymmetric(publicKey), type: type, keyID: keyID, algorithm: algorithm, use: nil, keyOperations: nil,
            hadPrivateMembers: hadPrivateMembers || key.hasPrivate)
    }
}
