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
    /// One stored byte. An `inout` of a zero-sized value is passed with an arbitrary address, and under
    /// `--sanitize=thread` the exclusivity instrumentation writes TSan shadow memory for that address: the
    /// threaded `jwtk bench --token-cache` crashed with a SEGV in `__tsan::ExternalAccess`. A real address costs
    /// one stack byte on the plain path; the specialised release build still removes every call.
    private var storage: UInt8 = 0

    @inline(__always) mutating func passed(_ step: VerificationStep) {}
    @inline(__always) mutating func passed(_ step: VerificationStep, if ran: @autoclosure () -> Bool) {}
    @inline(__always) mutating func signatureVerified(_ jws: VerifiedJWS) {}
}
