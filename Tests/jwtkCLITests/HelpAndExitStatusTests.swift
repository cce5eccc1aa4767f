import Foundation
import JWTK
import Testing

@Suite("jwtk --help, --version and exit statuses")
struct HelpAndExitStatusTests {
    static let commands = ["", "inspect", "verify", "jwks", "thumbprint", "sign", "bench", "discover", "userinfo", "keygen", "completion"]

    @Test("every help text is complete and unchanged", arguments: commands)
    func helpTextMatchesGolden(_ command: String) throws {
        let args = command.isEmpty ? ["--help"] : [command, "--help"]
        let result = try CLI.run(args)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let golden = try CLI.golden("help-\(command.isEmpty ? "jwtk" : command).txt")
        #expect(result.stdout == golden)
        #expect(result.stdout.contains("EXIT STATUS"))
        #expect(result.stdout.contains("2  usage error or unusable local input"))
    }

    @Test func versionPrintsTheLibraryVersion() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0)
        // Deliberately changed (issue 12 item 9): the OpenSSL and jansson in use follow the version line.
        #expect(result.stdout == "\(JWTKLibrary.version)\n\(JWTKLibrary.openSSLVersion)\njansson \(JWTKLibrary.janssonVersion)\n")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("OpenSSL 3."))
        #expect(lines[2].hasPrefix("jansson 2."))
    }

    @Test func unknownFlagIsAUsageErrorWithStatus2() throws {
        let result = try CLI.run(["verify", "--bogus"])
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("Error: Unknown option '--bogus'\n"))
    }

    @Test func unknownSubcommandIsAUsageError() throws {
        let result = try CLI.run(["decode", "x"])
        #expect(result.status == 2)
    }

    @Test func verifyWithoutAnyKeySourceIsAUsageError() throws {
        let result = try CLI.run(["verify", Craft.exampleToken])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "jwtk: no key: give --jwks PATH, --key PATH, --secret-file PATH or --secret-env VAR (jwtk never takes a key from the token)\n"
        )
    }

    @Test func missingKeyFileIsStatus2() throws {
        let result = try CLI.run(["verify", "--key", "/nonexistent/key.pem", Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: cannot read /nonexistent/key.pem: No such file or directory\n")
    }

    @Test func unreadableKeyFileIsStatus2() throws {
        // A directory cannot be read as a file, whoever runs the test (root ignores file modes).
        let result = try CLI.run(["verify", "--key", "testvectors", Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: cannot read testvectors: it is a directory\n")
    }

    @Test(.enabled(if: getuid() != 0, "root reads files whatever their mode"))
    func keyFileWithoutReadPermissionIsStatus2() throws {
        let path = try CLI.tempFile("secret")
        #expect(chmod(path, 0) == 0)
        let result = try CLI.run(["verify", "--secret-file", path, Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: cannot read \(path): Permission denied\n")
    }

    @Test func tokenAndKeyCannotBothComeFromStdin() throws {
        let result = try CLI.run(["verify", "--jwks", "-"], stdin: Array(Craft.exampleToken.utf8))
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: stdin can supply the token or a key, not both: pass TOKEN as an argument or the key as a file\n")
    }

    @Test func keyFromStdinWithTokenArgumentVerifies() throws {
        let jwks = try Data(contentsOf: CLI.root.appendingPathComponent("\(Craft.example)/jwks.json"))
        let result = try CLI.run(
            ["verify", "--jwks", "-", "--aud", Craft.client, "--now", Craft.exampleNow, Craft.exampleToken], stdin: Array(jwks))
        #expect(result.status == 0)
    }

    @Test func keyFileWithoutUsableKeyIsStatus2() throws {
        let path = try CLI.tempFile(#"{"keys":[{"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"}]}"#)
        let result = try CLI.run(["verify", "--jwks", path, Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("jwtk: \(path): no usable key in the JWK Set\n  key #0 (kid enc): "))
    }

    @Test func garbageKeyFileIsStatus2() throws {
        let path = try CLI.tempFile("not a key")
        let result = try CLI.run(["verify", "--key", path, Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr.contains("[invalid_key]"))
    }

    @Test func algNoneInTheAllowListIsAUsageError() throws {
        let result = try CLI.run(["verify", "--jwks", "\(Craft.example)/jwks.json", "--alg", "none", Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: --alg none: unsecured tokens are never accepted\n")
    }

    @Test func unknownAlgorithmIsAUsageError() throws {
        let result = try CLI.run(["verify", "--jwks", "\(Craft.example)/jwks.json", "--alg", "RS256,XS1", Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("jwtk: --alg: unknown algorithm \"XS1\""))
    }

    @Test func badNowIsAUsageError() throws {
        let result = try CLI.run(["inspect", "--now", "yesterday", Craft.exampleToken])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "jwtk: --now \"yesterday\": expected now, Unix seconds, a relative time (+1h, -5m, 1d) or an RFC 3339 time or date (2026-01-01T00:30:00Z, 2026-01-01)\n"
        )
    }

    @Test func oidcProfileWithoutIssuerIsAUsageError() throws {
        let result = try CLI.run(["verify", "--jwks", "\(Craft.example)/jwks.json", "--profile", "oidc", "--aud", "x", Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: --profile oidc needs --iss (the provider's issuer)\n")
    }

    @Test func claimFlagsWithSignatureOnlyVerificationAreAUsageError() throws {
        let result = try CLI.run(["verify", "--jwks", "\(Craft.example)/jwks.json", "--jws", "--iss", "x", Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: --jws checks the signature only; --iss would have no effect\n")
    }
}
