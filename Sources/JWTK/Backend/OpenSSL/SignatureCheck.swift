/// Dispatches one signature check to OpenSSL for the algorithm's family.
enum SignatureCheck {
    /// Whether `signature` verifies over `input` with `material` under `algorithm`; `nil` when the material
    /// cannot verify that algorithm's family at all (the caller turns that into its typed error).
    // Switches on the material first, then the family: a `switch (material, family)` over a tuple with
    // payload bindings, inlined into `firstVerifying`, crashed the Swift 6.3.1 optimizer in release builds.
    @inline(never)
    static func verify(
        material: KeyMaterial, algorithm: JWSAlgorithm, signature: UnsafeBufferPointer<UInt8>, input: UnsafeBufferPointer<UInt8>
    ) throws(JWTKError) -> Bool? {
        let family = algorithm.family
        if let secret = material.secret {
            if family == .hmac { return try unsafe secret.verify(signature: signature, message: input, hashBits: algorithm.hashBits) }
        } else if let evp = material.evp {
            switch family {
            case .rsaPKCS1, .rsaPSS:
                // RFC 8017 §8.1.2 / §8.2.2 step 1: the signature is exactly as long as the modulus. OpenSSL's
                // PSS path accepts shorter ones (a leading zero byte removed), which would give a second valid
                // token string for the same signature.
                guard signature.count == (evp.bits + 7) / 8 else { return false }
                if family == .rsaPSS {
                    return try unsafe evp.verify(signature: signature, message: input, hashBits: algorithm.hashBits, padding: .pss)
                }
                return try unsafe evp.verify(signature: signature, message: input, hashBits: algorithm.hashBits, padding: .pkcs1)
            case .ecdsa:
                return try unsafe evp.verifyECDSA(rawSignature: signature, message: input, hashBits: algorithm.hashBits)
            case .eddsa:
                return try unsafe evp.verify(signature: signature, message: input, hashBits: 0, padding: .none)
            case .hmac:
                break
            }
        }
        return nil
    }
}
