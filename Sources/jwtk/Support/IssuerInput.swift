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
}
