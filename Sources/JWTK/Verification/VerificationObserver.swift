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

/// What happened to one ``VerificationStep``.
public enum VerificationOutcome: Sendable, Equatable {
    /// Why a step did not run.
    public enum SkipReason: Sendable, Equatable {
        /// The policy does not ask for the check and the token does not carry what it checks.
        case notRequired
        /// An earlier step failed.
        case earlierFailure
        /// Signature-only verification: the payload is not read as claims.
        case signatureOnly
    }

    /// The step ran and passed.
    case passed
    /// The step ran and failed with this error: the verification stopped here and throws it.
    case failed(JWTKError)
    /// The step did not run.
    case skipped(SkipReason)
}

/// How the verification path reports progress. The plain entry points use ``SilentSteps``, whose methods are
/// empty and specialise away; the observed ones use ``ObservedSteps``.
protocol StepReporter {
    /// `step` ran and passed.
    mutating func passed(_ step: VerificationStep)
    /// `step` ran and passed when `ran` is true; otherwise it had nothing to check. `ran` is evaluated only by
    /// an observing reporter.
    mutating func passed(_ step: VerificationStep, if ran: @autoclosure () -> Bool)
    /// The signature verified.
    mutating func signatureVerified(_ jws: VerifiedJWS)
}

/// The reporter of the plain entry points: nothing is reported.
struct SilentSteps: StepReporter {
    @inline(__always) mutating func passed(_ step: VerificationStep) {}
    @inline(__always) mutating func passed(_ step: VerificationStep, if ran: @autoclosure () -> Bool) {}
    @inline(__always) mutating func signatureVerified(_ jws: VerifiedJWS) {}
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
