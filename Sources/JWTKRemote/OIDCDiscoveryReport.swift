import Foundation
import JWTK

/// One finding of an ``OIDCDiscoveryReport``: what was checked, how it came out, and what to do about it.
public struct DiscoveryCheck: Sendable, Hashable {
    /// How a check came out, from best to worst.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// The check passed.
        case pass
        /// Worth knowing; nothing to fix.
        case info
        /// The provider works with jwtk, but something should be fixed.
        case warning
        /// The provider is not usable as configured.
        case error
    }

    /// The check (stable): `issuer`, `https`, `rs256`, `alg_none`, `alg_hmac`, `alg_unknown`, `algorithms`,
    /// `jwks`, `jwks_skipped`.
    public let id: String
    /// How it came out.
    public let outcome: Outcome
    /// A stable code for this particular finding, for scripts (for example `issuer_trailing_slash`,
    /// `plain_http_loopback`, `no_common_algorithm`); equal to ``id`` when the check has one finding only.
    public let code: String
    /// A sentence with the values involved.
    public let message: String
    /// What to change, when the finding has a fix.
    public let hint: String?
    /// The specification section the check enforces.
    public let reference: String

    /// Creates a finding.
    public init(id: String, outcome: Outcome, code: String? = nil, message: String, hint: String? = nil, reference: String) {
        self.id = id
        self.outcome = outcome
        self.code = code ?? id
        self.message = message
        self.hint = hint
        self.reference = reference
    }
}

/// The checks `jwtk discover` prints, as a library call: fetches an OpenID Provider's discovery document and
/// JWK Set once and returns what a relying party needs to know before trusting it.
///
/// Unlike ``OIDCDiscovery``, a document whose `issuer` differs from the configured one does not end the
/// report: the mismatch is an `error` finding that names the near miss (trailing slash, `localhost` vs
/// `127.0.0.1`, http vs https, the case of the host), and the rest of the document is still checked, so a
/// single run shows everything that is wrong. The report is never used to verify tokens.
///
/// ```swift
/// let report = try await OIDCDiscoveryReport.run(issuer: "https://auth.smarttask.io")
/// for check in report.checks where check.outcome != .pass {
///     print(check.outcome, check.message, check.hint ?? "")
/// }
/// ```
public struct OIDCDiscoveryReport: Sendable {
    /// The issuer as configured.
    public let issuer: String
    /// Where the discovery document was fetched from.
    public let discoveryURL: URL
    /// The provider's metadata. When the document's issuer differs from ``issuer`` it is the document read
    /// against its own issuer (see ``issuerError``), for display only.
    public let metadata: OIDCProviderMetadata
    /// The `issuer_mismatch` error ``OIDCDiscovery`` would have thrown, or nil when the issuer is exact.
    public let issuerError: JWTKRemoteError?
    /// The ID token algorithms a relying party with this allow-list accepts, sorted; nil when there is none.
    public let acceptedAlgorithms: [String]?
    /// Why the JWK Set is not usable, or nil.
    public let jwksError: JWTKRemoteError?
    /// The JWK Set's statistics after its fetch (usable and skipped keys), or nil when it could not be made.
    public let jwksStatistics: RemoteJWKS.Statistics?
    /// The discovery document's response (status, caching headers, body).
    public let discoveryResponse: HTTPFetchResponse
    /// The JWK Set's last response, when one arrived.
    public let jwksResponse: HTTPFetchResponse?
    /// Every finding, in the order they were checked.
    public let checks: [DiscoveryCheck]

    /// Whether no check came out as an error.
    public var isUsable: Bool { !checks.contains { $0.outcome == .error } }

    /// Fetches the discovery document and the JWK Set it names, and checks them.
    ///
    /// - Parameters:
    ///   - issuer: the issuer, exactly as tokens carry it in `iss`.
    ///   - allowedAlgorithms: the relying party's allow-list (default: every asymmetric algorithm).
    ///   - discovery: timeout and size cap of the discovery request.
    ///   - jwks: timeout, size cap and key limits of the JWK Set request.
    ///   - fetcher: the transport.
    /// - Throws: ``JWTKRemoteError`` when there is no document to report on: `insecureURL` (refused before
    ///   any connection), fetch errors, `httpStatus`, `unexpectedContentType`, `invalidDocument`. An issuer
    ///   mismatch, an unusable JWK Set and no common algorithm are findings, not errors.
    public static func run(
        issuer: String, allowedAlgorithms: Set<JWSAlgorithm> = OIDCVerifier.Configuration().allowedAlgorithms,
        discovery: OIDCDiscovery.Configuration = OIDCDiscovery.Configuration(),
        jwks: RemoteJWKS.Configuration = RemoteJWKS.Configuration(), fetcher: any HTTPFetching = URLSessionFetcher()
    ) async throws(JWTKRemoteError) -> OIDCDiscoveryReport {
        let url = try OIDCProviderMetadata.discoveryURL(forIssuer: issuer)
        let request = HTTPFetchRequest(
            url: url, headers: ["Accept": "application/json", "User-Agent": HTTPFetchRequest.defaultUserAgent],
            timeout: discovery.timeout, maxResponseBytes: discovery.maxResponseBytes)
        let response = try await RemoteDocument.get(request, using: fetcher)
        guard response.status == 200 else { throw RemoteDocument.statusError(response, url: url) }
        try RemoteDocument.requireJSON(response, url: url)

        var checks: [DiscoveryCheck] = []
        let metadata: OIDCProviderMetadata
        var issuerError: JWTKRemoteError?
        do throws(JWTKRemoteError) {
            metadata = try OIDCProviderMetadata(json: response.body, expectedIssuer: issuer)
            checks.append(
                DiscoveryCheck(
                    id: "issuer", outcome: .pass, message: "the document's issuer equals \(issuer) exactly",
                    reference: "OpenID Connect Discovery §4.3"))
        } catch  where error.code == .issuerMismatch {
            // Read the document against its own issuer so the rest of it can still be checked.
            let served = (try? RemoteDocument.object(response.body, what: "the discovery document"))?["issuer"]?.string ?? ""
            do throws(JWTKRemoteError) {
                metadata = try OIDCProviderMetadata(json: response.body, expectedIssuer: served)
            } catch {
                throw JWTKRemoteError(error.code, error.reason, url: url.absoluteString, underlying: error.underlying)
            }
            issuerError = JWTKRemoteError(error.code, error.reason, url: url.absoluteString)
            let nearMiss = OIDCIssuerNearMiss(configured: issuer, served: served)
            checks.append(
                DiscoveryCheck(
                    id: "issuer", outcome: .error, code: nearMiss.map { "issuer_\($0.kind.rawValue)" } ?? "issuer_mismatch",
                    message:
                        "the document's issuer \(JSONText.quote(served, escapingLineBreaks: true)) is not \(JSONText.quote(issuer, escapingLineBreaks: true))\(nearMiss.map { ": \($0.explanation)" } ?? "")",
                    hint: "use the issuer exactly as the provider states it (and as its tokens carry it in iss): \(served)",
                    reference: "OpenID Connect Discovery §4.3"))
        } catch {
            throw JWTKRemoteError(error.code, error.reason, url: url.absoluteString, underlying: error.underlying)
        }

        checks += httpsChecks(metadata)
        let (accepted, algorithmChecks) = Self.algorithmChecks(metadata, allowed: allowedAlgorithms)
        checks += algorithmChecks

        let log = FetchLog()
        var jwksError: JWTKRemoteError?
        var statistics: RemoteJWKS.Statistics?
        do throws(JWTKRemoteError) {
            var jwks = jwks
            let caller = jwks.fetchObserver
            jwks.fetchObserver = { event in
                log.record(event)
                caller?(event)
            }
            let source = try RemoteJWKS(url: metadata.jwksURI, configuration: jwks, fetcher: fetcher)
            try await source.refresh()
            statistics = source.statistics
        } catch {
            jwksError = error
        }
        if let jwksError {
            checks.append(
                DiscoveryCheck(
                    id: "jwks", outcome: .error, code: jwksError.code.rawValue, message: "jwks_uri is not usable: \(jwksError.message)",
                    reference: "RFC 7517 §5"))
        } else if let statistics {
            checks.append(
                DiscoveryCheck(
                    id: "jwks", outcome: .pass,
                    message:
                        "jwks_uri answered with \(statistics.keyCount) usable key\(statistics.keyCount == 1 ? "" : "s"), \(statistics.skippedKeys) skipped",
                    reference: "RFC 7517 §5"))
        }
        for skip in statistics?.skippedKeyDetails ?? [] {
            let kid = skip.keyID.map { " kid \(JSONText.quote($0, escapingLineBreaks: true))" } ?? ""
            checks.append(
                DiscoveryCheck(
                    id: "jwks_skipped", outcome: .info, code: skip.reason.code.rawValue,
                    message: "key #\(skip.index)\(kid) is skipped: \(skip.reason.reason) [\(skip.reason.code.rawValue)]",
                    reference: "RFC 7517 §5"))
        }
        return OIDCDiscoveryReport(
            issuer: issuer, discoveryURL: url, metadata: metadata, issuerError: issuerError, acceptedAlgorithms: accepted,
            jwksError: jwksError, jwksStatistics: statistics, discoveryResponse: response,
            jwksResponse: log.lastResponse(for: metadata.jwksURI), checks: checks)
    }

    private static func httpsChecks(_ metadata: OIDCProviderMetadata) -> [DiscoveryCheck] {
        var plain: [String] = []
        var refused: [String] = []
        for (name, value) in [
            ("issuer", Optional(metadata.issuer)), ("jwks_uri", metadata.jwksURI.absoluteString),
            ("userinfo_endpoint", metadata.userinfoEndpoint),
        ] {
            guard let value else { continue }
            if value.lowercased().hasPrefix("https://") { continue }
            if (try? RemoteURLPolicy.url(value)) != nil { plain.append(name) } else { refused.append(name) }
        }
        var checks: [DiscoveryCheck] = []
        let reference = "OpenID Connect Discovery §3"
        if !refused.isEmpty {
            checks.append(
                DiscoveryCheck(
                    id: "https", outcome: .error, code: "insecure_url",
                    message: "\(refused.joined(separator: ", ")) is neither https nor http to a loopback host: jwtk refuses to fetch it",
                    hint: "publish https URLs", reference: reference))
        }
        if !plain.isEmpty {
            checks.append(
                DiscoveryCheck(
                    id: "https", outcome: .warning, code: "plain_http_loopback",
                    message:
                        "\(plain.joined(separator: ", ")) \(plain.count == 1 ? "uses" : "use") plain http, accepted only because the host is loopback; a real provider must use https",
                    reference: reference))
        } else if refused.isEmpty {
            checks.append(
                DiscoveryCheck(
                    id: "https", outcome: .pass, message: "issuer, jwks_uri and userinfo_endpoint use https", reference: reference))
        }
        return checks
    }

    private static func algorithmChecks(_ metadata: OIDCProviderMetadata, allowed: Set<JWSAlgorithm>) -> ([String]?, [DiscoveryCheck]) {
        var checks: [DiscoveryCheck] = []
        let published = metadata.idTokenSigningAlgorithms
        if !published.contains("RS256") {
            checks.append(
                DiscoveryCheck(
                    id: "rs256", outcome: .warning,
                    message: "id_token_signing_alg_values_supported does not include RS256, which is required",
                    reference: "OpenID Connect Discovery §3"))
        }
        if published.contains(where: JWSAlgorithm.isUnsecuredName) {
            checks.append(
                DiscoveryCheck(
                    id: "alg_none", outcome: .warning,
                    message: "none is advertised for ID tokens: unsigned ID tokens; jwtk never accepts them",
                    reference: "RFC 8725 §3.1; OpenID Connect Core §3.1.3.7"))
        }
        let hmac = published.filter { $0.uppercased().hasPrefix("HS") }
        if !hmac.isEmpty {
            checks.append(
                DiscoveryCheck(
                    id: "alg_hmac", outcome: .warning,
                    message:
                        "\(hmac.joined(separator: ", ")) advertised for ID tokens: those are signed with the client secret, which jwks_uri cannot carry; verify --issuer does not accept them",
                    reference: "OpenID Connect Core §10.1"))
        }
        let unknown = published.filter { !JWSAlgorithm.isUnsecuredName($0) && JWSAlgorithm(rawValue: $0) == nil }
        if !unknown.isEmpty {
            checks.append(
                DiscoveryCheck(
                    id: "alg_unknown", outcome: .info, message: "not implemented by jwtk: \(unknown.joined(separator: ", "))",
                    reference: "RFC 7518 §3.1"))
        }
        do throws(JWTKRemoteError) {
            let accepted = try metadata.idTokenAlgorithms(allowedBy: allowed).map(\.rawValue).sorted()
            checks.append(
                DiscoveryCheck(
                    id: "algorithms", outcome: .pass,
                    message: "verify --issuer accepts ID tokens signed with \(accepted.joined(separator: ", "))", reference: "RFC 8725 §3.1"
                ))
            return (accepted, checks)
        } catch {
            checks.append(
                DiscoveryCheck(
                    id: "algorithms", outcome: .error, code: error.code.rawValue, message: error.message,
                    hint: "allow one of the provider's algorithms, or have the provider publish one you allow", reference: "RFC 8725 §3.1"))
            return (nil, checks)
        }
    }
}

/// How a configured issuer and the one a provider states differ, when they differ only in a way people get
/// wrong: a trailing slash, `localhost` vs a loopback address, http vs https, or the case of the host.
/// Issuers are compared byte for byte (OpenID Connect Discovery §4.3), so each of these is a mismatch.
public struct OIDCIssuerNearMiss: Sendable, Hashable {
    /// The kind of near miss (its `rawValue` is stable).
    public enum Kind: String, Sendable, Hashable {
        /// One has a trailing `/`, the other not.
        case trailingSlash = "trailing_slash"
        /// `localhost` on one side, `127.0.0.1` or `[::1]` on the other.
        case loopbackName = "loopback_name"
        /// `http` on one side, `https` on the other.
        case scheme
        /// The host differs only in letter case.
        case hostCase = "host_case"
    }

    /// What differs.
    public let kind: Kind
    /// A clause naming the difference, for example `they differ only by a trailing slash`.
    public let explanation: String

    /// The near miss between `configured` and `served`, or nil when they are equal or differ otherwise.
    public init?(configured: String, served: String) {
        guard configured != served else { return nil }
        if configured + "/" == served || served + "/" == configured {
            kind = .trailingSlash
            explanation =
                "they differ only by a trailing slash (\(served.hasSuffix("/") ? "the provider's has one" : "yours has one, the provider's has none"))"
            return
        }
        guard let a = URLComponents(string: configured), let b = URLComponents(string: served), let hostA = a.host, let hostB = b.host
        else { return nil }
        func same(scheme: Bool = true, host: Bool = true) -> Bool {
            (!scheme || a.scheme == b.scheme) && (!host || a.host == b.host) && a.port == b.port && a.path == b.path
                && a.user == b.user && a.query == b.query
        }
        if a.scheme?.lowercased() != b.scheme?.lowercased(), same(scheme: false) {
            kind = .scheme
            explanation = "they differ only in the scheme (\(a.scheme ?? "") configured, \(b.scheme ?? "") stated by the provider)"
            return
        }
        let loopback: Set<String> = ["localhost", "127.0.0.1", "[::1]", "::1"]
        if hostA.lowercased() != hostB.lowercased(), loopback.contains(hostA.lowercased()), loopback.contains(hostB.lowercased()),
            same(host: false)
        {
            kind = .loopbackName
            explanation = "\(hostA) and \(hostB) name the same machine, but they are different issuers"
            return
        }
        if hostA != hostB, hostA.lowercased() == hostB.lowercased(), same(host: false) {
            kind = .hostCase
            explanation = "the host differs only in letter case (\(hostA) vs \(hostB)); issuers are compared byte for byte"
            return
        }
        return nil
    }
}

extension OIDCProviderMetadata {
    /// The issuer a discovery URL belongs to: `https://idp.example/.well-known/openid-configuration` gives
    /// `https://idp.example` (Discovery §4.1), so that a pasted discovery URL can be used where an issuer is
    /// expected. Nil when `url` does not end with `/.well-known/openid-configuration`.
    public static func issuer(fromDiscoveryURL url: String) -> String? {
        let suffix = "/.well-known/openid-configuration"
        guard url.hasSuffix(suffix), url.count > suffix.count else { return nil }
        return String(url.dropLast(suffix.count))
    }
}
