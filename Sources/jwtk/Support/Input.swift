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
    /// `\r\n` removed and nothing else. A value pasted from an `Authorization` header (`Bearer TOKEN`, the
    /// scheme in any case) is read with ``JWTK/BearerToken`` (RFC 6750 §2.1).
    static func token(_ argument: String?) throws(CLIFailure) -> String {
        if let argument, argument != "-" { return try unwrappingBearer(argument) }
        if isatty(STDIN_FILENO) == 1 {
            throw .usage("no token: pass TOKEN as an argument or pipe it on stdin (\"-\")")
        }
        let bytes = try readAll(fd: STDIN_FILENO, what: "stdin")
        return try unwrappingBearer(String(decoding: strippingOneNewline(bytes), as: UTF8.self))
    }

    /// `Bearer TOKEN` → `TOKEN`; anything not starting with `Bearer ` is returned unchanged.
    static func unwrappingBearer(_ text: String) throws(CLIFailure) -> String {
        let scheme = Array("bearer ".utf8)
        let head = text.utf8.prefix(scheme.count).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        guard head == scheme else { return text }
        do {
            return try BearerToken(authorizationHeader: text).token
        } catch {
            throw .input("the Bearer credentials", error)
        }
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

    /// `--now`: Unix seconds (`1767227400`, `1767227400.5`) or RFC 3339 (`2026-01-01T00:30:00Z`).
    static func time(_ text: String, option: String = "--now") throws(CLIFailure) -> Double {
        if let seconds = Double(text), seconds.isFinite { return seconds }
        if let seconds = DateText.parseRFC3339(text) { return seconds }
        throw .usage("\(option) \"\(text)\": expected Unix seconds or an RFC 3339 time such as 2026-01-01T00:30:00Z")
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

    /// `--exp`/`--nbf` for `sign`: a duration from now, or an absolute RFC 3339 time.
    static func instant(_ text: String, now: Double, option: String) throws(CLIFailure) -> Double {
        if let d = duration(text) { return now + d }
        if let t = DateText.parseRFC3339(text) { return t }
        throw .usage("\(option) \"\(text)\": expected a duration (90s, 15m, 1h, 2d, -5m) or an RFC 3339 time")
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
