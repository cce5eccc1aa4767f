import ArgumentParser
import Foundation
import JWTK

/// Validation profiles.
enum Profile: String, ExpressibleByArgument, CaseIterable {
    case jwt
    case oidc
    case accessToken = "at+jwt"
    case providerAccessToken = "access-token"
}

/// What is checked: shared by `verify` and `bench`.
struct PolicyOptions: ParsableArguments {
    @Option(
        name: .customLong("alg"),
        help: ArgumentHelp(
            "Comma-separated allow-list of algorithms (e.g. RS256,ES256). Default: every algorithm the given keys can verify. "
                + "The token's alg never chooses by itself.",
            valueName: "LIST"))
    var algorithms: String?

    @Option(name: .customLong("iss"), help: ArgumentHelp("Expected issuer, compared exactly. Repeatable: any of them.", valueName: "VALUE"))
    var issuers: [String] = []

    @Option(
        name: .customLong("aud"),
        help: ArgumentHelp(
            "Expected audience; aud must contain one of them. Repeatable. With --profile oidc, the client id (exactly one).",
            valueName: "VALUE"))
    var audiences: [String] = []

    @Option(help: ArgumentHelp("Clock skew allowed for exp, nbf, iat and ages, in seconds. Default 0.", valueName: "SECONDS"))
    var leeway: Double?

    @Option(
        help: ArgumentHelp(
            "Verify as of this time instead of the system clock: Unix seconds, RFC 3339 (2026-01-01T00:30:00Z), a date, or relative (--now=-1h).",
            valueName: "TIME"))
    var now: String?

    @Option(help: ArgumentHelp("Expected header typ (case-insensitive, application/ prefix ignored).", valueName: "VALUE"))
    var typ: String?

    @Option(name: .customLong("require"), help: ArgumentHelp("A claim that must be present. Repeatable.", valueName: "CLAIM"))
    var required: [String] = []

    @Flag(name: .customLong("allow-missing-exp"), help: "Accept tokens without exp (they never expire). Not with oidc or at+jwt.")
    var allowMissingExp = false

    @Flag(
        name: .customLong("ignore-audience"),
        help: "Without --aud, accept a token whatever its aud says (by default a token with aud needs a matching --aud, RFC 7519 §4.1.3).")
    var ignoreAudience = false

    @Option(
        name: .customLong("max-age"),
        help: ArgumentHelp("Maximum token age since iat, in seconds (iat becomes required).", valueName: "SECONDS"))
    var maxAge: Double?

    @Option(name: .customLong("min-rsa-bits"), help: ArgumentHelp("Smallest accepted RSA key, in bits.", valueName: "N"))
    var minRSABits: Int = 2048

    @Flag(
        name: .customLong("allow-mixed-keys"),
        help: "Verify with a key set that mixes HMAC secrets and public keys (refused by default, RFC 8725 §3.1, §3.5).")
    var allowMixedKeys = false

    @Option(
        help: ArgumentHelp(
            "jwt: RFC 7519 rules only; oidc: OpenID Connect Core §3.1.3.7 ID token rules (--iss, --aud as client id; sub and iat required; "
                + "azp must equal the client id when present; --nonce); at+jwt: RFC 9068 §4 access token (typ at+jwt; "
                + "iss exp aud sub client_id iat jti required); access-token: a provider's ordinary access token (typ JWT, "
                + "azp and scope, no client_id; --iss, --aud as this API; exp and iat required). Default jwt; oidc with --issuer.",
            valueName: "jwt|oidc|at+jwt|access-token"))
    var profile: Profile?

    @Option(
        name: .customLong("max-auth-age"),
        help: ArgumentHelp(
            "With --profile oidc: the max_age sent in the authentication request, in seconds; auth_time becomes required "
                + "and must be at most this old (OpenID Connect Core §3.1.3.7 step 13).",
            valueName: "SECONDS"))
    var maxAuthAge: Double?

    @Option(help: ArgumentHelp("Expected nonce (the value sent in the authentication request).", valueName: "VALUE"))
    var nonce: String?

    @Flag(help: "Signature only: the payload is arbitrary bytes; no claim is read or checked.")
    var jws = false

    /// The allow-list: `--alg`, or what the keys can verify.
    func algorithmList(keys: [VerificationKey]) throws(CLIFailure) -> Set<JWSAlgorithm> {
        guard let algorithms else { return Set(keys.flatMap(\.compatibleAlgorithms)) }
        var set: Set<JWSAlgorithm> = []
        for name in algorithms.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if JWSAlgorithm.isUnsecuredName(name) { throw .usage("--alg \(name): unsecured tokens are never accepted") }
            guard let alg = JWSAlgorithm(rawValue: name) else {
                throw .usage(
                    "--alg: unknown algorithm \"\(name)\" (supported: \(JWSAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            set.insert(alg)
        }
        return set
    }

    /// Builds the library policy. Exit 2 for contradictory or incomplete flags.
    func policy(keys: [VerificationKey]) throws(CLIFailure) -> VerificationPolicy {
        if let leeway, !(leeway >= 0 && leeway.isFinite) { throw .usage("--leeway must be a non-negative number of seconds") }
        if let maxAge, !(maxAge >= 0 && maxAge.isFinite) { throw .usage("--max-age must be a non-negative number of seconds") }
        if minRSABits < 0 { throw .usage("--min-rsa-bits must not be negative") }
        if jws {
            var claimFlags: [String] = []
            if !issuers.isEmpty { claimFlags.append("--iss") }
            if !audiences.isEmpty { claimFlags.append("--aud") }
            if leeway != nil { claimFlags.append("--leeway") }
            if now != nil { claimFlags.append("--now") }
            if typ != nil { claimFlags.append("--typ") }
            if !required.isEmpty { claimFlags.append("--require") }
            if allowMissingExp { claimFlags.append("--allow-missing-exp") }
            if ignoreAudience { claimFlags.append("--ignore-audience") }
            if maxAge != nil { claimFlags.append("--max-age") }
            if let profile, profile != .jwt { claimFlags.append("--profile") }
            if nonce != nil { claimFlags.append("--nonce") }
            if maxAuthAge != nil { claimFlags.append("--max-auth-age") }
            if !claimFlags.isEmpty {
                throw .usage("--jws checks the signature only; \(claimFlags.joined(separator: ", ")) would have no effect")
            }
        }
        if let maxAuthAge, !(maxAuthAge >= 0 && maxAuthAge.isFinite) {
            throw .usage("--max-auth-age must be a non-negative number of seconds")
        }
        if maxAuthAge != nil, profile != .oidc { throw .usage("--max-auth-age applies to --profile oidc only") }
        var policy: VerificationPolicy
        switch profile ?? .jwt {
        case .jwt:
            policy = VerificationPolicy()
        case .oidc:
            guard let issuer = issuers.first else { throw .usage("--profile oidc needs --iss (the provider's issuer)") }
            guard audiences.count == 1 else { throw .usage("--profile oidc needs exactly one --aud: your client id") }
            if allowMissingExp { throw .usage("--allow-missing-exp contradicts --profile oidc (OpenID Connect Core §2 requires exp)") }
            policy = .openIDConnect(issuer: issuer, clientID: audiences[0], nonce: nonce, maxAuthenticationAge: maxAuthAge)
        case .accessToken:
            guard let issuer = issuers.first else { throw .usage("--profile at+jwt needs --iss") }
            guard let audience = audiences.first else { throw .usage("--profile at+jwt needs --aud (this resource server)") }
            if allowMissingExp { throw .usage("--allow-missing-exp contradicts --profile at+jwt (RFC 9068 §2.2 requires exp)") }
            policy = .accessToken(issuer: issuer, audience: audience)
        case .providerAccessToken:
            guard let issuer = issuers.first else { throw .usage("--profile access-token needs --iss") }
            guard let audience = audiences.first else { throw .usage("--profile access-token needs --aud (this API)") }
            if allowMissingExp { throw .usage("--allow-missing-exp contradicts --profile access-token (exp is required)") }
            policy = .providerAccessToken(issuer: issuer, audience: audience)
        }
        policy.issuers = Set(issuers)
        policy.audiences = Set(audiences)
        policy.algorithms = try algorithmList(keys: keys)
        if let leeway { policy.leeway = leeway }
        if let now { policy.clock = .fixed(try Input.time(now)) }
        if let typ { policy.expectedType = typ }
        for claim in required where !policy.requiredClaims.contains(claim) { policy.requiredClaims.append(claim) }
        if allowMissingExp { policy.requiresExpiration = false }
        policy.ignoresAudience = ignoreAudience
        policy.maxTokenAge = maxAge
        policy.minimumRSAKeyBits = minRSABits
        policy.allowsMixedKeyTypes = allowMixedKeys
        if let nonce { policy.nonce = nonce }
        return policy
    }

    /// Checks the flags for `verify --issuer` and returns the adjustments the library verifier's policy gets
    /// (`--typ`, `--require`, `--max-age`, `--min-rsa-bits`). Exit 2 for flags that do not apply there.
    func remoteAdjustments(issuer: String, profile: Profile) throws(CLIFailure) -> @Sendable (inout VerificationPolicy) -> Void {
        if let leeway, !(leeway >= 0 && leeway.isFinite) { throw .usage("--leeway must be a non-negative number of seconds") }
        if let maxAge, !(maxAge >= 0 && maxAge.isFinite) { throw .usage("--max-age must be a non-negative number of seconds") }
        if let maxAuthAge, !(maxAuthAge >= 0 && maxAuthAge.isFinite) {
            throw .usage("--max-auth-age must be a non-negative number of seconds")
        }
        if minRSABits < 0 { throw .usage("--min-rsa-bits must not be negative") }
        if jws { throw .usage("--jws cannot be used with --issuer: the provider's tokens are verified with their claims") }
        if allowMissingExp { throw .usage("--allow-missing-exp contradicts --issuer (ID and access tokens require exp)") }
        if ignoreAudience { throw .usage("--ignore-audience contradicts --issuer (--aud is required)") }
        if let other = issuers.first(where: { $0 != issuer }) {
            throw .usage(
                "--iss \(Terminal.line(other)) differs from --issuer \(Terminal.line(issuer)); with --issuer, iss must equal the issuer")
        }
        switch profile {
        case .jwt:
            throw .usage(
                "--issuer verifies ID tokens (--profile oidc, the default) or access tokens (--profile at+jwt or access-token), not --profile jwt"
            )
        case .oidc:
            guard audiences.count == 1 else { throw .usage("--issuer needs exactly one --aud: your client id") }
        case .accessToken, .providerAccessToken:
            let name = profile.rawValue
            guard audiences.count == 1 else {
                throw .usage("--issuer with --profile \(name) needs exactly one --aud (this resource server)")
            }
            if nonce != nil { throw .usage("--nonce applies to ID tokens (--profile oidc), not to --profile \(name)") }
            if maxAuthAge != nil { throw .usage("--max-auth-age applies to ID tokens (--profile oidc), not to --profile \(name)") }
        }
        if let now { _ = try Input.time(now) }
        if algorithms != nil { _ = try algorithmList(keys: []) }
        let typ = typ
        let required = required
        let maxAge = maxAge
        let minRSABits = minRSABits
        return { policy in
            if let typ { policy.expectedType = typ }
            for claim in required where !policy.requiredClaims.contains(claim) { policy.requiredClaims.append(claim) }
            if let maxAge { policy.maxTokenAge = maxAge }
            policy.minimumRSAKeyBits = minRSABits
        }
    }
}

/// `--json` and `--no-color`.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON document on stdout instead of text.")
    var json = false

    @Flag(name: .customLong("no-color"), help: "No ANSI colours (also off when stdout is not a terminal or NO_COLOR is set).")
    var noColor = false

    var style: Style { json ? .plain : Style.forStandardOutput(noColor: noColor) }
}
