/// PEM armour (RFC 7468): `-----BEGIN LABEL-----`, base64 body, `-----END LABEL-----`.
package enum PEM {
    package struct Block: Sendable {
        package let label: String
        package let der: [UInt8]
    }

    /// Every PEM block in `text`, in order. Lines end with LF, CRLF or CR (RFC 7468 §3 `eol`). Text outside
    /// blocks is ignored (as OpenSSL does); a block whose body is not base64, whose BEGIN line has anything
    /// after its closing `-----` (a one-line PEM) or whose END label differs makes the whole input invalid.
    ///
    /// Messages name the label (cut at `-----`, RFC 7468 §2, and shown only when it is a plausible label) and
    /// the line number, never the text of a line: a malformed private key must not reach a log.
    package static func blocks(in text: String) throws(JWTKError) -> [Block] {
        var blocks: [Block] = []
        var label: String?
        var beginLine = 0
        var body: [UInt8] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        for (offset, rawLine) in lines.enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.trimmingSpaces()
            if let current = label {
                if line.hasPrefix("-----END ") {
                    guard line == "-----END \(current)-----" else {
                        let found = armourLabel(line.dropFirst(9)).label.map { "END label \(Shown.value($0))" } ?? "a malformed END line"
                        throw JWTKError(
                            .invalidKey,
                            "PEM block \(Shown.value(current)) (BEGIN at line \(beginLine)) ends with \(found) at line \(lineNumber)")
                    }
                    guard let der = Base64.decode(body, ignoringLineBreaks: true), !der.isEmpty else {
                        throw JWTKError(.invalidKey, "PEM block \(Shown.value(current)) (BEGIN at line \(beginLine)) is not valid base64")
                    }
                    blocks.append(Block(label: current, der: der))
                    label = nil
                    body = []
                } else {
                    body.append(contentsOf: line.utf8)
                }
            } else if line.hasPrefix("-----BEGIN ") {
                let (found, rest) = armourLabel(line.dropFirst(11))
                guard let found else {
                    throw JWTKError(
                        .invalidKey, "PEM BEGIN line at line \(lineNumber) has no valid label closed by \"-----\" (RFC 7468 §2)")
                }
                guard rest.isEmpty else {
                    throw JWTKError(
                        .invalidKey,
                        "PEM block \(Shown.value(found)) at line \(lineNumber): text follows the BEGIN line's closing \"-----\" "
                            + "(a one-line PEM?); the body must start on its own line (RFC 7468 §2)")
                }
                label = found
                beginLine = lineNumber
            }
        }
        if let label { throw JWTKError(.invalidKey, "PEM block \(Shown.value(label)) (BEGIN at line \(beginLine)) has no END line") }
        return blocks
    }

    /// The label at the start of `text` up to the first `-----`, and what follows that `-----`. The label is
    /// nil unless it looks like one (1 to 64 characters of A-Z, 0-9, space, `#`, `+`, `.`, `_`, `/`), so the
    /// text of a malformed line is never shown as a label.
    private static func armourLabel(_ text: Substring) -> (label: String?, rest: Substring) {
        let dashes = Array("-----".utf8)
        let bytes = Array(text.utf8)
        guard bytes.count >= dashes.count,
            let at = (0...(bytes.count - dashes.count)).first(where: { bytes[$0..<$0 + dashes.count].elementsEqual(dashes) })
        else { return (nil, "") }
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: at)
        let upper = utf8.index(lower, offsetBy: dashes.count)
        let candidate = text[..<lower]
        let plausible =
            !candidate.isEmpty && candidate.count <= 64
            && candidate.utf8.allSatisfy { byte in
                (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x20 || byte == 0x23 || byte == 0x2B
                    || byte == 0x2E || byte == 0x5F || byte == 0x2F
            }
        return (plausible ? String(candidate) : nil, text[upper...])
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
    /// and flagged through ``hadPrivateMembers``. Blocks that are not keys are ignored; several key blocks
    /// must all carry the same public key (a private key and its certificate), else `ambiguousKey`.
    ///
    /// - Parameters:
    ///   - pem: the PEM document (RFC 7468); lines may end in LF, CRLF or CR.
    ///   - keyID: the `kid` tokens must carry to select this key (nil: any).
    ///   - algorithm: pin the key to one algorithm (recommended for RSA keys, which fit RS* and PS*).
    /// - Throws: `invalidKey` when no block holds a supported key; `ambiguousKey` for blocks holding
    ///   different keys; `algorithmKeyMismatch` for a bad pin.
    public convenience init(pem: String, keyID: String? = nil, algorithm: JWSAlgorithm? = nil) throws(JWTKError) {
        let blocks = try PEM.blocks(in: pem)
        guard !blocks.isEmpty else { throw JWTKError(.invalidKey, "no PEM block found") }
        var firstError: JWTKError?
        var found: [(index: Int, label: String, key: VerificationKey)] = []
        for (index, block) in blocks.enumerated() {
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
                found.append(
                    (
                        index + 1, block.label,
                        try VerificationKey(evpKey: key, keyID: keyID, algorithm: algorithm, hadPrivateMembers: isPrivate)
                    ))
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        guard let first = found.first else { throw firstError ?? JWTKError(.invalidKey, "no usable PEM block") }
        // Several blocks are one key only when they all carry the same public key (a private key and its
        // certificate); otherwise which one is meant would be a guess.
        if let other = found.first(where: { $0.key.thumbprint != first.key.thumbprint }) {
            throw JWTKError(
                .ambiguousKey,
                "the PEM input holds different keys (block \(first.index) \(Shown.value(first.label)) and block \(other.index) "
                    + "\(Shown.value(other.label))); give one key per file")
        }
        let isPrivate = found.contains { $0.key.hadPrivateMembers }
        try self.init(
            material: first.key.material, type: first.key.type, keyID: keyID, algorithm: algorithm, use: nil, keyOperations: nil,
            hadPrivateMembers: isPrivate)
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

    /// Reads a key file's contents for RFC 7638 thumbprints: as ``load(contents:keyID:algorithm:)``, except
    /// that a JWK's `use`, `key_ops` and `alg` are ignored, since the thumbprint depends only on the required
    /// members (a `use: enc` key has a thumbprint). The keys returned are for their thumbprints only.
    ///
    /// - Throws: `invalidKey` (and the other import errors) for a key whose required members cannot be read;
    ///   for a JWK Set, only when no key can be read.
    public static func loadForThumbprint(contents: [UInt8], limits: JWKSet.Limits = .init()) throws(JWTKError) -> [VerificationKey] {
        let firstNonSpace = contents.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        guard firstNonSpace == UInt8(ascii: "{") else { return try load(contents: contents) }
        try limits.checkSize(contents.count, of: "JWK Set")
        let root = try JSONDocument.parse(contents, maxDepth: limits.maxDepth, what: "JWK Set", quotesInput: false).rootValue
        guard let array = root["keys"]?.array else {
            return [try VerificationKey(try JWKParser.parse(root, purpose: .thumbprint))]
        }
        guard array.count <= limits.maxKeys else {
            throw JWTKError(.limitExceeded, "JWK Set has \(array.count) keys; the limit is \(limits.maxKeys)")
        }
        var keys: [VerificationKey] = []
        var firstError: JWTKError?
        for member in array {
            do throws(JWTKError) {
                keys.append(try VerificationKey(try JWKParser.parse(member, purpose: .thumbprint)))
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if keys.isEmpty, let firstError { throw firstError }
        return keys
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
