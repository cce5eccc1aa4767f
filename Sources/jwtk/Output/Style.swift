import Foundation
import JWTK
import JWTKInspection

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// ANSI colours, on only when stdout is a terminal, `--no-color` is absent and `NO_COLOR` is unset
/// (https://no-color.org).
struct Style {
    let enabled: Bool

    static let plain = Style(enabled: false)

    /// The style for stderr (the `INVALID:` line): the same rules, judged on stderr's terminal.
    static func forStandardError(noColor: Bool) -> Style {
        let env = ProcessInfo.processInfo.environment["NO_COLOR"]
        return Style(enabled: !noColor && (env == nil || env == "") && isatty(STDERR_FILENO) == 1)
    }

    /// The style for stdout.
    static func forStandardOutput(noColor: Bool) -> Style {
        let env = ProcessInfo.processInfo.environment["NO_COLOR"]
        return Style(enabled: !noColor && (env == nil || env == "") && isatty(STDOUT_FILENO) == 1)
    }

    private func wrap(_ code: String, _ text: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    func bold(_ text: String) -> String { wrap("1", text) }
    func dim(_ text: String) -> String { wrap("2", text) }
    func red(_ text: String) -> String { wrap("1;31", text) }
    func green(_ text: String) -> String { wrap("1;32", text) }
    func yellow(_ text: String) -> String { wrap("33", text) }
    func key(_ text: String) -> String { wrap("34", text) }
    func string(_ text: String) -> String { wrap("32", text) }
    func number(_ text: String) -> String { wrap("36", text) }
    func literal(_ text: String) -> String { wrap("35", text) }

    /// A finding severity; padded text (`"error  "`) is coloured like the bare word.
    func severity(_ text: String) -> String {
        switch text.trimmingCharacters(in: .whitespaces) {
        case "error": return red(text)
        case "warning": return yellow(text)
        default: return dim(text)
        }
    }

    /// A check outcome (`pass`) or a finding severity, padded text allowed.
    func outcomeOrSeverity(_ text: String) -> String {
        switch text.trimmingCharacters(in: .whitespaces) {
        case "pass": return green(text)
        case "error": return red(text)
        case "warning": return yellow(text)
        default: return dim(text)
        }
    }

    func outcome(_ text: String) -> String {
        switch text {
        case "pass": return green(text)
        case "fail": return red(text)
        default: return dim(text)
        }
    }
}

/// Relative times: "expires in 4m12s", "expired 3h ago".
enum TimeText {
    static func span(_ seconds: Double) -> String { TokenInspection.durationText(seconds) }

    static func relative(claim: String, secondsFromNow d: Double) -> String {
        let s = span(d)
        switch claim {
        case "exp": return d > 0 ? "expires in \(s)" : "expired \(s) ago"
        case "nbf": return d > 0 ? "not valid for another \(s)" : "valid since \(s) ago"
        case "iat": return d > 0 ? "issued \(s) in the future" : "issued \(s) ago"
        default: return d > 0 ? "in \(s)" : "\(s) ago"
        }
    }
}
