import Foundation
import JWTK
import JWTKRemote
import JWTKTestSupport
import Testing

/// The library side of issue 12 item 7: the discover checks as findings, issuer near misses, provider access
/// tokens, the provider's own error on a refused userinfo call.
@Suite struct DiscoveryReportTests {
    @Test func aUsableProviderReportsPassingChecks() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            provider.update { $0.jwks = jwksDocument([key]) }
            let report = try await OIDCDiscoveryReport.run(issuer: provider.base, discovery: .roomy, jwks: .roomy)
            #expect(report.isUsable)
            #expect(report.issuerError == nil)
            #expect(report.acceptedAlgorithms == ["ES256", "RS256"])
            #expect(report.jwksStatistics?.keyCount == 1)
            #expect(report.checks.map(\.id) == ["issuer", "https", "algorithms", "jwks"])
            #expect(report.checks.first { $0.id == "https" }?.code == "plain_http_loopback")
            #expect(report.checks.first { $0.id == "https" }?.outcome == .warning)
        }
    }

    @Test func anIssuerMismatchIsAFindingAndTheRestIsStillChecked() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            provider.update {
                $0.jwks = jwksDocument([key])
                $0.issuer = provider.base + "/"
            }
            let report = try await OIDCDiscoveryReport.run(issuer: provider.base, discovery: .roomy, jwks: .roomy)
            #expect(!report.isUsable)
            #expect(report.issuerError?.code == .issuerMismatch)
            let issuer = try #require(report.checks.first)
            #expect(issuer.outcome == .error)
            #expect(issuer.code == "issuer_trailing_slash")
            #expect(issuer.hint?.hasSuffix(provider.base + "/") == true)
            #expect(report.metadata.issuer == provider.base + "/")
            #expect(report.checks.contains { $0.id == "jwks" && $0.outcome == .pass })
            #expect(provider.count("/jwks") == 1)
        }
    }

    @Test func noCommonAlgorithmIsAnErrorFindingWithAHint() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.jwks = jwksDocument([try! TestIssuer(kid: "sig-1")]) }
            let report = try await OIDCDiscoveryReport.run(
                issuer: provider.base, allowedAlgorithms: [.PS256], discovery: .roomy, jwks: .roomy)
            let check = try #require(report.checks.first { $0.id == "algorithms" })
            #expect(check.outcome == .error)
            #expect(check.code == "no_common_algorithm")
            #expect(check.hint != nil)
            #expect(report.acceptedAlgorithms == nil)
        }
    }

    @Test func noDocumentIsAnError() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.discoveryFault = .status(404) }
            await #expect(throws: JWTKRemoteError(.httpStatus)) {
                try await OIDCDiscoveryReport.run(issuer: provider.base, discovery: .roomy, jwks: .roomy)
            }
        }
    }

    @Test(
        "near misses are named",
        arguments: [
            ("https://idp.example", "https://idp.example/", OIDCIssuerNearMiss.Kind.trailingSlash),
            ("https://idp.example/", "https://idp.example", .trailingSlash),
            ("http://idp.example", "https://idp.example", .scheme),
            ("http://localhost:8080", "http://127.0.0.1:8080", .loopbackName),
            ("http://127.0.0.1:8080/realms/a", "http://[::1]:8080/realms/a", .loopbackName),
            ("https://IdP.example", "https://idp.example", .hostCase),
        ])
    func nearMisses(_ configured: String, _ served: String, _ kind: OIDCIssuerNearMiss.Kind) {
        #expect(OIDCIssuerNearMiss(configured: configured, served: served)?.kind == kind)
    }

    @Test(
        "other differences are not near misses",
        arguments: [
            ("https://idp.example", "https://idp.example"),
            ("https://idp.example", "https://evil.example"),
            ("https://idp.example/a", "https://idp.example/b"),
            ("http://localhost:8080", "http://127.0.0.1:9090"),
            ("http://idp.example", "https://idp.example:8443"),
        ])
    func notNearMisses(_ configured: String, _ served: String) {
        #expect(OIDCIssuerNearMiss(configured: configured, served: served) == nil)
    }

    @Test func theIssuerOfADiscoveryURL() {
        #expect(
            OIDCProviderMetadata.issuer(fromDiscoveryURL: "https://idp.example/.well-known/openid-configuration") == "https://idp.example")
        #expect(
            OIDCProviderMetadata.issuer(fromDiscoveryURL: "https://idp.example/tenant/.well-known/openid-configuration")
                == "https://idp.example/tenant")
        #expect(OIDCProviderMetadata.issuer(fromDiscoveryURL: "https://idp.example") == nil)
        #expect(OIDCProviderMetadata.issuer(fromDiscoveryURL: "/.well-known/openid-configuration") == nil)
    }

    @Test func theProviderAccessTokenPolicyAcceptsTypJWTWithoutClientIDAndRequiresExpAndIat() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            provider.update { $0.jwks = jwksDocument([key]) }
            let oidc = try OIDCVerifier(issuer: provider.base, clientID: "client-1")
            #expect(throws: JWTKRemoteError(.notLoaded)) { try oidc.providerAccessTokenPolicy(audience: "https://api") }
            try await oidc.prepare()
            let now = Date().timeIntervalSince1970.rounded(.down)
            let token = try key.token([
                "iss": provider.base, "sub": "u", "aud": "https://api", "azp": "client-1", "scope": "read", "iat": now, "exp": now + 60,
            ])
            let jwt = try oidc.verifyProviderAccessToken(token, audience: "https://api")
            #expect(try jwt.claims.subject == "u")
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.audienceMismatch))) {
                try oidc.verifyProviderAccessToken(token, audience: "https://other")
            }
            let noIat = try key.token(["iss": provider.base, "aud": "https://api", "exp": now + 60])
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.missingClaim))) {
                try oidc.verifyProviderAccessToken(noIat, audience: "https://api")
            }
            // RFC 9068's profile refuses the same token (no at+jwt typ).
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.typeMismatch))) {
                try oidc.verifyAccessToken(token, audience: "https://api")
            }
        }
    }

    @Test func bearerErrorsAreReadFromTheBodyThenTheChallenge() throws {
        let url = URL(string: "https://idp.example/userinfo")!
        let body = HTTPFetchResponse(
            status: 401, headers: ["WWW-Authenticate": #"Bearer error="invalid_token""#],
            body: Array(#"{"error":"insufficient_scope","error_description":"needs openid"}"#.utf8), url: url)
        #expect(BearerErrorResponse(body) == nil ? false : true)
        #expect(BearerErrorResponse(body)?.summary == "insufficient_scope: needs openid")
        #expect(BearerErrorResponse(body)?.source == .body)
        let challenge = HTTPFetchResponse(
            status: 401,
            headers: ["WWW-Authenticate": #"Bearer realm="x", error="invalid_token", error_description="expired \"today\"""#],
            body: [], url: url)
        #expect(BearerErrorResponse(challenge)?.summary == #"invalid_token: expired "today""#)
        #expect(BearerErrorResponse(challenge)?.source == .wwwAuthenticate)
        let bare = HTTPFetchResponse(status: 401, headers: ["WWW-Authenticate": "Bearer"], body: [], url: url)
        #expect(BearerErrorResponse(bare) == nil)
        let long = HTTPFetchResponse(
            status: 400, headers: [:], body: Array(#"{"error":"\#(String(repeating: "x", count: 500))"}"#.utf8), url: url)
        #expect(BearerErrorResponse(long)?.error.count == BearerErrorResponse.maxLength)
    }
}
