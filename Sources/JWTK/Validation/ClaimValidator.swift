/// Applies a ``VerificationPolicy`` to the claims of a token whose signature has verified.
struct ClaimValidator {
    let policy: VerificationPolicy

    /// A configured maximum age must be a number ≥ 0 (NaN fails `>=`). Checked per verification, like the
    /// leeway, because a policy is a mutable value; two comparisons, no allocation.
    @inline(__always)
    private static func requireAge(_ age: Double?, _ name: StaticString) throws(JWTKError) {
        if let age, !(age >= 0) {
            throw JWTKError(.invalidArgument, "the policy's \(name) must be a number of seconds ≥ 0, not \(age)")
        }
    }

    func validate(_ claims: JWTClaims, header: JOSEHeader, algorithm: JWSAlgorithm, key: VerificationKey) throws(JWTKError) {
        var silent = SilentSteps()
        try validate(claims, header: header, algorithm: algorithm, key: key, reporter: &silent)
    }

    /// Validates the claims, reporting each step that ran and naming the step of the error it throws.
    func validate<R: StepReporter>(
        _ claims: JWTClaims, header: JOSEHeader, algorithm: JWSAlgorithm, key: VerificationKey, reporter: inout R
    ) throws(JWTKError) {
        // The step running now, for the error that stops it: one byte stored per step.
        var step = VerificationStep.payload
        do throws(JWTKError) {
            try check(claims, header: header, algorithm: algorithm, key: key, step: &step, reporter: &reporter)
        } catch {
            throw error.at(step)
        }
    }

    private func check<R: StepReporter>(
        _ claims: JWTClaims, header: JOSEHeader, algorithm: JWSAlgorithm, key: VerificationKey, step: inout VerificationStep,
        reporter: inout R
    ) throws(JWTKError) {
        let now = policy.clock.now
        let leeway = policy.leeway
        guard leeway.isFinite, leeway >= 0, now.isFinite else {
            throw JWTKError(.invalidArgument, "the policy's leeway must be a finite number of seconds ≥ 0 and the clock finite")
        }
        // `now - iat > NaN` is false: a NaN maximum age would silently disable the check.
        try Self.requireAge(policy.maxTokenAge, "maxTokenAge")
        try Self.requireAge(policy.maxAuthenticationAge, "maxAuthenticationAge")
        // The claims are a JSON object and the policy's numbers are usable: the payload step is done.
        reporter.passed(.payload)
        step = .type
        switch typeProblem(header.type) {
        case nil: break
        case .refused(let typ):
            throw JWTKError(.typeMismatch, "header \"typ\" is \(Shown.value(typ)), which this policy refuses", claim: "typ")
        case .missing(let expected):
            throw JWTKError(.typeMismatch, "the header has no \"typ\"; expected \(Shown.value(expected))", claim: "typ")
        case .unexpected(let typ, let expected):
            throw JWTKError(.typeMismatch, "header \"typ\" is \(Shown.value(typ)); expected \(Shown.value(expected))", claim: "typ")
        }
        reporter.passed(.type, if: policy.expectedType != nil || !policy.rejectedTypes.isEmpty)

        // Registered claims are type-checked whenever present, whatever the policy checks.
        step = .claimTypes
        let exp = try claims.numericDate("exp")
        let nbf = try claims.numericDate("nbf")
        let iat = try claims.numericDate("iat")
        let iss = try claims.string("iss")
        let aud = try claims.audience
        let sub = try claims.string("sub")
        _ = try claims.string("jti")
        reporter.passed(.claimTypes)

        step = .expiration
        if let exp {
            guard now < exp + leeway else {
                throw JWTKError(
                    .expired, "the token expired at \(Self.time(exp)) (now \(Self.time(now)), leeway \(Self.seconds(leeway)))", claim: "exp"
                )
            }
            reporter.passed(.expiration)
        } else if policy.requiresExpiration {
            throw JWTKError(.missingClaim, "the token has no \"exp\" and the policy requires one", claim: "exp")
        }
        step = .notBefore
        if let nbf, now + leeway < nbf {
            throw JWTKError(
                .notYetValid, "the token is not valid before \(Self.time(nbf)) (now \(Self.time(now)), leeway \(Self.seconds(leeway)))",
                claim: "nbf")
        }
        reporter.passed(.notBefore, if: nbf != nil)
        step = .issuedAt
        if let iat {
            if iat > now + leeway {
                throw JWTKError(
                    .issuedInFuture,
                    "the token was issued in the future, at \(Self.time(iat)) (now \(Self.time(now)), leeway \(Self.seconds(leeway)))",
                    claim: "iat")
            }
            if let maxAge = policy.maxTokenAge, now - iat > maxAge + leeway {
                throw JWTKError(
                    .tokenTooOld, "the token was issued \(Self.seconds(now - iat)) ago; the maximum age is \(Self.seconds(maxAge))",
                    claim: "iat")
            }
            reporter.passed(.issuedAt)
        } else if policy.requiresIssuedAt || policy.maxTokenAge != nil {
            throw JWTKError(.missingClaim, "the token has no \"iat\" and the policy requires one", claim: "iat")
        }

        step = .issuer
        if !policy.issuers.isEmpty {
            guard let iss else { throw JWTKError(.missingClaim, "the token has no \"iss\"", claim: "iss") }
            guard Exact.contains(policy.issuers, iss) else {
                throw JWTKError(
                    .issuerMismatch, "issuer \(Shown.value(iss)) is not the expected \(Self.list(policy.issuers))", claim: "iss")
            }
            reporter.passed(.issuer)
        }

        step = .audience

        if !policy.audiences.isEmpty {
            guard let aud else {
                throw JWTKError(.missingClaim, "the token has no \"aud\"; expected \(Self.list(policy.audiences))", claim: "aud")
            }
            guard aud.contains(where: { Exact.contains(policy.audiences, $0) }) else {
                throw JWTKError(
                    .audienceMismatch, "audience \(Self.list(aud)) does not include \(Self.list(policy.audiences))", claim: "aud")
            }
            reporter.passed(.audience)
        } else if let aud, !policy.ignoresAudience {
            throw JWTKError(
                .audienceMismatch,
                "the token is meant for \(Self.list(aud)) but no expected audience is configured (RFC 7519 §4.1.3)", claim: "aud")
        }

        step = .subject
        if let expected = policy.subject {
            guard let sub else { throw JWTKError(.missingClaim, "the token has no \"sub\"", claim: "sub") }
            guard Exact.equal(sub, expected) else {
                throw JWTKError(.subjectMismatch, "subject \(Shown.value(sub)) is not \(Shown.value(expected))", claim: "sub")
            }
            reporter.passed(.subject)
        }

        step = .requiredClaims
        for name in policy.requiredClaims {
            guard let value = claims[name], !value.isNull else {
                throw JWTKError(.missingClaim, "the required claim \(Shown.value(name)) is missing", claim: name)
            }
        }
        // A required sub must identify someone: "" would be one shared identity for every token that carries it
        // (OpenID Connect Core §2: a locally unique identifier). Read only when sub is empty: no cost otherwise.
        if let sub, sub.isEmpty, policy.requiredClaims.contains("sub") {
            throw JWTKError(.invalidClaim, "the required claim \"sub\" is empty; it must identify the subject", claim: "sub")
        }
        reporter.passed(.requiredClaims, if: !policy.requiredClaims.isEmpty)

        try validateOpenIDConnect(claims, audience: aud, algorithm: algorithm, key: key, now: now, step: &step, reporter: &reporter)
    }

    private func validateOpenIDConnect<R: StepReporter>(
        _ claims: JWTClaims, audience: [String]?, algorithm: JWSAlgorithm, key: VerificationKey, now: Double,
        step: inout VerificationStep, reporter: inout R
    ) throws(JWTKError) {
        step = .nonce
        if let expected = policy.nonce {
            guard let nonce = try claims.string("nonce") else {
                throw JWTKError(.missingClaim, "the token has no \"nonce\" but one was sent", claim: "nonce")
            }
            guard Crypto.constantTimeEquals(Array(nonce.utf8), Array(expected.utf8)) else {
                throw JWTKError(.nonceMismatch, "nonce \(Shown.value(nonce)) does not match the one sent", claim: "nonce")
            }
            reporter.passed(.nonce)
        }
        step = .authorizedParty
        if let clientID = policy.authorizedParty {
            let azp = try claims.string("azp")
            if let azp, !Exact.equal(azp, clientID) {
                throw JWTKError(
                    .authorizedPartyMismatch, "azp \(Shown.value(azp)) is not the client id \(Shown.value(clientID))", claim: "azp")
            }
            if azp == nil, let audience, audience.count > 1 {
                throw JWTKError(.authorizedPartyMismatch, "the token has several audiences and no \"azp\"", claim: "azp")
            }
            reporter.passed(.authorizedParty)
        }
        step = .authenticationTime
        if let maxAge = policy.maxAuthenticationAge {
            guard let authTime = try claims.numericDate("auth_time") else {
                throw JWTKError(.missingClaim, "the token has no \"auth_time\" but max_age was requested", claim: "auth_time")
            }
            // A future auth_time would make every max_age pass (now - auth_time < 0).
            if authTime > now + policy.leeway {
                throw JWTKError(
                    .invalidClaim,
                    "the user authenticated in the future, at \(Self.time(authTime)) (now \(Self.time(now)), leeway \(Self.seconds(policy.leeway)))",
                    claim: "auth_time")
            }
            if now - authTime > maxAge + policy.leeway {
                throw JWTKError(
                    .authenticationTooOld, "the user authenticated \(Self.seconds(now - authTime)) ago; max_age is \(Self.seconds(maxAge))",
                    claim: "auth_time")
            }
            reporter.passed(.authenticationTime)
        }
        step = .accessTokenHash
        if let accessToken = policy.accessTokenForHash {
            try checkTokenHash(claims, name: "at_hash", value: accessToken, algorithm: algorithm, key: key)
            reporter.passed(.accessTokenHash)
        }
        step = .codeHash
        if let code = policy.authorizationCodeForHash {
            try checkTokenHash(claims, name: "c_hash", value: code, algorithm: algorithm, key: key)
            reporter.passed(.codeHash)
        }
    }

    /// OIDC Core §3.1.3.6: base64url of the left half of the hash of the ASCII value, with the alg's hash.
    private func checkTokenHash(
        _ claims: JWTClaims, name: String, value: String, algorithm: JWSAlgorithm, key: VerificationKey
    ) throws(JWTKError) {
        guard let claimed = try claims.string(name) else {
            throw JWTKError(.missingClaim, "the token has no \(Shown.value(name))", claim: name)
        }
        var bits = algorithm.tokenHashBits
        if algorithm == .EdDSA, case .okp(let curve) = key.type, curve == "Ed448" { bits = nil }
        guard let bits else {
            throw JWTKError(.tokenHashMismatch, "\(name) cannot be computed for \(algorithm) with this key", claim: name)
        }
        let digest = Crypto.digest(Array(value.utf8), hashBits: bits)
        let expected = Base64URL.encode(digest.prefix(digest.count / 2))
        // Byte for byte and in constant time: the hash is derived from a secret (the access token or code), and
        // Swift's `==` would also accept a canonically equivalent spelling (U+212A KELVIN SIGN for "K").
        guard Crypto.constantTimeEquals(Array(expected.utf8), Array(claimed.utf8)) else {
            throw JWTKError(.tokenHashMismatch, "\(name) does not match the value given", claim: name)
        }
    }

    /// Why the header's `typ` fails the policy (RFC 8725 §3.11), or nil when it passes; shared by this
    /// validator and the in-place check so the rule is written once.
    enum TypeProblem {
        case refused(String)
        case missing(expected: String)
        case unexpected(String, expected: String)
    }

    func typeProblem(_ typ: String?) -> TypeProblem? { policy.typeProblem(typ) }

    static func list<S: Sequence>(_ values: S) -> String where S.Element == String {
        let items = values.sorted().map { Shown.value($0) }
        return items.count == 1 ? items[0] : "[\(items.joined(separator: ", "))]"
    }

    static func seconds(_ value: Double) -> String { DateText.seconds(value) + "s" }

    /// A NumericDate as RFC 3339 UTC, or as a number when out of range.
    static func time(_ value: Double) -> String { DateText.rfc3339(value) ?? "\(value)" }
}

extension VerificationPolicy {
    /// What is wrong with the header's `typ` under this policy (`rejectedTypes`, `expectedType`), if anything:
    /// the one rule the validator and the in-place check share.
    func typeProblem(_ typ: String?) -> ClaimValidator.TypeProblem? {
        if let typ, self.rejectedTypes.contains(where: { Exact.equal(JOSEHeader.normalizedType($0), JOSEHeader.normalizedType(typ)) }) {
            return .refused(typ)
        }
        if let expected = self.expectedType {
            guard let typ else { return .missing(expected: expected) }
            guard Exact.equal(JOSEHeader.normalizedType(typ), JOSEHeader.normalizedType(expected)) else {
                return .unexpected(typ, expected: expected)
            }
        }
        return nil
    }
}
