import Foundation
import JWTK
import JWTKTestSupport
import Testing

/// OpenID Connect as providers really behave (issue 12 item 7), through the real binary against a real
/// provider on 127.0.0.1.
@Suite("OpenID Connect realities")
struct OIDCRealityTests {
    static let now = "2026-01-01T00:30:00Z"
    static let iat = 1_767_225_600
    static let exp = 1_767_229_200
    static let timeout = ["--timeout", "60"]
    /// OpenID Connect Core Appendix A.3: this access token's at_hash is 77QmUPtjPfzWtF2AnpK9RQ.
    static let accessToken = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
    static let atHash = "77QmUPtjPfzWtF2AnpK9RQ"

    let key: TestKey

    init() throws { key = try TestKey(kid: "k1") }

    func serving(_ body: (LoopbackProvider) async throws -> Void) async throws {
        try await LoopbackProvider.with(serving: [key], body)
    }

    func idToken(_ provider: LoopbackProvider, extra: [String: Any] = [:]) throws -> String {
        var claims: [String: Any] = ["iss": provider.base, "sub": "user-42", "aud": "client-1", "iat": Self.iat, "exp": Self.exp]
        for (name, value) in extra { claims[name] = value }
        return try key.token(claims)
    }

    /// An access token as most providers issue it: typ JWT, aud the API, azp and scope, no client_id or jti.
    func providerAccessToken(_ provider: LoopbackProvider) throws -> String {
        try key.token([
            "iss": provider.base, "sub": "user-42", "aud": "https://api.example", "azp": "client-1", "scope": "openid tasks:read",
            "iat": Self.iat, "exp": Self.exp,
        ])
    }

    // MARK: --profile access-token

    @Test func anOrdinaryProviderAccessTokenVerifiesWithTheAccessTokenProfile() async throws {
        try await serving { provider in
            let token = try providerAccessToken(provider)
            let result = try await CLI.runDetached(
                ["verify", "--issuer", provider.base, "--profile", "access-token", "--aud", "https://api.example", "--now", Self.now]
                    + Self.timeout + [token])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("VALID: ES256 signature verified by key kid \"k1\""))
            #expect(result.stdout.contains("\"scope\": \"openid tasks:read\""))
            // The RFC 9068 profile still refuses it: it is not an at+jwt.
            let strict = try await CLI.runDetached(
                ["verify", "--issuer", provider.base, "--profile", "at+jwt", "--aud", "https://api.example", "--now", Self.now]
                    + Self.timeout + [token])
            #expect(strict.status == 1)
            #expect(strict.stderr.contains("[type_mismatch]"), "\(strict.stderr)")
        }
    }

    @Test func theAccessTokenProfileRefusesAnIDTokenAndATokenForAnotherAPI() async throws {
        try await serving { provider in
            let result = try await CLI.runDetached(
                ["verify", "--issuer", provider.base, "--profile", "access-token", "--aud", "https://api.example", "--now", Self.now]
                    + Self.timeout + [try idToken(provider)])
            #expect(result.status == 1)
            #expect(result.stderr.contains("[audience_mismatch]"), "\(result.stderr)")
        }
    }

    @Test func theAccessTokenProfileWorksWithLocalKeysAndRequiresExp() async throws {
        try await serving { provider in
            let jwks = try CLI.tempFile(TestKey.jwks([key]), name: "jwks.json")
            let base = ["verify", "--jwks", jwks, "--profile", "access-token", "--iss", provider.base, "--aud", "https://api.example"]
            let ok = try await CLI.runDetached(base + ["--now", Self.now, try providerAccessToken(provider)])
            #expect(ok.status == 0, "\(ok.stderr)")
            let noExp = try key.token(["iss": provider.base, "aud": "https://api.example", "iat": Self.iat])
            let refused = try await CLI.runDetached(base + ["--now", Self.now, noExp])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("[missing_claim]"), "\(refused.stderr)")
        }
    }

    // MARK: --issuer given the discovery URL

    @Test func theDiscoveryURLGivenAsIssuerIsUsedAndSaysSo() async throws {
        try await serving { provider in
            let url = provider.base + "/.well-known/openid-configuration"
            let result = try await CLI.runDetached(
                ["verify", "--issuer", url, "--aud", "client-1", "--now", Self.now] + Self.timeout + [try idToken(provider)])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                result.stderr
                    == "jwtk: note: \(url) is a discovery URL; using its issuer \(provider.base) (OpenID Connect Discovery §4.1)\n")
            let discover = try await CLI.runDetached(["discover", "--json", url] + Self.timeout)
            #expect(discover.status == 0, "\(discover.stderr)")
            let json = try discover.json()
            #expect(json["issuer"] as? String == provider.base)
            #expect((json["notes"] as? [String])?.first?.contains("is a discovery URL") == true)
        }
    }

    // MARK: issuer near misses

    @Test(
        "verify names the near miss between --issuer and the provider's issuer",
        arguments: [
            ("/", "they differ only by a trailing slash (the provider's has one)"),
            ("https", "they differ only in the scheme (http configured, https stated by the provider)"),
            ("localhost", "127.0.0.1 and localhost name the same machine, but they are different issuers"),
        ])
    func verifyNamesTheNearMiss(_ variant: String, _ explanation: String) async throws {
        try await serving { provider in
            let served: String
            switch variant {
            case "/": served = provider.base + "/"
            case "https": served = "https://127.0.0.1:\(provider.port)"
            default: served = "http://localhost:\(provider.port)"
            }
            provider.update { $0.issuer = served }
            let result = try await CLI.runDetached(
                ["verify", "--issuer", provider.base, "--aud", "client-1", "--now", Self.now] + Self.timeout + [try idToken(provider)])
            #expect(result.status == 3)
            #expect(result.stderr.contains(": \(explanation) ("), "\(result.stderr)")
            #expect(result.stderr.hasSuffix("[issuer_mismatch]\n"))
        }
    }

    @Test func discoverPrintsItsReportWhenTheIssuerCheckFails() async throws {
        try await serving { provider in
            provider.update { $0.issuer = provider.base + "/" }
            let result = try await CLI.runDetached(["discover", provider.base] + Self.timeout)
            #expect(result.status == 3)
            #expect(
                result.stdout.contains(
                    "  error    the document's issuer \"\(provider.base)/\" is not \"\(provider.base)\": they differ only by a trailing slash (the provider's has one) (OpenID Connect Discovery §4.3)\n           fix: use the issuer exactly as the provider states it (and as its tokens carry it in iss): \(provider.base)/\n"
                ), "\(result.stdout)")
            // The rest of the report is still there.
            #expect(result.stdout.contains("  pass     jwks_uri answered with 1 usable key, 0 skipped (RFC 7517 §5)\n"))
            #expect(result.stdout.contains("\nHTTP: JWK Set\n"))
            #expect(result.stderr.hasPrefix("jwtk: \(provider.base): the provider is not usable: the document's issuer"))

            let json = try await CLI.runDetached(["discover", "--json", provider.base] + Self.timeout)
            #expect(json.status == 3)
            let document = try json.json()
            #expect(document["ok"] as? Bool == false)
            let first = try #require((document["checks"] as? [[String: Any]])?.first)
            #expect(first["id"] as? String == "issuer")
            #expect(first["outcome"] as? String == "error")
            #expect(first["code"] as? String == "issuer_trailing_slash")
            #expect((first["hint"] as? String)?.hasSuffix(provider.base + "/") == true)
        }
    }

    // MARK: https against a plain-HTTP server

    @Test func httpsAgainstAPlainHTTPServerExplainsItself() async throws {
        try await serving { provider in
            let https = "https://127.0.0.1:\(provider.port)"
            let jwks = try await CLI.runDetached(
                ["verify", "--jwks", https + "/jwks", "--aud", "client-1", "--now", Self.now] + Self.timeout + [try idToken(provider)])
            #expect(jwks.status == 3)
            #expect(
                jwks.stderr.contains(
                    "; the server at 127.0.0.1:\(provider.port) speaks plain HTTP, not TLS: use http:// for a loopback server (\(https)/jwks)"
                ),
                "\(jwks.stderr)")
            let discover = try await CLI.runDetached(["discover", https] + Self.timeout)
            #expect(discover.status == 3)
            #expect(discover.stderr.contains("speaks plain HTTP, not TLS: use http://"), "\(discover.stderr)")
        }
    }

    // MARK: --access-token-file and at_hash

    @Test func accessTokenFileChecksAtHash() async throws {
        try await serving { provider in
            let file = try CLI.tempFile(Self.accessToken + "\n", name: "access-token")
            let good = try idToken(provider, extra: ["at_hash": Self.atHash])
            let ok = try await CLI.runDetached(
                ["verify", "--issuer", provider.base, "--aud", "client-1", "--access-token-file", file, "--now", Self.now]
                    + Self.timeout + [good])
            #expect(ok.status == 0, "\(ok.stderr)")
            let wrong = try CLI.tempFile("another-access-token", name: "other-token")
            let bad = try await CLI.runDetached(
                ["verify", "--issuer", provider.base, "--aud", "client-1", "--access-token-file", wrong, "--now", Self.now]
                    + Self.timeout + [good])
            #expect(bad.status == 1)
            #expect(bad.stderr.hasPrefix("INVALID: at_hash check failed:"), "\(bad.stderr)")
            // A token without at_hash is refused once an access token is given (OIDC Core §3.1.3.8).
            let missing = try await CLI.runDetached(
                ["verify", "--issuer", provider.base, "--aud", "client-1", "--access-token-file", file, "--now", Self.now]
                    + Self.timeout + [try idToken(provider)])
            #expect(missing.status == 1)
            // Local keys too.
            let jwks = try CLI.tempFile(TestKey.jwks([key]), name: "jwks.json")
            let local = try await CLI.runDetached(
                ["verify", "--jwks", jwks, "--aud", "client-1", "--access-token-file", wrong, "--now", Self.now, good])
            #expect(local.status == 1)
            #expect(local.stderr.hasPrefix("INVALID: at_hash check failed:"), "\(local.stderr)")
        }
    }

    @Test func accessTokenFileDoesNotApplyToAccessTokenProfiles() async throws {
        let file = try CLI.tempFile(Self.accessToken, name: "access-token")
        let result = try await CLI.runDetached(
            [
                "verify", "--jwks", "testvectors/example/jwks.json", "--profile", "access-token", "--iss", "https://i", "--aud", "a",
                "--access-token-file", file, Craft.exampleToken,
            ])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("jwtk: --access-token-file checks an ID token's at_hash"), "\(result.stderr)")
    }
}

/// `userinfo` shows what the provider said when it refused the token.
@Suite("userinfo provider errors")
struct UserInfoErrorTests {
    static let timeout = ["--timeout", "60"]

    @Test func theChallengesErrorDescriptionIsShown() async throws {
        try await LoopbackProvider.with { provider in
            provider.update {
                $0.userinfoChallenge = #"Bearer realm="smarttask", error="invalid_token", error_description="The access token expired""#
            }
            let bad = try CLI.tempFile("wrong\n")
            let result = try await CLI.runDetached(["userinfo", "--issuer", provider.base, "--token-file", bad] + Self.timeout)
            #expect(result.status == 3)
            #expect(
                result.stderr.contains(
                    "; the provider says in WWW-Authenticate: invalid_token: The access token expired (\(provider.base)/userinfo) [http_status]"
                ),
                "\(result.stderr)")
        }
    }

    @Test func theBodysErrorIsShownAndJSONCarriesIt() async throws {
        try await LoopbackProvider.with { provider in
            provider.update {
                $0.userinfoChallenge = "Bearer"
                $0.userinfoErrorBody = #"{"error":"insufficient_scope","error_description":"the openid scope is required"}"#
            }
            let bad = try CLI.tempFile("wrong\n")
            let result = try await CLI.runDetached(["userinfo", "--issuer", provider.base, "--token-file", bad] + Self.timeout)
            #expect(result.status == 3)
            #expect(
                result.stderr.contains("; the provider says in its response body: insufficient_scope: the openid scope is required ("),
                "\(result.stderr)")
            let json = try await CLI.runDetached(["userinfo", "--json", "--issuer", provider.base, "--token-file", bad] + Self.timeout)
            #expect(json.status == 3)
            let error = try #require(try json.json()["error"] as? [String: Any])
            #expect(error["code"] as? String == "http_status")
            #expect((error["message"] as? String)?.contains("insufficient_scope: the openid scope is required") == true)
        }
    }

    @Test func userinfoJSONWrapsTheClaims() async throws {
        try await LoopbackProvider.with { provider in
            let tokenFile = try CLI.tempFile("at-123\n")
            let result = try await CLI.runDetached(
                ["userinfo", "--json", "--issuer", provider.base, "--token-file", tokenFile, "--sub", "user-42"] + Self.timeout)
            #expect(result.status == 0, "\(result.stderr)")
            let json = try result.json()
            #expect(json["ok"] as? Bool == true)
            #expect(json["sub"] as? String == "user-42")
            #expect((json["claims"] as? [String: Any])?["email"] as? String == "ada@example.com")
        }
    }
}
