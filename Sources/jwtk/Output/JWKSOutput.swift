import JWTK
import JWTKInspection

/// Renders ``JWKSLint``.
enum JWKSOutput {
    /// A key's RFC 7638 thumbprint as printed: never for an `oct` key, whose thumbprint is a hash of the secret
    /// (SECURITY.md: an HMAC key's thumbprint is not shown or logged).
    static func shownThumbprint(_ entry: JWKSLint.Entry) -> String? { entry.keyType == "oct" ? nil : entry.thumbprint }

    static func json(_ report: JWKSLint) -> JSONOut {
        let keys: [JSONOut] = report.entries.map { entry in
            .object([
                ("index", .integer(Int64(entry.index))),
                ("kid", .optional(entry.keyID)),
                ("kty", .optional(entry.keyType)),
                ("crv", .optional(entry.curve)),
                ("bits", .optional(entry.modulusBits)),
                ("alg", .optional(entry.algorithm)),
                ("use", .optional(entry.use)),
                ("key_ops", .strings(entry.keyOperations)),
                ("thumbprint", .optional(Self.shownThumbprint(entry))),
                ("usable", .bool(entry.key != nil)),
                ("skip_reason", entry.skipReason.map { $0.json() } ?? .null),
                ("findings", .array(entry.findings.map(\.json))),
            ])
        }
        return .object([
            ("keys", .array(keys)),
            ("total", .integer(Int64(report.entries.count))),
            ("usable", .integer(Int64(report.entries.filter { $0.key != nil }.count))),
            ("findings", .array(report.findings.map(\.json))),
        ])
    }

    static func text(_ report: JWKSLint, path: String, style: Style) -> String {
        let usable = report.entries.filter { $0.key != nil }.count
        var out =
            style.bold(path)
            + ": \(report.isSingleKey ? "a single JWK" : "JWK Set of \(report.entries.count) key\(report.entries.count == 1 ? "" : "s")"), \(usable) usable\n"
        for entry in report.entries {
            out += "\n" + style.bold("#\(entry.index)") + "  kid \(entry.keyID.map { Terminal.line(JSONOut.quote($0)) } ?? "(none)")\n"
            var shape = "kty \(Terminal.line(entry.keyType ?? "?"))"
            if let crv = entry.curve { shape += "  crv \(Terminal.line(crv))" }
            if let bits = entry.modulusBits { shape += "  \(bits) bits" }
            shape +=
                "  alg \(Terminal.line(entry.algorithm ?? "-"))  use \(Terminal.line(entry.use ?? "-"))  key_ops \(Terminal.line(entry.keyOperations?.joined(separator: ",") ?? "-"))"
            out += "    \(shape)\n"
            out +=
                "    thumbprint \(Self.shownThumbprint(entry) ?? (entry.keyType == "oct" ? "(symmetric key: not shown)" : "(skipped: not computed)"))\n"
            if let reason = entry.skipReason {
                out += "    " + style.red("SKIPPED") + " by verifiers: \(Terminal.line(reason.reason)) [\(reason.code.rawValue)]\n"
            }
            for finding in entry.findings where finding.id != "skipped" {
                out +=
                    "    \(style.severity(finding.severity.rawValue.padding(7)))  \(Terminal.line(finding.message)) (\(finding.reference))\n"
            }
        }
        if !report.findings.isEmpty {
            out += "\n" + style.bold("Set") + "\n"
            for finding in report.findings {
                out +=
                    "    \(style.severity(finding.severity.rawValue.padding(7)))  \(Terminal.line(finding.message)) (\(finding.reference))\n"
            }
        }
        return out
    }
}
