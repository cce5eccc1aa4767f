extension JWTVerifier {
    /// Verifies a compact JWT as ``verify(_:)`` does, reporting every ``VerificationStep`` to `observer` in
    /// order (passed, failed or skipped).
    ///
    /// The verdict, the result and the error are exactly those of ``verify(_:)``: the observer only listens.
    ///
    /// - Throws: ``JWTKError``, after `observer` has received the failed step and the skipped ones after it.
    public func verify(_ token: String, observer: inout some VerificationObserver) throws(JWTKError) -> VerifiedJWT {
        try observed(token, &observer, signatureOnly: false) { bytes, reporter throws(JWTKError) in
            try verify(bytes: bytes, reporter: &reporter)
        }
    }

    /// Verifies only the signature, as ``verifySignature(_:detachedPayload:)`` does, reporting every
    /// ``VerificationStep`` to `observer`; the claim steps are skipped (``VerificationOutcome/SkipReason/signatureOnly``).
    ///
    /// - Throws: ``JWTKError`` (shape, header, algorithm, key and signature codes).
    public func verifySignature(
        _ token: String, detachedPayload: [UInt8]? = nil, observer: inout some VerificationObserver
    ) throws(JWTKError) -> VerifiedJWS {
        try observed(token, &observer, signatureOnly: true) { bytes, reporter throws(JWTKError) in
            try verifyJWS(bytes: bytes, detachedPayload: detachedPayload, reporter: &reporter)
        }
    }

    private func observed<O: VerificationObserver, T>(
        _ token: String, _ observer: inout O, signatureOnly: Bool,
        _ body: (UnsafeBufferPointer<UInt8>, inout ObservedSteps<O>) throws(JWTKError) -> T
    ) throws(JWTKError) -> T {
        observer.verificationWillBegin(self)
        var steps = ObservedSteps(observer)
        defer { observer = steps.observer }
        do throws(JWTKError) {
            let result = try withUTF8Bytes(of: token) { bytes throws(JWTKError) in try body(bytes, &steps) }
            steps.succeeded(signatureOnly: signatureOnly)
            return result
        } catch {
            steps.failed(error)
            throw error
        }
    }
}
