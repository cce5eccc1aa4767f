import Foundation
import Testing

/// `--json` prints one document with `schema_version` for every exit status (issue 12 item 5). CLI.run also
/// validates each document against docs/schemas/COMMAND.schema.json.
@Suite("--json on every command and every exit status")
struct JSONEveryExitTests {
    static func error(_ result: CLIResult) throws -> [String: Any] {
        let document = try result.json()
        #expect(document["schema_version"] as? Int == 1)
        return try #require(document["error"] as? [String: Any], "no error object in \(result.stdout)")
    }

    @Test func exit0And1() throws {
        let valid = try CLI.run(["verify", "--json"] + Craft.exampleVerifyArgs + [Craft.exampleToken])
        #expect(valid.status == 0)
        #expect(try valid.json()["schema_version"] as? Int == 1)
        #expect(try valid.json()["error"] is NSNull)
        let expired = try CLI.run(
            ["verify", "--json"] + Craft.exampleVerifyArgs.dropLast(2) + ["--now", "2026-01-01T01:00:05Z", Craft.exampleToken])
        #expect(expired.status == 1)
        let error = try Self.error(expired)
        #expect(error["code"] as? String == "expired")
        #expect(error["check"] as? String == "exp")
        #expect(error["claim"] as? String == "exp")
        #expect((error["hint"] as? String)?.hasSuffix("--leeway SECONDS allows clock skew; --now TIME checks as of another time") == true)
        let undecodable = try CLI.run(["inspect", "--json", "not-a-token"])
        #expect(undecodable.status == 1)
        #expect(try Self.error(undecodable)["code"] as? String == "malformed_token")
    }

    @Test func exit2() throws {
        let flag = try CLI.run(["verify", "--json", "--bogus"])
        #expect(flag.status == 2)
        let error = try Self.error(flag)
        #expect(error["code"] as? String == "usage_error")
        #expect(error["message"] as? String == "Unknown option '--bogus'")
        #expect(try flag.json()["ok"] as? Bool == false)
        #expect(flag.stderr.hasPrefix("Error: Unknown option '--bogus'"))  // stderr keeps the text

        let file = try CLI.run(["verify", "--json", "--key", "/nonexistent/key.pem", Craft.exampleToken])
        #expect(file.status == 2)
        #expect(try Self.error(file)["message"] as? String == "cannot read /nonexistent/key.pem: No such file or directory")

        let insecure = try CLI.run(["verify", "--json", "--jwks", "http://example.com/jwks.json", Craft.exampleToken])
        #expect(insecure.status == 2)
        #expect(try Self.error(insecure)["code"] as? String == "insecure_url")

        let thumbprint = try CLI.run(["thumbprint", "--json", "/nonexistent/key.pem"])
        #expect(thumbprint.status == 2)
        _ = try Self.error(thumbprint)
        let sign = try CLI.run(["sign", "--json", "--key", "\(SignUXTests.keys)/p256.private.pem", "--exp", "1h"])
        #expect(sign.status == 2)
        #expect(
            try Self.error(sign)["message"] as? String
                == "--alg is required: the key does not name its algorithm (a JWK's \"alg\"), and jwtk never guesses one")
    }

    @Test func exit3() throws {
        // A loopback port nothing listens on: the connection is refused at once.
        let refused = try CLI.run(["verify", "--json", "--jwks", "http://127.0.0.1:9/jwks.json", "--timeout", "5", Craft.exampleToken])
        #expect(refused.status == 3)
        let error = try Self.error(refused)
        #expect(["fetch_failed", "timeout"].contains(error["code"] as? String))
    }

    @Test func thumbprintAndSignSpeakJSON() throws {
        let thumbprint = try CLI.run(["thumbprint", "--json", "\(Craft.example)/jwks.json"])
        #expect(thumbprint.status == 0)
        let keys = try #require(try thumbprint.json()["keys"] as? [[String: Any]])
        let plain = try CLI.run(["thumbprint", "\(Craft.example)/jwks.json"])
        #expect(plain.stdout.hasPrefix(try #require(keys.first?["thumbprint"] as? String)))

        let signed = try CLI.run([
            "sign", "--json", "--key", "\(SignUXTests.keys)/p256.private.pem", "--alg", "ES256", "--sub", "42", "--now", "1767225600",
            "--exp", "1h",
        ])
        #expect(signed.status == 0)
        let document = try signed.json()
        let claims = try #require(document["claims"] as? [String: Any])
        #expect(claims["sub"] as? String == "42")
        #expect(claims["exp"] as? Int == 1_767_229_200)
        #expect((document["header"] as? [String: String])?["alg"] == "ES256")
        let token = try #require(document["token"] as? String)
        let verified = try CLI.run(["verify", "--key", "\(SignUXTests.keys)/p256.public.pem", "--now", "1767225700", token])
        #expect(verified.status == 0)
    }
}
