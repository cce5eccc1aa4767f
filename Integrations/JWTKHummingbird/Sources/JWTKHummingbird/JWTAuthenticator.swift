public import Hummingbird
public import HummingbirdAuth
public import JWTK
import JWTKRemote
import Metrics

/// A request context that carries the verified token (``JWTIdentity``) once ``JWTAuthenticator`` let it through.
public struct JWTRequestContext: AuthRequestContext, RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The verified identity; nil until the authenticator sets it.
    public var identity: JWTIdentity?

    /// Creates the context for a new request.
    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.identity = nil
    }
}

/// Where the middleware may read the access token from (RFC 6750 §2). Only the header is on by default.
public struct TokenLocations: OptionSet, Sendable {
    /// The option bits.
    public let rawValue: Int
    /// Creates a set from bits.
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// `Authorization: Bearer` (RFC 6750 §2.1).
    public static let authorizationHeader = TokenLocations(rawValue: 1)
    /// The `access_token` URI query parameter (RFC 6750 §2.3); off by default: URLs end up in logs.
    public static let queryParameter = TokenLocations(rawValue: 2)
}

/// The RFC 6750 §3 answers the middleware writes. Exposed so routes can answer the same way.
public enum BearerChallenge {
    /// `Bearer realm="…"` with optional `error`, `error_description` and `scope` attributes. The values come
    /// from configuration and stable error codes only; quotes and backslashes are dropped from them.
    public static func header(
        scheme: String = "Bearer", realm: String, error: String? = nil, description: String? = nil, scope: String? = nil
    ) -> String {
        var parts = ["realm=\"\(quoted(realm))\""]
        if let error { parts.append("error=\"\(quoted(error))\"") }
        if let description { parts.append("error_description=\"\(quoted(description))\"") }
        if let scope { parts.append("scope=\"\(quoted(scope))\"") }
        return "\(scheme) " + parts.joined(separator: ", ")
    }

    /// The response: status, `WWW-Authenticate`, `Cache-Control: no-store`, and no body.
    public static func response(_ status: HTTPResponse.Status, challenge: String) -> Response {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = challenge
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers)
    }

    private static func quoted(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\"" && $0 != "\\" && $0.value >= 0x20 && $0.value < 0x7F }.map(Character.init))
    }
}

/// Authentication middleware: reads the access token, verifies it, and puts the ``JWTIdentity`` on the
/// context; otherwise answers as RFC 6750 §3 says and never calls the route.
///
/// - no token (no `Authorization` header, or another scheme): `401`, `WWW-Authenticate: Bearer realm="…"`;
/// - a malformed `Authorization: Bearer` header or a token sent in two ways: `400`, `error="invalid_request"`;
/// - a token that fails verification: `401`, `error="invalid_token"`, `error_description` = the stable
///   ``JWTK/JWTKError/Code`` (such as `expired`); the token and the error's reason are never echoed or logged;
/// - a verified token bound to a key by a `cnf` claim (DPoP, mutual TLS): `401`, `error="invalid_token"`,
///   `error_description="sender_constrained_token"`, since no proof of possession is checked here;
/// - keys that cannot be obtained (a ``JWTKRemote/JWTKRemoteError`` that is not a `token_rejected`): `503` with
///   no token details; a `token_rejected` one is answered as the rejection it carries.
///
/// ```swift
/// let router = Router(context: JWTRequestContext.self)
/// router.group("api").add(middleware: JWTAuthenticator(verifier: LocalTokenVerifier(verifier), realm: "api"))
/// ```
public struct JWTAuthenticator<Context: AuthRequestContext>: RouterMiddleware where Context.Identity == JWTIdentity {
    /// The verifier (a single issuer, an ``IssuerRouter``, or a cache in front of one).
    public let verifier: any JWTTokenVerifying
    /// The realm named in challenges.
    public let realm: String
    /// Where tokens are read from.
    public let locations: TokenLocations
    /// The longest token read, in bytes (at the limit accepted, one past refused with `invalid_request`).
    public let maxTokenLength: Int
    /// Where outcomes are counted.
    public let metrics: JWTKMetrics

    /// Creates the middleware.
    public init(
        verifier: any JWTTokenVerifying, realm: String, locations: TokenLocations = .authorizationHeader,
        maxTokenLength: Int = BearerToken.defaultMaxLength, metrics: JWTKMetrics = JWTKMetrics()
    ) {
        self.verifier = verifier
        self.realm = realm
        self.locations = locations
        self.maxTokenLength = maxTokenLength
        self.metrics = metrics
    }

    /// Authenticates the request or answers it.
    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let token: String
        switch extract(request) {
        case .none: return BearerChallenge.response(.unauthorized, challenge: BearerChallenge.header(realm: realm))
        case .invalid(let code):
            metrics.recordVerification(outcome: code, issuer: "none")
            return BearerChallenge.response(
                .badRequest,
                challenge: BearerChallenge.header(realm: realm, error: "invalid_request", description: code))
        case .token(let value): token = value
        }
        let identity: JWTIdentity
        do {
            identity = try await verifier.verifyToken(token)
        } catch let error as JWTKError {
            return refused(error, token: token)
        } catch let error as JWTKRemoteError {
            // One remote error type: a rejected token carries the core error, anything else means no usable keys.
            if let rejection = error.rejection { return refused(rejection, token: token) }
            metrics.recordVerification(outcome: error.code.rawValue, issuer: verifier.issuerLabel(forRefused: token))
            var headers = HTTPFields()
            headers[.retryAfter] = "5"
            headers[.cacheControl] = "no-store"
            return Response(status: .serviceUnavailable, headers: headers)
        }
        // A sender-constrained token (RFC 9449 `cnf.jkt`, RFC 8705 `cnf.x5t#S256`) must not work as a plain
        // bearer token: this middleware checks no proof of possession, so any `cnf` binding is refused.
        if identity.claims["cnf"] != nil {
            metrics.recordVerification(outcome: "sender_constrained_token", issuer: identity.issuerLabel)
            return BearerChallenge.response(
                .unauthorized,
                challenge: BearerChallenge.header(
                    realm: realm, error: "invalid_token", description: "sender_constrained_token"))
        }
        metrics.recordVerification(outcome: "ok", issuer: identity.issuerLabel)
        var context = context
        context.identity = identity
        return try await next(request, context)
    }

    private enum Extracted { case none, invalid(String), token(String) }

    /// The `401 invalid_token` answer for a token the verifier rejected, counted under its stable code.
    private func refused(_ error: JWTKError, token: String) -> Response {
        metrics.recordVerification(outcome: error.code.rawValue, issuer: verifier.issuerLabel(forRefused: token))
        return BearerChallenge.response(
            .unauthorized, challenge: BearerChallenge.header(realm: realm, error: "invalid_token", description: error.code.rawValue))
    }

    private func extract(_ request: Request) -> Extracted {
        var found: [String] = []
        if locations.contains(.authorizationHeader), let header = request.headers[.authorization] {
            do {
                found.append(try BearerToken(authorizationHeader: header, maxLength: maxTokenLength).token)
            } catch  where error.code == .authorizationSchemeMismatch {
                // Another scheme (Basic, DPoP): no bearer token was sent this way.
            } catch {
                return .invalid(error.code.rawValue)
            }
        }
        if locations.contains(.queryParameter) {
            let values = request.uri.queryParameters.getAll("access_token")
            if values.count > 1 { return .invalid(JWTKError.Code.invalidAuthorizationHeader.rawValue) }
            if let value = values.first {
                do {
                    found.append(try BearerToken(authorizationHeader: "Bearer " + value, maxLength: maxTokenLength).token)
                } catch {
                    return .invalid(error.code.rawValue)
                }
            }
        }
        switch found.count {
        case 0: return .none
        case 1: return .token(found[0])
        default: return .invalid("multiple_tokens")  // RFC 6750 §2: one method per request
        }
    }
}

/// Refuses, with `403` and `error="insufficient_scope"`, a request whose verified token lacks one of the
/// required scopes (`scope` space-separated, or the `scp` array). Place it after ``JWTAuthenticator``;
/// without an identity it answers `401` like a request with no token.
public struct RequireScopes<Context: AuthRequestContext>: RouterMiddleware where Context.Identity == JWTIdentity {
    /// The scopes every request must carry.
    public let scopes: [String]
    /// The realm named in challenges.
    public let realm: String

    /// Creates the requirement.
    public init(_ scopes: [String], realm: String) {
        self.scopes = scopes
        self.realm = realm
    }

    /// Passes the request on when every scope is present.
    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let identity = context.identity else {
            return BearerChallenge.response(.unauthorized, challenge: BearerChallenge.header(realm: realm))
        }
        let held = identity.scopes
        guard scopes.allSatisfy(held.contains) else {
            return BearerChallenge.response(
                .forbidden,
                challenge: BearerChallenge.header(
                    realm: realm, error: "insufficient_scope", description: "the token lacks a required scope",
                    scope: scopes.joined(separator: " ")))
        }
        return try await next(request, context)
    }
}
