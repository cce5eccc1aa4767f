import Foundation
import JWTK

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading tokens, files and times from the command line.
enum Input {
    /// Largest stdin or file accepted; more is drained and refused, so memory stays bounded.
    static let maxInputBytes = 64 << 20

    /// The token: the argument byte for byte, or stdin (when absent or `-`) with exactly one trailing `\n` or
    /// `\r\n` removed and nothing else.
    static func token(_ argument: String?) throws(CLIFailure) -> String {
        if let argument, argument != "-" { return argument }
        if isatty(STDIN_FILENO) == 1 {
            throw .usage("no token: pass TOKEN as an argument or pipe it on stdin (\"-\")")
        }
        let bytes = try readAll(fd: STDIN_FILENO, what: "stdin")
        return String(decoding: strippingOneNewline(bytes), as: UTF8.self)
    }

    /// Removes exactly one trailing `\n` or `\r\n`.
    static func strippingOneNewline(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var slice = bytes[...]
        if slice.last == 0x0A {
            slice = slice.dropLast()
            if slice.last == 0x0D { slice = slice.dropLast() }
        }
        return slice
    }

    /// Reads a whole file; exit 2 with the system's reason when it cannot.
    static func file(_ path: String) throws(CLIFailure) -> [UInt8] {
        if path == "-" { return try readAll(fd: STDIN_FILENO, what: "stdin") }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .usage("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw .usage("cannot read \(path): it is a directory")
        }
        return try readAll(fd: fd, what: path)
    }

    private static func readAll(fd: Int32, what: String) throws(CLIFailure) -> [UInt8] {
        var out: [UInt8] = []
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .usage("cannot read \(what): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            total += n
            if total <= maxInputBytes { out.append(contentsOf: chunk[0..<n]) }
        }
        guard total <= maxInputBytes else {
            throw CLIFailure(.rejected, "\(what) is \(total) bytes; jwtk reads at most \(maxInputBytes) [limit_exceeded]")
        }
        return out
    }

    /// `--now`: any of ``TimeInput``'s forms, relative ones counted from the system clock.
    static func time(_ text: String, option: String = "--now") throws(CLIFailure) -> Double {
        if let seconds = TimeInput.parse(text, now: JWTClock.system.now) { return seconds }
        throw .usage("\(option) \"\(Terminal.line(text))\": expected \(TimeInput.forms)")
    }

    /// A duration: `90`, `90s`, `15m`, `1h30m`, `2d`, optionally signed (`-5m`).
    static func duration(_ text: String) -> Double? {
        var rest = Substring(text)
        var sign = 1.0
        if rest.first == "-" {
            sign = -1
            rest = rest.dropFirst()
        } else if rest.first == "+" {
            rest = rest.dropFirst()
        }
        if let plain = Double(rest), plain.isFinite { return sign * plain }
        var total = 0.0
        var digits = ""
        guard !rest.isEmpty else { return nil }
        for char in rest {
            if char.isASCII, char.isNumber || char == "." {
                digits.append(char)
                continue
            }
            guard let value = Double(digits) else { return nil }
            switch char {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86_400
            case "w": total += value * 604_800
            default: return nil
            }
            digits = ""
        }
        guard digits.isEmpty else { return nil }
        return sign * total
    }

    /// `--exp`/`--nbf`/`--iat` for `sign`: any of ``TimeInput``'s forms, relative ones counted from `now`.
    static func instant(_ text: String, now: Double, option: String) throws(CLIFailure) -> Double {
        if let t = TimeInput.parse(text, now: now) { return t }
        throw .usage("\(option) \"\(Terminal.line(text))\": expected \(TimeInput.forms)")
    }

    /// The current time, or `--now`.
    static func now(_ option: String?) throws(CLIFailure) -> Double {
        guard let option else { return JWTClock.system.now }
        return try time(option)
    }
}

/// stderr output.
enum StandardError {
    static func write(_ text: String) {
        fflush(nil)  // what stdout already holds comes first when both go to one place
        var line = text
        if !line.hasSuffix("\n") { line += "\n" }
        FileHandle.standardError.write(Data(line.utf8))
    }
}
