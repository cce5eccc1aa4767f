import Foundation
import JWTK

/// One policy file for the library, the Hummingbird middleware and `jwtk verify --policy FILE`: the accepted
/// issuers (each with its discovery URL, JWK Set URL or local keys file), audiences, algorithms, leeway,
/// required claims, profile, scopes per route prefix, cache sizes and whether DPoP is on.
///
/// The file is JSON (schema: `docs/schemas/policy.schema.json`), read by the core's strict parser: duplicate
/// members, unknown members, a value of the wrong type or out of range, and anything past ``Limits`` are
/// refused, each with its path in the file (`issuers[1].jwks: ...`) as a ``VerifierConfigurationError``.
///
/// ```json
/// {
///   "audiences": ["https://api.example"],
///   "issuers": [
///     {"issuer": "https://auth.smarttask.io", "discovery": "https://auth.smarttask.io/.well-known/openid-configuration"},
///     {"issuer": "https://partner.example", "jwks": "https://partner.example/jwks.json", "profile": "at+jwt"}
///   ],
///   "routes": [{"prefix": "/admin", "scopes": ["admin"]}]
/// }
/// ```
///
/// ``makeVerifiers(clock:fetcher:timeout:tokenCache:)`` builds an ``IssuerRouter`` over one verifier per issuer.
public struct VerifierConfiguration: Sendable {
    /// The token rules an issuer's tokens are verified under.
    public enum Profile: String, Sendable, CaseIterable {
        /// OpenID Connect ID tokens (OpenID Connect Core §3.1.3.7): exactly one audience, the client id; `sub`
        /// and `iat` required, `azp` checked, `at+jwt` tokens refused.
        case idToken = "id-token"
        /// JWT access tokens under RFC 7519 rules: `iss` and `aud` checked, `exp` required.
        case accessToken = "access-token"
        /// RFC 9068 JWT access tokens: `typ` `at+jwt`; `iss exp aud sub client_id iat jti` required.
        case jwtAccessToken = "at+jwt"
    }

    /// Where one issuer's keys come from (exactly one per issuer).
    public enum KeySource: Sendable {
        /// The issuer's OpenID Connect discovery document (`issuer/.well-known/openid-configuration`); its
        /// `jwks_uri` gives the keys.
        case discovery(URL)
        /// A JWK Set URL.
        case jwks(URL)
        /// A local keys file (JWK, JWK Set, PEM or DER), resolved against the policy file's directory, and the
        /// keys read from it when the policy was loaded.
        case keysFile(path: String, keys: [VerificationKey])
    }

    /// One accepted issuer and how its tokens are verified.
    public struct Issuer: Sendable {
        /// The issuer identifier, compared byte for byte with the token's `iss`.
        public var issuer: String
        /// Where the keys come from.
        public var keys: KeySource
        /// The audiences the token's `aud` must contain one of (at least one).
        public var audiences: [String]
        /// The accepted algorithms; default every asymmetric algorithm.
        public var algorithms: Set<JWSAlgorithm>
        /// Clock skew allowed for `exp`, `nbf` and `iat`, in seconds.
        public var leeway: Double
        /// Claims that must be present, beyond those the profile requires.
        public var requiredClaims: [String]
        /// The token rules.
        public var profile: Profile

        /// Creates an issuer entry with the defaults of a policy file.
        public init(
            issuer: String, keys: KeySource, audiences: [String], algorithms: Set<JWSAlgorithm> = VerifierConfiguration.defaultAlgorithms,
            leeway: Double = 0, requiredClaims: [String] = [], profile: Profile = .accessToken
        ) {
            self.issuer = issuer
            self.keys = keys
            self.audiences = audiences
            self.algorithms = algorithms
            self.leeway = leeway
            self.requiredClaims = requiredClaims
            self.profile = profile
        }

        /// The verification policy for this issuer's tokens, judged by `clock` (the discovered algorithms of an
        /// `id-token` issuer are applied by ``ConfiguredIssuer``).
        public func policy(clock: JWTClock = .system) -> VerificationPolicy {
            var policy: VerificationPolicy
            switch profile {
            case .idToken: policy = .openIDConnect(issuer: issuer, clientID: audiences[0])
            case .accessToken: policy = VerificationPolicy(issuer: issuer, audience: nil)
            case .jwtAccessToken: policy = .accessToken(issuer: issuer, audience: audiences[0])
            }
            policy.audiences = Set(audiences)
            policy.algorithms = algorithms
            policy.leeway = leeway
            for claim in requiredClaims where !policy.requiredClaims.contains(claim) { policy.requiredClaims.append(claim) }
            policy.clock = clock
            return policy
        }
    }

    /// The scopes every request under a path prefix must carry (`scope` or `scp` claim).
    public struct RouteScopes: Sendable, Equatable {
        /// The path prefix, starting with `/`; it matches the path itself and every path below it segment-wise
        /// (`/admin` matches `/admin` and `/admin/users`, not `/administrator`).
        public var prefix: String
        /// The scopes required.
        public var scopes: [String]

        /// Creates a rule.
        public init(prefix: String, scopes: [String]) {
            self.prefix = prefix
            self.scopes = scopes
        }

        /// Whether `path` is the prefix or below it.
        public func matches(_ path: String) -> Bool {
            let trimmed = prefix.count > 1 && prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
            if trimmed == "/" { return path.hasPrefix("/") }
            guard path.hasPrefix(trimmed) else { return false }
            let rest = path.dropFirst(trimmed.count)
            return rest.isEmpty || rest.hasPrefix("/") || rest.hasPrefix("?")
        }
    }

    /// Key and token cache settings.
    public struct Cache: Sendable, Equatable {
        /// Seconds between background JWK Set refreshes (the middleware's refresh service). Default 300.
        public var refreshInterval: Double = 300
        /// Seconds between refreshes caused by an unknown `kid`, per issuer. Default 30.
        public var unknownKeyCooldown: Double = 30
        /// How long past their freshness held keys keep serving when refreshes fail, in seconds. Default 3600.
        public var maxStaleness: Double = 3600
        /// The shortest JWK Set freshness accepted, in seconds. Default 60.
        public var minimumTTL: Double = 60
        /// The longest JWK Set freshness accepted, in seconds. Default 86400.
        public var maximumTTL: Double = 86_400
        /// Verified tokens kept per thread by a `VerifiedTokenCache` in front of these verifiers; 0 turns it off.
        /// Default 1024. Applied by ``VerifierConfiguration/makeVerifiers(clock:fetcher:timeout:tokenCache:)``
        /// when asked (`tokenCache: true`, as a long-running service such as the example service with `--token-cache`
        /// does): the router's ``IssuerRouter/tokenCache``, in front of one stable verifier per issuer.
        public var tokenCacheCapacity: Int = 1024

        /// The defaults.
        public init() {}
    }

    /// Bounds on the policy file itself. Each is tested at its value and one past.
    public struct Limits: Sendable, Hashable {
        /// The largest file, in bytes. Default 64 KiB.
        public var maxBytes: Int
        /// The deepest JSON nesting. Default 8 (the format needs 4).
        public var maxDepth: Int
        /// The most issuers. Default 64.
        public var maxIssuers: Int
        /// The most route rules. Default 256.
        public var maxRoutes: Int

        /// Creates the bounds.
        public init(maxBytes: Int = 64 * 1024, maxDepth: Int = 8, maxIssuers: Int = 64, maxRoutes: Int = 256) {
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
            self.maxIssuers = maxIssuers
            self.maxRoutes = maxRoutes
        }
    }

    /// The algorithms an issuer accepts when the file names none: every asymmetric one.
    public static let defaultAlgorithms = Set(JWSAlgorithm.allCases.filter { $0.family != .hmac })
    /// The largest accepted leeway, in seconds.
    public static let maxLeeway: Double = 600

    /// The accepted issuers, in file order.
    public var issuers: [Issuer]
    /// The scope rules by path prefix, in file order; the longest matching prefix applies.
    public var routes: [RouteScopes] = []
    /// Key and token cache settings.
    public var cache = Cache()
    /// Whether DPoP-bound tokens (RFC 9449) are accepted with a proof (the middleware's DPoP support).
    public var dpop = false
    /// The realm the middleware names in its challenges, when set.
    public var realm: String?

    /// Creates a configuration in code.
    public init(issuers: [Issuer]) { self.issuers = issuers }

    /// The scopes a request for `path` must carry: those of the longest matching route prefix, or none.
    public func scopes(forPath path: String) -> [String] {
        routes.filter { $0.matches(path) }.max { $0.prefix.count < $1.prefix.count }?.scopes ?? []
    }

    /// The issuer entry whose identifier is byte for byte `issuer`.
    public func issuer(_ issuer: String) -> Issuer? { issuers.first { $0.issuer.utf8.elementsEqual(issuer.utf8) } }

    // MARK: Loading

    /// Reads and checks the policy file at `path`. A relative `keys` path is resolved against the file's
    /// directory.
    ///
    /// - Throws: ``VerifierConfigurationError`` naming the path in the file of the first mistake (an empty path
    ///   for the file as a whole: unreadable, too large, not JSON).
    public static func load(contentsOf path: String, limits: Limits = Limits()) throws(VerifierConfigurationError) -> VerifierConfiguration
    {
        let url = URL(fileURLWithPath: path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard let size else { throw VerifierConfigurationError("", "cannot read the policy file") }
        guard size <= limits.maxBytes else {
            throw VerifierConfigurationError("", "the policy file is \(size) bytes, more than the limit of \(limits.maxBytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VerifierConfigurationError("", "cannot read the policy file")
        }
        return try VerifierConfiguration(json: Array(data), baseDirectory: url.deletingLastPathComponent().path, limits: limits)
    }

    /// Parses and checks a policy document.
    ///
    /// - Parameters:
    ///   - json: the document's bytes.
    ///   - baseDirectory: the directory relative `keys` paths are resolved against; nil for the current one.
    ///   - limits: the bounds on the document.
    /// - Throws: ``VerifierConfigurationError`` with the path in the document of the first mistake.
    public init(json: [UInt8], baseDirectory: String? = nil, limits: Limits = Limits()) throws(VerifierConfigurationError) {
        guard json.count <= limits.maxBytes else {
            throw VerifierConfigurationError("", "the policy is \(json.count) bytes, more than the limit of \(limits.maxBytes)")
        }
        let root: JSONValue
        do throws(JWTKError) {
            root = try JSONValue.parse(bytes: json, maxDepth: limits.maxDepth)
        } catch {
            throw VerifierConfigurationError("", "the policy is refused: \(error.reason)")
        }
        self = try PolicyReader(baseDirectory: baseDirectory, limits: limits).configuration(root)
    }
}

/// A mistake in a policy file: where (`issuers[1].jwks`) and what.
public struct VerifierConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path of the offending value in the document (`issuers[1].jwks`); empty for the document as a whole.
    public let path: String
    /// What is wrong, never including key material.
    public let reason: String

    /// Creates an error.
    public init(_ path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `path: reason`, or the reason alone for the whole document.
    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}
