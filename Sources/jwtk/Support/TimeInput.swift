import JWTK

/// The times people type for `--now`, `--exp`, `--nbf` and `--iat`.
///
/// - `now`;
/// - a bare number: Unix seconds (`1767227400`, `1767227400.5`);
/// - a signed number or a duration with units: relative to now (`+1h`, `-5m`, `1d`, `90s`, `1h30m`, `-30`);
/// - an RFC 3339 time (`2026-01-01T00:30:00Z`) or a date, midnight UTC (`2026-01-01`).
enum TimeInput {
    /// The forms, for messages.
    static let forms = "now, Unix seconds, a relative time (+1h, -5m, 1d) or an RFC 3339 time or date (2026-01-01T00:30:00Z, 2026-01-01)"

    /// `text` as seconds since 1970, relative forms counted from `now`; nil when it is none of the forms.
    static func parse(_ text: String, now: @autoclosure () -> Double) -> Double? {
        if text == "now" { return now() }
        if let first = text.first, first.isASCII, first.isNumber, let seconds = Double(text), seconds.isFinite { return seconds }
        if let relative = Input.duration(text) { return now() + relative }
        if let seconds = DateText.parseRFC3339(text) { return seconds }
        if text.utf8.count == 10, let seconds = DateText.parseRFC3339(text + "T00:00:00Z") { return seconds }
        return nil
    }
}
