/// Attacker-supplied values in error messages: JSON-quoted (no raw newlines or control characters, so a
/// header value cannot forge log lines) and cut to 200 characters.
package enum Shown {
    package static func value(_ s: String) -> String {
        let cut = s.count > 200 ? String(s.prefix(200)) + "…" : s
        return JSONText.quote(cut, escapingLineBreaks: true)
    }
}
