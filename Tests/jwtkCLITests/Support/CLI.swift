import Foundation
import Testing

/// The result of one run of the real `jwtk` binary.
struct CLIResult {
    let status: Int32
    let stdout: String
    let stderr: String

    /// stdout parsed as a JSON object.
    func json() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        guard let object = value as? [String: Any] else { throw CLI.Failure("stdout is not a JSON object: \(stdout)") }
        return object
    }
}

/// Runs the built `jwtk` binary, from the repository root, with files for stdin/stdout/stderr.
enum CLI {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The repository root (found from this file).
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `jwtk` binary: `JWTK_BIN`, else next to the test bundle, else `.build/debug/jwtk`.
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["JWTK_BIN"] { return URL(fileURLWithPath: path) }
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent().appendingPathComponent("jwtk")) }
        let self_ = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        candidates.append(self_.deletingLastPathComponent().appendingPathComponent("jwtk"))
        candidates.append(root.appendingPathComponent(".build/debug/jwtk"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// Runs `jwtk args...`; `stdin` bytes are fed through a file. A run longer than `timeout` seconds fails
    /// the test (a hang guard, not a timing assertion).
    static func run(
        _ args: [String], stdin: [UInt8]? = nil, environment: [String: String] = [:], timeout: Double = 120,
        executable: URL? = nil, arguments: [String]? = nil
    ) throws -> CLIResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jwtk-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inURL = dir.appendingPathComponent("stdin")
        let outURL = dir.appendingPathComponent("stdout")
        let errURL = dir.appendingPathComponent("stderr")
        try Data(stdin ?? []).write(to: inURL)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)

        let process = Process()
        process.executableURL = executable ?? binary
        process.arguments = arguments ?? args
        process.currentDirectoryURL = root
        var env = ProcessInfo.processInfo.environment
        env["COLUMNS"] = "100"
        env.removeValue(forKey: "NO_COLOR")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let input = try FileHandle(forReadingFrom: inURL)
        let output = try FileHandle(forWritingTo: outURL)
        let errors = try FileHandle(forWritingTo: errURL)
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                throw Failure("jwtk \(args.joined(separator: " ")) did not finish within \(timeout)s")
            }
            usleep(2000)
        }
        // Returns at once (the child has exited), and is what lets Foundation release the Process: polling
        // isRunning alone leaves the Process, its FileHandles and environment in a retain cycle (LeakSanitizer).
        process.waitUntilExit()
        try input.close()
        try output.close()
        try errors.close()
        let result = CLIResult(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
        if executable == nil, arguments == nil, args.contains("--json"), let command = JSONSchemaCheck.command(for: args) {
            JSONSchemaCheck.validate(result.stdout, command: command, status: result.status, args: args)
        }
        return result
    }

    /// A golden file under Tests/jwtkCLITests/Golden.
    static func golden(_ name: String) throws -> String {
        let url = root.appendingPathComponent("Tests/jwtkCLITests/Golden/\(name)")
        return String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    /// Writes `text` to a temporary file and returns its path (removed at process exit is not guaranteed; the
    /// files are small and live in the temporary directory).
    static func tempFile(_ text: String, name: String = "input") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jwtk-cli-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}

/// Building tokens for tests that need headers no signer would write.
enum Craft {
    static func b64url(_ text: String) -> String { b64url(Array(text.utf8)) }

    static func b64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func b64urlDecode(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map { Array($0) }
    }

    /// header.payload.signature with the given JSON texts and signature bytes.
    static func token(header: String, payload: String, signature: [UInt8] = Array(repeating: 7, count: 32)) -> String {
        "\(b64url(header)).\(b64url(payload)).\(b64url(signature))"
    }

    static let example = "testvectors/example"
    static var exampleToken: String {
        let text = String(
            decoding: (try? Data(contentsOf: CLI.root.appendingPathComponent("\(example)/id_token.jwt"))) ?? Data(), as: UTF8.self)
        return text.trimmingCharacters(in: .newlines)
    }
    static let exampleNow = "2026-01-01T00:30:00Z"
    static let issuer = "https://auth.smarttask.example"
    static let client = "jwtk-demo-client"
    static let nonce = "n-0S6_WzA2Mj"

    /// The example provider's flags for `verify`.
    static var exampleVerifyArgs: [String] {
        ["--jwks", "\(example)/jwks.json", "--iss", issuer, "--aud", client, "--now", exampleNow]
    }
}
