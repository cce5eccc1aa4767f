/// Verifies compact JWS/JWT tokens against a ``Keyring`` and a ``VerificationPolicy``.
///
/// `verify` is synchronous, allocation-light and safe to call from any number of threads at once: the
/// verifier is an immutable value, keys are shared read-only, and every OpenSSL context lives only for the
/// duration of one call. Nothing on this path touches the network or awaits.
///
/// The checks run in the order of ``VerificationStep`` (a later check never runs when an earlier one fails,
/// so a forged token never reports a claim error); every error names its step in ``JWTKError/step``, and
/// ``verify(_:observer:)`` reports each step as it runs.
///
/// ```swift
/// let keys = try JWKSet(json: jwksText)
/// let verifier = JWTVerifier(keyring: Keyring(jwks: keys),
///                            policy: .openIDConnect(issuer: "https://auth.example.com", clientID: "my-app"))
/// let jwt = try verifier.verify(idToken)
/// print(try jwt.claims.subject ?? "?")
/// ```
public struct JWTVerifier: Sendable {
    /// Where keys come from; may be refreshed concurrently.
    public let keyring: Keyring
    /// What is checked.
    public var policy: VerificationPolicy {
        didSet { identity = VerifiedTokenCache.newIdentity() }
    }
    /// Names this verifier (keyring and policy) for ``VerifiedTokenCache``: a new value at creation and at
    /// every change of `policy`, so a cached verdict never survives a policy change.
    var identity: UInt64

    /// Creates a verifier over a keyring.
    public init(keyring: Keyring, policy: VerificationPolicy = VerificationPolicy()) {
        self.keyring = keyring
        self.policy = policy
        self.identity = VerifiedTokenCache.newIdentity()
    }

    /// Creates a verifier over a fixed set of keys.
    public init(keys: [VerificationKey], policy: VerificationPolicy = VerificationPolicy()) {
        self.init(keyring: Keyring(keys: keys), policy: policy)
    }

    /// Verifies a compact JWT: signature first, then every claim rule of the policy.
    ///
    /// - Returns: the header, the claims and the key that verified the token.
    /// - Throws: ``JWTKError``; see ``JWTKError/Code`` for the codes. Signature and key errors always win
    ///   over claim errors.
    public func verify(_ token: String) throws(JWTKError) -> VerifiedJWT {
        try unsafe withUTF8Bytes(of: token) { bytes throws(JWTKError) in try unsafe verify(bytes: bytes) }
    }

    /// Verifies a compact JWT given as UTF-8 bytes; see ``verify(_:)``.
    public func verify(bytes: [UInt8]) throws(JWTKError) -> VerifiedJWT {
        let result: Result<VerifiedJWT, JWTKError> = unsafe bytes.withUnsafeBufferPointer { buffer in
            do throws(JWTKError) { return unsafe .success(try verify(bytes: buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The plain verification: through this thread's ``HeaderCache`` when it knows the token's header,
    /// otherwise the reference path (``verify(bytes:reporter:)``), whose header is then remembered.
    func verify(bytes: UnsafeBufferPointer<UInt8>) throws(JWTKError) -> VerifiedJWT {
        let parts: CompactJWS
        do throws(JWTKError) { parts = try unsafe CompactJWS.split(bytes, limits: policy.limits) } catch { throw error.at(.shape) }
        let segment = unsafe UnsafeBufferPointer(rebasing: bytes[parts.header])
        let cache = HeaderCache.current()
        if let entry = unsafe cache.lookup(segment, verifier: identity, generation: keyring.currentGeneration) {
            return try unsafe verify(bytes: bytes, parts: parts, entry: entry)
        }
        var silent = SilentSteps()
        let jwt = try unsafe verify(bytes: bytes, reporter: &silent)
        unsafe remember(segment, jwt.header, jwt.algorithm, in: cache)
        return jwt
    }

    /// The reference path without any cache or arena: every step in order, the full claim validator, jansson's
    /// own allocator (tests compare the plain path with it).
    func verifyWithoutCache(_ token: String) throws(JWTKError) -> VerifiedJWT {
        try unsafe withUTF8Bytes(of: token) { bytes throws(JWTKError) in
            var silent = SilentSteps()
            return try unsafe verify(bytes: bytes, reporter: &silent, arena: false)
        }
    }

    /// Fills this thread's header cache from `token`'s header, as a verified token with that header would:
    /// only when its signature verifies. For the differential test, so that the hit path is exercised under
    /// policies that accept no token.
    func primeHeaderCache(_ token: String) throws(JWTKError) {
        try unsafe withUTF8Bytes(of: token) { bytes throws(JWTKError) in
            let jws = try unsafe verifyJWS(bytes: bytes, detachedPayload: nil)
            let parts = try unsafe CompactJWS.split(bytes, limits: policy.limits)
            unsafe remember(UnsafeBufferPointer(rebasing: bytes[parts.header]), jws.header, jws.algorithm, in: HeaderCache.current())
        }
    }

    /// A header-cache hit: the header, algorithm, `crit`, key selection and key strength steps were decided
    /// for exactly these header bytes, this verifier and this keyring generation, so the verification
    /// continues at the signature step with the entry's keys. Every error is the reference path's: same
    /// step, same code, same message.
    private func verify(bytes: UnsafeBufferPointer<UInt8>, parts: CompactJWS, entry: HeaderCacheEntry) throws(JWTKError) -> VerifiedJWT {
        let key: VerificationKey
        do throws(JWTKError) {
            let input = unsafe UnsafeBufferPointer(rebasing: bytes[parts.signingInput])
            // The closure captures no `self`: capturing the verifier copied it (the whole policy) on every call.
            key = try unsafe withDecodedSegment(bytes, parts.signature, "signature") { signature throws(JWTKError) in
                guard let verified = try unsafe Self.firstVerifying(entry.keys, entry.algorithm, signature, input) else {
                    throw Self.signatureError(entry.header)
                }
                return verified
            }
        } catch {
            throw error.at(.signature)
        }
        do throws(JWTKError) {
            let payload = try unsafe decodeSegment(bytes, parts.payload, "payload")
            let claims = try parseClaims(payload)
            // Fast accept, slow diagnose: the validator runs only when the in-place check does not pass. The
            // check is the policy's own method, so no validator (a copy of the policy) is made when it passes.
            if !policy.passesInPlace(claims, header: entry.header) {
                try ClaimValidator(policy: policy).validate(claims, header: entry.header, algorithm: entry.algorithm, key: key)
            }
            return VerifiedJWT(header: entry.header, claims: claims, algorithm: entry.algorithm, key: key)
        } catch {
            throw error.at(.payload)
        }
    }

    /// Remembers what `jwt`'s header decided, for the next token with the same header bytes on this thread.
    /// The keys are selected again from a snapshot whose generation the entry records, so an entry never
    /// pairs keys with a generation they do not belong to.
    private func remember(_ segment: UnsafeBufferPointer<UInt8>, _ header: JOSEHeader, _ algorithm: JWSAlgorithm, in cache: HeaderCache) {
        // Only headers the reference path accepts in full: not an unencoded payload, not a nested JWT.
        guard header.base64URLEncodePayload != false else { return }
        if let cty = header.contentType, JOSEHeader.normalizedType(cty) == "jwt" { return }
        let snapshot = keyring.snapshot()
        guard let candidates = try? candidates(in: snapshot, keyID: header.keyID, algorithm: algorithm) else { return }
        let keys = candidates.filter { strengthProblem($0, algorithm) == nil }
        guard !keys.isEmpty else { return }
        unsafe cache.insert(
            HeaderCacheEntry(
                segment: segment, verifier: identity, keyring: keyring, generation: snapshot.generation, header: header,
                algorithm: algorithm,
                keys: keys))
    }

    /// The keys a token with this `kid` and algorithm may be verified with, by this policy's selection rules:
    /// the one selection both the reference path and a header-cache entry use, so the two never differ.
    private func candidates(in snapshot: Keyring.Snapshot, keyID: String?, algorithm: JWSAlgorithm) throws(JWTKError) -> [VerificationKey] {
        try snapshot.select(
            keyID: keyID, algorithm: algorithm, matching: keyring.unidentifiedKeyMatching, maxCandidates: policy.maxKeysTried,
            allowsMixedKeyTypes: policy.allowsMixedKeyTypes)
    }

    /// The reference path: every step in order. `arena` false parses with jansson's own allocator (the
    /// differential test's reference).
    func verify<R: StepReporter>(bytes: UnsafeBufferPointer<UInt8>, reporter: inout R, arena: Bool = true) throws(JWTKError) -> VerifiedJWT
    {
        let jws = try unsafe verifyJWS(bytes: bytes, detachedPayload: nil, reporter: &reporter, arena: arena)
        do throws(JWTKError) { return try verifyClaims(jws, reporter: &reporter, arena: arena) } catch { throw error.at(.payload) }
    }

    private func verifyClaims<R: StepReporter>(_ jws: VerifiedJWS, reporter: inout R, arena: Bool) throws(JWTKError) -> VerifiedJWT {
        if let cty = jws.header.contentType, JOSEHeader.normalizedType(cty) == "jwt" {
            throw JWTKError(
                .invalidPayload, "the payload is a nested JWT (cty \(Shown.value(cty))); nested tokens are not supported", claim: "cty")
        }
        let claims = try parseClaims(jws.payload, arena: arena)
        try ClaimValidator(policy: policy).validate(
            claims, header: jws.header, algorithm: jws.algorithm, key: jws.key, reporter: &reporter)
        return VerifiedJWT(header: jws.header, claims: claims, algorithm: jws.algorithm, key: jws.key)
    }

    /// The payload as a claim set: a JSON object, parsed into an arena (one allocation for the whole document).
    private func parseClaims(_ payload: [UInt8], arena: Bool = true) throws(JWTKError) -> JWTClaims {
        let document = try JSONDocument.parse(payload, maxDepth: policy.limits.maxJSONDepth, what: "claims", arena: arena)
        let root = document.rootValue
        guard root.kind == .object else {
            throw JWTKError(.invalidPayload, "the JWT claims must be a JSON object, found \(root.kind.rawValue)")
        }
        return JWTClaims(json: root, payload: payload)
    }

    /// Verifies only the signature of a compact JWS whose payload is arbitrary bytes; no claim is checked.
    ///
    /// - Parameters:
    ///   - token: the compact JWS, exactly as received.
    ///   - detachedPayload: for a JWS with detached content (RFC 7515 Appendix F), the payload; the
    ///   token's payload segment must then be empty.
    /// - Throws: ``JWTKError`` (shape, header, algorithm, key and signature codes).
    public func verifySignature(_ token: String, detachedPayload: [UInt8]? = nil) throws(JWTKError) -> VerifiedJWS {
        try unsafe withUTF8Bytes(of: token) { bytes throws(JWTKError) in
            try unsafe verifyJWS(bytes: bytes, detachedPayload: detachedPayload)
        }
    }

    func verifyJWS(bytes: UnsafeBufferPointer<UInt8>, detachedPayload: [UInt8]?) throws(JWTKError) -> VerifiedJWS {
        var silent = SilentSteps()
        return try unsafe verifyJWS(bytes: bytes, detachedPayload: detachedPayload, reporter: &silent)
    }

    func verifyJWS<R: StepReporter>(
        bytes: UnsafeBufferPointer<UInt8>, detachedPayload: [UInt8]?, reporter: inout R, arena: Bool = true
    ) throws(JWTKError) -> VerifiedJWS {
        // The step running now, for the error that stops it: one byte stored per step.
        var step = VerificationStep.shape
        do throws(JWTKError) {
            let jws = try unsafe checkJWS(bytes: bytes, detachedPayload: detachedPayload, step: &step, reporter: &reporter, arena: arena)
            reporter.signatureVerified(jws)
            return jws
        } catch {
            throw error.at(step)
        }
    }

    private func checkJWS<R: StepReporter>(
        bytes: UnsafeBufferPointer<UInt8>, detachedPayload: [UInt8]?, step: inout VerificationStep, reporter: inout R, arena: Bool
    ) throws(JWTKError) -> VerifiedJWS {
        let limits = policy.limits
        let parts = try unsafe CompactJWS.split(bytes, limits: limits)
        reporter.passed(.shape)
        step = .header
        guard (Base64URL.decodedCount(parts.header.count) ?? 0) <= limits.maxHeaderBytes else {
            throw JWTKError(.limitExceeded, "the header is larger than \(limits.maxHeaderBytes) bytes")
        }
        let headerBytes = try unsafe decodeSegment(bytes, parts.header, "header")
        let headerDocument = try JSONDocument.parse(headerBytes, maxDepth: limits.maxJSONDepth, what: "header", arena: arena)
        let header = try JOSEHeader(json: headerDocument.rootValue)
        reporter.passed(.header)

        // Algorithm: never `none`, only implemented names, only the caller's allow-list.
        step = .unsecuredAlgorithm
        if JWSAlgorithm.isUnsecuredName(header.algorithmName) {
            throw JWTKError(
                .unsecuredTokenRefused, "the token is unsecured (alg \(Shown.value(header.algorithmName))); the verifier never accepts it",
                claim: "alg")
        }
        reporter.passed(.unsecuredAlgorithm)
        step = .algorithm
        guard let algorithm = JWSAlgorithm(rawValue: header.algorithmName) else {
            throw JWTKError(
                .unsupportedAlgorithm, "alg \(Shown.value(header.algorithmName)) is not a supported JWS algorithm", claim: "alg")
        }
        guard policy.algorithms.contains(algorithm) else {
            throw JWTKError(
                .algorithmNotAllowed,
                "alg \(algorithm) is not in the allowed list (\(policy.algorithms.map(\.rawValue).sorted().joined(separator: ", ")))",
                claim: "alg")
        }
        reporter.passed(.algorithm)
        step = .criticalHeaders
        let encodedPayload = try checkCritical(header)
        reporter.passed(.criticalHeaders, if: header.critical != nil)

        // Key: by kid and family; never from the token itself.
        step = .keySelection
        let candidates = try candidates(in: keyring.snapshot(), keyID: header.keyID, algorithm: algorithm)
        reporter.passed(.keySelection)
        step = .keyStrength
        var strongEnough: [VerificationKey] = []
        var weakness: JWTKError?
        for key in candidates {
            if let problem = strengthProblem(key, algorithm) { weakness = weakness ?? problem } else { strongEnough.append(key) }
        }
        if strongEnough.isEmpty, let weakness { throw weakness }
        reporter.passed(.keyStrength)

        // Signature over the exact bytes that were signed.
        step = .signature
        let signature = try unsafe decodeSegment(bytes, parts.signature, "signature")
        let payload: [UInt8]
        var verifiedKey: VerificationKey?
        if detachedPayload == nil && encodedPayload {
            let input = unsafe UnsafeBufferPointer(rebasing: bytes[parts.signingInput])
            verifiedKey = try unsafe Self.firstVerifying(strongEnough, algorithm, signature, input)
            guard verifiedKey != nil else { throw Self.signatureError(header) }
            reporter.passed(.signature)
            step = .payload
            payload = try unsafe decodeSegment(bytes, parts.payload, "payload")
        } else {
            if detachedPayload != nil, !parts.payload.isEmpty {
                throw JWTKError(.malformedToken, "a detached payload was given but the token's payload segment is not empty")
            }
            let content = unsafe detachedPayload ?? Array(UnsafeBufferPointer(rebasing: bytes[parts.payload]))
            if !encodedPayload, content.contains(0x2E), detachedPayload == nil {
                throw JWTKError(.malformedToken, "an unencoded compact payload must not contain \".\" (RFC 7797 §5.2)")
            }
            var input = unsafe Array(UnsafeBufferPointer(rebasing: bytes[parts.header]))
            input.append(0x2E)
            if encodedPayload { input += Array(Base64URL.encode(content).utf8) } else { input += content }
            verifiedKey = try unsafe input.withUnsafeBufferPointer { buffer throws(JWTKError) in
                try unsafe Self.firstVerifying(strongEnough, algorithm, signature, buffer)
            }
            guard verifiedKey != nil else { throw Self.signatureError(header) }
            reporter.passed(.signature)
            payload = content
        }
        return VerifiedJWS(header: header, payload: payload, algorithm: algorithm, key: verifiedKey!)
    }

    private static func signatureError(_ header: JOSEHeader) -> JWTKError {
        JWTKError(.signatureInvalid, "the signature does not verify", keyID: header.keyID)
    }

    private static func firstVerifying(
        _ keys: [VerificationKey], _ algorithm: JWSAlgorithm, _ signature: [UInt8], _ input: UnsafeBufferPointer<UInt8>
    ) throws(JWTKError) -> VerificationKey? {
        // A plain loop with typed throws: the `for … where try` form inside a Result closure crashed the
        // Swift 6.3.1 optimizer (CopyPropagation "Found over consume") in release builds.
        try unsafe signature.withUnsafeBufferPointer { sig throws(JWTKError) -> VerificationKey? in
            try unsafe Self.firstVerifying(keys, algorithm, sig, input)
        }
    }

    private static func firstVerifying(
        _ keys: [VerificationKey], _ algorithm: JWSAlgorithm, _ signature: UnsafeBufferPointer<UInt8>, _ input: UnsafeBufferPointer<UInt8>
    ) throws(JWTKError) -> VerificationKey? {
        for key in keys {
            if try unsafe SignatureCheck.verify(key: key, algorithm: algorithm, signature: signature, input: input) { return key }
        }
        return nil
    }

    /// RFC 7515 §4.1.11 and RFC 7797: returns whether the payload is base64url-encoded.
    private func checkCritical(_ header: JOSEHeader) throws(JWTKError) -> Bool {
        var understood = policy.understoodCriticalHeaders
        if policy.allowsUnencodedPayload { understood.insert("b64") }
        if let critical = header.critical {
            var seen = Set<String>()
            for name in critical {
                guard seen.insert(name).inserted else {
                    throw JWTKError(.unsupportedCriticalHeader, "\"crit\" lists \(Shown.value(name)) twice", claim: "crit")
                }
                guard !JOSEHeader.registeredNames.contains(name) else {
                    throw JWTKError(
                        .unsupportedCriticalHeader, "\"crit\" must not list the registered header \(Shown.value(name))", claim: "crit")
                }
                guard header.json[name] != nil else {
                    throw JWTKError(
                        .unsupportedCriticalHeader, "\"crit\" lists \(Shown.value(name)) but the header does not contain it", claim: "crit")
                }
                guard Exact.contains(understood, name) else {
                    throw JWTKError(
                        .unsupportedCriticalHeader, "critical header extension \(Shown.value(name)) is not understood", claim: name)
                }
            }
        }
        if header.base64URLEncodePayload == false {
            guard header.critical?.contains("b64") == true else {
                throw JWTKError(.invalidHeader, "\"b64\": false must be listed in \"crit\" (RFC 7797 §6)", claim: "b64")
            }
            return false
        }
        return true
    }

    func strengthProblem(_ key: VerificationKey, _ algorithm: JWSAlgorithm) -> JWTKError? {
        switch key.type {
        case .rsa(let bits) where bits < policy.minimumRSAKeyBits:
            return JWTKError(
                .weakKey, "RSA key has \(bits) bits; the policy requires at least \(policy.minimumRSAKeyBits)", keyID: key.keyID)
        case .oct(let bytes) where policy.requiresFullLengthHMACSecrets && bytes * 8 < algorithm.hashBits:
            return JWTKError(
                .weakKey, "HMAC secret has \(bytes * 8) bits; \(algorithm) requires at least \(algorithm.hashBits) (RFC 7518 §3.2)",
                keyID: key.keyID)
        default:
            return nil
        }
    }
}
