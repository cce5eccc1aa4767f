extension SigningKey {
    /// This key as a private JWK (RFC 7517, RFC 7518 §6): the public members with `kid` and `alg` when
    /// given, plus `d` (RSA with `p`, `q`, `dp`, `dq`, `qi`; EC padded to the curve size, RFC 7518 §6.2.2.1;
    /// OKP, RFC 8037 §2) or `k` for an HMAC secret. Nil when OpenSSL does not expose the private members.
    ///
    /// The text holds the private key: write it only to a file only its owner can read.
    ///
    /// - Parameter algorithm: written as `alg`, binding the key to one algorithm (RFC 7517 §4.4).
    public func privateJWK(algorithm: JWSAlgorithm? = nil) -> String? {
        var members = VerificationKey.publicMembers(material: material, type: verificationKey.type)
        if let key = material.evp {
            switch verificationKey.type {
            case .rsa:
                var values: [(String, String)] = []
                for (member, parameter) in [
                    ("d", "d"), ("p", "rsa-factor1"), ("q", "rsa-factor2"), ("dp", "rsa-exponent1"), ("dq", "rsa-exponent2"),
                    ("qi", "rsa-coefficient1"),
                ] {
                    guard let bytes = key.privateParameter(parameter) else { return nil }
                    values.append((member, Base64URL.encode(bytes)))
                }
                members += values
            case .ec(let curve):
                let size = curve == "P-521" ? 66 : curve == "P-384" ? 48 : 32
                guard let d = key.privateParameter("priv", pad: size) else { return nil }
                members.append(("d", Base64URL.encode(d)))
            case .okp:
                guard let d = key.rawPrivate() else { return nil }
                members.append(("d", Base64URL.encode(d)))
            case .oct:
                return nil
            }
        }
        var text = members.map { "\"\($0.0)\":\"\($0.1)\"" }
        if let keyID { text.append("\"kid\":\(JSONText.quote(keyID))") }
        if let algorithm { text.append("\"alg\":\"\(algorithm)\"") }
        return "{\(text.joined(separator: ","))}"
    }
}
