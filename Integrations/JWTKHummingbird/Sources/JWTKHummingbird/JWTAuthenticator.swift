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
    /// The `access_token` parameter of a form body (RFC 6750 §2.2); off by default. Read only when the request
    /// is not a `GET` and its `Content-Type` is `application/x-www-form-urlencoded`; the body, at most
    /// ``JWTAuthenticator/maxFormBodyBytes``, is collected and passed on to the route unchanged.
    public static let formBody = TokenLocations(rawValue: 4)
}

/// The RFC 6750 §3 answers the middleware writes. Exposed so routes can answer the same way.
public enum BearerChallenge {
    /// `Bearer realm="…"` with optional `error`, `error_description` and `scope` attributes. The values come
    /// from configuration and stable error codes only; quotes and backslashes are dropped from them.
    public static func header(
        scheme: String = "Bearer", realm: String, error: String? = nil, description: String? = nil, scope: String? = nil,
        algs: String? = nil
    ) -> String {
        var parts = ["realm=\"\(quoted(realm))\""]
        if let error { parts.append("error=\"\(quoted(error))\"") }
        if let description { parts.append("error_description=\"\(quoted(description))\"") }
        if let scope { parts.append("scope=\"\(quoted(scope))\"") }
        if let algs { parts.append("algs=\"\(quoted(algs))\"") }  // RFC 9449 §7.1
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

/// DPoP (RFC 9449) for ``JWTAuthenticator``: accepts `Authorization: DPoP <token>` with a `DPoP` proof header.
public struct DPoPOptions: Sendable {
    /// Checks the proofs (algorithms, `iat` window, replay cache, nonce).
    public var verifier: DPoPVerifier
    /// This service's origin as clients address it (`https://api.example.com`), which `htu` is compared with
    /// (plus the request path). Nil: `http://` and the request's `Host`, right for a service reached directly;
    /// behind a proxy or TLS terminator, set it.
    public var origin: String?
    /// The nonce to send in `DPoP-Nonce` with a `use_dpop_nonce` answer, when the verifier checks nonces.
    public var currentNonce: (@Sendable () -> String)?

    /// Creates the options.
    public init(verifier: DPoPVerifier, origin: String? = nil, currentNonce: (@Sendable () -> String)? = nil) {
        self.verifier = verifier
        self.origin = origin
        self.currentNonce = currentNonce
    }
}

/// What ``JWTAuthenticator`` found where it reads tokens. Outside the generic middleware: nested in it, every
/// request looked its metadata up (`swift_getGenericMetadata`) and destroyed it through value witnesses.
private enum Extracted { case none, invalid(String), token(String, BearerToken.Scheme) }

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
/// With ``dpop`` set, `Authorization: DPoP <token>` is read too (RFC 9449 §7.1): the token is verified as
/// above, then its `DPoP` proof with ``DPoPOptions/verifier`` against the request's method and URI, the token's
/// hash and its `cnf.jkt`. A failed proof answers `401` with `WWW-Authenticate: DPoP realm="…",
/// error="invalid_dpop_proof"` (`use_dpop_nonce`, or `invalid_token` for a token bound to another key),
/// `error_description` = the stable ``JWTK/DPoPError/Code`` and `algs="…"`; a full replay cache answers `503`.
/// A request with no token is then challenged with both schemes: `Bearer realm="…", DPoP realm="…", algs="…"`.
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
    /// DPoP-bound tokens with their proofs; nil (the default): only `Bearer` is read.
    public let dpop: DPoPOptions?
    /// The largest form body read for ``TokenLocations/formBody``, in bytes (at the limit read, one past refused
    /// with `invalid_request` and `limit_exceeded`). Default 64 KiB.
    public let maxFormBodyBytes: Int

    /// Creates the middleware.
    public init(
        verifier: any JWTTokenVerifying, realm: String, locations: TokenLocations = .authorizationHeader,
        maxTokenLength: Int = BearerToken.defaultMaxLength, metrics: JWTKMetrics = JWTKMetrics(), dpop: DPoPOptions? = nil,
        maxFormBodyBytes: Int = 64 * 1024
    ) {
        self.verifier = verifier
        self.realm = realm
        self.locations = locations
        self.maxTokenLength = maxTokenLength
        self.metrics = metrics
        self.dpop = dpop
        self.maxFormBodyBytes = maxFormBodyBytes
    }

    /// Authenticates the request or answers it.
    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // The header alone (the default) is read without an async call or a copy of the request; the form body
        // is collected into a copy of it.
        if locations == .authorizationHeader {
            return try await authenticate(request, headerToken(request.headers), context: context, next: next)
        }
        var request = request
        let extracted = await extract(&request)
        return try await authenticate(request, extracted, context: context, next: next)
    }

    /// Verifies the extracted token and calls the route, or answers.
    @inline(__always)
    private func authenticate(
        _ request: Request, _ extracted: Extracted, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let token: String
        let scheme: BearerToken.Scheme
        switch extracted {
        case .none: return BearerChallenge.response(.unauthorized, challenge: withDPoPChallenge(BearerChallenge.header(realm: realm)))
        case .invalid(let code):
            metrics.recordVerification(outcome: code, issuer: "none")
            return BearerChallenge.response(
                .badRequest,
                challenge: withDPoPChallenge(BearerChallenge.header(realm: realm, error: "invalid_request", description: code)))
        case .token(let value, let used):
            token = value
            scheme = used
        }
        let identity: JWTIdentity
        do {
            // A local verifier answers without an async call; a remote one is awaited.
            if let synchronous = try verifier.verifyTokenWithoutSuspending(token) {
                identity = synchronous
            } else {
                identity = try await verifier.verifyToken(token)
            }
        } catch let error as JWTKError {
            return refused(error, token: token, scheme: scheme)
        } catch let error as JWTKRemoteError {
            // One remote error type: a rejected token carries the core error, anything else means no usable keys.
            if let rejection = error.rejection { return refused(rejection, token: token, scheme: scheme) }
            metrics.recordVerification(outcome: error.code.rawValue, issuer: verifier.issuerLabel(forRefused: token))
            var headers = HTTPFields()
            headers[.retryAfter] = "5"
            headers[.cacheControl] = "no-store"
            return Response(status: .serviceUnavailable, headers: headers)
        }
        if scheme == .dpop, let dpop {
            // RFC 9449 §7.1: the proof, its ath, and the token's cnf.jkt binding to the proof's key.
            if let failure = checkProof(request, token: token, identity: identity, dpop) { return failure }
        } else if identity.claims["cnf"] != nil {
            // A sender-constrained token (RFC 9449 `cnf.jkt`, RFC 8705 `cnf.x5t#S256`) must not work as a plain
            // bearer token: no proof of possession comes with a Bearer token, so any `cnf` binding is refused.
            metrics.recordVerification(outcome: "sender_constrained_token", issuer: identity.issuerLabel)
            return BearerChallenge.response(
                .unauthorized,
                challenge: BearerChallenge.header(
                    realm: realm, error: "invalid_token", description: "sender_constrained_token"))
        }
        metrics.recordVerification(outcome: "ok", issuer: identity.issuerLabel)
        if let hit = identity.tokenCacheHit { metrics.recordTokenCacheLookup(hit: hit, issuer: identity.issuerLabel) }
        var context = context
        context.identity = consume identity
        return try await next(request, context)
    }

    /// The DPoP scheme's challenge (no error) appended to `challenge` when DPoP is enabled (RFC 9449 §7.2).
    private func withDPoPChallenge(_ challenge: String) -> String {
        guard let dpop else { return challenge }
        return challenge + ", " + BearerChallenge.header(scheme: "DPoP", realm: realm, algs: dpop.verifier.algorithmsParameter)
    }

    /// The `401 invalid_token` answer for a token the verifier rejected, counted under its stable code; the
    /// challenge uses the scheme the token came with (`Bearer`, or `DPoP` with its `algs`).
    private func refused(_ error: JWTKError, token: String, scheme: BearerToken.Scheme) -> Response {
        metrics.recordVerification(outcome: error.code.rawValue, issuer: verifier.issuerLabel(forRefused: token))
        return BearerChallenge.response(
            .unauthorized,
            challenge: BearerChallenge.header(
                scheme: scheme.name, realm: realm, error: "invalid_token", description: error.code.rawValue,
                algs: scheme == .dpop ? dpop?.verifier.algorithmsParameter : nil))
    }

    /// Checks the request's DPoP proof for `token`; nil when it passes, else the answer to send.
    private func checkProof(_ request: Request, token: String, identity: JWTIdentity, _ dpop: DPoPOptions) -> Response? {
        let proofs = request.headers[values: .init("DPoP")!]
        do throws(DPoPError) {
            guard proofs.count <= 1 else { throw DPoPError(.multipleProofs, "more than one DPoP header field") }
            guard let proof = proofs.first else { throw DPoPError(.proofMissing, "a DPoP token needs a DPoP proof header") }
            let origin = dpop.origin ?? "http://" + (request.head.authority ?? request.headers[.init("Host")!] ?? "")
            _ = try dpop.verifier.verify(
                proof: proof, method: request.method.rawValue, uri: origin + request.uri.path, accessToken: token,
                boundTo: identity.token)
            return nil
        } catch {
            metrics.recordVerification(outcome: error.code.rawValue, issuer: identity.issuerLabel)
            let challenge = BearerChallenge.header(
                scheme: "DPoP", realm: realm, error: error.code.challenge == .unavailable ? nil : error.code.challenge.rawValue,
                description: error.code.rawValue, algs: dpop.verifier.algorithmsParameter)
            var response = BearerChallenge.response(
                error.code.challenge == .unavailable ? .serviceUnavailable : .unauthorized, challenge: challenge)
            if error.code.challenge == .unavailable { response.headers[.retryAfter] = "1" }
            if error.code.challenge == .useDPoPNonce, let nonce = dpop.currentNonce { response.headers[.init("DPoP-Nonce")!] = nonce() }
            return response
        }
    }

    private func extract(_ request: inout Request) async -> Extracted {
        var found: [(String, BearerToken.Scheme)] = []
        if let failure = Self.collect(headerToken(request.headers), into: &found) { return failure }
        if locations.contains(.queryParameter) {
            let values = request.uri.queryParameters.getAll("access_token")
            if let failure = Self.collect(parameterToken(values), into: &found) { return failure }
        }
        if locations.contains(.formBody), request.method != .get, Self.isForm(request.headers[.contentType]) {
            let body: ByteBuffer
            do { body = try await request.collectBody(upTo: maxFormBodyBytes) } catch {
                return .invalid(JWTKError.Code.limitExceeded.rawValue)
            }
            guard let values = Self.formValues("access_token", in: body) else {
                return .invalid(JWTKError.Code.invalidAuthorizationHeader.rawValue)
            }
            if let failure = Self.collect(parameterToken(values), into: &found) { return failure }
        }
        switch found.count {
        case 0: return .none
        case 1: return .token(found[0].0, found[0].1)
        default: return .invalid("multiple_tokens")  // RFC 6750 §2: one method per request
        }
    }

    /// Adds what one location found to `found`; the answer to give instead when it found a malformed token.
    private static func collect(_ extracted: Extracted, into found: inout [(String, BearerToken.Scheme)]) -> Extracted? {
        switch extracted {
        case .none: return nil
        case .invalid: return extracted
        case .token(let token, let scheme):
            found.append((token, scheme))
            return nil
        }
    }

    /// The token of an `access_token` query or form parameter (RFC 6750 §2.2, §2.3): at most one value, checked
    /// as the `Authorization: Bearer` credentials are.
    private func parameterToken(_ values: [some StringProtocol]) -> Extracted {
        guard values.count <= 1 else { return .invalid(JWTKError.Code.invalidAuthorizationHeader.rawValue) }
        guard let value = values.first else { return .none }
        do {
            return .token(try BearerToken(authorizationHeader: "Bearer " + value, maxLength: maxTokenLength).token, .bearer)
        } catch {
            return .invalid(error.code.rawValue)
        }
    }

    /// The token of the `Authorization` field, when ``locations`` has it: `.none` for no field or another scheme,
    /// `.invalid` for a malformed one or more than one field (RFC 9110 §11.6.2 allows one credential).
    private func headerToken(_ headers: HTTPFields) -> Extracted {
        guard locations.contains(.authorizationHeader) else { return .none }
        // One pass over the fields, no joined copy of the value (`headers[.authorization]` joins repeated fields).
        var header: String?
        for field in headers where field.name == .authorization {
            guard header == nil else { return .invalid(JWTKError.Code.invalidAuthorizationHeader.rawValue) }
            header = field.value
        }
        guard let header else { return .none }
        do {
            return .token(try BearerToken(authorizationHeader: header, maxLength: maxTokenLength).token, .bearer)
        } catch  where error.code == .authorizationSchemeMismatch {
            // Another scheme (Basic, or DPoP when it is not enabled): no bearer token was sent this way.
            guard dpop != nil else { return .none }
            do {
                return .token(try BearerToken(authorizationHeader: header, scheme: .dpop, maxLength: maxTokenLength).token, .dpop)
            } catch  where error.code == .authorizationSchemeMismatch {
                return .none
            } catch {
                return .invalid(error.code.rawValue)
            }
        } catch {
            return .invalid(error.code.rawValue)
        }
    }

    /// Whether the media type is `application/x-www-form-urlencoded` (parameters such as `charset` allowed).
    static func isForm(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let type = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let trimmed = type.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
        return String(trimmed).lowercased() == "application/x-www-form-urlencoded"
    }

    /// The decoded values of `name` in an `application/x-www-form-urlencoded` body; nil when a `%` escape is
    /// malformed or a value is not UTF-8.
    static func formValues(_ name: String, in body: ByteBuffer) -> [String]? {
        let bytes = Array(body.readableBytesView)
        var values: [String] = []
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
            guard let key = formDecode(pair[pair.startIndex..<equals]) else { return nil }
            guard key == name else { continue }
            let rawValue = equals < pair.endIndex ? pair[pair.index(after: equals)...] : pair[pair.endIndex...]
            guard let value = formDecode(rawValue) else { return nil }
            values.append(value)
        }
        return values
    }

    private static func formDecode(_ bytes: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x37
            case 0x61...0x66: return b - 0x57
            default: return nil
            }
        }
        while index < bytes.endIndex {
            let b = bytes[index]
            if b == UInt8(ascii: "+") {
                out.append(0x20)
            } else if b == UInt8(ascii: "%") {
                let first = bytes.index(after: index)
                guard first < bytes.endIndex, bytes.index(after: first) < bytes.endIndex,
                    let high = hex(bytes[first]), let low = hex(bytes[bytes.index(after: first)])
                else { return nil }
                out.append(high << 4 | low)
                index = bytes.index(after: first)
            } else {
                out.append(b)
            }
            index = bytes.index(after: index)
        }
        return String(validating: out, as: UTF8.self)
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
