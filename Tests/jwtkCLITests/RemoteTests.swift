import Foundation
import JWTK
import JWTKTestSupport
import Testing

/// The remote commands through the real binary against a real provider on 127.0.0.1.
@Suite("jwtk remote commands")
struct RemoteTests {
    static let now = "2026-01-01T00:30:00Z"
    static let iat = 1_767_225_600
    static let exp = 1_767_229_200
    /// Generous per-request timeout: the machine is shared and the tests run in parallel.
    static let timeout = ["--timeout", "60"]

    let key: TestKey
    let other: TestKey

    init() throws {
        key = try TestKey(kid: "k1")
        other = try TestKey(kid: "k1")  // same kid, different key material
    }

    func idToken(_ provider: LoopbackProvider, signer: TestKey? = nil, extra: [String: Any] = [:]) throws -> String {
        var claims: [String: Any] = [
            "iss": provider.base, "sub": "user-42", "aud": "client-1", "iat": Self.iat, "exp": Self.exp, "nonce": "n-0S6_WzA2Mj",
        ]
        for (name, value) in extra { claims[name] = value }
        return try (signer ?? key).token(claims)
    }

    func serving(_ body: (LoopbackProvider) async throws -> Void) async throws {
        try await LoopbackProvider.with(serving: [key], body)
    }

    // MARK: verify --jwks URL

    @Test func verifyWithJWKSURLAcceptsATokenSignedByAServedKey() async throws {
        try await serving { provider in
            let token = try idToken(provider)
            let result = try await CLI.runDetached(
                ["verify", "--jwks", provider.base + "/jwks", "--aud", "client-1", "--now", Self.now] + Self.timeout + [token])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr == "")
            #expect(result.stdout.hasPrefix("VALID: ES256 signature verified by key kid \"k1\" (EC P-256)\n"))
            #expect(result.stdout.contains("  \"sub\": \"user-42\"\n"))
            #expect(provider.count("/jwks") == 1)
        }
    }

    @Test func verifyWithJWKSURLRejectsATokenFromAnotherKeyWithStatus1() async throws {
        try await serving { provider in
            let token = try idToken(provider, signer: other)
            let result = try await CLI.runDetached(
                ["verify", "--jwks", provider.base + "/jwks", "--aud", "client-1", "--now", Self.now] + Self.timeout + [token])
            #expect(result.status == 1)
            #expect(result.stdout == "")
            #expect(result.stderr.hasPrefix("INVALID: signature check failed: "))
            #expect(result.stderr.hasSuffix("[signature_invalid]\n"))
        }
    }

    @Test func jwksAnswering500IsARemoteFailureWithStatus3() async throws {
        try await serving { provider in
            let token = try idToken(provider)
            let url = provider.base + "/broken/jwks"
            let result = try await CLI.runDetached(
                ["verify", "--jwks", url, "--aud", "client-1", "--now", Self.now] + Self.timeout + [token])
            #expect(result.status == 3)
            #expect(result.stdout == "")
            #expect(result.stderr == "jwtk: the server answered HTTP 500 (\(url)) [http_status]\n")
        }
    }

    @Test func requestSlowerThanTimeoutExits3WithTimeout() async throws {
        try await serving { provider in
            provider.update { $0.delay = 20 }
            let url = provider.base + "/slow/jwks"
            let result = try await CLI.runDetached(
                ["verify", "--jwks", url, "--aud", "client-1", "--timeout", "1", try idToken(provider)])
            #expect(result.status == 3)
            #expect(result.stderr == "jwtk: no complete response within 1 s (\(url)) [timeout]\n")
        }
    }

    @Test func nothingListeningIsARemoteFailure() async throws {
        // A port the provider held and released: nothing listens there any more.
        let port = try await LoopbackProvider.with { $0.port }
        let result = try await CLI.runDetached(["jwks", "http://127.0.0.1:\(port)/jwks"] + Self.timeout)
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("jwtk: "))
        #expect(result.stderr.hasSuffix("(http://127.0.0.1:\(port)/jwks) [fetch_failed]\n"))
    }

    @Test(
        "plain http to a host that is not a loopback literal is refused before any connection",
        arguments: [
            ["verify", "--jwks", "http://127.1:PORT/jwks", "--aud", "client-1", "TOKEN"],
            ["verify", "--issuer", "http://127.1:PORT", "--aud", "client-1", "TOKEN"],
            ["discover", "http://127.1:PORT"],
            ["jwks", "http://127.1:PORT/jwks"],
            ["userinfo", "--issuer", "http://127.1:PORT", "--token-file", "TOKENFILE"],
        ])
    func plainHTTPToANonLoopbackHostExits2WithoutTraffic(_ template: [String]) async throws {
        try await serving { provider in
            let tokenFile = try CLI.tempFile("at-123\n")
            let token = try idToken(provider)
            let args = template.map {
                $0.replacingOccurrences(of: "PORT", with: "\(provider.port)").replacingOccurrences(of: "TOKENFILE", with: tokenFile)
                    .replacingOccurrences(of: "TOKEN", with: token)
            }
            let result = try await CLI.runDetached(args + Self.timeout)
            #expect(result.status == 2)
            #expect(result.stdout == "")
            #expect(
                result.stderr.contains(
                    "plain http is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost); use https [insecure_url]\n"))
            // 127.1 is 127.0.0.1 to the resolver: a request would have reached the provider.
            #expect(provider.totalRequests == 0)
        }
    }

    @Test func jwksURLCannotBeCombinedWithALocalKey() async throws {
        let result = try await CLI.runDetached([
            "verify", "--jwks", "http://127.0.0.1:9/jwks", "--key", "testvectors/example/jwks.json", Craft.exampleToken,
        ])
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: --jwks URL cannot be combined with --key, --secret-file or --secret-env\n")
    }

    @Test func timeoutWithoutARemoteSourceIsAUsageError() async throws {
        let result = try await CLI.runDetached(["verify"] + Craft.exampleVerifyArgs + ["--timeout", "3", Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: --timeout applies to remote sources only (--jwks URL or --issuer URL)\n")
    }

    // MARK: verify --issuer

    @Test func verifyWithIssuerEndToEndWithNonce() async throws {
        try await serving { provider in
            let token = try idToken(provider)
            let args = ["verify", "--issuer", provider.base, "--aud", "client-1", "--now", Self.now] + Self.timeout
            let valid = try await CLI.runDetached(args + ["--nonce", "n-0S6_WzA2Mj", token])
            #expect(valid.status == 0, "\(valid.stderr)")
            #expect(valid.stderr == "")
            #expect(valid.stdout.hasPrefix("VALID: ES256 signature verified by key kid \"k1\" (EC P-256)\n"))
            #expect(valid.stdout.contains("  checked     "))
            #expect(valid.stdout.contains("nonce, azp\n"))
            #expect(provider.count("/.well-known/openid-configuration") == 1)
            #expect(provider.count("/jwks") == 1)

            let wrongNonce = try await CLI.runDetached(args + ["--nonce", "other", token])
            #expect(wrongNonce.status == 1)
            #expect(wrongNonce.stderr.hasPrefix("INVALID: nonce check failed: "))
            #expect(wrongNonce.stderr.hasSuffix("[nonce_mismatch]\n"))

            let wrongClient = try await CLI.runDetached(
                ["verify", "--issuer", provider.base, "--aud", "client-2", "--now", Self.now] + Self.timeout + [token])
            #expect(wrongClient.status == 1)
            #expect(wrongClient.stderr.hasSuffix("[audience_mismatch]; hint: --aud names the audience this service accepts\n"))
        }
    }

    @Test func explainWithIssuerShowsTheProviderDerivedAllowList() async throws {
        try await serving { provider in
            provider.update { $0.algorithms = ["ES256", "RS256", "HS256"] }
            let token = try idToken(provider)
            let result = try await CLI.runDetached(
                ["verify", "--explain", "--issuer", provider.base, "--aud", "client-1", "--alg", "ES256,PS256,HS256", "--now", Self.now]
                    + Self.timeout + [token])
            #expect(result.status == 0, "\(result.stderr)")
            // advertised ∩ --alg, as the library verifier built it: HS256 is listed by both and kept, RS256 is
            // advertised but not allowed, PS256 allowed but not advertised.
            #expect(result.stdout.contains("        ES256 is in the allow-list (ES256, HS256)\n"))
            #expect(result.stdout.contains("  skip  Nonce (nonce) (OpenID Connect Core §3.1.3.7 step 11)\n"))
        }
    }

    @Test func maxAuthAgeRequiresARecentAuthentication() async throws {
        try await serving { provider in
            let token = try idToken(provider, extra: ["auth_time": Self.iat])
            let args = ["verify", "--issuer", provider.base, "--aud", "client-1", "--now", Self.now] + Self.timeout
            let recent = try await CLI.runDetached(args + ["--max-auth-age", "3600", token])
            #expect(recent.status == 0, "\(recent.stderr)")
            let tooOld = try await CLI.runDetached(args + ["--max-auth-age", "60", token])
            #expect(tooOld.status == 1)
            #expect(
                tooOld.stderr
                    == "INVALID: auth_time check failed: the user authenticated 1800s ago; max_age is 60s [authentication_too_old]\n")
        }
    }

    @Test func verifyWithIssuerJSONNamesTheProviderKey() async throws {
        try await serving { provider in
            let token = try idToken(provider)
            let result = try await CLI.runDetached(
                ["verify", "--json", "--issuer", provider.base, "--aud", "client-1", "--nonce", "n-0S6_WzA2Mj", "--now", Self.now]
                    + Self.timeout + [token])
            #expect(result.status == 0, "\(result.stderr)")
            let json = try result.json()
            #expect(json["valid"] as? Bool == true)
            let key = try #require(json["key"] as? [String: Any])
            #expect(key["kid"] as? String == "k1")
            #expect(key["thumbprint"] as? String == self.key.key.verificationKey.thumbprint)
        }
    }

    @Test func issuerTheProviderDoesNotClaimExits3WithAClearMessage() async throws {
        try await serving { provider in
            provider.update { $0.issuer = "https://evil.example" }
            let result = try await CLI.runDetached(
                ["verify", "--issuer", provider.base, "--aud", "client-1", "--now", Self.now] + Self.timeout + [try idToken(provider)])
            #expect(result.status == 3)
            #expect(result.stdout == "")
            #expect(
                result.stderr
                    == "jwtk: the discovery document's issuer \"https://evil.example\" is not the configured issuer \"\(provider.base)\" (\(provider.base)/.well-known/openid-configuration) [issuer_mismatch]\n"
            )
            #expect(provider.count("/jwks") == 0)
        }
    }

    @Test func providerWithoutACommonAlgorithmExits3() async throws {
        try await serving { provider in
            let result = try await CLI.runDetached(
                ["verify", "--issuer", provider.base, "--aud", "client-1", "--alg", "PS256"] + Self.timeout + [try idToken(provider)])
            #expect(result.status == 3)
            #expect(result.stderr.hasSuffix("[no_common_algorithm]\n"))
        }
    }

    @Test(
        "flags that cannot apply with --issuer are usage errors",
        arguments: [
            (["--jws"], "--jws cannot be used with --issuer"),
            (["--allow-missing-exp"], "--allow-missing-exp contradicts --issuer"),
            (["--ignore-audience"], "--ignore-audience contradicts --issuer"),
            (["--profile", "jwt"], "--issuer verifies ID tokens"),
            (["--iss", "https://other.example"], "--iss https://other.example differs from --issuer"),
            (["--jwks", "testvectors/example/jwks.json"], "--issuer takes the keys from the provider's jwks_uri"),
            (["--profile", "at+jwt", "--nonce", "n"], "--nonce applies to ID tokens"),
        ])
    func unsupportedCombinationsWithIssuerExit2(_ extra: [String], _ message: String) async throws {
        let result = try await CLI.runDetached(
            ["verify", "--issuer", "http://127.0.0.1:9", "--aud", "client-1"] + extra + [Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("jwtk: \(message)"), "\(result.stderr)")
    }

    @Test func accessTokenProfileVerifiesAnRFC9068Token() async throws {
        try await serving { provider in
            let token = try key.token(
                [
                    "iss": provider.base, "sub": "user-42", "aud": "https://api.example", "client_id": "client-1", "iat": Self.iat,
                    "exp": Self.exp, "jti": "j-1",
                ], type: "at+jwt")
            let result = try await CLI.runDetached(
                ["verify", "--issuer", provider.base, "--profile", "at+jwt", "--aud", "https://api.example", "--now", Self.now]
                    + Self.timeout + [token])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("VALID: ES256 signature verified by key kid \"k1\""))
        }
    }

    // MARK: discover

    @Test func discoverPrintsTheMetadataAndChecksAndExits0() async throws {
        try await serving { provider in
            provider.update { $0.algorithms = ["ES256", "HS256"] }
            let b = provider.base
            let result = try await CLI.runDetached(["discover", b] + Self.timeout)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr == "")
            let head = result.stdout.components(separatedBy: "\n\nHTTP: discovery document\n")[0]
            #expect(
                head == """
                    Issuer            \(b)
                    Discovery         \(b)/.well-known/openid-configuration
                    jwks_uri          \(b)/jwks
                    userinfo          \(b)/userinfo
                    authorization     \(b)/authorize
                    token             \(b)/token
                    end_session       -
                    ID token algs     ES256, HS256
                    Accepted algs     ES256 (advertised and allowed)
                    Response types    code
                    Subject types     public
                    Scopes            -
                    JWK Set           1 key, 1 usable, 0 skipped

                    Checks
                      pass     the document's issuer equals \(b) exactly (OpenID Connect Discovery §4.3)
                      warning  issuer, jwks_uri, userinfo_endpoint use plain http, accepted only because the host is loopback; a real provider must use https (OpenID Connect Discovery §3)
                      warning  id_token_signing_alg_values_supported does not include RS256, which is required (OpenID Connect Discovery §3)
                      warning  HS256 advertised for ID tokens: those are signed with the client secret, which jwks_uri cannot carry; verify --issuer does not accept them (OpenID Connect Core §10.1)
                      pass     verify --issuer accepts ID tokens signed with ES256 (RFC 8725 §3.1)
                      pass     jwks_uri answered with 1 usable key, 0 skipped (RFC 7517 §5)
                      info     discovery document: no ETag or Last-Modified: refreshes cannot be conditional, every refresh downloads the whole discovery document (RFC 9110 §8.8)
                    """)
            #expect(result.stdout.contains("\nHTTP: JWK Set\n    HTTP 200, "))
            #expect(result.stdout.contains("    Cache-Control   max-age=300\n"))
            #expect(result.stdout.contains("    ETag            \"jwks-v1\"\n"))
            #expect(result.stdout.contains("    Freshness       5m asked; jwtk caches it for 5m (bounds 1m to 1d)\n"))
        }
    }

    @Test func discoverJSONCarriesTheDocumentAndTheChecks() async throws {
        try await serving { provider in
            let result = try await CLI.runDetached(["discover", "--json", provider.base] + Self.timeout)
            #expect(result.status == 0, "\(result.stderr)")
            let json = try result.json()
            #expect(json["ok"] as? Bool == true)
            #expect(json["accepted_algorithms"] as? [String] == ["ES256", "RS256"])
            let metadata = try #require(json["metadata"] as? [String: Any])
            #expect(metadata["jwks_uri"] as? String == provider.base + "/jwks")
            let jwks = try #require(json["jwks"] as? [String: Any])
            #expect(jwks["usable"] as? Int == 1)
            let http = try #require(json["http"] as? [String: Any])
            let jwksHTTP = try #require(http["jwks"] as? [String: Any])
            #expect(jwksHTTP["cache_control"] as? String == "max-age=300")
            #expect(jwksHTTP["jwtk_lifetime"] as? Int == 300)
            let checks = try #require(json["checks"] as? [[String: Any]])
            #expect(checks.first?["id"] as? String == "issuer")
            #expect(checks.first?["outcome"] as? String == "pass")
        }
    }

    @Test func discoverOfAMismatchedIssuerExits3() async throws {
        try await serving { provider in
            provider.update { $0.issuer = provider.base + "/" }
            let result = try await CLI.runDetached(["discover", provider.base] + Self.timeout)
            #expect(result.status == 3)
            // The report is printed with the failing issuer check (OIDCRealityTests checks its wording).
            #expect(result.stdout.contains("  error    the document's issuer "))
            #expect(result.stderr.hasPrefix("jwtk: \(provider.base): the provider is not usable: the document's issuer "))
        }
    }

    @Test func discoverReportsAnUnusableJWKSAndExits3() async throws {
        try await serving { provider in
            provider.update { $0.jwks = #"{"keys":[{"kty":"XYZ","kid":"odd"}]}"# }
            let result = try await CLI.runDetached(["discover", provider.base] + Self.timeout)
            #expect(result.status == 3)
            #expect(result.stdout.contains("  error    jwks_uri is not usable: the JWK Set has no usable key;"))
            #expect(result.stderr.hasPrefix("jwtk: \(provider.base): the provider is not usable: jwks_uri is not usable: "))
        }
    }

    // MARK: jwks URL

    @Test func jwksURLListsTheKeysAndTheCacheHeaders() async throws {
        try await serving { provider in
            let url = provider.base + "/jwks"
            let result = try await CLI.runDetached(["jwks", url] + Self.timeout)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr == "")
            // The Date header is the server's clock: compare everything else.
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("    Date ") }
            let thumbprint = key.key.verificationKey.thumbprint
            let size = TestKey.jwks([key]).utf8.count
            #expect(
                lines.joined(separator: "\n") == """
                    \(url): JWK Set of 1 key, 1 usable

                    #0  kid "k1"
                        kty EC  crv P-256  alg ES256  use sig  key_ops -
                        thumbprint \(thumbprint)

                    HTTP
                        HTTP 200, \(size) bytes, application/json
                        Cache-Control   max-age=300
                        Expires         -
                        ETag            "jwks-v1"
                        Last-Modified   -
                        Age             -
                        Freshness       5m asked; jwtk caches it for 5m (bounds 1m to 1d)

                    """)
        }
    }

    @Test func jwksURLWithoutCacheHeadersIsFlagged() async throws {
        try await serving { provider in
            provider.update { $0.jwksHeaders = ["Cache-Control": "no-store"] }
            let result = try await CLI.runDetached(["jwks", "--json", provider.base + "/jwks"] + Self.timeout)
            #expect(result.status == 0)
            let http = try #require(try result.json()["http"] as? [String: Any])
            #expect(http["server_lifetime"] as? Int == 0)
            #expect(http["jwtk_lifetime"] as? Int == 60)
            let findings = try #require(http["findings"] as? [[String: Any]])
            #expect(findings.map { $0["id"] as? String } == ["short_cache_lifetime", "no_validator"])
        }
    }

    @Test func jwksURLWithNoUsableKeyIsListedAndExits3() async throws {
        try await serving { provider in
            provider.update { $0.jwks = #"{"keys":[{"kty":"XYZ","kid":"odd"}]}"# }
            let result = try await CLI.runDetached(["jwks", provider.base + "/jwks"] + Self.timeout)
            #expect(result.status == 3)
            #expect(result.stdout.contains("#0  kid \"odd\"\n"))
            #expect(result.stderr.hasPrefix("jwtk: the JWK Set has no usable key; "))
            #expect(result.stderr.hasSuffix("[invalid_document]\n"))
        }
    }

    @Test func verboseLogsTheFetchOnStderrOnly() async throws {
        try await serving { provider in
            let quiet = try await CLI.runDetached(["jwks", "--json", provider.base + "/jwks"] + Self.timeout)
            #expect(quiet.stderr == "")
            let verbose = try await CLI.runDetached(["jwks", "--json", "--verbose", provider.base + "/jwks"] + Self.timeout)
            #expect(verbose.status == 0)
            #expect(verbose.stderr.contains("installed JWK Set"))
            #expect(verbose.stdout == quiet.stdout.replacingOccurrences(of: "\n", with: "\n"))
            _ = try verbose.json()
        }
    }

    // MARK: userinfo

    @Test func userinfoPrintsTheClaims() async throws {
        try await serving { provider in
            let tokenFile = try CLI.tempFile("at-123\n")
            let result = try await CLI.runDetached(
                ["userinfo", "--issuer", provider.base, "--token-file", tokenFile, "--sub", "user-42"] + Self.timeout)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                result.stdout == """
                    {
                      "sub": "user-42",
                      "name": "Ada Lovelace",
                      "email": "ada@example.com",
                      "email_verified": true
                    }

                    """)
        }
    }

    @Test func userinfoFailuresExit3() async throws {
        try await serving { provider in
            let good = try CLI.tempFile("at-123\n")
            let bad = try CLI.tempFile("wrong\n")
            let unauthorized = try await CLI.runDetached(["userinfo", "--issuer", provider.base, "--token-file", bad] + Self.timeout)
            #expect(unauthorized.status == 3)
            #expect(
                unauthorized.stderr
                    == "jwtk: the server answered HTTP 401 (WWW-Authenticate: Bearer error=\"invalid_token\"); the provider says in WWW-Authenticate: invalid_token (\(provider.base)/userinfo) [http_status]\n"
            )
            let otherSubject = try await CLI.runDetached(
                ["userinfo", "--issuer", provider.base, "--token-file", good, "--sub", "someone-else"] + Self.timeout)
            #expect(otherSubject.status == 3)
            #expect(otherSubject.stdout == "")
            #expect(otherSubject.stderr.hasSuffix("[subject_mismatch]\n"))
            let empty = try await CLI.runDetached(
                ["userinfo", "--issuer", provider.base, "--token-file", try CLI.tempFile("\n")] + Self.timeout)
            #expect(empty.status == 2)
            #expect(empty.stderr.hasSuffix("[invalid_argument]\n"))
        }
    }
}
