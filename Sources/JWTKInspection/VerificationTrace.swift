import JWTK

/// Every check of a verification in the order `JWTVerifier` runs them, each marked passed, failed or
/// skipped with the specification section it enforces, plus near-miss hints: the engine behind
/// `jwtk verify --explain`.
///
/// The trace is a listener: a ``Recorder`` passed to an observed verification
/// (`JWTVerifier/verify(_:observer:)`, `JWTVerifier/verifySignature(_:detachedPayload:observer:)`, or
/// `OIDCVerifier`'s) receives each `VerificationStep` and its outcome from the verifier itself. The verdict,
/// the failing step and the policy are the verifier's; the token's unverified contents are read only for
/// details and hints. One verification, no replay. Hints quote token values with control characters escaped.
///
/// ```swift
/// let trace = VerificationTrace(verifying: token, with: verifier)
/// for step in trace.steps { print(step.outcome, step.title, step.reference) }
/// if let error = trace.error { print(error, trace.hints) }
/// ```
public struct VerificationTrace: Sendable {
    /// What happened to one check.
    public enum Outcome: String, Sendable {
        /// The check ran and passed.
        case passed = "pass"
        /// The check ran and failed: the verification stopped here.
        case failed = "fail"
        /// The check did not run: the policy does not ask for it, or an earlier check failed.
        case skipped = "skip"
    }

    /// One check.
    public struct Step: Sendable {
        /// The verifier's step.
        public let step: VerificationStep
        /// A stable identifier (`"signature"`, `"exp"`, `"azp"`): the step's `VerificationStep/id`.
        public var id: String { step.id }
        /// A short title.
        public var title: String { step.title }
        /// Passed, failed or skipped.
        public let outcome: Outcome
        /// The values involved, or why the check was skipped.
        public let detail: String
        /// The specification section the check enforces.
        public var reference: String { step.reference }
    }

    /// Records an observed verification for a trace: pass it to any observed verify, then build the trace
    /// with ``VerificationTrace/init(token:recorder:verified:)``.
    public struct Recorder: VerificationObserver, Sendable {
        /// The policy the verifier applied (nil until a verification starts).
        public private(set) var policy: VerificationPolicy?
        /// The keys the verifier held when the verification started.
        public private(set) var keys: [VerificationKey] = []
        /// Each step and its outcome, in order.
        public private(set) var events: [(step: VerificationStep, outcome: VerificationOutcome)] = []
        /// The verified JWS, once the signature verified.
        public private(set) var verifiedSignature: VerifiedJWS?

        /// An empty recorder.
        public init() {}

        /// Keeps the verifier's policy and keys.
        public mutating func verificationWillBegin(_ verifier: JWTVerifier) {
            policy = verifier.policy
            keys = verifier.keyring.keys
            events = []
            verifiedSignature = nil
        }

        /// Keeps the step.
        public mutating func verificationStep(_ step: VerificationStep, _ outcome: VerificationOutcome) {
            events.append((step, outcome))
        }

        /// Keeps the verified JWS.
        public mutating func verificationSignatureVerified(_ jws: VerifiedJWS) { verifiedSignature = jws }

        /// The error of the failed step, if one failed.
        public var error: JWTKError? {
            for event in events { if case .failed(let error) = event.outcome { return error } }
            return nil
        }
    }

    /// The checks, in the order the verifier runs them.
    public let steps: [Step]
    /// Near-miss diagnostics for a failure (issuer differs by a trailing slash, audience found in `azp`, ...).
    public let hints: [String]
    /// The verification error, or nil when the token is valid.
    public let error: JWTKError?
    /// The verified token, when `JWTVerifier/verify(_:)` succeeded.
    public let verified: VerifiedJWT?
    /// The verified JWS: set when the signature verified (also when a later claim check failed).
    public let verifiedSignature: VerifiedJWS?
    /// The policy the verifier applied.
    public let policy: VerificationPolicy

    /// The step ids that belong to claim validation (skipped entirely for signature-only verification).
    public static let claimStepIDs: Set<String> = Set(VerificationStep.allCases.filter(\.isClaimStep).map(\.id))

    /// Verifies `token` with `verifier`, observing it once, and explains the result.
    ///
    /// - Parameters:
    ///   - token: the compact JWS to verify, exactly as received.
    ///   - verifier: the verifier whose keys and policy the trace applies.
    ///   - signatureOnly: verify the signature only (`JWTVerifier/verifySignature(_:detachedPayload:)`); the claim
    ///     steps are all skipped.
    /// This initialiser does not throw: the verification error is in ``error``.
    public init(verifying token: String, with verifier: JWTVerifier, signatureOnly: Bool = false) {
        var recorder = Recorder()
        var verified: VerifiedJWT?
        do throws(JWTKError) {
            if signatureOnly {
                _ = try verifier.verifySignature(token, observer: &recorder)
            } else {
                verified = try verifier.verify(token, observer: &recorder)
            }
        } catch {
            // The recorder holds the failed step and its error.
        }
        self.init(token: token, recorder: recorder, verified: verified)
    }

    /// The trace of a verification `recorder` observed.
    ///
    /// - Parameters:
    ///   - token: the token that was verified.
    ///   - recorder: the recorder passed to the observed verification.
    ///   - verified: the verification's result, when it returned a `VerifiedJWT`.
    public init(token: String, recorder: Recorder, verified: VerifiedJWT?) {
        let policy = recorder.policy ?? VerificationPolicy()
        let failure = recorder.error
        self.policy = policy
        self.error = failure
        self.verified = failure == nil ? verified : nil
        self.verifiedSignature = recorder.verifiedSignature

        let unverified = try? UnverifiedJWT.decode(token, limits: policy.limits)
        let context = Context(
            token: token, unverified: unverified, policy: policy, keys: recorder.keys, jws: recorder.verifiedSignature,
            now: policy.clock.now)
        self.steps = recorder.events.map { event in
            let id = event.step.id
            switch event.outcome {
            case .passed:
                return Step(step: event.step, outcome: .passed, detail: context.passDetail(id))
            case .failed(let error):
                return Step(step: event.step, outcome: .failed, detail: error.reason)
            case .skipped(.earlierFailure):
                return Step(step: event.step, outcome: .skipped, detail: "not run: an earlier check failed")
            case .skipped(.signatureOnly):
                return Step(
                    step: event.step, outcome: .skipped,
                    detail: "signature-only verification (--jws): the payload is not read as claims")
            case .skipped(.notRequired):
                return Step(
                    step: event.step, outcome: .skipped, detail: context.skipReason(id) ?? "nothing to check for this token and policy")
            }
        }
        self.hints = failure.map { context.hints(for: $0, stepID: $0.step?.id ?? "") } ?? []
    }
}

/// What the trace knows besides the verdict: the policy, the keys and the token read without trust.
private struct Context {
    let token: String
    let unverified: UnverifiedJWT?
    let policy: VerificationPolicy
    let keys: [VerificationKey]
    let jws: VerifiedJWS?
    let now: Double

    var claims: JSONValue? { unverified?.payloadJSON?.kind == .object ? unverified?.payloadJSON : nil }
    var header: JSONValue? { unverified?.headerJSON }
    var algorithmName: String { header?["alg"]?.string ?? "?" }

    func time(_ value: Double) -> String { DateText.rfc3339(value) ?? "\(value)" }
    func span(_ value: Double) -> String { TokenInspection.durationText(value) }
    /// Whole seconds, rounded up, as text; clamped so an extreme NumericDate (1e300) cannot trap the conversion.
    func wholeSeconds(_ value: Double) -> String { "\(Int64(max(-9e15, min(value, 9e15)).rounded(.up)))s" }
    func relative(_ value: Double) -> String { value >= now ? "in \(span(value - now))" : "\(span(now - value)) ago" }
    var leeway: String { "leeway \(span(policy.leeway))" }
    func quoted<S: Sequence>(_ values: S) -> String where S.Element == String {
        let items = values.sorted().map { Shown.value($0) }
        return items.count == 1 ? items[0] : "[\(items.joined(separator: ", "))]"
    }

    func skipReason(_ id: String) -> String? {
        switch id {
        case "crit":
            return header?["crit"] == nil ? "no crit header" : nil
        case "typ":
            return policy.expectedType == nil && policy.rejectedTypes.isEmpty ? "no expected or refused typ in the policy" : nil
        case "exp":
            return claims?["exp"] == nil && !policy.requiresExpiration ? "no exp, and the policy allows that" : nil
        case "nbf":
            return claims?["nbf"] == nil ? "no nbf claim" : nil
        case "iat":
            return claims?["iat"] == nil && !policy.requiresIssuedAt && policy.maxTokenAge == nil
                ? "no iat, and the policy neither requires it nor limits the age" : nil
        case "iss":
            return policy.issuers.isEmpty ? "no expected issuer in the policy" : nil
        case "aud":
            if policy.audiences.isEmpty && (policy.ignoresAudience || claims?["aud"] == nil) {
                return policy.ignoresAudience ? "audience ignored by the policy" : "no aud claim and no expected audience"
            }
            return nil
        case "sub":
            return policy.subject == nil ? "no expected subject in the policy" : nil
        case "required":
            return policy.requiredClaims.isEmpty ? "no required claims in the policy" : nil
        case "nonce":
            return policy.nonce == nil ? "no expected nonce" : nil
        case "azp":
            return policy.authorizedParty == nil ? "no client id for azp (OpenID Connect profile only)" : nil
        case "auth_time":
            return policy.maxAuthenticationAge == nil ? "no max_age" : nil
        case "at_hash":
            return policy.accessTokenForHash == nil ? "no access token given" : nil
        case "c_hash":
            return policy.authorizationCodeForHash == nil ? "no authorization code given" : nil
        default:
            return nil
        }
    }

    func passDetail(_ id: String) -> String {
        switch id {
        case "shape":
            return "compact JWS, 3 segments, \(token.utf8.count) bytes (limit \(policy.limits.maxTokenBytes))"
        case "header":
            return header?.serialized() ?? "parsed"
        case "alg_none":
            return "alg \(algorithmName)"
        case "alg":
            return "\(algorithmName) is in the allow-list (\(policy.algorithms.map(\.rawValue).sorted().joined(separator: ", ")))"
        case "crit":
            return "crit \(header?["crit"]?.serialized() ?? "[]") understood"
        case "key":
            guard let key = jws?.key else { return "a key was selected" }
            // An HMAC key's thumbprint is a hash of the secret: never shown (SECURITY.md).
            if case .oct = key.type { return "kid \(key.keyID.map { "\"\($0)\"" } ?? "(none)"), \(key.type)" }
            return "kid \(key.keyID.map { "\"\($0)\"" } ?? "(none)"), \(key.type), thumbprint \(key.thumbprint)"
        case "key_strength":
            guard let key = jws?.key else { return "strong enough" }
            switch key.type {
            case .rsa(let bits): return "RSA \(bits) bits >= \(policy.minimumRSAKeyBits)"
            case .oct(let bytes): return "HMAC secret of \(bytes * 8) bits"
            default: return "\(key.type)"
            }
        case "signature":
            return "\(jws?.algorithm.rawValue ?? algorithmName) signature verified"
        case "payload":
            return "JSON object with \(claims?.count ?? 0) claims"
        case "typ":
            let typ = header?["typ"]?.string.map { Shown.value($0) } ?? "(none)"
            if let expected = policy.expectedType { return "typ \(typ) matches \(Shown.value(expected))" }
            return "typ \(typ) is not one the policy refuses (\(quoted(policy.rejectedTypes)))"
        case "claim_types":
            return "exp, nbf, iat are numbers; iss, sub, jti strings; aud a string or array of strings (where present)"
        case "exp":
            guard let exp = claims?["exp"]?.number else { return "present" }
            return "expires \(time(exp)), \(relative(exp)) (\(leeway))"
        case "nbf":
            guard let nbf = claims?["nbf"]?.number else { return "present" }
            return "valid from \(time(nbf)), \(relative(nbf)) (\(leeway))"
        case "iat":
            guard let iat = claims?["iat"]?.number else { return "present" }
            let age = policy.maxTokenAge.map { "; maximum age \(span($0))" } ?? ""
            return "issued \(time(iat)), \(relative(iat))\(age)"
        case "iss":
            return "\"\(claims?["iss"]?.string ?? "")\" is expected"
        case "aud":
            let aud = claims?["aud"].flatMap { $0.string.map { [$0] } ?? $0.stringArray } ?? []
            return policy.audiences.isEmpty ? "aud \(quoted(aud)) (not checked)" : "\(quoted(aud)) includes \(quoted(policy.audiences))"
        case "sub":
            return "\"\(claims?["sub"]?.string ?? "")\" is expected"
        case "required":
            return "present: \(policy.requiredClaims.joined(separator: ", "))"
        case "nonce":
            return "nonce matches"
        case "azp":
            if let azp = claims?["azp"]?.string { return "azp \(Shown.value(azp)) is the client id" }
            return "no azp, and a single audience"
        case "auth_time":
            guard let t = claims?["auth_time"]?.number else { return "present" }
            return "authenticated \(time(t)), \(relative(t)); max_age \(span(policy.maxAuthenticationAge ?? 0))"
        case "at_hash", "c_hash":
            return "\(id) matches"
        default:
            return "passed"
        }
    }

    func hints(for error: JWTKError, stepID: String) -> [String] {
        var hints: [String] = []
        let claims = self.claims
        switch stepID {
        case "iss":
            if let iss = claims?["iss"]?.string {
                for expected in policy.issuers.sorted() {
                    if iss.trimmingSuffix("/") == expected.trimmingSuffix("/") {
                        hints.append(
                            "the issuer differs only by a trailing slash: token \(Shown.value(iss)), expected \(Shown.value(expected))")
                    } else if iss.lowercased() == expected.lowercased() {
                        hints.append("the issuer differs only in letter case: token \(Shown.value(iss)), expected \(Shown.value(expected))")
                    } else if iss.droppingScheme == expected.droppingScheme {
                        hints.append(
                            "the issuer differs only in the URL scheme: token \(Shown.value(iss)), expected \(Shown.value(expected))")
                    }
                }
            }
        case "aud":
            let aud = claims?["aud"].flatMap { $0.string.map { [$0] } ?? $0.stringArray } ?? []
            if let azp = claims?["azp"]?.string, policy.audiences.contains(azp) {
                hints.append("the expected audience \(Shown.value(azp)) is in azp, not in aud \(quoted(aud))")
            }
            for expected in policy.audiences.sorted() {
                for value in aud where value != expected && value.trimmingSuffix("/") == expected.trimmingSuffix("/") {
                    hints.append("audience \(Shown.value(value)) differs from \(Shown.value(expected)) only by a trailing slash")
                }
            }
            if policy.audiences.isEmpty, !aud.isEmpty {
                hints.append("the token names its audience \(quoted(aud)); pass the one you are (--aud) to accept it")
            }
        case "exp":
            if let exp = claims?["exp"]?.number {
                let late = now - exp
                let seconds = wholeSeconds(late)
                let amount = late < 60 ? seconds : "\(span(late)) (\(seconds))"
                if late <= 0 {
                    hints.append("now is exactly exp (\(time(exp))): a token is valid only while now < exp, with \(leeway)")
                } else {
                    hints.append("expired by \(amount) with \(leeway); exp \(time(exp)), now \(time(now))")
                }
            }
        case "nbf":
            if let nbf = claims?["nbf"]?.number {
                hints.append(
                    "valid in \(span(nbf - now)) (\(wholeSeconds(nbf - now))) with \(leeway): clock skew between issuer and verifier?"
                )
            }
        case "iat":
            if error.code == .issuedInFuture, let iat = claims?["iat"]?.number {
                hints.append("issued \(span(iat - now)) in the future with \(leeway): clock skew between issuer and verifier?")
            }
        case "alg":
            if let alg = JWSAlgorithm(rawValue: algorithmName), keys.contains(where: { $0.canVerify(alg) }) {
                hints.append("a given key can verify \(alg), but \(alg) is not in the allow-list")
            }
        case "key":
            if error.code == .keyNotFound, let kid = header?["kid"]?.string, let alg = JWSAlgorithm(rawValue: algorithmName) {
                let fitting = keys.filter { $0.canVerify(alg) }
                if !fitting.isEmpty {
                    let ids = fitting.map { $0.keyID.map { Shown.value($0) } ?? "(no kid)" }.joined(separator: ", ")
                    hints.append(
                        "kid \(Shown.value(kid)) is unknown, but \(fitting.count == 1 ? "a key" : "keys") that can verify \(alg) \(fitting.count == 1 ? "exists" : "exist"): \(ids) "
                            + "(the issuer may have rotated its keys)")
                }
            }
        case "azp":
            if let azp = claims?["azp"]?.string, let client = policy.authorizedParty {
                hints.append("azp is \(Shown.value(azp)); the client id is \(Shown.value(client))")
            }
        default:
            break
        }
        return hints
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: Character) -> Substring {
        var s = self[...]
        while s.last == suffix { s = s.dropLast() }
        return s
    }

    fileprivate var droppingScheme: Substring {
        let parts = split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].hasSuffix(":"), parts[1].isEmpty else { return self[...] }
        return parts[2].trimmingSuffix("/")
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ suffix: Character) -> Substring {
        var s = self
        while s.last == suffix { s = s.dropLast() }
        return s
    }
}
