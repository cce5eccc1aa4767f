import Foundation
import Testing

@Suite("Colour only on a terminal")
struct ColourTests {
    static let script = "/usr/bin/script"

    /// Runs `jwtk args` under a pseudo-terminal (util-linux `script`), so stdout is a TTY.
    static func onTerminal(_ args: [String], environment: [String: String] = [:]) throws -> CLIResult {
        let command = ([CLI.binary.path] + args).map { "'\($0)'" }.joined(separator: " ")
        let result = try CLI.run(
            [], environment: environment, executable: URL(fileURLWithPath: script), arguments: ["-qec", command, "/dev/null"])
        return result
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script), "needs util-linux script(1) for a pseudo-terminal"))
    func colourIsUsedOnATerminalUnlessTurnedOff() throws {
        let coloured = try ColourTests.onTerminal(["inspect", Craft.exampleToken])
        #expect(coloured.status == 0)
        #expect(coloured.stdout.contains("\u{1B}[1;31mNOT VERIFIED\u{1B}[0m"))
        let flag = try ColourTests.onTerminal(["inspect", "--no-color", Craft.exampleToken])
        #expect(flag.stdout.contains("NOT VERIFIED"))
        #expect(!flag.stdout.contains("\u{1B}["))
        let env = try ColourTests.onTerminal(["inspect", Craft.exampleToken], environment: ["NO_COLOR": "1"])
        #expect(env.stdout.contains("NOT VERIFIED"))
        #expect(!env.stdout.contains("\u{1B}["))
        let json = try ColourTests.onTerminal(["inspect", "--json", Craft.exampleToken])
        #expect(!json.stdout.contains("\u{1B}["))
    }

    @Test func controlCharactersFromTheTokenAreEscaped() throws {
        let token = Craft.token(
            header: "{\"alg\":\"ES256\",\"kid\":\"a\\u001b[31mb\"}", payload: #"{"exp":4102444800}"#,
            signature: Array(repeating: 1, count: 64))
        let result = try CLI.run(["inspect", token])
        #expect(result.status == 0)
        #expect(!result.stdout.contains("\u{1B}"))
        #expect(result.stdout.contains("Key id:    a\\u001b[31mb\n"))
    }
}
