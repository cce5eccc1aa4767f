/// Every check of a verification in the order ``JWTVerifier`` runs them, each marked passed, failed or
/// skipped with the specification section it enforces, plus near-miss hints: the engine behind
/// `jwtk verify --explain`.
///
/// The verdict is the verifier's own: the token is verified with ``JWTVerifier/verify(_:)`` (or
/// ``JWTVerifier/verifySignature(_:detachedPayload:)``), and the trace is derived from that result, the
/// policy and the token's unverified contents (used only for details and hints, never for the verdict).
/// When a claim check fails, the signature is verified a second time, signature only, to name the key that
/// verified it. Steps before the failing one passed; steps the policy does not ask for, and every step after
/// a failure, are skipped. Hints quote token values with control characters escaped.
///
/// The trace costs one or two verifications plus an unverified decode: for tools and diagnostics, not for
/// the request path.
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
        /// A stable identifier (`"signature"`, `"exp"`, `"azp"`).
        public let id: String
        /// A short title.
        public let title: String
        /// Passed, failed or skipped.
        public let outcome: Outcome
        /// The values involved, or why the check was skipped.
        public let detail: String
        /// The specification section the check enforces.
        public let reference: String
    }

    /// The checks, in the order the verifier runs them.
    public let steps: [Step]
    /// Near-miss diagnostics for a failure (issuer differs by a trailing slash, audience found in `azp`, ...).
    public let hints: [String]
    /// The verification error, or nil when the token is valid.
    public let error: JWTKError?
    /// The verified token, when ``JWTVerifier/verify(_:)`` succeeded.
    public let verified: VerifiedJWT?
    /// The verified JWS: set when the signature verified (also when a later claim check failed).
    public let verifiedSignature: VerifiedJWS?

    private struct Definition {
        let id: String
        let title: String
        let reference: String
    }

    private static let definitions: [Definition] = [
        .init(id: "shape", title: "Token shape and size", reference: "RFC 7515 §7.1; RFC 8725 §3.4"),
        .init(id: "header", title: "Protected header is a JSON object", reference: "RFC 7515 §4; RFC 7515 §5.2"),
        .init(id: "alg_none", title: "alg is not none", reference: "RFC 8725 §3.1; RFC 7518 §3.6"),
        .init(id: "alg", title: "alg is allowed", reference: "RFC 8725 §3.1"),
        .init(id: "crit", title: "Critical header extensions understood", reference: "RFC 7515 §4.1.11"),
        .init(id: "key", title: "Key selected by kid and key type", reference: "RFC 7515 §4.1.4; RFC 8725 §3.1"),
        .init(id: "key_strength", title: "Key strength", reference: "RFC 7518 §3.2; RFC 7518 §3.3"),
        .init(id: "signature", title: "Signature", reference: "RFC 7515 §5.2"),
        .init(id: "payload", title: "Claims are a JSON object", reference: "RFC 7519 §7.2"),
        .init(id: "typ", title: "Header typ", reference: "RFC 8725 §3.11"),
        .init(id: "claim_types", title: "Registered claims have their types", reference: "RFC 7519 §4.1"),
        .init(id: "exp", title: "Expiration (exp)", reference: "RFC 7519 §4.1.4"),
        .init(id: "nbf", title: "Not before (nbf)", reference: "RFC 7519 §4.1.5"),
        .init(id: "iat", title: "Issued at (iat) and maximum age", reference: "RFC 7519 §4.1.6"),
        .init(id: "iss", title: "Issuer (iss)", reference: "RFC 7519 §4.1.1; RFC 8725 §3.8"),
        .init(id: "aud", title: "Audience (aud)", reference: "RFC 7519 §4.1.3; RFC 8725 §3.9"),
        .init(id: "sub", title: "Subject (sub)", reference: "RFC 7519 §4.1.2"),
        .init(id: "required", title: "Required claims present", reference: "RFC 7519 §4"),
        .init(id: "nonce", title: "Nonce (nonce)", reference: "OpenID Connect Core §3.1.3.7 step 11"),
        .init(id: "azp", title: "Authorized party (azp)", reference: "OpenID Connect Core §3.1.3.7 steps 4-5"),
        .init(id: "auth_time", title: "Authentication time (auth_time)", reference: "OpenID Connect Core §3.1.3.7 step 13"),
        .init(id: "at_hash", title: "Access token hash (at_hash)", reference: "OpenID Connect Core §3.1.3.8"),
        .init(id: "c_hash", title: "Code hash (c_hash)", reference: "OpenID Connect Core §3.3.2.11"),
    ]

    /// The step ids that belong to claim validation (skipped entirely for signature-only verification).
    public static let claimStepIDs: Set<String> = [
        "payload", "typ", "claim_types", "exp", "nbf", "iat", "iss", "aud", "sub", "required", "nonce", "azp", "auth_time", "at_hash",
        "c_hash",
    ]

    /// Verifies `token` with `verifier` and explains the result.
    ///
    /// - Parameters:
    ///   - token: the compact JWS to verify, exactly as received.
    ///   - verifier: the verifier whose keys and policy the trace applies.
    ///   - signatureOnly: verify the signature only (``JWTVerifier/verifySignature(_:detachedPayload:)``); the claim
    ///     steps are all skipped.
    /// This initialiser does not throw: the verification error is in ``error``.
    public init(verifying token: String, with verifier: JWTVerifier, signatureOnly: Bool = false) {
        let policy = verifier.policy
        var verified: VerifiedJWT?
        var jws: VerifiedJWS?
        var failure: JWTKError?
        do throws(JWTKError) {
            if signatureOnly {
                jws = try verifier.verifySignature(token)
            } else {
                let result = try verifier.verify(token)
                verified = result
                jws = VerifiedJWS(header: result.header, payload: result.claims.payload, algorithm: result.algorithm, key: result.key)
            }
        } catch {
            failure = error
            if !signatureOnly, Self.claimStepIDs.contains(Self.stepID(for: error, policy: policy)) {
                jws = try? verifier.verifySignature(token)
            }
        }
        self.error = failure
        self.verified = verified
        self.verifiedSignature = jws

        let unverified = try? UnverifiedJWT.decode(token, limits: policy.limits)
        let context = Context(
            token: token, unverified: unverified, policy: policy, keys: verifier.keyring.keys, jws: jws, now: policy.clock.now)
        let failedID = failure.map { Self.stepID(for: $0, policy: policy) }
        var reachedFailure = false
        var steps: [Step] = []
        for definition in Self.definitions {
            let outcome: Outcome
            let detail: String
            if reachedFailure {
                outcome = .skipped
                detail = "not run: an earlier check failed"
            } else if definition.id == failedID {
                reachedFailure = true
                outcome = .failed
                detail = failure!.reason
            } else if signatureOnly && Self.claimStepIDs.contains(definition.id) {
                outcome = .skipped
                detail = "signature-only verification (--jws): the payload is not read as claims"
            } else if let reason = context.skipReason(definition.id) {
                outcome = .skipped
                detail = reason
            } else {
                outcome = .passed
                detail = context.passDetail(definition.id)
            }
            steps.append(
                Step(id: definition.id, title: definition.title, outcome: outcome, detail: detail, reference: definition.reference))
        }
        self.steps = steps
        self.hints = failure.map { context.hints(for: $0, stepID: failedID ?? "") } ?? []
    }

    /// The step a verification error belongs to, following the verifier's order of checks.
    public static func stepID(for error: JWTKError, policy: VerificationPolicy) -> String {
        let reason = error.reason
        switch error.code {
        case .malformedToken:
            return reason.contains("unencoded") ? "crit" : "shape"
        case .encryptedTokenUnsupported:
            return "shape"
        case .limitExceeded:
            if reason.hasPrefix("claims") { return "payload" }
            if reason.hasPrefix("header") || reason.hasPrefix("the header") { return "header" }
            return "shape"
        case .invalidBase64URL:
            if reason.contains("payload") { return "payload" }
            if reason.contains("signature") { return "signature" }
            return "header"
        case .invalidJSON:
            return reason.hasPrefix("claims") ? "payload" : "header"
        case .invalidHeader:
            return error.claim == "b64" ? "crit" : "header"
        case .unsecuredTokenRefused:
            return "alg_none"
        case .unsupportedAlgorithm, .algorithmNotAllowed:
            return "alg"
        case .unsupportedCriticalHeader:
            return "crit"
        case .keyNotFound, .ambiguousKey, .algorithmKeyMismatch, .keyUsageMismatch, .invalidKey, .unsupportedKey:
            return "key"
        case .weakKey:
            return "key_strength"
        case .signatureInvalid, .cryptoFailure:
            return "signature"
        case .invalidPayload:
            return "payload"
        case .typeMismatch:
            return "typ"
        case .expired:
            return "exp"
        case .notYetValid:
            return "nbf"
        case .issuedInFuture, .tokenTooOld:
            return "iat"
        case .issuerMismatch:
            return "iss"
        case .audienceMismatch:
            return "aud"
        case .subjectMismatch:
            return "sub"
        case .nonceMismatch:
            return "nonce"
        case .authorizedPartyMismatch:
            return "azp"
        case .authenticationTooOld:
            return "auth_time"
        case .tokenHashMismatch:
            return error.claim == "c_hash" ? "c_hash" : "at_hash"
        case .invalidClaim:
            switch error.claim {
            case "exp", "nbf", "iat", "iss", "aud", "sub", "jti": return "claim_types"
            case "nonce", "azp", "auth_time", "at_hash", "c_hash": return error.claim!
            default: return "payload"
            }
        case .missingClaim:
            let claim = error.claim ?? ""
            if claim == "exp", policy.requiresExpiration { return "exp" }
            if claim == "iat", policy.requiresIssuedAt || policy.maxTokenAge != nil { return "iat" }
            if claim == "iss", !policy.issuers.isEmpty { return "iss" }
            if claim == "aud", !policy.audiences.isEmpty { return "aud" }
            if claim == "sub", policy.subject != nil { return "sub" }
            if policy.requiredClaims.contains(claim) { return "required" }
            if ["nonce", "auth_time", "at_hash", "c_hash"].contains(claim) { return claim }
            return "required"
        default:
            return "payload"
        }
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
