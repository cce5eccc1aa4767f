import ArgumentParser

/// "Did you mean …?" for an unknown option or subcommand: the closest real ones, found in the help text of
/// the command the user was running (so the list can never drift from the real options).
enum Suggestion {
    /// `message` (ArgumentParser's error text) with the closest real option or subcommand named, when
    /// ArgumentParser named none.
    static func improving(_ message: String, arguments: [String]) -> String {
        guard !message.contains("Did you mean") else { return message }
        var lines = message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = lines.first else { return message }
        let prefix = "Error: Unknown option '"
        if first.hasPrefix(prefix), first.hasSuffix("'") {
            let unknown = String(first.dropFirst(prefix.count).dropLast())
            let command = arguments.first { Shortcut.commands.contains($0) && $0 != "help" }
            let options = optionNames(command: command)
            let close = closest(unknown, among: options)
            guard !close.isEmpty else { return message }
            let quoted = close.map { "'\($0)'" }
            let list = quoted.count > 1 ? quoted.dropLast().joined(separator: ", ") + " or " + quoted[quoted.count - 1] : quoted[0]
            lines[0] = first + ". Did you mean " + list + "?"
            return lines.joined(separator: "\n")
        }
        if let word = arguments.first, !word.hasPrefix("-"), !Shortcut.commands.contains(word),
            !PastedToken.looksLikeToken(PastedToken.clean(word).token)
        {
            let close = closest(word, among: Shortcut.commands.subtracting(["help"]).sorted())
            guard let best = close.first, best.count > 0 else { return message }
            lines[0] = first + ". Did you mean the subcommand '\(best)'?"
            return lines.joined(separator: "\n")
        }
        return message
    }

    /// Every `--name` in the help of `command` (or of jwtk itself).
    static func optionNames(command: String?) -> [String] {
        let help: String
        switch command {
        case .some(let name):
            guard let type = JWTKCommand.configuration.subcommands.first(where: { $0._commandName == name }) else { return [] }
            help = JWTKCommand.helpMessage(for: type, columns: 1000)
        case .none:
            help = JWTKCommand.helpMessage(columns: 1000)
        }
        var names: [String] = []
        var current = ""
        for char in help + " " {
            if char.isLetter || char.isNumber || char == "-" {
                current.append(char)
            } else {
                if current.hasPrefix("--"), current.count > 2, !names.contains(current) { names.append(current) }
                current = ""
            }
        }
        return names
    }

    /// The candidates that share a prefix with `word` (`--secret` → `--secret-file`, `--audience` → `--aud`),
    /// else the single nearest by edit distance when it is close enough to be a typo.
    static func closest(_ word: String, among candidates: [String]) -> [String] {
        let bare = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
        let related = candidates.filter { $0.count > 3 && (bare.hasPrefix($0) || $0.hasPrefix(bare)) }
        if !related.isEmpty {
            return Array(related.sorted { abs($0.count - bare.count) < abs($1.count - bare.count) }.prefix(3))
        }
        let scored = candidates.map { ($0, distance($0, bare)) }.min { $0.1 < $1.1 }
        guard let (best, d) = scored, d <= max(2, bare.count / 3) else { return [] }
        return [best]
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var row = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = row
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
