import ArgumentParser
import Foundation
import JWTK
import JWTKInspection
import JWTKRemote

/// `jwtk jwks`: list and lint the keys of a JWK Set, from a file or a URL.
struct JWKSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwks",
        abstract: "List the keys of a JWK Set with their RFC 7638 thumbprints, and lint them.",
        usage: "jwtk jwks <PATH|URL> [--output <FILE>] [--fail-on <SEVERITY>] [options]",
        discussion: """
            For each key: kid, kty, crv or modulus bits, alg, use, key_ops, thumbprint, and findings: private \
            members published, symmetric keys published, duplicate kid, RSA below 2048 bits, missing kid/alg/use, \
            and keys a verifier will skip, with the reason. A file holding a single JWK is accepted. Exit 0 when \
            the set could be read (whatever the findings), 2 when the file is unreadable or not a JWK Set.

            With an http:// or https:// URL the set is fetched the way verify --jwks URL and verify --issuer fetch \
            it (https, or plain http to a loopback host only; same-origin redirects; a size cap; JSON only), and \
            the listing is followed by the response's caching headers (Cache-Control, Expires, ETag, \
            Last-Modified, Date, Age), the freshness the server asked for and the one jwtk's cache will use, with \
            findings (no cache headers, caching disabled, no validator for conditional refreshes). Exit 3 when \
            the fetch fails; when the set was fetched but a verifier would refuse it (no usable key, not JSON \
            Content-Type) the listing is printed and the exit status is 3. --json adds "http" (the response and caching) and "error" (null, or why a verifier would refuse the set).

            --output FILE saves the set exactly as read (the served bytes for a URL), for verify --jwks FILE; it is \
            refused (exit 1, nothing written) when the set publishes private or symmetric key material, and not \
            written when a verifier would refuse the set (exit 3).

            \(exitStatusHelp)
            """)

    @Argument(
        help: ArgumentHelp("The JWK Set file (\"-\" for stdin), or its http:// or https:// URL.", valueName: "PATH|URL"),
        completion: .file())
    var path: String

    /// The lowest severity that makes `--fail-on` exit 1.
    enum FailOn: String, ExpressibleByArgument, CaseIterable {
        case error, warning
        var severity: LintFinding.Severity { self == .error ? .error : .warning }
    }

    @Option(
        name: .customLong("fail-on"),
        help: ArgumentHelp("For CI: exit 1 when a finding is at least this severe (error, or warning and error).", valueName: "SEVERITY"))
    var failOn: FailOn?

    @Option(
        name: .customLong("output"),
        help: ArgumentHelp("Save the set, exactly as read, to this file (refused when it publishes private keys).", valueName: "FILE"),
        completion: .file())
    var outputFile: String?

    /// `--output`: writes `bytes` when the set publishes no private or symmetric key material.
    func save(_ bytes: [UInt8], report: JWKSLint) throws(CLIFailure) {
        guard let outputFile else { return }
        let secret = Set(report.allFindings.map(\.id)).intersection(["private_members", "symmetric_key"]).sorted()
        if !secret.isEmpty {
            throw CLIFailure(
                .rejected,
                "--output: the set publishes private key material (\(secret.joined(separator: ", "))); \(Terminal.line(outputFile)) was not written"
            )
        }
        guard FileManager.default.createFile(atPath: outputFile, contents: Data(bytes), attributes: [.posixPermissions: 0o644]) else {
            throw CLIFailure.usage("--output \(Terminal.line(outputFile)): cannot write the file")
        }
        StandardError.write(
            "jwtk: saved \(report.entries.count) key\(report.entries.count == 1 ? "" : "s") to \(Terminal.line(outputFile)) (\(bytes.count) bytes)"
        )
    }

    /// `--fail-on`: exit 1 (after the listing) when a finding reaches the threshold.
    func checkFailOn(_ report: JWKSLint) throws(CLIFailure) {
        guard let failOn else { return }
        let failing = report.allFindings.filter { $0.severity <= failOn.severity }
        guard !failing.isEmpty else { return }
        let ids = Array(Set(failing.map(\.id))).sorted().joined(separator: ", ")
        throw CLIFailure(
            .rejected,
            "--fail-on \(failOn.rawValue): \(failing.count) finding\(failing.count == 1 ? "" : "s") at or above \(failOn.rawValue) (\(ids))"
        )
    }

    @OptionGroup(title: "Output")
    var output: OutputOptions

    @OptionGroup(title: "Remote (URL)")
    var remote: RemoteOptions

    func run() async throws {
        if Remote.isURL(path) {
            try await listRemote()
            return
        }
        try remote.refuseWithoutRemoteSource()
        let bytes = try Input.file(path)
        let report: JWKSLint
        do throws(JWTKError) { report = try JWKSLint.lint(bytes: bytes) } catch { throw CLIFailure.input(path, error) }
        if output.json {
            JSONDocumentOut.emit(JWKSOutput.json(report))
        } else {
            print(JWKSOutput.text(report, path: path, style: output.style), terminator: "")
        }
        try save(bytes, report: report)
        try checkFailOn(report)
    }

    /// Fetches the set as the remote verifiers do, lists it, and reports its caching.
    private func listRemote() async throws {
        let url = try Remote.url(path, option: "jwks")
        var configuration = RemoteJWKS.Configuration()
        configuration.timeout = try remote.seconds()
        configuration.logger = remote.logger("jwtk.remote.jwks")
        let log = FetchLog()
        configuration.fetchObserver = log.observer
        let jwks = try Remote.setup { () throws(JWTKRemoteError) in try RemoteJWKS(url: url, configuration: configuration) }
        var failure: JWTKRemoteError?
        do throws(JWTKRemoteError) { try await jwks.refresh() } catch { failure = error }
        // A response that is a JWK Set is listed even when a verifier would refuse it (then the status is 3).
        guard let response = log.lastResponse(for: url), response.status == 200,
            let report = try? JWKSLint.lint(bytes: response.body, limits: configuration.jwksLimits)
        else {
            throw Remote.fetchFailure(failure ?? JWTKRemoteError(.invalidDocument, "not a JWK Set", url: url.absoluteString))
        }
        let cache = CacheReport(response, bounds: configuration.freshness, now: JWTClock.system.now, document: "JWK Set")
        if output.json {
            var json = JWKSOutput.json(report)
            if case .object(var members) = json {
                members.append(("http", cache.json))
                members.append(("error", failure.map { Remote.errorJSON($0) } ?? .null))
                json = .object(members)
            }
            JSONDocumentOut.emit(json)
        } else {
            let style = output.style
            print(JWKSOutput.text(report, path: url.absoluteString, style: style), terminator: "")
            print("\n" + style.bold("HTTP") + "\n" + cache.text(style: style), terminator: "")
        }
        if let failure { throw Remote.fetchFailure(failure) }
        try save(response.body, report: report)
        try checkFailOn(report)
    }
}

/// `jwtk thumbprint`: RFC 7638 thumbprints.
struct Thumbprint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the RFC 7638 JWK thumbprint (SHA-256, base64url) of a JWK or a PEM/DER public key.",
        discussion: """
            Accepts a JWK (public or private: only the public members count), a JWK Set (one line per key: \
            thumbprint, then kid), a PEM public key, certificate or private key, or DER.

            \(exitStatusHelp)
            """)

    @Argument(help: ArgumentHelp("The key file (\"-\" for stdin).", valueName: "PATH"), completion: .file())
    var path: String

    @Flag(help: "Print the RFC 9278 URI form (urn:ietf:params:oauth:jwk-thumbprint:sha-256:...).")
    var uri = false

    @Flag(help: "Print one JSON document on stdout: {schema_version, keys: [{kid, kty, thumbprint, uri}]}.")
    var json = false

    func run() throws {
        let bytes = try Input.file(path)
        let keys: [VerificationKey]
        do throws(JWTKError) { keys = try VerificationKey.loadForThumbprint(contents: bytes) } catch { throw CLIFailure.input(path, error) }
        guard !keys.isEmpty else { throw CLIFailure.usage("\(path): no usable key") }
        if json {
            let entries: [JSONOut] = keys.map { key in
                .object([
                    ("kid", .optional(key.keyID)), ("kty", .string(key.type.jwkKeyType)), ("thumbprint", .string(key.thumbprint)),
                    ("uri", .string("urn:ietf:params:oauth:jwk-thumbprint:sha-256:\(key.thumbprint)")),
                ])
            }
            JSONDocumentOut.emit(.object([("keys", .array(entries))]))
            return
        }
        for key in keys {
            let value = uri ? "urn:ietf:params:oauth:jwk-thumbprint:sha-256:\(key.thumbprint)" : key.thumbprint
            print(keys.count == 1 ? value : "\(value)  \(Terminal.line(key.keyID ?? "-"))")
        }
    }
}
