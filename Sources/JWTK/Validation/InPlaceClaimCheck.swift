extension ClaimValidator {
    /// The claim rules of ``validate(_:header:algorithm:key:)`` read in place from the parsed claims: no Swift
    /// string, array or reference count per claim. "Fast accept, slow diagnose": true means every rule the
    /// validator would apply passes; false means the validator must run, and it either throws the exact error
    /// or (when this check was merely conservative) passes.
    ///
    /// Policies this check does not cover (a `nonce`, `max_age`, `at_hash` or `c_hash` to check) return false,
    /// so those always take the validator. The equivalence of the two is pinned by the differential test
    /// (`FastPathDifferentialTests`) and by the fuzz target FuzzVerify.
    func passesInPlace(_ claims: JWTClaims, header: JOSEHeader) -> Bool {
        guard policy.nonce == nil, policy.maxAuthenticationAge == nil, policy.accessTokenForHash == nil,
            policy.authorizationCodeForHash == nil
        else { return false }
        let now = policy.clock.now
        let leeway = policy.leeway
        guard leeway.isFinite, leeway >= 0, now.isFinite else { return false }
        if let maxAge = policy.maxTokenAge, !(maxAge >= 0) { return false }
        guard typeProblem(header.type) == nil else { return false }
        return claims.json.withNode { root in passes(root, now: now, leeway: leeway) }
    }

    private func passes(_ root: JSONNode, now: Double, leeway: Double) -> Bool {
        // Registered claims: present means well typed, whatever the policy checks (claimTypes step).
        let exp = root.member("exp")
        let nbf = root.member("nbf")
        let iat = root.member("iat")
        if let exp {
            guard let value = exp.number, now < value + leeway else { return false }
        } else if policy.requiresExpiration {
            return false
        }
        if let nbf {
            guard let value = nbf.number, !(now + leeway < value) else { return false }
        }
        if let iat {
            guard let value = iat.number, !(value > now + leeway) else { return false }
            if let maxAge = policy.maxTokenAge, now - value > maxAge + leeway { return false }
        } else if policy.requiresIssuedAt || policy.maxTokenAge != nil {
            return false
        }

        let iss = root.member("iss")
        if let iss {
            guard let bytes = iss.stringBytes else { return false }
            if !policy.issuers.isEmpty, !Exact.contains(policy.issuers, bytes: bytes) { return false }
        } else if !policy.issuers.isEmpty {
            return false
        }

        // aud: a string or a non-empty array of strings.
        var audienceCount = 0
        if let aud = root.member("aud") {
            var matches = false
            if let bytes = aud.stringBytes {
                audienceCount = 1
                matches = Exact.contains(policy.audiences, bytes: bytes)
            } else if let count = aud.arrayCount, count > 0 {
                audienceCount = count
                for index in 0..<count {
                    guard let bytes = aud.element(index)?.stringBytes else { return false }
                    if !matches, Exact.contains(policy.audiences, bytes: bytes) { matches = true }
                }
            } else {
                return false
            }
            if policy.audiences.isEmpty {
                if !policy.ignoresAudience { return false }
            } else if !matches {
                return false
            }
        } else if !policy.audiences.isEmpty {
            return false
        }

        var subjectIsEmpty = false
        if let sub = root.member("sub") {
            guard let bytes = sub.stringBytes else { return false }
            if let expected = policy.subject, !Exact.equal(expected, bytes: bytes) { return false }
            subjectIsEmpty = bytes.isEmpty
        } else if policy.subject != nil {
            return false
        }
        if let jti = root.member("jti"), jti.stringBytes == nil { return false }

        for name in policy.requiredClaims {
            guard let value = root.member(name), value.kind != .null else { return false }
            if subjectIsEmpty, name == "sub" { return false }
        }

        if let clientID = policy.authorizedParty {
            if let azp = root.member("azp") {
                guard let bytes = azp.stringBytes, Exact.equal(clientID, bytes: bytes) else { return false }
            } else if audienceCount > 1 {
                return false
            }
        }
        return true
    }
}
