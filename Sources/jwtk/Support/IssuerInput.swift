import JWTKRemote

/// The issuer the user meant: a pasted discovery URL (`…/.well-known/openid-configuration`) stands for its
/// issuer, and the command says that it took it so.
enum IssuerInput {
    /// The issuer to use and, when it was derived from a discovery URL, the note to show.
    static func resolve(_ text: String) -> (issuer: String, note: String?) {
        guard let issuer = OIDCProviderMetadata.issuer(fromDiscoveryURL: text) else { return (text, nil) }
        return (
            issuer,
            "\(Terminal.line(text)) is a discovery URL; using its issuer \(Terminal.line(issuer)) (OpenID Connect Discovery §4.1)"
        )
    }

    /// The issuer an `issuer` argument or option stands for, checked as a remote URL (`option` names it in the
    /// usage error), and the note, already written to stderr, when a discovery URL was given.
    static func checked(_ text: String, option: String) throws(CLIFailure) -> (issuer: String, note: String?) {
        let (issuer, note) = resolve(text)
        _ = try Remote.url(issuer, option: option)
        if let note { StandardError.write("jwtk: note: \(note)\n") }
        return (issuer, note)
    }
}
