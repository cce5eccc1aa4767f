/// Checks DPoP proofs (RFC 9449) for a resource server, and the binding of a DPoP-bound access token to the
/// proof's key.
///
/// The checks of RFC 9449 §4.3, in order (the first failure is reported, as a ``DPoPError``):
/// 1. size (``Configuration/maxProofBytes``), one well-formed compact JWS with a JSON object header and payload;
/// 2. `typ` is `dpop+jwt`;
/// 3. `alg` is an asymmetric algorithm of ``Configuration/algorithms`` (never `none`, never HMAC);
/// 4. `jwk` is a public key only (no private member, not `oct`), fits `alg` (key type, curve, its own `alg`),
///    and an RSA key has at least ``Configuration/minimumRSAKeyBits``;
/// 5. the signature verifies with that key (the core verifier: `crit`, `b64` and key strength rules apply);
/// 6. `jti` (a non-empty string, at most ``Configuration/maxJTIBytes``), `htm` equal to the request method
///    (case-sensitive), `htu` equal to the request URI after ``DPoPTargetURI`` normalisation (query and
///    fragment ignored);
/// 7. `iat` within the window: at most ``Configuration/maxAge`` seconds old and at most
///    ``Configuration/maxClockSkew`` seconds ahead of the clock;
/// 8. `ath` equals base64url(SHA-256(access token)) when an access token is presented;
/// 9. `nonce` accepted by ``Configuration/nonceValidator`` when one is configured;
/// 10. for ``verify(proof:method:uri:accessToken:boundTo:)``: the access token's `cnf.jkt` is the RFC 7638
///     SHA-256 thumbprint of the proof's key;
/// 11. finally the `jti` is recorded in the ``replayCache``: a proof seen before is refused (`dpop_replayed`).
///
/// The header's `jwk` is the one place jwtk takes a key from a token, and it only ever verifies the proof
/// itself; the access token is verified beforehand with the server's own keys.
///
/// ```swift
/// let dpop = try DPoPVerifier(replayCache: DPoPReplayCache())
/// let jwt = try verifier.verify(accessToken)                      // the server's keys and policy
/// let proof = try dpop.verify(proof: dpopHeader, method: "GET", uri: "https://api.example.com/me",
///                             accessToken: accessToken, boundTo: jwt)
/// ```
public struct DPoPVerifier: Sendable {
    /// What a proof is checked against, as data.
    public struct Configuration: Sendable {
        /// The algorithms a proof may use; only asymmetric ones are accepted. Default: every asymmetric
        /// algorithm jwtk implements.
        public var algorithms: Set<JWSAlgorithm> = DPoPVerifier.asymmetricAlgorithms
        /// The oldest proof accepted, in seconds since its `iat`. Default 300; at most ``DPoPVerifier/maxWindow``.
        public var maxAge: Double = 300
        /// How far `iat` may be ahead of the clock, in seconds. Default 5; at most ``DPoPVerifier/maxWindow``.
        public var maxClockSkew: Double = 5
        /// The source of "now" (tests pin it).
        public var clock: JWTClock = .system
        /// The smallest RSA modulus accepted for the proof key. Default 2048, the least allowed.
        public var minimumRSAKeyBits = 2048
        /// The longest proof accepted, in bytes. Default 8 KiB.
        public var maxProofBytes = 8 * 1024
        /// The longest `jti` accepted, in bytes. Default 256.
        public var maxJTIBytes = 256
        /// When set, every proof must carry a `nonce` this accepts (RFC 9449 §9): a missing one is
        /// `dpop_nonce_required`, a refused one `dpop_nonce_mismatch` (both `use_dpop_nonce`).
        public var nonceValidator: (@Sendable (String) -> Bool)?

        /// The defaults described above.
        public init() {}
    }

    /// Every asymmetric algorithm jwtk implements (RS*, PS*, ES*, EdDSA).
    public static let asymmetricAlgorithms = Set(JWSAlgorithm.allCases.filter { $0.family != .hmac })
    /// The largest ``Configuration/maxAge`` and ``Configuration/maxClockSkew`` accepted, in seconds (one hour).
    public static let maxWindow: Double = 3600

    /// The checks applied.
    public let configuration: Configuration
    /// Where accepted `jti` values are remembered.
    public let replayCache: DPoPReplayCache

    /// Creates a verifier.
    ///
    /// - Throws: `invalid_argument` for an empty or symmetric algorithm list, a window that is negative, not
    ///   finite or above ``maxWindow``, an RSA minimum below 2048, or a size limit below 1.
    public init(configuration: Configuration = Configuration(), replayCache: DPoPReplayCache) throws(JWTKError) {
        guard !configuration.algorithms.isEmpty, configuration.algorithms.allSatisfy({ $0.family != .hmac }) else {
            throw JWTKError(.invalidArgument, "DPoP proofs need a non-empty list of asymmetric algorithms (RFC 9449 §4.2)")
        }
        for (name, value) in [("maxAge", configuration.maxAge), ("maxClockSkew", configuration.maxClockSkew)] {
            guard value.isFinite, value >= 0, value <= Self.maxWindow else {
                throw JWTKError(.invalidArgument, "the DPoP \(name) must be between 0 and \(Int(Self.maxWindow)) seconds")
            }
        }
        guard configuration.minimumRSAKeyBits >= 2048 else {
            throw JWTKError(.invalidArgument, "the DPoP minimum RSA key size cannot be below 2048 bits")
        }
        guard configuration.maxProofBytes >= 1, configuration.maxJTIBytes >= 1 else {
            throw JWTKError(.invalidArgument, "the DPoP size limits must be at least 1 byte")
        }
        self.configuration = configuration
        self.replayCache = replayCache
    }

    /// The accepted algorithms, sorted and space-separated: the `algs` parameter of a `WWW-Authenticate: DPoP`
    /// challenge (RFC 9449 §7.1).
    public var algorithmsParameter: String { configuration.algorithms.map(\.rawValue).sorted().joined(separator: " ") }

    /// Checks a proof sent with a request (and with `accessToken`, whose hash `ath` must then carry).
    ///
    /// - Parameters:
    ///   - proof: the `DPoP` header field value.
    ///   - method: the request method, such as `GET`.
    ///   - uri: the request's absolute target URI (`https://host/path?query`); query and fragment are ignored.
    ///   - accessToken: the access token sent with the proof, or nil (a token endpoint).
    public func verify(proof: String, method: String, uri: String, accessToken: String?) throws(DPoPError) -> DPoPProof {
        try check(proof: proof, method: method, uri: uri, accessToken: accessToken, binding: nil)
    }

    /// Checks a proof and that the verified access token `token` (`accessToken` as sent) is bound to its key:
    /// `cnf.jkt` must be the RFC 7638 SHA-256 thumbprint of the proof's `jwk` (RFC 9449 §6.1, §7.1).
    public func verify(
        proof: String, method: String, uri: String, accessToken: String, boundTo token: VerifiedJWT
    ) throws(DPoPError) -> DPoPProof {
        try check(proof: proof, method: method, uri: uri, accessToken: accessToken, binding: token.claims)
    }

    /// The `ath` value for an access token: base64url(SHA-256(ASCII bytes of the token)).
    public static func accessTokenHash(_ accessToken: String) -> String {
        Base64URL.encode(Crypto.digest(Array(accessToken.utf8), hashBits: 256))
    }

    private func check(
        proof: String, method: String, uri: String, accessToken: String?, binding: JWTClaims?
    ) throws(DPoPError) -> DPoPProof {
        let configuration = self.configuration
        let size = proof.utf8.count
        guard size <= configuration.maxProofBytes else {
            throw DPoPError(.limitExceeded, "the proof is \(size) bytes, more than the limit of \(configuration.maxProofBytes)")
        }
        let limits = TokenLimits(
            maxTokenBytes: configuration.maxProofBytes, maxHeaderBytes: min(4 * 1024, configuration.maxProofBytes), maxJSONDepth: 16)
        let unverified: UnverifiedJWT
        do throws(JWTKError) {
            unverified = try UnverifiedJWT.decode(proof, limits: limits)
        } catch {
            throw DPoPError(.malformedProof, "the proof is not a well-formed compact JWT (\(error.code.rawValue))", underlying: error.code)
        }
        guard let header = unverified.header else {
            let code = unverified.headerError?.code ?? .invalidHeader
            throw DPoPError(.malformedProof, "the proof's header is unusable (\(code.rawValue))", underlying: code)
        }
        guard let claims = unverified.payloadJSON, claims.kind == .object else {
            let code = unverified.payloadError?.code ?? .invalidPayload
            throw DPoPError(.malformedProof, "the proof's payload is not a JSON object", underlying: code)
        }

        // typ, alg, jwk: decided before any signature work.
        guard let typ = header.type, Self.isDPoPType(typ) else {
            throw DPoPError(.typeMismatch, "the proof's typ must be dpop+jwt", claim: "typ")
        }
        let algorithm = try Self.algorithm(header.algorithmName, allowed: configuration.algorithms)
        let key = try Self.proofKey(header.json["jwk"], algorithm: algorithm, minimumRSAKeyBits: configuration.minimumRSAKeyBits)

        // Signature, through the core verifier over that one key.
        var policy = VerificationPolicy()
        policy.algorithms = [algorithm]
        policy.minimumRSAKeyBits = configuration.minimumRSAKeyBits
        policy.limits = limits
        let verifier = JWTVerifier(
            keyring: Keyring(keys: [key], unidentifiedKeyMatching: .matchAnyKeyID), policy: policy)
        do throws(JWTKError) {
            _ = try verifier.verifySignature(proof)
        } catch {
            switch error.code {
            case .signatureInvalid:
                throw DPoPError(.signatureInvalid, "the proof's signature does not verify with its jwk", underlying: error.code)
            case .keyNotFound, .algorithmKeyMismatch, .weakKey, .ambiguousKey:
                throw DPoPError(
                    .invalidKey, "the proof's jwk cannot verify it (\(error.code.rawValue))", claim: "jwk", underlying: error.code)
            default:
                throw DPoPError(.malformedProof, "the proof is refused (\(error.code.rawValue))", underlying: error.code)
            }
        }

        // Claims (RFC 9449 §4.2, §4.3).
        let jti = try Self.string(claims, "jti")
        guard !jti.isEmpty else { throw DPoPError(.invalidClaim, "the proof's jti is empty", claim: "jti") }
        guard jti.utf8.count <= configuration.maxJTIBytes else {
            throw DPoPError(
                .limitExceeded, "the proof's jti is \(jti.utf8.count) bytes, more than the limit of \(configuration.maxJTIBytes)",
                claim: "jti")
        }
        let htm = try Self.string(claims, "htm")
        guard htm.utf8.elementsEqual(method.utf8) else {
            throw DPoPError(.methodMismatch, "the proof's htm is not the request method \(method)", claim: "htm")
        }
        let htu = try Self.string(claims, "htu")
        guard let claimedURI = DPoPTargetURI.normalized(htu) else {
            throw DPoPError(.invalidClaim, "the proof's htu is not an absolute http or https URI", claim: "htu")
        }
        guard let requestURI = DPoPTargetURI.normalized(uri) else {
            throw DPoPError(.uriMismatch, "the request's URI is not an absolute http or https URI", claim: "htu")
        }
        guard claimedURI == requestURI else {
            throw DPoPError(.uriMismatch, "the proof's htu is not this request's URI \(requestURI)", claim: "htu")
        }
        guard let iatValue = claims["iat"] else { throw DPoPError(.missingClaim, "the proof has no iat", claim: "iat") }
        guard iatValue.kind.isNumber, let iat = iatValue.number, iat.isFinite else {
            throw DPoPError(.invalidClaim, "the proof's iat is not a number", claim: "iat")
        }
        let now = configuration.clock.now
        if iat - now > configuration.maxClockSkew {
            throw DPoPError(
                .issuedInFuture, "the proof's iat is \(Int(iat - now))s ahead of the clock (allowed \(Int(configuration.maxClockSkew))s)",
                claim: "iat")
        }
        if now - iat > configuration.maxAge {
            throw DPoPError(
                .proofTooOld, "the proof was issued \(Int(now - iat))s ago (allowed \(Int(configuration.maxAge))s)", claim: "iat")
        }
        if let accessToken {
            let ath = try Self.string(claims, "ath")
            guard ath.utf8.elementsEqual(Self.accessTokenHash(accessToken).utf8) else {
                throw DPoPError(.tokenHashMismatch, "the proof's ath is not the hash of the access token sent with it", claim: "ath")
            }
        }
        var nonce: String?
        if let validator = configuration.nonceValidator {
            guard let value = claims["nonce"] else {
                throw DPoPError(.nonceRequired, "this server requires a nonce in DPoP proofs", claim: "nonce")
            }
            guard let text = value.string, validator(text) else {
                throw DPoPError(.nonceMismatch, "the proof's nonce is not one this server accepts now", claim: "nonce")
            }
            nonce = text
        }
        if let binding {
            guard let cnf = binding["cnf"], cnf.kind == .object, let jkt = cnf["jkt"]?.string else {
                throw DPoPError(.keyBindingMismatch, "the access token is not bound to a DPoP key (no cnf.jkt)", claim: "cnf")
            }
            guard jkt.utf8.elementsEqual(key.thumbprint.utf8) else {
                throw DPoPError(.keyBindingMismatch, "the access token is bound to another key than the proof's", claim: "cnf")
            }
        }

        // Last: record the jti, so only fully valid proofs take a place in the cache.
        try replayCache.record(key.thumbprint + "." + jti, expiresAt: iat + configuration.maxAge, now: now)
        return DPoPProof(
            key: key, algorithm: algorithm, jwkThumbprint: key.thumbprint, jti: jti, issuedAt: iat, method: htm, uri: htu,
            nonce: nonce)
    }

    static func isDPoPType(_ typ: String) -> Bool {
        let lower = String(decoding: typ.utf8.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }, as: UTF8.self)
        return lower == "dpop+jwt" || lower == "application/dpop+jwt"
    }

    static func algorithm(_ name: String, allowed: Set<JWSAlgorithm>) throws(DPoPError) -> JWSAlgorithm {
        guard !JWSAlgorithm.isUnsecuredName(name), let algorithm = JWSAlgorithm(rawValue: name) else {
            throw DPoPError(.algorithmNotAllowed, "the proof's alg is not a supported signature algorithm", claim: "alg")
        }
        guard algorithm.family != .hmac else {
            throw DPoPError(.algorithmNotAllowed, "the proof's alg \(algorithm) is symmetric; DPoP needs an asymmetric one", claim: "alg")
        }
        guard allowed.contains(algorithm) else {
            throw DPoPError(.algorithmNotAllowed, "the proof's alg \(algorithm) is not in the allowed list", claim: "alg")
        }
        return algorithm
    }

    /// Members that carry private or symmetric key material in a JWK (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037).
    static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    static func proofKey(_ jwk: JSONValue?, algorithm: JWSAlgorithm, minimumRSAKeyBits: Int) throws(DPoPError) -> VerificationKey {
        guard let jwk else { throw DPoPError(.invalidKey, "the proof's header has no jwk", claim: "jwk") }
        guard jwk.kind == .object else { throw DPoPError(.invalidKey, "the proof's jwk is not a JSON object", claim: "jwk") }
        if privateMembers.contains(where: { jwk[$0] != nil }) {
            throw DPoPError(.invalidKey, "the proof's jwk holds private or symmetric key material", claim: "jwk")
        }
        let key: VerificationKey
        do throws(JWTKError) {
            key = try VerificationKey(jwk: jwk.serialized())
        } catch {
            throw DPoPError(
                .invalidKey, "the proof's jwk is not a usable public key (\(error.code.rawValue))", claim: "jwk", underlying: error.code)
        }
        if case .oct = key.type { throw DPoPError(.invalidKey, "the proof's jwk is a symmetric key", claim: "jwk") }
        guard !key.hadPrivateMembers else {
            throw DPoPError(.invalidKey, "the proof's jwk holds private key material", claim: "jwk")
        }
        guard key.canVerify(algorithm) else {
            throw DPoPError(
                .invalidKey, "the proof's jwk (\(key.type)) cannot verify \(algorithm)", claim: "jwk", underlying: .algorithmKeyMismatch)
        }
        if case .rsa(let bits) = key.type, bits < minimumRSAKeyBits {
            throw DPoPError(
                .invalidKey, "the proof's RSA key has \(bits) bits; at least \(minimumRSAKeyBits) are required", claim: "jwk",
                underlying: .weakKey)
        }
        return key
    }

    static func string(_ claims: JSONValue, _ name: String) throws(DPoPError) -> String {
        guard let value = claims[name] else { throw DPoPError(.missingClaim, "the proof has no \(name)", claim: name) }
        guard let text = value.string else { throw DPoPError(.invalidClaim, "the proof's \(name) is not a string", claim: name) }
        return text
    }
}

/// A DPoP proof that passed every check of ``DPoPVerifier``.
public struct DPoPProof: Sendable {
    /// The proof's public key (from its `jwk` header).
    public let key: VerificationKey
    /// The proof's algorithm.
    public let algorithm: JWSAlgorithm
    /// The RFC 7638 SHA-256 thumbprint of ``key``: the `jkt` an access token bound to it carries.
    public let jwkThumbprint: String
    /// The proof's `jti`.
    public let jti: String
    /// The proof's `iat`.
    public let issuedAt: Double
    /// The proof's `htm`.
    public let method: String
    /// The proof's `htu`, as sent.
    public let uri: String
    /// The proof's `nonce`, when the verifier checks nonces.
    public let nonce: String?
}
