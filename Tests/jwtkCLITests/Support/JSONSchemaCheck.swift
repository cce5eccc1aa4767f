import Foundation
import Testing

/// Every `--json` document the suite makes the binary print is validated against its published schema
/// (docs/schemas/COMMAND.schema.json) with python3's `jsonschema` (Draft 2020-12). A document that does not
/// validate, more than one document, or an empty stdout is a test failure, never a skip.
enum JSONSchemaCheck {
    /// The commands whose `--json` output has a schema.
    static let commands: Set<String> = ["inspect", "verify", "jwks", "thumbprint", "sign", "bench", "discover", "userinfo", "keygen"]

    static func command(for args: [String]) -> String? {
        guard let first = args.first else { return nil }
        if commands.contains(first) { return first }
        if first == "help" { return nil }
        return first.hasPrefix("-") ? nil : "inspect"  // `jwtk TOKEN --json`
    }

    static let script = """
        import json, sys
        import jsonschema
        schema = json.load(open(sys.argv[1]))
        text = open(sys.argv[2]).read()
        document = json.loads(text)
        jsonschema.Draft202012Validator(schema).validate(document)
        """

    static func validate(_ stdout: String, command: String, status: Int32, args: [String]) {
        let schema = CLI.path("docs/schemas/\(command).schema.json")
        do {
            let file = try CLI.tempFile(stdout, name: "document.json")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, schema, file]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            if process.terminationStatus != 0 {
                Issue.record(
                    "jwtk \(args.prefix(3).joined(separator: " ")) --json (exit \(status)) does not match \(command).schema.json:\n\(message.suffix(1500))\n\(stdout.prefix(800))"
                )
            }
        } catch {
            Issue.record("could not validate the --json output of jwtk \(command): \(error)")
        }
    }
}
