import JWTK
import JWTKInspection

/// Renders ``TokenInspection`` as text or JSON.
enum InspectOutput {
    static func payloadText(_ inspection: TokenInspection) -> String? {
        guard inspection.payloadJSON == nil, inspection.form == .jws else { return nil }
        return String(validating: inspection.payload, as: UTF8.self)
    }

    static func json(_ inspection: TokenInspection) -> JSONOut {
        let times: [JSONOut] = inspection.times.map { time in
            .object([
                ("claim", .string(time.name)), ("value", .numeric(time.value)), ("utc", .optional(time.utc)),
                ("relative", .string(TimeText.relative(claim: time.name, secondsFromNow: time.secondsFromNow))),
                ("seconds_from_now", .numeric(time.secondsFromNow)),
            ])
        }
        return .object([
            ("verified", .bool(false)),
            ("decoded", .bool(true)),
            ("form", .string(inspection.form.rawValue)),
            ("bytes", .integer(Int64(inspection.byteCount))),
            ("header", inspection.header.map(JSONOut.init) ?? .null),
            ("header_text", inspection.header == nil ? .string(inspection.headerText) : .null),
            ("payload", inspection.payloadJSON.map(JSONOut.init) ?? .null),
            ("payload_text", .optional(payloadText(inspection))),
            ("payload_bytes", .integer(Int64(inspection.payload.count))),
            ("alg", .optional(inspection.algorithmName)),
            ("kid", .optional(inspection.keyID)),
            (
                "signature",
                .object([("bytes", .integer(Int64(inspection.signature.count))), ("summary", .string(inspection.signatureSummary))])
            ),
            ("now", .numeric(inspection.now)),
            ("now_utc", .optional(DateTextBridge.utc(inspection.now))),
            ("times", .array(times)),
            ("findings", .array(inspection.findings.map(\.json))),
        ])
    }

    static func text(_ inspection: TokenInspection, style: Style) -> String {
        var out = ""
        func line(_ text: String = "") { out += text + "\n" }
        line(
            style.red("NOT VERIFIED") + ": decoded only; the signature and the claims have not been checked. Nothing below can be trusted.")
        line()
        switch inspection.form {
        case .jws: line("Token:     compact JWS, 3 segments, \(inspection.byteCount) bytes")
        case .jwe: line("Token:     compact JWE (encrypted), 5 segments, \(inspection.byteCount) bytes")
        }
        line("Algorithm: \(inspection.algorithmName.map(Terminal.line) ?? "(none given)")")
        line("Key id:    \(inspection.keyID.map(Terminal.line) ?? "(none)")")
        line("Signature: \(Terminal.line(inspection.signatureSummary))")
        line()
        line(style.bold(inspection.form == .jwe ? "Protected header" : "Header"))
        if let header = inspection.header {
            line(JSONOut(header).rendered(style: style))
        } else {
            line(Terminal.line(inspection.headerText) + "   " + style.red("(not valid JSON: shown as decoded)"))
        }
        if inspection.form == .jws {
            line()
            line(style.bold("Payload"))
            if let payload = inspection.payloadJSON {
                line(JSONOut(payload).rendered(style: style))
            } else if let text = payloadText(inspection) {
                line(Terminal.text(text))
            } else {
                line("(\(inspection.payload.count) bytes of binary content)")
            }
        }
        if !inspection.times.isEmpty {
            line()
            line(style.bold("Times") + " (now \(DateTextBridge.utc(inspection.now) ?? "\(inspection.now)"))")
            let width = inspection.times.map(\.name.count).max() ?? 0
            for time in inspection.times {
                let name = time.name.padding(width)
                let value = JSONOut.numeric(time.value).rendered()
                line(
                    "  \(name)  \(value)  \(time.utc ?? "(out of range)")  \(TimeText.relative(claim: time.name, secondsFromNow: time.secondsFromNow))"
                )
            }
        }
        line()
        line(style.bold("Findings"))
        if inspection.findings.isEmpty { line("  none") }
        for finding in inspection.findings {
            line("  \(style.severity(finding.severity.rawValue.padding(7)))  \(Terminal.line(finding.message)) (\(finding.reference))")
        }
        return out
    }
}

/// RFC 3339 text for the CLI (the library's package helper).
enum DateTextBridge {
    static func utc(_ seconds: Double) -> String? { DateText.rfc3339(seconds) }
}

extension String {
    /// Left-aligned in `width` columns.
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
