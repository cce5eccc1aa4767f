import Foundation
import JWTK
import JWTKTestSupport
import Testing

/// `jwtk verify --policy FILE` through the real binary: the bundled example policy with local keys, and two
/// issuers served by a real provider on 127.0.0.1 (discovery and a JWK Set URL).
@Suite("jwtk verify --policy")
struct PolicyFileTests {
    static let now = "2026-01-01T00:30:00Z"
    static let iat = 1_767_225_600
    static let exp = 1_767_229_200
    static let timeout = ["--timeout", "60"]
    static let example = "testvectors/policies/example.policy.json"

    let key: TestKey
    init() throws { key = try TestKey(kid: "k1") }

    @Test func theExamplePolicyVerifiesTheBundledToken() throws {
        let result = try CLI.run(["verify", "--policy", Self.example, "--now", Self.now, Craft.exampleToken])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("VALID: RS256 signature verified by key kid \"smarttask-2026-01\""))
        let json = try CLI.run(["verify", "--json", "--policy", Self.example, "--now", Self.now, Craft.exampleToken])
        #expect(json.status == 0)
        let document = try json.json()
        #expect(document["valid"] as? Bool == true)
        #expect(document["issuer"] as? String == "https://auth.smarttask.example")
    }

    @Test func completionsOfferFilesForPolicy() throws {
        let result = try CLI.run(["completion", "bash"])
        #expect(result.stdout.contains("'--policy')\n        __jwtk_add_completions -f\n"))
    }

    @Test func theIssuersPolicyApplies() throws {
        // The example's local issuer has the id-token profile: expiry is its policy's, not a flag's.
        let expired = try CLI.run(["verify", "--json", "--policy", Self.example, "--now", "2026-01-01T01:00:00Z", Craft.exampleToken])
        #expect(expired.status == 1)
        let document = try expired.json()
        #expect((document["error"] as? [String: Any])?["code"] as? String == "expired")
        #expect(document["issuer"] as? String == "https://auth.smarttask.example")
    }

    func writePolicy(_ text: String) throws -> String { try CLI.tempFile(text, name: "policy.json") }

    func twoIssuers(_ provider: LoopbackProvider) -> String {
        #"""
        {"audiences": ["api"], "issuers": [
          {"issuer": "\#(provider.base)", "discovery": "\#(provider.base)/.well-known/openid-configuration", "profile": "id-token"},
          {"issuer": "https://b.example", "jwks": "\#(provider.base)/jwks", "profile": "access-token"}
        ]}
        """#
    }

    func token(iss: String, aud: String = "api") throws -> String {
        try key.token(["iss": iss, "sub": "user-42", "aud": aud, "iat": Self.iat, "exp": Self.exp])
    }

    @Test func twoIssuersOverLoopback() async throws {
        let key = key
        try await LoopbackProvider.with { provider in
            provider.update { $0.jwks = TestKey.jwks([key]) }
            let policy = try writePolicy(twoIssuers(provider))
            let base = ["verify", "--json", "--policy", policy, "--now", Self.now] + Self.timeout

            // A token for an issuer the policy does not name: exit 1, and nothing is fetched.
            for iss in ["\(provider.base)/", "https://evil.example"] {
                let unknown = try await CLI.runDetached(base + [try token(iss: iss)])
                #expect(unknown.status == 1)
                let document = try unknown.json()
                #expect((document["error"] as? [String: Any])?["code"] as? String == "issuer_mismatch")
                #expect(document["issuer"] is NSNull)
            }
            #expect(provider.totalRequests == 0)
            let text = try await CLI.runDetached(["verify", "--policy", policy, "--now", Self.now, try token(iss: "https://evil.example")])
            #expect(text.status == 1)
            #expect(
                text.stderr
                    == "jwtk: the token's issuer is not one of the configured issuers (the policy's issuers: \"\(provider.base)\", \"https://b.example\") [issuer_mismatch]\n"
            )
            #expect(provider.totalRequests == 0)

            // The discovered issuer: discovery, then its jwks_uri.
            let a = try await CLI.runDetached(base + [try token(iss: provider.base)])
            #expect(a.status == 0, "\(a.stderr)")
            #expect(try a.json()["issuer"] as? String == provider.base)
            #expect(provider.count("/.well-known/openid-configuration") == 1)

            // The JWK Set issuer: no discovery.
            let before = provider.count("/.well-known/openid-configuration")
            let b = try await CLI.runDetached(base + [try token(iss: "https://b.example")])
            #expect(b.status == 0, "\(b.stderr)")
            #expect(try b.json()["issuer"] as? String == "https://b.example")
            #expect(provider.count("/.well-known/openid-configuration") == before)

            // That issuer's audience rule: the policy's, exit 1.
            let wrongAudience = try await CLI.runDetached(base + [try token(iss: "https://b.example", aud: "other")])
            #expect(wrongAudience.status == 1)
            #expect((try wrongAudience.json()["error"] as? [String: Any])?["code"] as? String == "audience_mismatch")
        }
    }

    @Test func aMistakeInThePolicyIsNamedWithTheFileAndItsPath() throws {
        let policy = try writePolicy(
            #"{"issuers":[{"issuer":"https://a.example","jwks":"https://a.example/jwks","audiences":["api"]},{"issuer":"https://b.example","jwks":"ftp://b.example/jwks","audiences":["api"]}]}"#
        )
        let result = try CLI.run(["verify", "--policy", policy, try token(iss: "https://a.example")])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("jwtk: \(policy): issuers[1].jwks: is not usable: "))
        let missing = try CLI.run(["verify", "--policy", "no-such-policy.json", try token(iss: "https://a.example")])
        #expect(missing.status == 2)
        #expect(missing.stderr == "jwtk: no-such-policy.json: cannot read the policy file\n")
        let json = try CLI.run(["verify", "--json", "--policy", policy, try token(iss: "https://a.example")])
        #expect(json.status == 2)
        #expect((try json.json()["error"] as? [String: Any])?["message"] as? String != nil)
    }

    @Test(
        "flags the policy file replaces are usage errors",
        arguments: [
            (["--aud", "api"], "--policy FILE sets the policy; --aud cannot be combined with it"),
            (["--iss", "x", "--leeway", "5"], "--policy FILE sets the policy; --iss, --leeway cannot be combined with it"),
            (["--jwks", "testvectors/example/jwks.json"], "--policy FILE names the issuers and their keys"),
            (["--issuer", "https://a.example"], "--policy FILE names the issuers and their keys"),
        ])
    func conflictingFlags(extra: [String], message: String) throws {
        let result = try CLI.run(["verify", "--policy", Self.example] + extra + [Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("jwtk: \(message)"), "\(result.stderr)")
    }
}
