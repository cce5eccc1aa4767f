import Foundation
import JWTK
import JWTKTestSupport
import Testing

/// Exit classes and messages of the remote commands, through the real binary against a real provider on
/// 127.0.0.1: a rejected token against fresh keys, a token outside b64token, a refused discovery document, the
/// URL scheme's case.
@Suite("jwtk remote commands: exit classes and messages")
struct RemoteExitClassTests {
    static let timeout = ["--timeout", "60"]
    let key: TestKey

    init() throws { key = try TestKey(kid: "k1") }

    func serving(_ body: (LoopbackProvider) async throws -> Void) async throws {
        try await LoopbackProvider.with(serving: [key], body)
    }

    /// `--now` judges the token, not the key cache: a token expired at `--now 1e20` is exit 1 `expired`, not
    /// exit 3 `stale_keys` for keys fetched a moment ago.
    @Test func expiredTokenThroughIssuerIsExit1NotStaleKeys() async throws {
        try await serving { provider in
            let token = try key.token([
                "iss": provider.base, "sub": "user-42", "aud": "client-1", "iat": 1_767_225_600, "exp": 1_767_229_200,
            ])
            let result = try await CLI.runDetached(
                ["verify", "--issuer", provider.base, "--aud", "client-1", "--now", "1e20"] + Self.timeout + [token])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("[expired]"), "\(result.stderr)")
            #expect(!result.stderr.contains("stale_keys"))
            let valid = try await CLI.runDetached(
                ["verify", "--issuer", provider.base, "--aud", "client-1", "--now", "2026-01-01T00:30:00Z"] + Self.timeout + [token])
            #expect(valid.status == 0, "\(valid.stderr)")
        }
    }

    /// An access token outside RFC 6750 §2.1 b64token is exit 2 `invalid_argument`, and nothing is fetched.
    @Test(arguments: [
        Array("at\t123".utf8), Array("at\u{0}123".utf8), [0x61, 0x74, 0xFF, 0x31], Array("at 123".utf8),
    ])
    func userinfoRefusesATokenOutsideB64Token(token: [UInt8]) async throws {
        try await serving { provider in
            let result = try await CLI.runDetached(
                ["userinfo", "--issuer", provider.base, "--token-file", "-"] + Self.timeout, stdin: token + [0x0A])
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stdout == "")
            #expect(result.stderr.hasSuffix("[invalid_argument]\n"), "\(result.stderr)")
            #expect(result.stderr.contains("b64token"))
            #expect(provider.count("/userinfo") == 0)
            #expect(provider.count("/.well-known/openid-configuration") == 0)
        }
    }

    /// A discovery document the strict parser refuses is exit 3 `invalid_document` naming the reason, never a
    /// report with `"metadata": null`; a document it accepts is printed as the object it is.
    @Test func discoverJSONNeverPrintsNullMetadata() async throws {
        try await serving { provider in
            let good = try await CLI.runDetached(["discover", "--json", provider.base] + Self.timeout)
            #expect(good.status == 0, "\(good.stderr)")
            let json = try good.json()
            let metadata = try #require(json["metadata"] as? [String: Any])
            #expect(metadata["issuer"] as? String == provider.base)

            let base = provider.base
            let rest = #""issuer":"\#(base)","jwks_uri":"\#(base)/jwks","id_token_signing_alg_values_supported":["ES256"]}"#
            for (document, reason) in [
                (#"{"issuer":"http://evil.example","# + rest, "the member \"issuer\" twice"),
                (#"{"x":NaN,"# + rest, "NaN, which is not a JSON number"),
                (#"{"x":"a\u0000","# + rest, "is refused"),
            ] {
                provider.update { $0.discoveryBody = document }
                let result = try await CLI.runDetached(["discover", "--json", provider.base] + Self.timeout)
                #expect(result.status == 3, "\(result.stderr)")
                // --json on every exit status (issue 12): the failure document, never a null metadata.
                let failure = try result.json()
                #expect(failure["ok"] as? Bool == false)
                #expect(failure["metadata"] == nil)
                #expect((failure["error"] as? [String: Any])?["code"] as? String == "invalid_document")
                #expect(result.stderr.contains(reason), "\(result.stderr)")
                #expect(result.stderr.hasSuffix("[invalid_document]\n"), "\(result.stderr)")
            }
        }
    }

    /// `HTTP://127.0.0.1:PORT/jwks` is the same URL as `http://…` (RFC 3986 §3.1) and is fetched.
    @Test func upperCaseSchemeIsFetched() async throws {
        try await serving { provider in
            let token = try key.token(["sub": "user-42", "aud": "client-1", "exp": 1_767_229_200])
            let url = "HTTP://127.0.0.1:\(provider.port)/jwks"
            let result = try await CLI.runDetached(
                ["verify", "--jwks", url, "--aud", "client-1", "--now", "2026-01-01T00:30:00Z"] + Self.timeout + [token])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(provider.count("/jwks") == 1)
        }
    }
}
