import Foundation
import JWTK
import JWTKInspection

/// JSON documents the CLI writes: members keep their order, so `--json` output is stable.
indirect enum JSONOut {
    case object([(String, JSONOut)])
    case array([JSONOut])
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null
    /// A JSON text already serialised (numbers from a token, kept exactly).
    case raw(String)

    static func optional(_ value: String?) -> JSONOut { value.map { .string($0) } ?? .null }
    static func optional(_ value: Int?) -> JSONOut { value.map { .integer(Int64($0)) } ?? .null }
    static func strings(_ values: [String]?) -> JSONOut { values.map { .array($0.map { .string($0) }) } ?? .null }

    /// A NumericDate or other number: integral values without a fraction.
    static func numeric(_ value: Double) -> JSONOut {
        value == value.rounded() && abs(value) < 9e15 ? .integer(Int64(value)) : .number(value)
    }

    /// Converts a value read from a token or JWK.
    init(_ value: JSONValue) {
        switch value.kind {
        case .object: self = .object((value.members ?? []).map { ($0.key, JSONOut($0.value)) })
        case .array: self = .array((value.array ?? []).map { JSONOut($0) })
        case .string: self = .string(value.string ?? "")
        case .integer: self = .integer(value.integer ?? 0)
        case .real: self = .raw(value.serialized())
        case .true: self = .bool(true)
        case .false: self = .bool(false)
        case .null: self = .null
        }
    }

    /// Pretty JSON with two-space indentation; colours only when `style` enables them.
    func rendered(style: Style = .plain, indent: String = "") -> String {
        switch self {
        case .object(let members):
            if members.isEmpty { return "{}" }
            let inner = indent + "  "
            let lines = members.map { "\(inner)\(style.key(JSONOut.quote($0.0))): \($0.1.rendered(style: style, indent: inner))" }
            return "{\n\(lines.joined(separator: ",\n"))\n\(indent)}"
        case .array(let elements):
            if elements.isEmpty { return "[]" }
            let inner = indent + "  "
            let lines = elements.map { "\(inner)\($0.rendered(style: style, indent: inner))" }
            return "[\n\(lines.joined(separator: ",\n"))\n\(indent)]"
        case .string(let s): return style.string(JSONOut.quote(s))
        case .integer(let n): return style.number(String(n))
        case .number(let d):
            guard d.isFinite else { return "null" }
            return style.number(d == d.rounded() && abs(d) < 9e15 ? String(Int64(d)) : String(format: "%.6g", d))
        case .bool(let b): return style.literal(b ? "true" : "false")
        case .null: return style.literal("null")
        case .raw(let text): return style.number(text)
        }
    }

    /// A JSON string literal (RFC 8259 escapes), which also escapes every scalar the terminal rule names
    /// (`JSONText.isUnsafeOnScreen`: DEL, C1 such as U+009B CSI, U+2028/U+2029, bidi controls), so JSON
    /// printed to a terminal cannot act on it; the escapes are valid JSON and decode to the same string.
    static func quote(_ s: String) -> String { JSONText.quote(s, escapingLineBreaks: true) }
}

extension LintFinding {
    var json: JSONOut {
        .object([
            ("id", .string(id)), ("severity", .string(severity.rawValue)), ("message", .string(message)),
            ("reference", .string(reference)), ("member", .optional(member)),
        ])
    }
}

extension JWTKError {
    /// `{code, message, check, claim, hint}`.
    func json(check: String? = nil, hint: String? = nil) -> JSONOut {
        JSONDocumentOut.error(code: code.rawValue, message: reason, check: check, claim: claim, hint: hint)
    }
}
