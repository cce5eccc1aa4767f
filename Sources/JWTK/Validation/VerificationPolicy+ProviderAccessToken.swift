extension VerificationPolicy {
    /// An access token as OpenID Providers commonly issue it when they do not follow RFC 9068: a JWT with
    /// `typ` `JWT` (or none), `iss`, `aud` naming the API, `azp` and `scope`, but no `client_id` or `jti`.
    ///
    /// `iss` must equal `issuer` exactly and `aud` contain `audience` (this resource server); `exp` and `iat`
    /// are required. `azp` is not compared with `audience` (it names the client, not the API), and an ID token
    /// is not accepted in its place because its `aud` is the client id, not the API. Use
    /// ``accessToken(issuer:audience:)`` when the provider issues RFC 9068 `at+jwt` tokens.
    public static func providerAccessToken(issuer: String, audience: String) -> VerificationPolicy {
        var policy = VerificationPolicy(issuer: issuer, audience: audience)
        policy.requiresExpiration = true
        policy.requiresIssuedAt = true
        policy.requiredClaims = ["iss", "exp", "aud", "iat"]
        return policy
    }
}
