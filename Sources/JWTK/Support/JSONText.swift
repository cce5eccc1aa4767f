/// JSON string quoting: the one implementation behind the headers ``JWTSigner`` writes, jwtk's own JSON output
/// and messages, and claims text built for ``JWTSigner/sign(claims:type:extraHeader:)``.
public enum JSONText {
    /// A JSON string literal for `s`, with the escapes RFC 8259 requires. With `escapingLineBreaks`, every
    /// scalar `isUnsafeOnScreen(_:)` names is escaped too (still valid JSON): log viewers treat some as line
    /// breaks and terminals act on others, so attacker-supplied text in an error reason cannot forge log lines.
    ///
    /// - Parameters:
    ///   - s: the text to quote.
    ///   - escapingLineBreaks: also escape DEL, the C1 controls, U+2028/U+2029 and the bidirectional controls.
    /// - Returns: the JSON string literal, quotes included.
    public static func quote(_ s: String, escapingLineBreaks: Bool = false) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += unicodeEscape(scalar)
            case _ where escapingLineBreaks && isUnsafeOnScreen(scalar):
                out += unicodeEscape(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The one rule for text that came from outside (tokens, keys, providers) before it reaches a terminal or a
    /// log: C0 controls (U+0000–U+001F), DEL (U+007F), C1 controls (U+0080–U+009F, including U+009B, the
    /// one-byte CSI), U+2028/U+2029 (line and paragraph separators), and the bidirectional embedding,
    /// override and isolate controls (U+202A–U+202E, U+2066–U+2069), which reorder what is shown. Such a
    /// scalar is printed as a `\uXXXX` escape, never as itself.
    package static func isUnsafeOnScreen(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// `\uXXXX` for a scalar of the Basic Multilingual Plane.
    private static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
