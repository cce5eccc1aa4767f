import ArgumentParser
import Foundation
import JWTK
import JWTKInspection
import JWTKRemote

/// `jwtk discover`: fetch and check an OpenID Provider's metadata and keys.
struct Discover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch an OpenID Provider's discovery document and JWK Set, and check them.",
        usage: "jwtk discover <ISSUER> [--alg <LIST>] [--json] [options]",
        discussion: """
            Fetches ISSUER/.well-known/openid-configuration the way verify --issuer does (https, or plain http to \
            a loopback host only; same-origin redirects; a size cap; JSON only), requires its issuer to equal \
            ISSUER exactly (OpenID Connect Discovery §4.3; a mismatch is an error check naming the near miss, and \
            the rest is still reported), prints the endpoints and algorithms, then fetches jwks_uri and checks:
              issuer identity; https for issuer, jwks_uri and userinfo_endpoint; RS256 advertised (Discovery §3); \
            none or HS* advertised for ID tokens; algorithms jwtk does not implement; the algorithms verify \
            --issuer would accept (advertised and allowed by --alg); jwks_uri reachable, with its usable and \
            skipped keys and the errors and warnings of the jwks lint; the caching headers of both documents.

            Exit 0 when the provider is usable (warnings may be printed), 2 for a usage error (an http issuer on a \
            non-loopback host is refused before any connection), 3 when discovery fails (network, HTTP status, \
            invalid document) or a check fails (issuer mismatch, jwks_uri unusable, no common algorithm, an error \
            in the JWK Set lint), after the report is printed.

            --json prints {issuer, discovery_url, metadata, id_token_algorithms, accepted_algorithms, jwks{url, \
            keys, usable, skipped, error}, checks[{id, outcome, code, message, hint, reference}], http{discovery, \
            jwks}, notes, ok}. A discovery URL given as ISSUER is used for its issuer, with a note.

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

    func run() async throws {
        let (issuer, note) = try IssuerInput.checked(self.issuer, option: "discover")
        var allowed = OIDCVerifier.Configuration().allowedAlgorithms
        if algorithms != nil {
            var options = PolicyOptions()
            options.algorithms = algorithms
            allowed = try options.algorithmList(keys: [])
        }
        let timeout = try remote.seconds()
        var configuration = OIDCDiscovery.Configuration()
        configuration.timeout = timeout
        configuration.logger = remote.logger("jwtk.remote.discovery")
        var jwksConfiguration = RemoteJWKS.Configuration()
        jwksConfiguration.timeout = timeout
        jwksConfiguration.logger = remote.logger("jwtk.remote.jwks")
        let report = try await Remote.fetch(timeout: timeout) { () async throws(JWTKRemoteError) in
            try await OIDCDiscoveryReport.run(
                issuer: issuer, allowedAlgorithms: allowed, discovery: configuration, jwks: jwksConfiguration)
        }
        let now = JWTClock.system.now
        let metadata = report.metadata
        let statistics = report.jwksStatistics
        var checks = report.checks

        // The JWK Set lint and the caching advice are the CLI's (they share their code with `jwtk jwks`).
        let jwksBody = report.jwksResponse.flatMap { $0.status == 200 ? $0.body : nil }
        let lint = jwksBody.flatMap { try? JWKSLint.lint(bytes: $0, limits: jwksConfiguration.jwksLimits) }
        for finding in lint?.allFindings ?? [] where finding.severity != .info && finding.id != "skipped" {
            checks.append(
                DiscoveryCheck(
                    id: "jwks_lint", outcome: DiscoveryCheck.Outcome(rawValue: finding.severity.rawValue) ?? .warning, code: finding.id,
                    message: "JWK Set: \(finding.message)", reference: finding.reference))
        }
        let discoveryCache = CacheReport(
            report.discoveryResponse, bounds: configuration.freshness, now: now, document: "discovery document")
        let jwksCache = report.jwksResponse.flatMap {
            $0.status == 200 ? CacheReport($0, bounds: jwksConfiguration.freshness, now: now, document: "JWK Set") : nil
        }
        for (prefix, cache) in [("discovery document", Optional(discoveryCache)), ("JWK Set", jwksCache)] {
            for finding in cache?.findings ?? [] {
                checks.append(
                    DiscoveryCheck(
                        id: "cache", outcome: DiscoveryCheck.Outcome(rawValue: finding.severity.rawValue) ?? .info, code: finding.id,
                        message: "\(prefix): \(finding.message)", reference: finding.reference))
            }
        }

        let ok = !checks.contains { $0.outcome == .error }
        let published = metadata.idTokenSigningAlgorithms
        let accepted = report.acceptedAlgorithms
        if output.json {
            let skipped = VerifyOutput.skippedJSON(statistics?.skippedKeyDetails ?? [])
            let json: JSONOut = .object([
                ("issuer", .string(metadata.issuer)),
                ("discovery_url", .string(report.discoveryURL.absoluteString)),
                ("metadata", JSONOut(metadata.document)),
                ("id_token_algorithms", .strings(published)),
                ("accepted_algorithms", .strings(accepted)),
                (
                    "jwks",
                    .object([
                        ("url", .string(metadata.jwksURI.absoluteString)), ("keys", .optional(lint?.entries.count)),
                        ("usable", .optional(statistics?.keyCount)), ("skipped", skipped),
                        ("error", report.jwksError.map(Remote.errorJSON) ?? .null),
                    ])
                ),
                ("checks", .array(checks.map(Self.json))),
                ("http", .object([("discovery", discoveryCache.json), ("jwks", jwksCache?.json ?? .null)])),
                ("notes", .strings(note.map { [$0] } ?? [])),
                ("ok", .bool(ok)),
            ])
            JSONDocumentOut.emit(json)
        } else {
            let style = output.style
            var out = ""
            func row(_ name: String, _ value: String?) { out += "\(name.padding(17)) \(Terminal.line(value ?? "-"))\n" }
            row("Issuer", metadata.issuer)
            row("Discovery", report.discoveryURL.absoluteString)
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
                out +=
                    "  \(style.outcomeOrSeverity(check.outcome.rawValue.padding(7)))  \(Terminal.line(check.message)) (\(check.reference))\n"
                if let hint = check.hint { out += "           fix: \(Terminal.line(hint))\n" }
            }
            out += "\n" + style.bold("HTTP: discovery document") + "\n" + discoveryCache.text(style: style, findings: false)
            if let jwksCache { out += "\n" + style.bold("HTTP: JWK Set") + "\n" + jwksCache.text(style: style, findings: false) }
            print(out, terminator: "")
        }
        if !ok {
            let first = checks.first { $0.outcome == .error }!
            throw CLIFailure(.remote, "\(issuer): the provider is not usable: \(first.message)")
        }
    }

    /// `{id, outcome, code, message, hint, reference}`.
    static func json(_ check: DiscoveryCheck) -> JSONOut {
        .object([
            ("id", .string(check.id)), ("outcome", .string(check.outcome.rawValue)), ("code", .string(check.code)),
            ("message", .string(check.message)), ("hint", .optional(check.hint)), ("reference", .string(check.reference)),
        ])
    }
}

/// `jwtk userinfo`: call the provider's userinfo endpoint.
struct UserInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "userinfo",
        abstract: "Call an OpenID Provider's userinfo endpoint with an access token and print the claims.",
        usage: "jwtk userinfo --issuer <URL> --token-file <PATH> [--sub <SUB>] [options]",
        discussion: """
            Discovers ISSUER (as discover does), then GETs its userinfo_endpoint with Authorization: Bearer and \
            prints the JSON object it returns. The access token is read from a file (or stdin with "-"), never \
            from argv. With --sub, the response's sub must equal it (OpenID Connect Core §5.3.2: pass the sub of \
            the ID token obtained with the access token). When the provider refuses the token, its error and \
            error_description (JSON body or WWW-Authenticate, RFC 6750 §3) are shown.

            --json prints {ok, issuer, sub, claims} (claims: the provider's object as received).

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
        let issuer = try IssuerInput.checked(self.issuer, option: "--issuer").issuer
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
        let info = try await Remote.fetch(timeout: configuration.timeout) { () async throws(JWTKRemoteError) in
            try await discovery.userInfo(accessToken: token, expectedSubject: sub)
        }
        if output.json {
            JSONDocumentOut.emit(
                .object([
                    ("ok", .bool(true)), ("issuer", .string(issuer)), ("sub", .string(info.subject)),
                    ("claims", JSONOut(info.document)),
                ]))
        } else {
            print(JSONOut(info.document).rendered(style: output.style))
        }
    }
}
