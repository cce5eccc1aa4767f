import ArgumentParser
import Foundation
import JWTK
import JWTKRemote

/// `--issuer`, in its own help section.
struct ProviderOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "An OpenID Provider's issuer: discover its metadata and keys and verify an ID token (or, with --profile at+jwt, "
                + "an access token) from it.",
            valueName: "URL"))
    var issuer: String?
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
                --iss https://auth.smarttask.example --aud jwtk-demo-client --nonce n-0S6_WzA2Mj \\
                --now 2026-01-01T00:30:00Z - < testvectors/example/id_token.jwt
              jwtk verify --issuer https://auth.smarttask.io --aud my-client-id --nonce n-0S6_WzA2Mj TOKEN

            \(exitStatusHelp)
            """)

    @Argument(help: ArgumentHelp("The token; \"-\" or absent reads stdin.", valueName: "TOKEN"))
    var token: String?

    @OptionGroup(title: "Key source (at least one)")
    var keySource: KeySourceOptions

    @OptionGroup(title: "OpenID Provider (instead of a key source)")
    var provider: ProviderOption

    var issuer: String? { provider.issuer }

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
            let policy = keySource.applyingSecretOverride(try policyOptions.policy(keys: loaded.keys))
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
        try await Remote.fetch { () async throws(JWTKRemoteError) in try await jwks.refresh() }
        let policy = try policyOptions.policy(keys: jwks.keyring.keys)
        let verifier = jwks.verifier(policy: policy)
        do {
            _ = try verifier.verify(token)
        } catch let error as JWTKRemoteError {
            throw Remote.fetchFailure(error)
        } catch {}  // the trace below reports the rejection
        let trace = VerificationTrace(verifying: token, with: verifier.verifier, signatureOnly: policyOptions.jws)
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
        let capture = PolicyCapture()
        configuration.adjustPolicy = { policy in
            if let tokenClock { policy.clock = tokenClock }
            adjust(&policy)
            capture.set(policy)
        }
        let audience = policyOptions.audiences[0]
        let oidc = try Remote.setup { () throws(JWTKRemoteError) in
            try OIDCVerifier(issuer: issuer, clientID: audience, configuration: configuration)
        }
        try await Remote.fetch { () async throws(JWTKRemoteError) in try await oidc.prepare() }
        let verdict: (any Error)?
        do {
            if profile == .accessToken {
                _ = try oidc.verifyAccessToken(token, audience: audience)
            } else {
                _ = try oidc.verify(idToken: token, nonce: policyOptions.nonce, maxAuthenticationAge: policyOptions.maxAuthAge)
            }
            verdict = nil
        } catch let error as JWTKRemoteError {
            throw Remote.fetchFailure(error)
        } catch {
            verdict = error
        }
        guard let policy = capture.policy, let jwks = oidc.jwks else {
            throw CLIFailure(.remote, "the provider's keys are not loaded\(verdict.map { ": \($0)" } ?? "")")
        }
        let trace = VerificationTrace(verifying: token, with: JWTVerifier(keyring: jwks.keyring, policy: policy))
        guard (trace.error == nil) == (verdict == nil) else {
            throw CLIFailure(.rejected, "internal error: the explanation disagrees with the verifier (\(String(describing: verdict)))")
        }
        try report(trace, skipped: jwks.statistics.skippedKeyDetails, policy: policy, token: token)
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
