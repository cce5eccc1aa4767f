public import JWTK
public import JWTKRemote

/// A verified access token as the middleware puts it on the request context.
public struct JWTIdentity: Sendable {
    /// The verified token: header, claims, algorithm and key.
    public let token: VerifiedJWT
    /// The issuer label the token was verified under: the configured issuer that verified it (exact `iss`), or
    /// the verifier's fixed label. Bounded by configuration, so it is safe as a metrics label.
    public let issuerLabel: String
    /// Whether a token cache answered, when the verifier leaves the counting to the middleware (an
    /// ``JWTKRemote/IssuerRouter`` with a token cache); nil when no cache was consulted or the verifier counts
    /// its own lookups (``CachingTokenVerifier``).
    public let tokenCacheHit: Bool?

    /// Creates an identity.
    public init(token: VerifiedJWT, issuerLabel: String, tokenCacheHit: Bool? = nil) {
        self.token = token
        self.issuerLabel = issuerLabel
        self.tokenCacheHit = tokenCacheHit
    }

    /// The verified claims.
    public var claims: JWTClaims { token.claims }

    /// The token's scopes: the space-separated `scope` claim (RFC 8693 §4.2, RFC 9068) joined with the `scp`
    /// array some providers use. A claim of the wrong type contributes nothing.
    public var scopes: Set<String> {
        var result = Set<String>()
        if let scope = claims["scope"]?.string {
            for part in scope.split(separator: " ", omittingEmptySubsequences: true) { result.insert(String(part)) }
        }
        if let scp = claims["scp"] {
            if let array = scp.stringArray { result.formUnion(array) } else if let one = scp.string { result.insert(one) }
        }
        return result
    }
}

/// Anything that verifies an access token for the middleware: a ``JWTK/JWTVerifier``, a remote JWK Set
/// verifier, an ``IssuerRouter``, or a closure (``ClosureTokenVerifier``), for example one that consults a
/// verified-token cache first.
///
/// A rejected token throws ``JWTK/JWTKError`` (a local verifier) or a ``JWTKRemote/JWTKRemoteError`` whose
/// `rejection` carries it (a remote one); unavailable keys throw any other ``JWTKRemote/JWTKRemoteError``.
public protocol JWTTokenVerifying: Sendable {
    /// Verifies `token` and returns the identity it establishes.
    func verifyToken(_ token: String) async throws -> JWTIdentity

    /// The issuer label to count a REFUSED token under: a configured issuer, or a fixed label, never a value
    /// copied from the token (metrics cardinality stays bounded). Default `unrouted`.
    func issuerLabel(forRefused token: String) -> String

    /// Verifies `token` without suspending when this verifier can (local keys, a local-key token cache), with
    /// exactly the result and errors of ``verifyToken(_:)``; nil when it cannot (remote keys may have to be
    /// loaded), and ``JWTAuthenticator`` then awaits ``verifyToken(_:)``. It saves the middleware an async call
    /// per request. Default nil.
    func verifyTokenWithoutSuspending(_ token: String) throws -> JWTIdentity?
}

extension JWTTokenVerifying {
    /// `unrouted`.
    public func issuerLabel(forRefused token: String) -> String { "unrouted" }

    /// Nil: the verifier is always awaited.
    public func verifyTokenWithoutSuspending(_ token: String) throws -> JWTIdentity? { nil }
}

/// A ``JWTTokenVerifying`` made of a closure: the seam for a token cache or a custom verification step.
public struct ClosureTokenVerifier: JWTTokenVerifying {
    private let body: @Sendable (String) async throws -> JWTIdentity
    /// Creates a verifier that calls `body`.
    public init(_ body: @escaping @Sendable (String) async throws -> JWTIdentity) { self.body = body }
    /// Calls the closure.
    public func verifyToken(_ token: String) async throws -> JWTIdentity { try await body(token) }
}

/// A local-key verifier with a fixed issuer label.
public struct LocalTokenVerifier: JWTTokenVerifying {
    /// The verifier used.
    public let verifier: JWTVerifier
    /// The label identities and metrics carry.
    public let issuerLabel: String
    /// Creates the adapter.
    public init(_ verifier: JWTVerifier, issuerLabel: String = "local") {
        self.verifier = verifier
        self.issuerLabel = issuerLabel
    }
    /// The fixed label.
    public func issuerLabel(forRefused token: String) -> String { issuerLabel }
    /// Verifies with the held keys, synchronously.
    public func verifyToken(_ token: String) async throws -> JWTIdentity {
        JWTIdentity(token: try verifier.verify(token), issuerLabel: issuerLabel)
    }
    /// ``verifyToken(_:)``, which never suspends.
    public func verifyTokenWithoutSuspending(_ token: String) throws -> JWTIdentity? {
        JWTIdentity(token: try verifier.verify(token), issuerLabel: issuerLabel)
    }
}

/// A remote JWK Set verifier: keys held by a ``JWTKRemote/RemoteJWKS`` (kept fresh by ``JWKSRefreshService``);
/// an unknown `kid` triggers one refresh, within the source's cooldown.
public struct RemoteTokenVerifier: JWTTokenVerifying {
    /// The verifier used.
    public let verifier: RemoteJWTVerifier
    /// The label identities and metrics carry.
    public let issuerLabel: String
    /// Creates the adapter.
    public init(_ verifier: RemoteJWTVerifier, issuerLabel: String) {
        self.verifier = verifier
        self.issuerLabel = issuerLabel
    }
    /// The fixed label.
    public func issuerLabel(forRefused token: String) -> String { issuerLabel }
    /// Verifies, refreshing the keys for an unknown `kid` when the cooldown allows.
    public func verifyToken(_ token: String) async throws -> JWTIdentity {
        JWTIdentity(token: try await verifier.verifyRefreshing(token), issuerLabel: issuerLabel)
    }
}

/// The middleware side of `JWTKRemote`'s ``JWTKRemote/IssuerRouter``: an identity labelled with the routed issuer.
extension IssuerRouter: JWTTokenVerifying {
    /// A router over middleware verifiers (``LocalTokenVerifier``, ``RemoteTokenVerifier``, a closure): each is
    /// asked for its verified token only; the label is the routed issuer.
    /// A middleware verifier's error as the router's one error type: a `JWTKError` is a rejection, anything
    /// else that is not already a ``JWTKRemote/JWTKRemoteError`` means the token could not be judged (`503`).
    public init(_ verifiers: [String: any JWTTokenVerifying], limits: TokenLimits = TokenLimits()) {
        self.init(
            verifiers.mapValues { verifier in
                ClosureIssuerVerifier { token throws(JWTKRemoteError) in
                    do {
                        return try await verifier.verifyToken(token).token
                    } catch let error as JWTKRemoteError {
                        throw error
                    } catch let error as JWTKError {
                        throw .rejected(error)
                    } catch {
                        throw JWTKRemoteError(.notLoaded, "the issuer's verifier failed: \(type(of: error))")
                    }
                }
            }, limits: limits)
    }

    /// The configured issuer the token names, or `unrouted`.
    public func issuerLabel(forRefused token: String) -> String { (try? route(token).issuer) ?? "unrouted" }

    /// Routes, verifies with the chosen issuer's verifier (through the router's token cache when it has one),
    /// and checks the verified `iss` (``JWTKRemote/IssuerRouter/verify(_:)``). With a token cache the identity
    /// says whether it was a hit, and the middleware counts it.
    public func verifyToken(_ token: String) async throws -> JWTIdentity {
        let routed = try await verify(token)
        return JWTIdentity(token: routed.token, issuerLabel: routed.issuer, tokenCacheHit: tokenCache == nil ? nil : routed.cacheHit)
    }
}
