import ArgumentParser
import Foundation
import JWTK
import JWTKInspection
import JWTKRemote

/// `--issuer`, in its own help section.
struct ProviderOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "An OpenID Provider's issuer (or its discovery URL): discover its metadata and keys and verify an ID token "
                + "(or, with --profile at+jwt or access-token, an access token) from it.",
            valueName: "URL"))
    var issuer: String?

    @Option(
        name: .customLong("access-token-file"),
        help: ArgumentHelp(
            "A file holding the access token returned with the ID token (\"-\" is not accepted: stdin is the token); "
                + "the ID token's at_hash must match it (OpenID Connect Core §3.1.3.8).",
            valueName: "PATH"),
        completion: .file())
    var accessTokenFile: String?

    /// The access token of `--access-token-file`, one trailing newline removed.
    func accessToken() throws(CLIFailure) -> String? {
        guard let accessTokenFile else { return nil }
        if accessTokenFile == "-" { throw .usage("--access-token-file -: stdin is the ID token; give the access token in a file") }
        let token = String(decoding: Input.strippingOneNewline(try Input.file(accessTokenFile)), as: UTF8.self)
        if token.isEmpty { throw .usage("--access-token-file: the access token is empty") }
        return token
    }
}

/// `jwtk verify`: verify a token against local keys, a remote JWK Set or an OpenID Provider, and a policy.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a token's signature and claims against local or remote keys and a policy.",
        discussion: """
            Verification is the library's (JWTVerifier): signature first, then claims; a token whose signature \
            does not verify never reports a claim error and its payload is never printed. On success prints the \
            verified claims and the key that verified them (kid and RFC 7638 thumbprint); on failure one line on \
            stderr naming the check that failed and the values involved.

            --json prints {valid, error{code,message,claim,check}, header, claims, key{kid,thumbprint,kty,alg}, \
            skipped_keys, checks, hints}; header, claims and key are null unless the token is valid.
            --explain prints every check in order (pass/fail/skip) with the RFC or OpenID Connect section it \
            enforces, near-miss hints, and the JWK Set keys that were skipped and why.

            REMOTE KEYS
            --jwks URL (http:// or https://) fetches the JWK Set once and verifies against it. --issuer URL \
            discovers the provider (URL/.well-known/openid-configuration; its issuer must equal URL exactly), \
            fetches its jwks_uri, and verifies an ID token (--profile oidc, the default; --aud is your client id) \
            or an RFC 9068 access token (--profile at+jwt; --aud is this resource server). With --issuer the \
            algorithms are those the provider publishes in id_token_signing_alg_values_supported that --alg \
            (default: every asymmetric algorithm) allows; iss must equal the issuer. --leeway, --now, --typ, \
            --require, --max-age, --min-rsa-bits, --nonce and --max-auth-age apply; --jws, --allow-missing-exp, \
            --ignore-audience, --profile jwt and local key sources are refused with --issuer (exit 2). \
            Only https is fetched, or plain http to a loopback host (127.0.0.0/8, ::1, localhost); any other URL \
            is refused before a connection is made (exit 2). A fetch that fails exits 3.

            EXAMPLE
              jwtk verify --jwks testvectors/example/jwks.json --profile oidc \\
                --iss https://auth.smarttask.example --aud jwtk-demo-client \\
                --nonce n-0S6_WzA2Mj --now 2026-01-01T00:30:00Z \\
                - < testvectors/example/id_token.jwt
              jwtk verify --issuer https://auth.smarttask.io --aud my-client-id \\
                --nonce n-0S6_WzA2Mj TOKEN

            \(exitStatusHelp)
            """)

    @Argument(help: ArgumentHelp("The token; \"-\" or absent reads stdin.", valueName: "TOKEN"))
    var token: String?

    @OptionGroup(title: "Key source (at least one)")
    var keySource: KeySourceOptions

    @OptionGroup(title: "OpenID Provider (instead of a key source)")
    var provider: ProviderOption

    var issuer: String? { provider.issuer.map { IssuerInput.resolve($0).issuer } }

    /// `--access-token-file`, refused with the access-token profiles (at_hash is an ID token claim).
    private func accessTokenForHash() throws(CLIFailure) -> String? {
        guard provider.accessTokenFile != nil else { return nil }
        if let profile = policyOptions.profile, profile == .accessToken || profile == .providerAccessToken {
            throw .usage("--access-token-file checks an ID token's at_hash; it does not apply to --profile \(profile.rawValue)")
        }
        return try provider.accessToken()
    }

    @OptionGroup(title: "Policy file (instead of a key source and the policy flags)")
    var policyFile: PolicyFileOption

    @OptionGroup(title: "Policy")
    var policyOptions: PolicyOptions

    @Flag(help: "Print every check in order with pass/fail/skip, its RFC or OIDC section, and near-miss hints.")
    var explain = false

    @OptionGroup(title: "Output")
    var output: OutputOptions

    @OptionGroup(title: "Remote sources (--jwks URL, --issuer URL)")
    var remote: RemoteOptions

    func run() async throws {
        if let path = policyFile.path {
            try await verifyWithPolicy(path)
        } else if let issuer {
            try await verifyWithIssuer(issuer)
        } else if let jwks = keySource.jwks, Remote.isURL(jwks) {
            try await verifyWithRemoteJWKS(jwks)
        } else {
            try remote.refuseWithoutRemoteSource()
            try keySource.checkStandardInput(token: token)
            let loaded = try keySource.load()
            var policy = keySource.applyingSecretOverride(try policyOptions.policy(keys: loaded.keys))
            if let accessToken = try accessTokenForHash() { policy.accessTokenForHash = accessToken }
            let token = try Input.token(self.token)
            let verifier = JWTVerifier(keyring: loaded.keyring, policy: policy)
            let trace = VerificationTrace(verifying: token, with: verifier, signatureOnly: policyOptions.jws)
            try report(trace, skipped: loaded.skipped, policy: policy, token: token)
        }
    }

    /// `--jwks URL`: fetch the set once, then verify as with a file.
    private func verifyWithRemoteJWKS(_ text: String) async throws {
        guard keySource.keys.isEmpty, keySource.secretFile == nil, keySource.secretEnv == nil else {
            throw CLIFailure.usage("--jwks URL cannot be combined with --key, --secret-file or --secret-env")
        }
        let url = try Remote.url(text, option: "--jwks")
        _ = try policyOptions.policy(keys: [])  // usage errors before any traffic
        let token = try Input.token(self.token)
        var configuration = RemoteJWKS.Configuration()
        configuration.timeout = try remote.seconds()
        configuration.logger = remote.logger("jwtk.remote.jwks")
        let jwks = try Remote.setup { () throws(JWTKRemoteError) in try RemoteJWKS(url: url, configuration: configuration) }
        try await Remote.fetch(timeout: configuration.timeout) { () async throws(JWTKRemoteError) in try await jwks.refresh() }
        var policy = try policyOptions.policy(keys: jwks.keyring.keys)
        if let accessToken = try accessTokenForHash() { policy.accessTokenForHash = accessToken }
        let verifier = jwks.verifier(policy: policy)
        var recorder = VerificationTrace.Recorder()
        var verified: VerifiedJWT?
        do throws(JWTKRemoteError) {
            if policyOptions.jws {
                _ = try verifier.verifySignature(token, observer: &recorder)
            } else {
                verified = try verifier.verify(token, observer: &recorder)
            }
        } catch {
            if error.rejection == nil { throw Remote.fetchFailure(error) }  // the recorder holds the rejection
        }
        let trace = VerificationTrace(token: token, recorder: recorder, verified: verified)
        try report(trace, skipped: jwks.statistics.skippedKeyDetails, policy: policy, token: token)
    }

    /// `--issuer URL`: discovery, the provider's JWK Set, and the ID token (or access token) rules.
    private func verifyWithIssuer(_ issuer: String) async throws {
        if keySource.jwks != nil || !keySource.keys.isEmpty || keySource.secretFile != nil || keySource.secretEnv != nil {
            throw CLIFailure.usage(
                "--issuer takes the keys from the provider's jwks_uri; drop --jwks, --key, --secret-file and --secret-env")
        }
        let profile = policyOptions.profile ?? .oidc
        let adjust = try policyOptions.remoteAdjustments(issuer: issuer, profile: profile)
        _ = try Remote.url(issuer, option: "--issuer")
        let accessToken = try accessTokenForHash()
        if let note = provider.issuer.flatMap({ IssuerInput.resolve($0).note }) { StandardError.write("jwtk: note: \(note)\n") }
        let token = try Input.token(self.token)
        let timeout = try remote.seconds()
        var configuration = OIDCVerifier.Configuration()
        if policyOptions.algorithms != nil { configuration.allowedAlgorithms = try policyOptions.algorithmList(keys: []) }
        if let leeway = policyOptions.leeway { configuration.leeway = leeway }
        // --now is the time the token is judged at, not the time of the key and metadata caches: with
        // --now far in the future the freshly fetched keys would count as stale (stale_keys, exit 3) and hide
        // that the token is expired (exit 1).
        let tokenClock = try policyOptions.now.map { now throws(CLIFailure) in JWTClock.fixed(try Input.time(now)) }
        configuration.discovery.timeout = timeout
        configuration.jwks.timeout = timeout
        configuration.discovery.logger = remote.logger("jwtk.remote.discovery")
        configuration.jwks.logger = remote.logger("jwtk.remote.jwks")
        configuration.adjustPolicy = { policy in
            if let tokenClock { policy.clock = tokenClock }
            adjust(&policy)
        }
        let audience = policyOptions.audiences[0]
        let oidc = try Remote.setup { () throws(JWTKRemoteError) in
            try OIDCVerifier(issuer: issuer, clientID: audience, configuration: configuration)
        }
        try await Remote.fetch(timeout: timeout) { () async throws(JWTKRemoteError) in try await oidc.prepare() }
        var recorder = VerificationTrace.Recorder()
        var verified: VerifiedJWT?
        do throws(JWTKRemoteError) {
            switch profile {
            case .accessToken: verified = try oidc.verifyAccessToken(token, audience: audience, observer: &recorder)
            case .providerAccessToken:
                verified = try oidc.verifyProviderAccessToken(token, audience: audience, observer: &recorder)
            default:
                verified = try oidc.verify(
                    idToken: token, nonce: policyOptions.nonce, maxAuthenticationAge: policyOptions.maxAuthAge,
                    accessToken: accessToken, observer: &recorder)
            }
        } catch {
            if error.rejection == nil { throw Remote.fetchFailure(error) }  // the recorder holds the rejection
        }
        guard recorder.policy != nil, let jwks = oidc.jwks else {
            throw CLIFailure(.remote, "the provider's keys are not loaded")
        }
        let trace = VerificationTrace(token: token, recorder: recorder, verified: verified)
        try report(trace, skipped: jwks.statistics.skippedKeyDetails, policy: trace.policy, token: token)
    }

    /// Prints the verdict as text or JSON and ends with the matching status.
    func report(_ trace: VerificationTrace, skipped: [JWKSet.SkippedKey], policy: VerificationPolicy, token: String) throws {
        let style = output.style
        if output.json {
            JSONDocumentOut.emit(
                PolicyVerification.annotated(
                    VerifyOutput.json(
                        trace, skipped: skipped, explain: explain, signatureOnly: policyOptions.jws, policy: policy, token: token)
                ))
        } else {
            if explain { print(VerifyOutput.explanation(trace, skipped: skipped, policy: policy, style: style), terminator: "") }
            if trace.error == nil { print(VerifyOutput.success(trace, policy: policy, style: style), terminator: "") }
        }
        if let error = trace.error {
            if !output.json {
                StandardError.write(
                    VerifyOutput.failureLine(
                        error, policy: policy, style: .forStandardError(noColor: output.noColor), token: token,
                        hints: trace.hints))
            }
            throw CLIFailure(ExitStatus(for: error.code), nil)
        }
    }
}
