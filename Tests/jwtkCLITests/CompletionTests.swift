import Foundation
import Testing

/// `jwtk completion bash|zsh|fish` (issue 12 item 9): a script generated from the commands, with file-name
/// completion for the options that take a path.
@Suite("jwtk completion")
struct CompletionTests {
    @Test func bashScriptParsesAndCompletesFiles() throws {
        let result = try CLI.run(["completion", "bash"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        for option in ["--key", "--secret-file", "--jwks", "--claims"] {
            #expect(result.stdout.contains("'\(option)')\n        __jwtk_add_completions -f\n"), "\(option) completes files")
        }
        // The script is valid bash: bash -n (syntax check only) accepts it.
        let file = try CLI.tempFile(result.stdout, name: "jwtk.bash")
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/bin/bash")
        check.arguments = ["-n", file]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0)
    }

    @Test func zshAndFishScriptsCompleteFiles() throws {
        let zsh = try CLI.run(["completion", "zsh"])
        #expect(zsh.status == 0)
        #expect(zsh.stdout.contains(":PATH:_files'"))
        #expect(zsh.stdout.contains("'--token-file["))
        let fish = try CLI.run(["completion", "fish"])
        #expect(fish.status == 0)
        #expect(fish.stdout.contains("-l 'secret-file' -d 'An HMAC secret: the file\\'s bytes, minus one trailing newline.' -rF"))
        let bad = try CLI.run(["completion", "powershell"])
        #expect(bad.status == 2)
    }
}
