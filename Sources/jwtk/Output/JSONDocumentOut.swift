import Foundation
import JWTK

/// The one JSON document a `--json` run writes on stdout, whatever its exit status: `schema_version` first,
/// and for a failure `error{code, message, check, claim, hint}`. The schemas are docs/schemas/*.schema.json.
enum JSONDocumentOut {
    /// Bumped when a member is removed or changes meaning; new members keep the version.
    static let schemaVersion: Int64 = 1

    /// Whether a document has been printed by this process (a failure then prints no second one).
    nonisolated(unsafe) private(set) static var printed = false

    /// Prints `body` (an object) with `schema_version` as its first member.
    static func emit(_ body: JSONOut, style: Style = .plain) {
        unsafe printed = true
        print(versioned(body).rendered(style: style))
    }

    static func versioned(_ body: JSONOut) -> JSONOut {
        guard case .object(let members) = body else { return body }
        return .object([("schema_version", .integer(schemaVersion))] + members)
    }

    /// The `error` object every document uses.
    static func error(
        code: String, message: String, check: String? = nil, claim: String? = nil, hint: String? = nil,
        extra: [(String, JSONOut)] = []
    ) -> JSONOut {
        .object(
            [
                ("code", .string(code)), ("message", .string(message)), ("check", .optional(check)), ("claim", .optional(claim)),
                ("hint", .optional(hint)),
            ] + extra)
    }

    /// True when the command line asks for JSON (`--json` before any `--`).
    static func requested(_ arguments: [String]) -> Bool {
        for argument in arguments {
            if argument == "--" { return false }
            if argument == "--json" { return true }
        }
        return false
    }

    /// The document for a failure that printed nothing on stdout: a usage error (exit 2) or a remote failure
    /// (exit 3). The code is the message's trailing `[code]`, else `usage_error` / `remote_error`.
    static func failure(status: ExitStatus, message: String) -> JSONOut {
        var code = status == .remote ? "remote_error" : "usage_error"
        var text = message
        if text.hasSuffix("]"), let open = text.lastIndex(of: "[") {
            let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
            if !inner.isEmpty, inner.allSatisfy({ $0.isLowercase || $0 == "_" }) {
                code = String(inner)
                text = String(text[..<open]).trimmingTrailingSpaces
            }
        }
        let firstLine = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? text
        let cleaned = firstLine.hasPrefix("Error: ") ? String(firstLine.dropFirst(7)) : firstLine
        let hint = text.split(separator: "\n").dropFirst().first { $0.hasPrefix("  See '") }.map {
            String($0.trimmingCharacters(in: .whitespaces))
        }
        return .object([("ok", .bool(false)), ("error", error(code: code, message: cleaned, hint: hint))])
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var s = self[...]
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
