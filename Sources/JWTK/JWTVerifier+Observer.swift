/// Receives the steps of one verification as ``JWTVerifier`` runs them (the diagnostic-callback pattern):
/// pass one to ``JWTVerifier/verify(_:observer:)`` or ``JWTVerifier/verifySignature(_:detachedPayload:observer:)``.
///
/// Every ``VerificationStep`` is reported exactly once, in the order of `VerificationStep.allCases`: passed
/// when it ran and passed, failed (with the error the verification throws) when it stopped the verification,
/// skipped when it did not run. The verdict of an observed verification is the verifier's own; the observer
/// only listens. The plain ``JWTVerifier/verify(_:)`` reports nothing and costs nothing extra.
///
/// ```swift
/// struct Printer: VerificationObserver {
///     mutating func verificationStep(_ step: VerificationStep, _ outcome: VerificationOutcome) {
///         print(step, outcome)
///     }
/// }
/// var printer = Printer()
/// let jwt = try verifier.verify(token, observer: &printer)
/// ```
public protocol VerificationObserver {
    /// Called once, before the first step, with the verifier (its keyring and the policy it applies).
    mutating func verificationWillBegin(_ verifier: JWTVerifier)
    /// Called once per step, in order.
    mutating func verificationStep(_ step: VerificationStep, _ outcome: VerificationOutcome)
    /// Called when the signature has verified, with the header, payload and key (also when a later claim step
    /// fails).
    mutating func verificationSignatureVerified(_ jws: VerifiedJWS)
}

extension VerificationObserver {
    /// Does nothing.
    public mutating func verificationWillBegin(_ verifier: JWTVerifier) {}
    /// Does nothing.
    public mutating func verificationSignatureVerified(_ jws: VerifiedJWS) {}
}

/// Turns the verifier's reports into one event per step, in order: steps passed over are skipped.
struct ObservedSteps<Observer: VerificationObserver>: StepReporter {
    var observer: Observer
    /// The position of the first step not reported yet.
    private var next = 0

    init(_ observer: Observer) { self.observer = observer }

    private mutating func skip(until end: Int, _ reason: (VerificationStep) -> VerificationOutcome.SkipReason) {
        let steps = VerificationStep.allCases
        while next < min(end, steps.count) {
            observer.verificationStep(steps[next], .skipped(reason(steps[next])))
            next += 1
        }
    }

    private mutating func report(_ step: VerificationStep, _ outcome: VerificationOutcome) {
        let position = step.position
        guard position >= next else { return }  // never twice, never out of order
        skip(until: position) { _ in .notRequired }
        observer.verificationStep(step, outcome)
        next = position + 1
    }

    mutating func passed(_ step: VerificationStep) { report(step, .passed) }

    mutating func passed(_ step: VerificationStep, if ran: @autoclosure () -> Bool) {
        if ran() { report(step, .passed) }
    }

    mutating func signatureVerified(_ jws: VerifiedJWS) { observer.verificationSignatureVerified(jws) }

    /// The verification threw `error`: its step failed, every later one is skipped.
    mutating func failed(_ error: JWTKError) {
        report(error.step ?? .shape, .failed(error))
        skip(until: .max) { _ in .earlierFailure }
    }

    /// The verification succeeded: the steps not reported had nothing to check (or, signature-only, were not run).
    mutating func succeeded(signatureOnly: Bool) {
        skip(until: .max) { step in signatureOnly && step.isClaimStep ? .signatureOnly : .notRequired }
    }
}

extension JWTVerifier {
    /// Verifies a compact JWT as ``verify(_:)`` does, reporting every ``VerificationStep`` to `observer` in
    /// order (passed, failed or skipped).
    ///
    /// The verdict, the result and the error are exactly those of ``verify(_:)``: the observer only listens.
    ///
    /// - Throws: ``JWTKError``, after `observer` has received the failed step and the skipped ones after it.
    public func verify(_ token: String, observer: inout some VerificationObserver) throws(JWTKError) -> VerifiedJWT {
        try unsafe observed(token, &observer, signatureOnly: false) { bytes, reporter throws(JWTKError) in
            try unsafe verify(bytes: bytes, reporter: &reporter)
        }
    }

    /// Verifies only the signature, as ``verifySignature(_:detachedPayload:)`` does, reporting every
    /// ``VerificationStep`` to `observer`; the claim steps are skipped (``VerificationOutcome/SkipReason/signatureOnly``).
    ///
    /// - Throws: ``JWTKError`` (shape, header, algorithm, key and signature codes).
    public func verifySignature(
        _ token: String, detachedPayload: [UInt8]? = nil, observer: inout some VerificationObserver
    ) throws(JWTKError) -> VerifiedJWS {
        try unsafe observed(token, &observer, signatureOnly: true) { bytes, reporter throws(JWTKError) in
            try unsafe verifyJWS(bytes: bytes, detachedPayload: detachedPayload, reporter: &reporter)
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
            let result = try unsafe withUTF8Bytes(of: token) { bytes throws(JWTKError) in try unsafe body(bytes, &steps) }
            steps.succeeded(signatureOnly: signatureOnly)
            return result
        } catch {
            steps.failed(error)
            throw error
        }
    }
}
