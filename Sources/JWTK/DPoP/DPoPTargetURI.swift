/// The comparison form of an `http`/`https` URI for the DPoP `htu` check (RFC 9449 §4.3 step 9): query and
/// fragment removed, then RFC 3986 §6.2.2 syntax-based normalisation (scheme and host in lower case,
/// percent-encodings in upper case and decoded when they encode an unreserved character, dot segments removed)
/// and §6.2.3 scheme-based normalisation (the default port, 80 or 443, and an empty port dropped; an empty path
/// is `/`).
///
/// Refused (nil): another scheme, no host, userinfo (`user@host`), a port that is not 0–65535, malformed
/// percent-encoding, and any byte that is not printable ASCII. Nothing else is guessed: `HTTP://A.example:443`
/// and `https://a.example/` are different URIs (the scheme decides the default port).
public enum DPoPTargetURI {
    /// The longest URI compared, in bytes.
    public static let maxLength = 8 * 1024

    /// The normalised `scheme://host[:port]/path`, or nil when `text` is not a usable http(s) URI.
    public static func normalized(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        var end = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
        end = bytes[..<end].firstIndex(of: UInt8(ascii: "?")) ?? end
        let uri = bytes[..<end]
        guard let colon = uri.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let scheme = String(decoding: uri[..<colon].map(lower), as: UTF8.self)
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = uri[(colon + 1)...]
        guard rest.starts(with: "//".utf8) else { return nil }
        rest = rest.dropFirst(2)
        let authorityEnd = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        guard !authority.contains(UInt8(ascii: "@")) else { return nil }

        var hostPart = authority[...]
        var portPart: ArraySlice<UInt8>?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            hostPart = authority[...close]
            let after = authority[(close + 1)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else { return nil }
                portPart = after.dropFirst()
            }
        } else if let portColon = authority.firstIndex(of: UInt8(ascii: ":")) {
            hostPart = authority[..<portColon]
            portPart = authority[(portColon + 1)...]
        }
        guard !hostPart.isEmpty, let host = normalizePercentEncoding(hostPart, lowercasing: true) else { return nil }
        var port = ""
        if let portPart, !portPart.isEmpty {
            guard portPart.count <= 5, portPart.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let value = Int(String(decoding: portPart, as: UTF8.self)), value <= 65535
            else { return nil }
            let defaultPort = scheme == "https" ? 443 : 80
            if value != defaultPort { port = ":\(value)" }
        }
        guard let decodedPath = normalizePercentEncoding(path, lowercasing: false) else { return nil }
        let finalPath = removeDotSegments(decodedPath.isEmpty ? "/" : decodedPath)
        return "\(scheme)://\(host)\(port)\(finalPath)"
    }

    private static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    private static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E
            || b == 0x5F || b == 0x7E
    }

    /// Upper-case hex digits, unreserved characters decoded (RFC 3986 §6.2.2.1, §6.2.2.2); nil for a bad `%`.
    private static func normalizePercentEncoding(_ bytes: ArraySlice<UInt8>, lowercasing: Bool) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        let digits = Array("0123456789ABCDEF".utf8)
        while index < bytes.endIndex {
            let b = bytes[index]
            if b == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex,
                    let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { return nil }
                let value = high << 4 | low
                if isUnreserved(value) {
                    out.append(lowercasing ? lower(value) : value)
                } else {
                    out.append(UInt8(ascii: "%"))
                    out.append(digits[Int(high)])
                    out.append(digits[Int(low)])
                }
                index += 3
            } else {
                out.append(lowercasing ? lower(b) : b)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 3986 §5.2.4 on an absolute path.
    private static func removeDotSegments(_ path: String) -> String {
        var input = Substring(path)
        var output: [Substring] = []
        while !input.isEmpty {
            if input.hasPrefix("../") {
                input = input.dropFirst(3)
            } else if input.hasPrefix("./") {
                input = input.dropFirst(2)
            } else if input.hasPrefix("/./") {
                input = input.dropFirst(2)
            } else if input == "/." {
                input = "/"
            } else if input.hasPrefix("/../") {
                input = input.dropFirst(3)
                if !output.isEmpty { output.removeLast() }
            } else if input == "/.." {
                input = "/"
                if !output.isEmpty { output.removeLast() }
            } else if input == "." || input == ".." {
                input = ""
            } else {
                let start = input.startIndex
                let searchFrom = input.first == "/" ? input.index(after: start) : start
                let next = input[searchFrom...].firstIndex(of: "/") ?? input.endIndex
                output.append(input[start..<next])
                input = input[next...]
            }
        }
        let joined = output.joined()
        return joined.isEmpty ? "/" : joined
    }
}
