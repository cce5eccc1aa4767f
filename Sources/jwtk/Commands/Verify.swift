import ArgumentParser
import JWTK

/// `jwtk verify`: verify a token against local keys and a policy.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a token's signature and claims against local keys and a policy.",
        discussion: """
            Verification is the library's (JWTVerifier): signature first, then claims; a token whose signature \
            does not verify never reports a claim error and its payload is never printed. On success prints the \
            verified claims and the key that verified them (kid and RFC 7638 thumbprint); on failure one line on \
            stderr naming the check that failed and the values involved.

            --json prints {valid, error{code,message,claim,check}, header, claims, key{kid,thumbprint,kty,alg}, \
            skipped_keys, checks, hints}; header, claims and key are null unless the token is valid.
            --explain prints every check in order (pass/fail/skip) with the RFC or OpenID Connect section it \
            enforces, near-miss hints, and the JWK Set keys that were skipped and why.

            EXAMPLE
              jwtk verify --jwks testvectors/example/jwks.json --profile oidc \\
                --iss https://auth.smarttask.example --aud jwtk-demo-client --nonce n-0S6_WzA2Mj \\
                --now 2026-01-01T00:30:00Z - < testvectors/example/id_token.jwt

            \(exitStatusHelp)
            """)

    @Argument(help: ArgumentHelp("The token; \"-\" or absent reads stdin.", valueName: "TOKEN"))
    var token: String?

    @OptionGroup(title: "Key source (at least one)")
    var keySource: KeySourceOptions

    @OptionGroup(title: "Policy")
    var policyOptions: PolicyOptions

    @Flag(help: "Print every check in order with pass/fail/skip, its RFC or OIDC section, and near-miss hints.")
    var explain = false

    @OptionGroup(title: "Output")
    var output: OutputOptions

    func run() throws {
        try keySource.checkStandardInput(token: token)
        let loaded = try keySource.load()
        let policy = try policyOptions.policy(keys: loaded.keys)
        let token = try Input.token(self.token)
        let verifier = JWTVerifier(keyring: loaded.keyring, policy: policy)
        let trace = VerificationTrace(verifying: token, with: verifier, signatureOnly: policyOptions.jws)
        let style = output.style
        if output.json {
            print(VerifyOutput.json(trace, skipped: loaded.skipped, explain: explain, signatureOnly: policyOptions.jws).rendered())
        } else {
            if explain { print(VerifyOutput.explanation(trace, skipped: loaded.skipped, policy: policy, style: style), terminator: "") }
            if trace.error == nil { print(VerifyOutput.success(trace, policy: policy, style: style), terminator: "") }
        }
        if let error = trace.error {
            if !output.json { StandardError.write(VerifyOutput.failureLine(error, policy: policy)) }
            throw CLIFailure(ExitStatus(for: error.code), nil)
        }
    }
}
