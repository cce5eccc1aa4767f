import ArgumentParser
import Foundation
import JWTK
import JWTKInspection
import JWTKRemote

/// `jwtk discover`: fetch and check an OpenID Provider's metadata and keys.
struct Discover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch an OpenID Provider's discovery document and JWK Set, and check them.",
        discussion: """
            Fetches ISSUER/.well-known/openid-configuration the way verify --issuer does (https, or plain http to \
            a loopback host only; same-origin redirects; a size cap; JSON only), requires its issuer to equal \
            ISSUER exactly (OpenID Connect Discovery §4.3), prints the endpoints and algorithms, then fetches \
            jwks_uri and checks:
              issuer identity; https for issuer, jwks_uri and userinfo_endpoint; RS256 advertised (Discovery §3); \
            none or HS* advertised for ID tokens; algorithms jwtk does not implement; the algorithms verify \
            --issuer would accept (advertised and allowed by --alg); jwks_uri reachable, with its usable and \
            skipped keys and the errors and warnings of the jwks lint; the caching headers of both documents.

            Exit 0 when the provider is usable (warnings may be printed), 2 for a usage error (an http issuer on a \
            non-loopback host is refused before any connection), 3 when discovery fails (network, HTTP status, \
            invalid document, issuer mismatch) or a check fails (jwks_uri unusable, no common algorithm, an error \
            in the JWK Set lint), after the report is printed.

            --json prints {issuer, discovery_url, metadata, id_token_algorithms, accepted_algorithms, jwks{url, \
            keys, usable, skipped, error}, checks[{id, outcome, message, reference}], http{discovery, jwks}, ok}.

            \(exitStatusHelp)
            """)

    @Argument(help: ArgumentHelp("The provider's issuer URL, exactly as its tokens carry it in iss.", valueName: "ISSUER"))
    var issuer: String

    @Option(
        name: .customLong("alg"),
        help: ArgumentHelp(
            "Comma-separated allow-list to intersect with the advertised ID token algorithms. Default: every asymmetric algorithm.",
            valueName: "LIST"))
    var algorithms: String?

    @OptionGroup(title: "Output")
    var output: OutputOptions

    @OptionGroup(title: "Remote")
    var remote: RemoteOptions

    /// One check of the report.
    struct Check {
        let id: String
        /// `pass`, `info`, `warning` or `error`.
        let outcome: String
        let message: String
        let reference: String

        var json: JSONOut {
            .object([("id", .string(id)), ("outcome", .string(outcome)), ("message", .string(message)), ("reference", .string(reference))])
        }
    }

    func run() async throws {
        _ = try Remote.url(issuer, option: "discover")
        var allowed = OIDCVerifier.Configuration().allowedAlgorithms
        if algorithms != nil {
            var options = PolicyOptions()
            options.algorithms = algorithms
            allowed = try options.algorithmList(keys: [])
        }
        let timeout = try remote.seconds()
        let log = FetchLog()
        var configuration = OIDCDiscovery.Configuration()
        configuration.timeout = timeout
        configuration.logger = remote.logger("jwtk.remote.discovery")
        configuration.fetchObserver = log.observer
        let discovery = try Remote.setup { () throws(JWTKRemoteError) in
            try OIDCDiscovery(issuer: issuer, configuration: configuration)
        }
        let metadata = try await Remote.fetch { () async throws(JWTKRemoteError) in try await discovery.metadata() }
        let now = JWTClock.system.now
        var checks: [Check] = []
        checks.append(
            Check(
                id: "issuer", outcome: "pass", message: "the document's issuer equals \(Terminal.line(issuer)) exactly",
                reference: "OpenID Connect Discovery §4.3"))

        // https
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
        if !refused.isEmpty {
            checks.append(
                Check(
                    id: "https", outcome: "error",
                    message: "\(refused.joined(separator: ", ")) is neither https nor http to a loopback host: jwtk refuses to fetch it",
                    reference: "OpenID Connect Discovery §3"))
        }
        if !plain.isEmpty {
            checks.append(
                Check(
                    id: "https", outcome: "warning",
                    message:
                        "\(plain.joined(separator: ", ")) \(plain.count == 1 ? "uses" : "use") plain http, accepted only because the host is loopback; a real provider must use https",
                    reference: "OpenID Connect Discovery §3"))
        } else if refused.isEmpty {
            checks.append(
                Check(
                    id: "https", outcome: "pass", message: "issuer, jwks_uri and userinfo_endpoint use https",
                    reference: "OpenID Connect Discovery §3"))
        }

        // Algorithms
        let published = metadata.idTokenSigningAlgorithms
        if !published.contains("RS256") {
            checks.append(
                Check(
                    id: "rs256", outcome: "warning",
                    message: "id_token_signing_alg_values_supported does not include RS256, which is required",
                    reference: "OpenID Connect Discovery §3"))
        }
        if published.contains(where: JWSAlgorithm.isUnsecuredName) {
            checks.append(
                Check(
                    id: "alg_none", outcome: "warning",
                    message: "none is advertised for ID tokens: unsigned ID tokens; jwtk never accepts them",
                    reference: "RFC 8725 §3.1; OpenID Connect Core §3.1.3.7"))
        }
        let hmac = published.filter { $0.uppercased().hasPrefix("HS") }
        if !hmac.isEmpty {
            checks.append(
                Check(
                    id: "alg_hmac", outcome: "warning",
                    message:
                        "\(hmac.joined(separator: ", ")) advertised for ID tokens: those are signed with the client secret, which jwks_uri cannot carry; verify --issuer does not accept them",
                    reference: "OpenID Connect Core §10.1"))
        }
        let unknown = published.filter { !JWSAlgorithm.isUnsecuredName($0) && JWSAlgorithm(rawValue: $0) == nil }
        if !unknown.isEmpty {
            checks.append(
                Check(
                    id: "alg_unknown", outcome: "info",
                    message: "not implemented by jwtk: \(unknown.map(Terminal.line).joined(separator: ", "))",
                    reference: "RFC 7518 §3.1"))
        }
        var accepted: [String]?
        do throws(JWTKRemoteError) {
            let common = try metadata.idTokenAlgorithms(allowedBy: allowed)
            accepted = common.map(\.rawValue).sorted()
            checks.append(
                Check(
                    id: "algorithms", outcome: "pass",
                    message: "verify --issuer accepts ID tokens signed with \(accepted!.joined(separator: ", "))",
                    reference: "RFC 8725 §3.1"))
        } catch {
            checks.append(Check(id: "algorithms", outcome: "error", message: Remote.message(error), reference: "RFC 8725 §3.1"))
        }

        // The JWK Set
        var jwksConfiguration = RemoteJWKS.Configuration()
        jwksConfiguration.timeout = timeout
        jwksConfiguration.logger = remote.logger("jwtk.remote.jwks")
        jwksConfiguration.fetchObserver = log.observer
        var jwksError: JWTKRemoteError?
        var statistics: RemoteJWKS.Statistics?
        do throws(JWTKRemoteError) {
            let jwks = try RemoteJWKS(url: metadata.jwksURI, configuration: jwksConfiguration)
            try await jwks.refresh()
            statistics = jwks.statistics
        } catch {
            jwksError = error
        }
        let jwksResponse = log.lastResponse(for: metadata.jwksURI)
        let jwksBody = jwksResponse.flatMap { $0.status == 200 ? $0.body : nil }
        let lint = jwksBody.flatMap { try? JWKSLint.lint(bytes: $0, limits: jwksConfiguration.jwksLimits) }
        if let jwksError {
            checks.append(
                Check(
                    id: "jwks", outcome: "error", message: "jwks_uri is not usable: \(Remote.message(jwksError))", reference: "RFC 7517 §5")
            )
        } else if let statistics {
            checks.append(
                Check(
                    id: "jwks", outcome: "pass",
                    message:
                        "jwks_uri answered with \(statistics.keyCount) usable key\(statistics.keyCount == 1 ? "" : "s"), \(statistics.skippedKeys) skipped",
                    reference: "RFC 7517 §5"))
        }
        for skip in statistics?.skippedKeyDetails ?? [] {
            let kid = skip.keyID.map { " kid \(Terminal.line(JSONOut.quote($0)))" } ?? ""
            checks.append(
                Check(
                    id: "jwks_skipped", outcome: "info",
                    message: "key #\(skip.index)\(kid) is skipped: \(Terminal.line(skip.reason.reason)) [\(skip.reason.code.rawValue)]",
                    reference: "RFC 7517 §5"))
        }
        for finding in lint?.allFindings ?? [] where finding.severity != .info && finding.id != "skipped" {
            checks.append(
                Check(
                    id: "jwks_lint", outcome: finding.severity.rawValue, message: "JWK Set: \(Terminal.line(finding.message))",
                    reference: finding.reference))
        }

        // Caching
        let discoveryCache = log.lastResponse(for: discovery.documentURL).map {
            CacheReport($0, bounds: configuration.freshness, now: now, document: "discovery document")
        }
        let jwksCache = jwksResponse.flatMap {
            $0.status == 200 ? CacheReport($0, bounds: jwksConfiguration.freshness, now: now, document: "JWK Set") : nil
        }
        for (prefix, report) in [("discovery document", discoveryCache), ("JWK Set", jwksCache)] {
            for finding in report?.findings ?? [] {
                checks.append(
                    Check(
                        id: "cache", outcome: finding.severity.rawValue, message: "\(prefix): \(finding.message)",
                        reference: finding.reference))
            }
        }

        let ok = !checks.contains { $0.outcome == "error" }
        if output.json {
            let metadataJSON = JSONOut(metadata.document)
            let skipped = VerifyOutput.skippedJSON(statistics?.skippedKeyDetails ?? [])
            let json: JSONOut = .object([
                ("issuer", .string(metadata.issuer)),
                ("discovery_url", .string(discovery.documentURL.absoluteString)),
                ("metadata", metadataJSON),
                ("id_token_algorithms", .strings(published)),
                ("accepted_algorithms", .strings(accepted)),
                (
                    "jwks",
                    .object([
                        ("url", .string(metadata.jwksURI.absoluteString)), ("keys", .optional(lint?.entries.count)),
                        ("usable", .optional(statistics?.keyCount)), ("skipped", skipped),
                        ("error", jwksError.map(Remote.errorJSON) ?? .null),
                    ])
                ),
                ("checks", .array(checks.map(\.json))),
                ("http", .object([("discovery", discoveryCache?.json ?? .null), ("jwks", jwksCache?.json ?? .null)])),
                ("ok", .bool(ok)),
            ])
            JSONDocumentOut.emit(json)
        } else {
            let style = output.style
            var out = ""
            func row(_ name: String, _ value: String?) { out += "\(name.padding(17)) \(Terminal.line(value ?? "-"))\n" }
            row("Issuer", metadata.issuer)
            row("Discovery", discovery.documentURL.absoluteString)
            row("jwks_uri", metadata.jwksURI.absoluteString)
            row("userinfo", metadata.userinfoEndpoint)
            row("authorization", metadata.authorizationEndpoint)
            row("token", metadata.tokenEndpoint)
            row("end_session", metadata.endSessionEndpoint)
            row("ID token algs", published.joined(separator: ", "))
            row("Accepted algs", accepted.map { "\($0.joined(separator: ", ")) (advertised and allowed)" } ?? "none in common")
            row("Response types", metadata.responseTypesSupported.isEmpty ? nil : metadata.responseTypesSupported.joined(separator: ", "))
            row("Subject types", metadata.subjectTypesSupported.isEmpty ? nil : metadata.subjectTypesSupported.joined(separator: ", "))
            row("Scopes", metadata.scopesSupported?.joined(separator: ", "))
            if let lint, let statistics {
                row(
                    "JWK Set",
                    "\(lint.entries.count) key\(lint.entries.count == 1 ? "" : "s"), \(statistics.keyCount) usable, \(statistics.skippedKeys) skipped"
                )
            } else {
                row("JWK Set", "not usable")
            }
            out += "\n" + style.bold("Checks") + "\n"
            for check in checks {
                out += "  \(style.outcomeOrSeverity(check.outcome.padding(7)))  \(Terminal.line(check.message)) (\(check.reference))\n"
            }
            if let discoveryCache {
                out += "\n" + style.bold("HTTP: discovery document") + "\n" + discoveryCache.text(style: style, findings: false)
            }
            if let jwksCache { out += "\n" + style.bold("HTTP: JWK Set") + "\n" + jwksCache.text(style: style, findings: false) }
            print(out, terminator: "")
        }
        if !ok {
            let first = checks.first { $0.outcome == "error" }!
            throw CLIFailure(.remote, "\(issuer): the provider is not usable: \(first.message)")
        }
    }
}

/// `jwtk userinfo`: call the provider's userinfo endpoint.
struct UserInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "userinfo",
        abstract: "Call an OpenID Provider's userinfo endpoint with an access token and print the claims.",
        discussion: """
            Discovers ISSUER (as discover does), then GETs its userinfo_endpoint with Authorization: Bearer and \
            prints the JSON object it returns. The access token is read from a file (or stdin with "-"), never \
            from argv. With --sub, the response's sub must equal it (OpenID Connect Core §5.3.2: pass the sub of \
            the ID token obtained with the access token).

            Exit 0 with the claims, 2 for a usage error (an empty token, or one outside RFC 6750 b64token; an http issuer on \
            a non-loopback host), 3 when discovery or the call fails (401 with the server's WWW-Authenticate, a \
            signed application/jwt response, which is not supported, a sub mismatch, no userinfo_endpoint).

            \(exitStatusHelp)
            """)

    @Option(help: ArgumentHelp("The provider's issuer URL.", valueName: "URL"))
    var issuer: String

    @Option(
        name: .customLong("token-file"),
        help: ArgumentHelp("A file holding the access token (one trailing newline is removed); \"-\" reads stdin.", valueName: "PATH"),
        completion: .file())
    var tokenFile: String

    @Option(help: ArgumentHelp("The expected sub (the verified ID token's).", valueName: "SUB"))
    var sub: String?

    @OptionGroup(title: "Output")
    var output: OutputOptions

    @OptionGroup(title: "Remote")
    var remote: RemoteOptions

    func run() async throws {
        _ = try Remote.url(issuer, option: "--issuer")
        // Invalid UTF-8 decodes to U+FFFD, which is outside b64token too: no byte is silently changed and sent.
        let token = String(decoding: Input.strippingOneNewline(try Input.file(tokenFile)), as: UTF8.self)
        guard UserInfoClient.isBearerToken(token) else {
            throw CLIFailure.usage(
                "--token-file: the access token is \(token.isEmpty ? "empty" : "not an RFC 6750 §2.1 b64token (letters, digits, - . _ ~ + / and trailing =)"); nothing was sent [invalid_argument]"
            )
        }
        var configuration = OIDCDiscovery.Configuration()
        configuration.timeout = try remote.seconds()
        configuration.logger = remote.logger("jwtk.remote.discovery")
        let discovery = try Remote.setup { () throws(JWTKRemoteError) in try OIDCDiscovery(issuer: issuer, configuration: configuration) }
        let info = try await Remote.fetch { () async throws(JWTKRemoteError) in
            try await discovery.userInfo(accessToken: token, expectedSubject: sub)
        }
        print(JSONOut(info.document).rendered(style: output.style))
    }
}
