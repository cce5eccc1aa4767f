import ArgumentParser
import Foundation
import JWTK
import JWTKInspection
import JWTKRemote

/// `jwtk verify --policy FILE`: the issuer router of a policy file (`VerifierConfiguration`).
enum PolicyVerification {
    /// The issuer a `--policy` run routed the token to; `--json` reports it as `issuer`.
    @TaskLocal static var routedIssuer: String?

    /// `document` with the routed issuer as its `issuer` member, when there is one.
    static func annotated(_ document: JSONOut) -> JSONOut {
        guard let routedIssuer, case .object(let members) = document else { return document }
        return .object(members + [("issuer", .string(routedIssuer))])
    }

    /// The policy flags `--policy` replaces, by name, when given.
    static func conflicting(_ options: PolicyOptions) -> [String] {
        var names: [String] = []
        if options.algorithms != nil { names.append("--alg") }
        if !options.issuers.isEmpty { names.append("--iss") }
        if !options.audiences.isEmpty { names.append("--aud") }
        if options.leeway != nil { names.append("--leeway") }
        if options.typ != nil { names.append("--typ") }
        if !options.required.isEmpty { names.append("--require") }
        if options.allowMissingExp { names.append("--allow-missing-exp") }
        if options.ignoreAudience { names.append("--ignore-audience") }
        if options.maxAge != nil { names.append("--max-age") }
        if options.minRSABits != 2048 { names.append("--min-rsa-bits") }
        if options.allowMixedKeys { names.append("--allow-mixed-keys") }
        if options.profile != nil { names.append("--profile") }
        if options.maxAuthAge != nil { names.append("--max-auth-age") }
        if options.nonce != nil { names.append("--nonce") }
        if options.jws { names.append("--jws") }
        return names
    }
}

extension Verify {
    /// `--policy FILE`: load the file, route the token by its unverified `iss`, fetch that issuer's keys only,
    /// and verify with its policy.
    func verifyWithPolicy(_ path: String) async throws {
        if issuer != nil || keySource.jwks != nil || !keySource.keys.isEmpty || keySource.secretFile != nil || keySource.secretEnv != nil {
            throw CLIFailure.usage(
                "--policy FILE names the issuers and their keys; drop --issuer, --jwks, --key, --secret-file and --secret-env")
        }
        let conflicts = PolicyVerification.conflicting(policyOptions)
        guard conflicts.isEmpty else {
            throw CLIFailure.usage("--policy FILE sets the policy; \(conflicts.joined(separator: ", ")) cannot be combined with it")
        }
        let shown = Terminal.line(path)
        let configuration: VerifierConfiguration
        do throws(VerifierConfigurationError) {
            configuration = try VerifierConfiguration.load(contentsOf: path)
        } catch {
            throw CLIFailure.usage("\(shown): \(Terminal.line(error.description))")
        }
        let clock = try policyOptions.now.map { now throws(CLIFailure) in JWTClock.fixed(try Input.time(now)) } ?? .system
        let timeout = try remote.seconds()
        let verifiers: ConfiguredVerifiers
        do throws(VerifierConfigurationError) {
            verifiers = try configuration.makeVerifiers(clock: clock, timeout: timeout)
        } catch {
            throw CLIFailure.usage("\(shown): \(Terminal.line(error.description))")
        }
        let token = try Input.token(self.token)
        let chosen: ConfiguredIssuer
        do throws(JWTKError) {
            chosen = try verifiers.route(token)
        } catch {
            try refuseUnrouted(error, configuration: configuration)
            return
        }
        let resolved = try await Remote.fetch(timeout: timeout) { () async throws(JWTKRemoteError) in try await chosen.resolve() }
        let trace = VerificationTrace(verifying: token, with: resolved.verifier)
        try PolicyVerification.$routedIssuer.withValue(chosen.issuer) {
            try report(trace, skipped: resolved.jwks?.statistics.skippedKeyDetails ?? [], policy: resolved.verifier.policy, token: token)
        }
    }

    /// A token the router cannot place (no `iss`, an unknown one, or not a JWT): exit 1, nothing fetched.
    private func refuseUnrouted(_ error: JWTKError, configuration: VerifierConfiguration) throws {
        let configured = configuration.issuers.map { "\"\(Terminal.line($0.issuer))\"" }.joined(separator: ", ")
        let message = "\(Terminal.line(error.reason)) (the policy's issuers: \(configured))"
        if output.json {
            JSONDocumentOut.emit(
                .object([
                    ("valid", .bool(false)),
                    ("error", JSONDocumentOut.error(code: error.code.rawValue, message: message, check: "iss", claim: error.claim)),
                    ("header", .null), ("claims", .null), ("key", .null), ("skipped_keys", .array([])), ("hints", .array([])),
                    ("issuer", .null),
                ]))
            throw CLIFailure(ExitStatus(for: error.code), nil)
        }
        throw CLIFailure(ExitStatus(for: error.code), "\(message) [\(error.code.rawValue)]")
    }
}
