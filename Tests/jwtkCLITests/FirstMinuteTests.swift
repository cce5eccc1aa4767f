import Foundation
import JWTK
import Testing

/// The first minute with jwtk (issue 12): what people paste, where they paste it, and the flag that fixes a
/// rejection. Every test runs the built binary.
@Suite("The first minute: pasted input, the shortcut, hints and colour")
struct FirstMinuteTests {
    static let verifyArgs = Craft.exampleVerifyArgs

    @Test func aTokenWithoutASubcommandIsInspected() throws {
        let result = try CLI.run([Craft.exampleToken, "--now", Craft.exampleNow])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("NOT VERIFIED"))
        let inspected = try CLI.run(["inspect", Craft.exampleToken, "--now", Craft.exampleNow])
        #expect(result.stdout == inspected.stdout)
    }

    @Test func aPipeWithoutASubcommandIsInspected() throws {
        let result = try CLI.run(["--now", Craft.exampleNow], stdin: Array((Craft.exampleToken + "\n").utf8))
        // "--now" first is an option, not a token: the shortcut applies to bare `jwtk` and `jwtk TOKEN` only.
        #expect(result.status == 2)
        let piped = try CLI.run([], stdin: Array((Craft.exampleToken + "\n").utf8))
        #expect(piped.status == 0)
        #expect(piped.stdout.hasPrefix("NOT VERIFIED"))
        let nothing = try CLI.run([])
        #expect(nothing.status == 0)
        #expect(nothing.stdout.contains("OVERVIEW"))
    }

    @Test func anArgumentErrorNeverRepeatsTheToken() throws {
        let token = Craft.exampleToken
        let result = try CLI.run(["verify", token, token, "--jwks", "\(Craft.example)/jwks.json"])
        #expect(result.status == 2)
        #expect(!result.stderr.contains(token))
        #expect(!result.stderr.contains(String(token.prefix(40))))
        #expect(result.stderr.hasPrefix("Error: Unexpected argument '<token, \(token.utf8.count) bytes>'\n"))
    }

    @Test(
        "inspect removes what was pasted around the token and says so",
        arguments: [
            ("  TOKEN \n", "surrounding whitespace"),
            ("\"TOKEN\"", "quotes"),
            ("Bearer TOKEN", "a \"Bearer \" prefix"),
            ("Authorization: Bearer TOKEN", "an \"Authorization:\" header name and a \"Bearer \" prefix"),
            (
                "'authorization: bearer TOKEN'\r\n",
                "surrounding whitespace, quotes, an \"Authorization:\" header name and a \"Bearer \" prefix"
            ),
        ])
    func inspectCleansPastedInput(_ pasted: String, _ removed: String) throws {
        let input = pasted.replacingOccurrences(of: "TOKEN", with: Craft.exampleToken)
        let plain = try CLI.run(["inspect", "--now", Craft.exampleNow, Craft.exampleToken])
        let result = try CLI.run(["inspect", "--now", Craft.exampleNow, input])
        #expect(result.status == 0)
        #expect(result.stdout == plain.stdout)
        #expect(result.stderr == "jwtk: note: removed \(removed) from the input before decoding\n")
        let piped = try CLI.run(["inspect", "--now", Craft.exampleNow], stdin: Array(input.utf8))
        #expect(piped.status == 0)
        #expect(piped.stdout == plain.stdout)
    }

    /// Cleaning is bounded (at most `PastedToken.maxLayers` passes): 300,000 quote characters on stdin used to
    /// take one linear pass per pair of quotes, which never finished; now `inspect` answers with an error.
    @Test func inspectOfHostileWrappingFinishes() throws {
        let quotes = [UInt8](repeating: UInt8(ascii: "\""), count: 300_000)
        let result = try CLI.run(["inspect", "-"], stdin: quotes, timeout: 60)
        #expect(result.status == 1 || result.status == 2, "\(result.stderr)")
        #expect(result.stdout == "")
    }

    @Test(
        "verify stays byte-exact and names the problem",
        arguments: [
            ("Bearer TOKEN", "the token starts with \"Bearer \": pass the token alone"),
            ("Authorization: Bearer TOKEN", "the input is a whole \"Authorization:\" header line: pass the token alone"),
            ("\"TOKEN\"", "the token is wrapped in quotes: pass the token alone"),
            (" TOKEN", "the token has surrounding whitespace or newlines: pass the token alone (stdin may end with one newline)"),
            (
                "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..aGVsbG8.aGVsbG8.aGVsbG8",
                "the input is a JWE (five segments, an encrypted token): jwtk verifies signed tokens only"
            ),
            (
                "{\"payload\":\"e30\",\"signatures\":[]}",
                "the input is a JWS JSON serialization: jwtk verifies the compact form (header.payload.signature)"
            ),
            (
                "2YotnFZFEjr1zCsicMWpAA",
                "the input is an opaque token (no dots), not a JWT: ask the issuer's introspection or userinfo endpoint instead"
            ),
            (
                "testvectors/example/id_token.jwt",
                "the input is a file name: to read the token from a file, use \"- < testvectors/example/id_token.jwt\""
            ),
        ])
    func verifyNamesThePastingMistake(_ pasted: String, _ hint: String) throws {
        let input = pasted.replacingOccurrences(of: "TOKEN", with: Craft.exampleToken)
        let result = try CLI.run(["verify"] + FirstMinuteTests.verifyArgs + [input])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("INVALID: "))
        #expect(result.stderr.hasSuffix("; hint: \(hint)\n"))
        #expect(!result.stderr.contains(Craft.exampleToken))
    }

    @Test func inspectReadsAFileNamedAsTheToken() throws {
        let plain = try CLI.run(["inspect", "--now", Craft.exampleNow, Craft.exampleToken])
        let result = try CLI.run(["inspect", "--now", Craft.exampleNow, "\(Craft.example)/id_token.jwt"])
        #expect(result.status == 0)
        #expect(result.stdout == plain.stdout)
        #expect(result.stderr == "jwtk: note: reading the token from the file \(Craft.example)/id_token.jwt\n")
        let shortcut = try CLI.run(["\(Craft.example)/id_token.jwt", "--now", Craft.exampleNow])
        #expect(shortcut.status == 0)
        #expect(shortcut.stdout == plain.stdout)
        let missing = try CLI.run(["inspect", "nosuch.jwt"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasSuffix("; no file is named nosuch.jwt (to decode a token kept in a file: jwtk inspect - < FILE)\n"))
    }

    @Test func failureLinesNameTheFlagThatFixesThem() throws {
        let expired = try CLI.run(
            [
                "verify", "--jwks", "\(Craft.example)/jwks.json", "--iss", Craft.issuer, "--aud", Craft.client, "--now",
                "2026-01-01T01:00:05Z",
                Craft.exampleToken,
            ])
        #expect(expired.status == 1)
        #expect(
            expired.stderr.hasSuffix(
                "; hint: expired by 5s with leeway 0s; exp 2026-01-01T01:00:00Z, now 2026-01-01T01:00:05Z; --leeway SECONDS allows clock skew; --now TIME checks as of another time\n"
            ))
        let noAudience = try CLI.run(
            ["verify", "--jwks", "\(Craft.example)/jwks.json", "--iss", Craft.issuer, "--now", Craft.exampleNow, Craft.exampleToken])
        #expect(noAudience.status == 1)
        #expect(
            noAudience.stderr.hasSuffix(
                "; hint: the token names its audience \"jwtk-demo-client\"; pass the one you are (--aud) to accept it, or --ignore-audience to skip the check\n"
            ))
    }

    @Test func anUnknownOptionNamesTheClosestRealOne() throws {
        let result = try CLI.run(["verify", "--audience", "x", Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("Error: Unknown option '--audience'. Did you mean '--aud'?\n"))
        #expect(!result.stderr.contains(Craft.exampleToken))
        let prefix = try CLI.run(["verify", "--secret=x"])
        #expect(prefix.status == 2)
        #expect(
            prefix.stderr.hasPrefix(
                "Error: Unknown option '--secret'. Did you mean '--secret-env', '--secret-file' or '--secret-base64'?\n"))
        let typo = try CLI.run(["verfy", "x"])
        #expect(typo.status == 2)
        #expect(typo.stderr.hasPrefix("Error: 2 unexpected arguments: 'verfy', 'x'. Did you mean the subcommand 'verify'?\n"))
        let far = try CLI.run(["verify", "--bogus"])
        #expect(far.stderr.hasPrefix("Error: Unknown option '--bogus'\n"))
    }
}

/// Colour through a real pseudo-terminal: each severity's escape sequence, `INVALID:` on a terminal stderr,
/// and none with NO_COLOR, `--no-color` or a pipe.
@Suite("Colour per severity on a terminal")
struct SeverityColourTests {
    static let available = FileManager.default.isExecutableFile(atPath: ColourTests.script)
    static let red = "\u{1B}[1;31m", yellow = "\u{1B}[33m", dim = "\u{1B}[2m", reset = "\u{1B}[0m"

    /// A token with an `error` finding (alg none), a `warning` (no exp) and an `info` one (no typ).
    static let token = Craft.token(header: #"{"alg":"none"}"#, payload: #"{"sub":"x"}"#, signature: [])

    @Test(.enabled(if: available, "needs util-linux script(1) for a pseudo-terminal"))
    func eachSeverityHasItsColour() throws {
        let result = try ColourTests.onTerminal(["inspect", SeverityColourTests.token])
        #expect(result.status == 0)
        let out = result.stdout
        #expect(out.contains("\(SeverityColourTests.red)error  \(SeverityColourTests.reset)"))
        #expect(out.contains("\(SeverityColourTests.yellow)warning\(SeverityColourTests.reset)"))
        #expect(out.contains("\(SeverityColourTests.dim)info   \(SeverityColourTests.reset)"))
        #expect(!out.contains("\(SeverityColourTests.dim)error"))
        let piped = try CLI.run(["inspect", SeverityColourTests.token])
        #expect(piped.status == 0)
        #expect(!piped.stdout.contains("\u{1B}["))
        let noColor = try ColourTests.onTerminal(["inspect", SeverityColourTests.token], environment: ["NO_COLOR": "1"])
        #expect(!noColor.stdout.contains("\u{1B}["))
    }

    @Test(.enabled(if: available, "needs util-linux script(1) for a pseudo-terminal"))
    func invalidIsRedOnATerminal() throws {
        let args = ["verify"] + Craft.exampleVerifyArgs.dropLast(2) + ["--now", "2027-01-01T00:00:00Z", Craft.exampleToken]
        let result = try ColourTests.onTerminal(args)
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(SeverityColourTests.red)INVALID:\(SeverityColourTests.reset) exp check failed"))
        let flag = try ColourTests.onTerminal(args + ["--no-color"])
        #expect(flag.stdout.contains("INVALID: exp check failed"))
        #expect(!flag.stdout.contains("\u{1B}["))
        let env = try ColourTests.onTerminal(args, environment: ["NO_COLOR": "1"])
        #expect(!env.stdout.contains("\u{1B}["))
        let piped = try CLI.run(args)
        #expect(piped.stderr.hasPrefix("INVALID: exp check failed"))
    }
}

/// The library's `localizedDescription` is the text the CLI prints (issue 12 item 11).
@Suite("Library and CLI say the same thing")
struct SameMessageTests {
    @Test func theCLIPrintsTheLibraryMessage() throws {
        let text = #"{"foo":1}"#
        let path = try CLI.tempFile(text)
        let result = try CLI.run(["jwks", path])
        let error = #expect(throws: JWTKError.self) { try JWKSet(json: text) }
        let message = try #require(error?.localizedDescription)
        #expect(result.stderr == "jwtk: \(path): \(message)\n")

        let expired = try CLI.run(
            ["verify"] + Craft.exampleVerifyArgs.dropLast(2) + ["--now", "2026-01-01T02:00:00Z", Craft.exampleToken])
        let keys = try JWKSet(
            json: String(decoding: try Data(contentsOf: CLI.root.appendingPathComponent("\(Craft.example)/jwks.json")), as: UTF8.self))
        var policy = VerificationPolicy()
        policy.issuers = [Craft.issuer]
        policy.audiences = [Craft.client]
        policy.clock = .fixed(1_767_232_800)
        let rejection = #expect(throws: JWTKError(.expired)) {
            try JWTVerifier(keys: keys.keys, policy: policy).verify(Craft.exampleToken)
        }
        #expect(expired.stderr.hasPrefix("INVALID: exp check failed: \(try #require(rejection?.localizedDescription))"))
    }
}
