import Foundation

/// What people paste where a token belongs, and what jwtk does with it: `inspect` cleans it (and says so),
/// `verify` stays byte-exact and names the problem, and no message ever repeats a token.
enum PastedToken {
    /// A token and the wrapping `inspect` removed to reach it.
    struct Cleaned: Equatable {
        let token: String
        /// What was removed, in order ("surrounding whitespace", "quotes", ...); empty when nothing was.
        let removed: [String]
    }

    /// Removes surrounding whitespace and newlines, quotes, an `Authorization:` header name and a `Bearer `
    /// scheme, in any nesting people produce by copying from logs, curl commands and browser tools, up to
    /// ``maxLayers`` layers: each pass is linear in the input, so hostile input (megabytes of quotes) costs a
    /// bounded number of passes, and what is left is judged by the token limits as it is.
    static func clean(_ input: String) -> Cleaned {
        var text = Substring(input)
        var removed: [String] = []
        func note(_ what: String) { if !removed.contains(what) { removed.append(what) } }
        for _ in 0..<maxLayers {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.count != text.count {
                text = Substring(trimmed)
                note("surrounding whitespace")
                continue
            }
            if text.count >= 2, let first = text.first, first == text.last, first == "\"" || first == "'" || first == "`" {
                text = text.dropFirst().dropLast()
                note("quotes")
                continue
            }
            if let rest = dropPrefix(text, "authorization:") {
                text = rest
                note("an \"Authorization:\" header name")
                continue
            }
            if let rest = dropPrefix(text, "bearer "), !rest.isEmpty {
                text = rest
                note("a \"Bearer \" prefix")
                continue
            }
            break
        }
        return Cleaned(token: String(text), removed: removed)
    }

    /// How many layers of wrapping ``clean(_:)`` removes at most (real pastes have two or three).
    static let maxLayers = 8

    /// The note `inspect` prints on stderr when it cleaned the input.
    static func note(_ cleaned: Cleaned) -> String? {
        guard !cleaned.removed.isEmpty else { return nil }
        return "note: removed \(list(cleaned.removed)) from the input before decoding"
    }

    /// True when `text` has the shape of a compact JWS or JWE: 3 or 5 dot-separated base64url segments, the
    /// first non-empty. Used to recognise `jwtk TOKEN` and to keep tokens out of error messages.
    static func looksLikeToken(_ text: String) -> Bool {
        let segments = text.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3 || segments.count == 5, let first = segments.first, first.count >= 4 else { return false }
        guard segments.allSatisfy({ $0.utf8.allSatisfy(isBase64URL) }) else { return false }
        // The protected header is a JSON object: its base64url starts with the encoding of "{" (a host name
        // such as auth.example.com has the same dotted shape and must not count as a token).
        return headerStartsWithBrace(first)
    }

    private static func headerStartsWithBrace(_ segment: Substring) -> Bool {
        var text = String(segment.prefix(8)).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let bytes = Data(base64Encoded: text) else { return false }
        return bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } == UInt8(ascii: "{")
    }

    /// Why `verify` could not read `token` as a compact JWS, in words that say what to do; nil when the
    /// input is not one of the recognised mistakes. `verify` never cleans the input itself.
    static func diagnosis(_ token: String) -> String? {
        let cleaned = clean(token)
        if cleaned.removed.contains("an \"Authorization:\" header name") {
            return "the input is a whole \"Authorization:\" header line: pass the token alone"
        }
        if cleaned.removed.contains("a \"Bearer \" prefix") {
            return "the token starts with \"Bearer \": pass the token alone"
        }
        if cleaned.removed.contains("quotes") { return "the token is wrapped in quotes: pass the token alone" }
        if cleaned.removed.contains("surrounding whitespace") {
            return "the token has surrounding whitespace or newlines: pass the token alone (stdin may end with one newline)"
        }
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        if segments.count == 5 { return "the input is a JWE (five segments, an encrypted token): jwtk verifies signed tokens only" }
        if token.first == "{" { return "the input is a JWS JSON serialization: jwtk verifies the compact form (header.payload.signature)" }
        if FileManager.default.fileExists(atPath: token) {
            return "the input is a file name: to read the token from a file, use \"- < \(Terminal.line(token))\""
        }
        if segments.count == 1, !token.isEmpty,
            token.utf8.allSatisfy({
                isBase64URL($0) || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "~")
            })
        {
            return "the input is an opaque token (no dots), not a JWT: ask the issuer's introspection or userinfo endpoint instead"
        }
        return nil
    }

    /// `message` with every token-shaped word replaced by `<token, N bytes>`, so an argument error never
    /// copies a bearer token into a terminal scroll-back or a CI log.
    static func redacting(_ message: String) -> String {
        var out = ""
        var word = ""
        func flush() {
            if looksLikeToken(word) || clean(word).removed.isEmpty == false && looksLikeToken(clean(word).token) {
                out += "<token, \(word.utf8.count) bytes>"
            } else {
                out += word
            }
            word = ""
        }
        for char in message {
            if char.isASCII, char.isLetter || char.isNumber || char == "-" || char == "_" || char == "." {
                word.append(char)
            } else {
                flush()
                out.append(char)
            }
        }
        flush()
        return out
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    private static func dropPrefix(_ text: Substring, _ prefix: String) -> Substring? {
        guard text.count >= prefix.count, text.prefix(prefix.count).lowercased() == prefix else { return nil }
        return text.dropFirst(prefix.count).drop(while: { $0 == " " || $0 == "\t" })
    }

    private static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
        }
    }
}

/// `jwtk TOKEN` and `… | jwtk`: the arguments rewritten to `inspect` when there is no subcommand.
enum Shortcut {
    /// The subcommand names, plus what ArgumentParser handles itself.
    static let commands: Set<String> = [
        "inspect", "verify", "jwks", "thumbprint", "sign", "bench", "discover", "userinfo", "completion", "help",
    ]

    /// `arguments` (without the program name) with `inspect` put first when the first argument is a token or
    /// a readable file rather than a subcommand, or when there are no arguments and stdin is a pipe or file.
    static func rewrite(_ arguments: [String], stdinIsPipeOrFile: Bool) -> [String] {
        guard let first = arguments.first else { return stdinIsPipeOrFile ? ["inspect"] : arguments }
        if first == "sign" { return signArguments(arguments) }
        if commands.contains(first) { return arguments }
        if first == "-" { return ["inspect"] + arguments }
        if first.hasPrefix("-") { return arguments }
        if PastedToken.looksLikeToken(PastedToken.clean(first).token) { return ["inspect"] + arguments }
        var isDirectory: ObjCBool = false
        if unsafe FileManager.default.fileExists(atPath: first, isDirectory: &isDirectory), !isDirectory.boolValue {
            return ["inspect"] + arguments
        }
        return arguments
    }

    /// `sign --iat` and `sign --jti` alone (no value follows): iat now, a random jti. A following word that
    /// starts with `--`, or nothing, means no value was given.
    static func signArguments(_ arguments: [String]) -> [String] {
        var out: [String] = []
        for (index, argument) in arguments.enumerated() {
            let next = index + 1 < arguments.count ? arguments[index + 1] : nil
            let bare = next == nil || next!.hasPrefix("--")
            if argument == "--iat", bare {
                out.append("--iat=now")
            } else if argument == "--jti", bare {
                out.append("--random-jti")
            } else {
                out.append(argument)
            }
        }
        return out
    }
}
