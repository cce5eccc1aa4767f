import Foundation
import Testing

@Suite("Token input: argument byte for byte, stdin minus one newline")
struct InputTests {
    @Test(arguments: ["\n", "\r\n"])
    func stdinWithOneTrailingNewlineIsAccepted(_ newline: String) throws {
        let result = try CLI.run(["verify"] + Craft.exampleVerifyArgs, stdin: Array((Craft.exampleToken + newline).utf8))
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("VALID: RS256 signature verified by key kid \"smarttask-2026-01\""))
    }

    @Test func dashReadsStdin() throws {
        let result = try CLI.run(["verify"] + Craft.exampleVerifyArgs + ["-"], stdin: Array(Craft.exampleToken.utf8))
        #expect(result.status == 0)
    }

    @Test func stdinWithTwoTrailingNewlinesIsRejected() throws {
        let result = try CLI.run(["verify"] + Craft.exampleVerifyArgs, stdin: Array((Craft.exampleToken + "\n\n").utf8))
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "INVALID: signature check failed: the signature segment is not strict base64url [invalid_base64url]"
                + "; hint: the token has surrounding whitespace or newlines: pass the token alone (stdin may end with one newline)\n")
    }

    @Test func tokenArgumentWithTrailingNewlineIsRejected() throws {
        let result = try CLI.run(["verify"] + Craft.exampleVerifyArgs + [Craft.exampleToken + "\n"])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(
            result.stderr
                == "INVALID: signature check failed: the signature segment is not strict base64url [invalid_base64url]"
                + "; hint: the token has surrounding whitespace or newlines: pass the token alone (stdin may end with one newline)\n")
    }

    /// Deliberately changed (issue 12 item 2): inspect used to refuse a pasted trailing newline; it now removes
    /// it and says so. verify stays byte-exact (above).
    @Test func inspectRemovesATrailingNewlineFromTheArgumentAndSaysSo() throws {
        let result = try CLI.run(["inspect", Craft.exampleToken + "\n"])
        #expect(result.status == 0)
        #expect(result.stderr == "jwtk: note: removed surrounding whitespace from the input before decoding\n")
    }

    @Test func hugeTokenOnStdinIsRejectedWithAClearError() throws {
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 10 * 1024 * 1024)
        let result = try CLI.run(["verify"] + Craft.exampleVerifyArgs, stdin: huge, timeout: 60)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == "INVALID: token shape check failed: token is 10485760 bytes; the limit is 16384 [limit_exceeded]\n")
    }

    @Test func hugeTokenOnStdinIsRejectedByInspect() throws {
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 10 * 1024 * 1024)
        let result = try CLI.run(["inspect", "--json"], stdin: huge, timeout: 60)
        #expect(result.status == 1)
        let json = try result.json()
        #expect(json["decoded"] as? Bool == false)
        #expect((json["error"] as? [String: Any])?["code"] as? String == "limit_exceeded")
    }

    @Test func emptyStdinIsAMalformedToken() throws {
        let result = try CLI.run(["verify"] + Craft.exampleVerifyArgs, stdin: [])
        #expect(result.status == 1)
        #expect(result.stderr == "INVALID: token shape check failed: the token is empty [malformed_token]\n")
    }
}
