extension VerificationPolicy {
    /// The claim rules of `ClaimValidator.validate(_:header:algorithm:key:)` read in place from the parsed
    /// claims: no Swift string, array or reference count per claim. "Fast accept, slow diagnose": true means
    /// every rule the validator would apply passes; false means the validator must run, and it either throws
    /// the exact error or (when this check was merely conservative) passes.
    ///
    /// Policies this check does not cover (a `nonce`, `max_age`, `at_hash` or `c_hash` to check) return false,
    /// so those always take the validator. The equivalence of the two is pinned by the differential test
    /// (`FastPathDifferentialTests`) and by the fuzz target FuzzVerify.
    func passesInPlace(_ claims: JWTClaims, header: JOSEHeader) -> Bool {
        guard self.nonce == nil, self.maxAuthenticationAge == nil, self.accessTokenForHash == nil,
            self.authorizationCodeForHash == nil
        else { return false }
        let now = self.clock.now
        let leeway = self.leeway
        guard leeway.isFinite, leeway >= 0, now.isFinite else { return false }
        if let maxAge = self.maxTokenAge, !(maxAge >= 0) { return false }
        guard typeProblem(header.type) == nil else { return false }
        return unsafe claims.json.withNode { root in unsafe passes(root, now: now, leeway: leeway) }
    }

    private func passes(_ root: JSONNode, now: Double, leeway: Double) -> Bool {
        // Registered claims: present means well typed, whatever the policy checks (claimTypes step).
        let exp = unsafe root.member("exp")
        let nbf = unsafe root.member("nbf")
        let iat = unsafe root.member("iat")
        if let exp = unsafe exp {
            guard let value = unsafe exp.number, now < value + leeway else { return false }
        } else if self.requiresExpiration {
            return false
        }
        if let nbf = unsafe nbf {
            guard let value = unsafe nbf.number, !(now + leeway < value) else { return false }
        }
        if let iat = unsafe iat {
            guard let value = unsafe iat.number, !(value > now + leeway) else { return false }
            if let maxAge = self.maxTokenAge, now - value > maxAge + leeway { return false }
        } else if self.requiresIssuedAt || self.maxTokenAge != nil {
            return false
        }

        let iss = unsafe root.member("iss")
        if let iss = unsafe iss {
            guard let bytes = unsafe iss.stringBytes else { return false }
            if !self.issuers.isEmpty, unsafe !Exact.contains(self.issuers, bytes: bytes) { return false }
        } else if !self.issuers.isEmpty {
            return false
        }

        // aud: a string or a non-empty array of strings.
        var audienceCount = 0
        if let aud = unsafe root.member("aud") {
            var matches = false
            if let bytes = unsafe aud.stringBytes {
                audienceCount = 1
                matches = unsafe Exact.contains(self.audiences, bytes: bytes)
            } else if let count = unsafe aud.arrayCount, count > 0 {
                audienceCount = count
                for index in 0..<count {
                    guard let bytes = unsafe aud.element(index)?.stringBytes else { return false }
                    if !matches, unsafe Exact.contains(self.audiences, bytes: bytes) { matches = true }
                }
            } else {
                return false
            }
            if self.audiences.isEmpty {
                if !self.ignoresAudience { return false }
            } else if !matches {
                return false
            }
        } else if !self.audiences.isEmpty {
            return false
        }

        var subjectIsEmpty = false
        if let sub = unsafe root.member("sub") {
            guard let bytes = unsafe sub.stringBytes else { return false }
            if let expected = self.subject, unsafe !Exact.equal(expected, bytes: bytes) { return false }
            subjectIsEmpty = bytes.isEmpty
        } else if self.subject != nil {
            return false
        }
        if let jti = unsafe root.member("jti"), unsafe jti.stringBytes == nil { return false }

        for name in self.requiredClaims {
            guard let value = unsafe root.member(name), unsafe value.kind != .null else { return false }
            if subjectIsEmpty, name == "sub" { return false }
        }

        if let clientID = self.authorizedParty {
            if let azp = unsafe root.member("azp") {
                guard let bytes = unsafe azp.stringBytes, unsafe Exact.equal(clientID, bytes: bytes) else { return false }
            } else if audienceCount > 1 {
                return false
            }
        }
        return true
    }
}

extension ClaimValidator {
    /// ``VerificationPolicy/passesInPlace(_:header:)`` of this validator's policy. The hot paths call the
    /// policy's own method: making a validator copies the whole policy (a retain and a release per reference
    /// it holds), which the fast accept does not need.
    func passesInPlace(_ claims: JWTClaims, header: JOSEHeader) -> Bool { policy.passesInPlace(claims, header: header) }
}
