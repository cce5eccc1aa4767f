import ArgumentParser

/// `--policy FILE`, in its own help section.
struct PolicyFileOption: ParsableArguments {
    @Option(
        name: .customLong("policy"),
        help: ArgumentHelp(
            "A policy file (JSON, docs/schemas/policy.schema.json): its issuers, their keys (discovery, JWK Set URL or "
                + "local file) and rules. The token's iss chooses the issuer, exactly; an unknown issuer is refused "
                + "before any fetch. Instead of the key source, --issuer and the policy flags (--now, --timeout apply).",
            valueName: "FILE"), completion: .file())
    var path: String?
}
