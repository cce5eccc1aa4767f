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
    /// The default for ``maxInputBytes``: 64 MiB.
    static let defaultMaxInputBytes = 64 << 20

    /// The environment variable that sets ``maxInputBytes`` (a positive decimal byte count).
    static let maxInputBytesVariable = "JWTK_MAX_INPUT_BYTES"

    /// Largest stdin or file accepted: `JWTK_MAX_INPUT_BYTES`, else 64 MiB. Reading stops one byte past it,
    /// so an endless input (`/dev/zero`, `yes |`) is refused without being drained.
    static func maxInputBytes() throws(CLIFailure) -> Int {
        guard let raw = unsafe getenv(maxInputBytesVariable) else { return defaultMaxInputBytes }
        let text = unsafe String(cString: raw)
        // At most 1 TiB: reading stops one byte past the limit, and limit + 1 must not overflow.
        guard let value = Int(text), value > 0, value <= 1 << 40 else {
            throw .usage("\(maxInputBytesVariable) \(JSONOut.quote(text)): expected a number of bytes from 1 to 1099511627776")
        }
        return value
    }

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

    /// The raw bytes of an environment variable (not decoded as UTF-8, so no byte is lost or replaced); nil when
    /// it is not set.
    static func environmentBytes(_ name: String) -> [UInt8]? {
        guard let value = unsafe getenv(name) else { return nil }
        return unsafe Array(UnsafeBufferPointer(start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: strlen(value)))
    }

    /// An HMAC secret from `--secret-file` or `--secret-env`, refused when it is key material
    /// (``VerificationKey/checkHMACSecretIsNotKeyMaterial(_:)``).
    static func hmacSecret(_ bytes: [UInt8], source: String) throws(CLIFailure) -> [UInt8] {
        do throws(JWTKError) { try VerificationKey.checkHMACSecretIsNotKeyMaterial(bytes) } catch { throw .input(source, error) }
        return bytes
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
        let fd = unsafe open(path, O_RDONLY)
        guard fd >= 0 else { throw .usage(unsafe "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        if unsafe fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw .usage("cannot read \(path): it is a directory")
        }
        return try readAll(fd: fd, what: path)
    }

    /// Reads at most ``maxInputBytes()`` bytes; one byte more ends the read with `limit_exceeded` (exit 2: the
    /// input is local), whatever is left unread.
    private static func readAll(fd: Int32, what: String) throws(CLIFailure) -> [UInt8] {
        let limit = try maxInputBytes()
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            // Never ask for more than one byte past the limit.
            let wanted = min(chunk.count, limit + 1 - out.count)
            let n = unsafe chunk.withUnsafeMutableBytes { unsafe read(fd, $0.baseAddress, wanted) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .usage(unsafe "cannot read \(what): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit {
                throw .usage("\(what) is larger than \(limit) bytes, the most jwtk reads (\(maxInputBytesVariable)) [limit_exceeded]")
            }
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
