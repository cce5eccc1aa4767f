/// Makes attacker-controlled text (token members, key ids, error reasons quoting them) safe to print:
/// control characters become `\u00XX`, so a token cannot move the cursor, recolour or rewrite the terminal.
enum Terminal {
    /// One line: every control character is escaped, including newlines.
    static func line(_ text: String) -> String { escape(text, keepingLineBreaks: false) }

    /// Multi-line text (a payload): newlines and tabs are kept, other control characters escaped.
    static func text(_ text: String) -> String { escape(text, keepingLineBreaks: true) }

    private static func escape(_ text: String, keepingLineBreaks: Bool) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar), !(keepingLineBreaks && (scalar == "\n" || scalar == "\t")) {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}
