import JWTK

/// One issuer's verifier, as ``IssuerRouter`` delegates to it: it checks the token with that issuer's keys and
/// policy only, loading or refreshing remote keys when it needs to.
///
/// `JWTVerifier` (local keys) and ``RemoteJWTVerifier`` (a JWK Set URL) conform; ``ClosureIssuerVerifier``
/// wraps anything else, and ``VerifierConfiguration`` builds one per issuer of a policy file.
public protocol IssuerVerifying: Sendable {
    /// Verifies `token` for this issuer.
    ///
    /// - Throws: ``JWTKRemoteError``: ``JWTKRemoteError/Code/tokenRejected`` carrying the core `JWTKError` for a
    ///   rejected token; any other code when the keys cannot be obtained.
    func verify(routed token: String) async throws(JWTKRemoteError) -> VerifiedJWT

    /// Verifies `token` for this issuer through `cache` (a `VerifiedTokenCache`), with the same result and
    /// errors as ``verify(routed:)``. A conformance answers from the cache only through one stable core
    /// `JWTVerifier` per issuer (the cache keys entries by the verifier's identity and the keyring's
    /// generation, so a key rotation or a policy change is a miss).
    ///
    /// The default ignores the cache: it calls ``verify(routed:)`` and reports a miss.
    ///
    /// - Returns: the verified token, and whether it was answered from the cache.
    func verify(routed token: String, cache: VerifiedTokenCache) async throws(JWTKRemoteError) -> (token: VerifiedJWT, cacheHit: Bool)
}

extension IssuerVerifying {
    /// Ignores the cache: ``verify(routed:)``, reported as a miss.
    public func verify(
        routed token: String, cache: VerifiedTokenCache
    ) async throws(JWTKRemoteError) -> (token: VerifiedJWT, cacheHit: Bool) {
        (try await verify(routed: token), false)
    }
}

extension JWTVerifier: IssuerVerifying {
    /// Verifies with the held keys, synchronously; a rejection is ``JWTKRemoteError/Code/tokenRejected``.
    public func verify(routed token: String) async throws(JWTKRemoteError) -> VerifiedJWT {
        do throws(JWTKError) { return try verify(token) } catch { throw .rejected(error) }
    }

    /// Verifies with the held keys through `cache` (this verifier's identity keys the entries).
    public func verify(
        routed token: String, cache: VerifiedTokenCache
    ) async throws(JWTKRemoteError) -> (token: VerifiedJWT, cacheHit: Bool) {
        var cacheHit: Bool?
        do throws(JWTKError) {
            let verified = try verify(token, cache: cache, cacheHit: &cacheHit)
            return (verified, cacheHit == true)
        } catch {
            throw .rejected(error)
        }
    }
}

extension RemoteJWTVerifier: IssuerVerifying {
    /// ``verifyRefreshing(_:)``: loads the keys when needed and refreshes once for an unknown `kid`.
    public func verify(routed token: String) async throws(JWTKRemoteError) -> VerifiedJWT { try await verifyRefreshing(token) }

    /// Loads the keys when needed, then verifies through `cache`; a `kid` not found goes through
    /// ``verifyRefreshing(_:)`` (one refresh, cooldown permitting), uncached.
    public func verify(
        routed token: String, cache: VerifiedTokenCache
    ) async throws(JWTKRemoteError) -> (token: VerifiedJWT, cacheHit: Bool) {
        try await source.loadIfNeeded()
        return try await Self.verify(token, with: verifier, source: source, cache: cache) { () async throws(JWTKRemoteError) in
            try await verifyRefreshing(token)
        }
    }

    /// The cached verification of a remote issuer's token with `verifier` (over `source`'s keyring); a `kid` not
    /// found calls `refreshing` instead (a cached verdict never skips the unknown-key refresh).
    static func verify(
        _ token: String, with verifier: JWTVerifier, source: RemoteJWKS, cache: VerifiedTokenCache,
        refreshing: () async throws(JWTKRemoteError) -> VerifiedJWT
    ) async throws(JWTKRemoteError) -> (token: VerifiedJWT, cacheHit: Bool) {
        try source.checkUsable()
        do throws(JWTKError) {
            var cacheHit: Bool?
            let verified = try verifier.verify(token, cache: cache, cacheHit: &cacheHit)
            return (verified, cacheHit == true)
        } catch  where error.code == .keyNotFound {
            return (try await refreshing(), false)
        } catch {
            throw .rejected(error)
        }
    }
}

/// An ``IssuerVerifying`` made of a closure. It is not cached (``verify(routed:cache:)`` is the default).
public struct ClosureIssuerVerifier: IssuerVerifying {
    private let body: @Sendable (String) async throws(JWTKRemoteError) -> VerifiedJWT
    /// Creates a verifier that calls `body`.
    public init(_ body: @escaping @Sendable (String) async throws(JWTKRemoteError) -> VerifiedJWT) { self.body = body }
    /// Calls the closure.
    public func verify(routed token: String) async throws(JWTKRemoteError) -> VerifiedJWT { try await body(token) }
}

/// A token verified through ``IssuerRouter``: the configured issuer it was routed to and the verified token.
public struct RoutedJWT: Sendable {
    /// The configured issuer, byte for byte the token's verified `iss`.
    public let issuer: String
    /// The verified token.
    public let token: VerifiedJWT
    /// Whether the router's ``IssuerRouter/tokenCache`` answered (false without a cache).
    public let cacheHit: Bool

    /// Creates the pair.
    public init(issuer: String, token: VerifiedJWT, cacheHit: Bool = false) {
        self.issuer = issuer
        self.token = token
        self.cacheHit = cacheHit
    }
}

/// Routes a token to the verifier of its issuer among several configured ones.
///
/// The token's `iss` is read WITHOUT verification, only to choose; it is compared byte for byte (no
/// normalisation, no trailing-slash, case or Unicode folding) against the configured issuers. An unknown or
/// missing issuer is refused with `issuer_mismatch` before any key is fetched. After verification the verified
/// `iss` must equal the chosen issuer, so a verifier configured without an issuer check still cannot accept
/// another issuer's token.
///
/// With a ``tokenCache`` (opt-in), each issuer's verifier answers a token it already accepted from the cache
/// (``IssuerVerifying/verify(routed:cache:)``): the claim rules, expiry included, run again on every hit, a key
/// rotation or a policy change is a miss, and a token is only ever cached under the issuer it was routed to.
/// A repeated token is also routed without decoding it again: each thread remembers which issuer its last few
/// routed tokens (exact bytes) went to, which is what routing them again would give, since routing depends on
/// the token's bytes and the router's constant configuration only.
///
/// ```swift
/// let router = IssuerRouter([
///     "https://a.example": try RemoteJWKS(url: jwksA).verifier(policy: .accessToken(issuer: "https://a.example", audience: "api")),
///     "https://b.example": JWTVerifier(keys: keysB, policy: .accessToken(issuer: "https://b.example", audience: "api")),
/// ], tokenCache: try VerifiedTokenCache(capacity: 1024))
/// let routed = try await router.verify(token)  // routed.issuer, routed.token.claims
/// ```
public struct IssuerRouter: Sendable {
    /// The verifiers by exact issuer string.
    public let verifiers: [String: any IssuerVerifying]
    /// The limits applied to the unverified decode.
    public let limits: TokenLimits
    /// The verified-token cache in front of the issuers' verifiers; nil (the default): every token is verified.
    public let tokenCache: VerifiedTokenCache?
    /// Names this configuration (verifiers and limits) in the threads' route memos; copies share it.
    private let identity = VerifiedTokenCache.newIdentity()

    /// Creates a router. Each verifier must check its own issuer's keys and policy only.
    public init(_ verifiers: [String: any IssuerVerifying], limits: TokenLimits = TokenLimits(), tokenCache: VerifiedTokenCache? = nil) {
        self.verifiers = verifiers
        self.limits = limits
        self.tokenCache = tokenCache
    }

    /// How many routing decisions the calling thread's memo answered (tests).
    package static var routeMemoHitsForCurrentThread: Int { RouteMemo.current().hits }

    /// The configured issuer a token names, or a typed error: `issuer_mismatch` for an unknown or missing
    /// issuer, `invalid_claim` for a non-string `iss`, decoding errors for a malformed token. Nothing is fetched.
    public func route(_ token: String) throws(JWTKError) -> (issuer: String, verifier: any IssuerVerifying) {
        let issuer = try Self.unverifiedIssuer(of: token, limits: limits)
        // The dictionary groups Unicode-equivalent spellings together; the configured issuer must match the
        // token's byte for byte (a decomposed "é" is another issuer).
        guard let index = verifiers.index(forKey: issuer), verifiers[index].key.utf8.elementsEqual(issuer.utf8) else {
            throw JWTKError(.issuerMismatch, "the token's issuer is not one of the configured issuers", claim: "iss")
        }
        return (verifiers[index].key, verifiers[index].value)
    }

    /// Routes, verifies with the chosen issuer's verifier only (through ``tokenCache`` when set), and checks the
    /// verified `iss`.
    ///
    /// - Throws: ``JWTKRemoteError``: ``JWTKRemoteError/Code/tokenRejected`` carrying the core `JWTKError` for
    ///   a token that cannot be routed (``route(_:)``'s errors, nothing fetched) or is rejected; any other code
    ///   when the chosen issuer's keys cannot be obtained.
    public func verify(_ token: String) async throws(JWTKRemoteError) -> RoutedJWT {
        let issuer: String
        let verifier: any IssuerVerifying
        let verified: VerifiedJWT
        let hit: Bool
        if let tokenCache {
            // With a token cache, repeated tokens are the point: their route is remembered (exact bytes).
            let memo = RouteMemo.current()
            if let remembered = memo.issuer(of: token, router: identity), let index = verifiers.index(forKey: remembered) {
                (issuer, verifier) = (verifiers[index].key, verifiers[index].value)
            } else {
                do throws(JWTKError) { (issuer, verifier) = try route(token) } catch { throw .rejected(error) }
                memo.remember(token, issuer: issuer, router: identity)
            }
            (verified, hit) = try await verifier.verify(routed: token, cache: tokenCache)
        } else {
            do throws(JWTKError) { (issuer, verifier) = try route(token) } catch { throw .rejected(error) }
            (verified, hit) = (try await verifier.verify(routed: token), false)
        }
        do throws(JWTKError) { try Self.checkVerifiedIssuer(verified, routed: issuer) } catch { throw .rejected(error) }
        return RoutedJWT(issuer: issuer, token: verified, cacheHit: hit)
    }

    /// The token's `iss`, read without verification.
    static func unverifiedIssuer(of token: String, limits: TokenLimits) throws(JWTKError) -> String {
        guard let issuer = try UnverifiedJWT.issuer(of: token, limits: limits) else {
            throw JWTKError(.issuerMismatch, "the token has no iss; it cannot be routed to an issuer", claim: "iss")
        }
        return issuer
    }

    /// Refuses a verified token whose `iss` is not byte for byte the issuer it was routed to.
    static func checkVerifiedIssuer(_ verified: VerifiedJWT, routed issuer: String) throws(JWTKError) {
        guard let value = try? verified.claims.issuer, value.utf8.elementsEqual(issuer.utf8) else {
            throw JWTKError(.issuerMismatch, "the verified iss differs from the routed issuer", claim: "iss")
        }
    }
}
