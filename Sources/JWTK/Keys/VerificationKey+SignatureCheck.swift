extension SignatureCheck {
    /// Whether `signature` verifies over `input` with `key` under `algorithm`.
    /// - Throws: `algorithmKeyMismatch` when the key's family cannot verify the algorithm (unreachable after
    ///   key selection; fails closed all the same), or the backend's error.
    @inline(__always)
    static func verify(
        key: VerificationKey, algorithm: JWSAlgorithm, signature: UnsafeBufferPointer<UInt8>, input: UnsafeBufferPointer<UInt8>
    ) throws(JWTKError) -> Bool {
        if let valid = try unsafe verify(material: key.material, algorithm: algorithm, signature: signature, input: input) { return valid }
        throw JWTKError(.algorithmKeyMismatch, "a \(key.type) key cannot verify \(algorithm)", keyID: key.keyID)
    }
}
