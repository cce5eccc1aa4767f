import JWTK

/// Makes attacker-controlled text (token members, key ids, error reasons quoting them) safe to print:
/// control characters (and bidi controls) become `\uXXXX`, so a token cannot move the cursor, recolour,
/// reorder or rewrite the terminal.
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

    /// The library's one rule (`JSONText.isUnsafeOnScreen`): C0, DEL, C1 (U+009B CSI), U+2028/U+2029, and the
    /// bidi controls U+202A–U+202E and U+2066–U+2069.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool { JSONText.isUnsafeOnScreen(scalar) }
}
