extension JSONValue {
    /// Parses JSON text (any JSON value, not only objects) with the same strict parser the verifier uses:
    /// duplicate object members, invalid UTF-8 and NUL characters are refused.
    ///
    /// Meant for tools built on jwtk (the `jwtk sign` command reads claims files with it), not for tokens:
    /// tokens are parsed by ``JWTVerifier`` and ``UnverifiedJWT``.
    ///
    /// ```swift
    /// let claims = try JSONValue.parse(#"{"sub":"42","admin":true}"#)
    /// print(claims["admin"]?.bool ?? false)
    /// ```
    /// - Parameters:
    ///   - text: the JSON document (RFC 8259); duplicate member names, NUL and invalid UTF-8 are refused.
    ///   - maxDepth: maximum nesting depth. Default 64.
    /// - Throws: `invalidJSON` when the text is not one JSON value (naming the duplicate member when that is the
    ///   reason); `limitExceeded` when it nests deeper than `maxDepth`.
    public static func parse(_ text: String, maxDepth: Int = 64) throws(JWTKError) -> JSONValue {
        try parse(bytes: Array(text.utf8), maxDepth: maxDepth)
    }

    /// Parses UTF-8 JSON bytes; see ``parse(_:maxDepth:)``.
    public static func parse(bytes: [UInt8], maxDepth: Int = 64) throws(JWTKError) -> JSONValue {
        do {
            return try JSONDocument.parse(bytes, maxDepth: maxDepth, what: "JSON").rootValue
        } catch {
            if error.code == .invalidJSON, let duplicate = DuplicateMembers.find(in: bytes).first {
                throw JWTKError(.invalidJSON, "JSON has the member \"\(duplicate)\" twice in one object", claim: duplicate)
            }
            throw error
        }
    }
}

/// Finds object members that appear more than once, which the strict parser refuses without naming them.
package enum DuplicateMembers {
    private struct Frame {
        var isObject: Bool
        var expectingKey: Bool
        var names: Set<String> = []
    }

    /// Names that occur twice in one object, in the order they were found (escapes decoded, so `"\u0061lg"`
    /// is `alg`). Works on malformed input too: it scans, it does not validate.
    package static func find(in bytes: [UInt8]) -> [String] {
        var stack: [Frame] = []
        var found: [String] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                stack.append(Frame(isObject: true, expectingKey: true))
            case UInt8(ascii: "["):
                stack.append(Frame(isObject: false, expectingKey: false))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !stack.isEmpty { stack.removeLast() }
            case UInt8(ascii: ","):
                if let last = stack.indices.last, stack[last].isObject { stack[last].expectingKey = true }
            case UInt8(ascii: "\""):
                let (text, end) = readString(bytes, from: index + 1)
                index = end
                if let last = stack.indices.last, stack[last].isObject, stack[last].expectingKey {
                    stack[last].expectingKey = false
                    if !stack[last].names.insert(text).inserted, !found.contains(text) { found.append(text) }
                }
            default:
                break
            }
            index += 1
        }
        return found
    }

    /// Reads a JSON string body starting after its opening quote; returns the decoded text and the index of
    /// the closing quote (or the end of input).
    private static func readString(_ bytes: [UInt8], from start: Int) -> (String, Int) {
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        var index = start
        func flush() {
            if !raw.isEmpty {
                scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                raw.removeAll()
            }
        }
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16)
            else { return nil }
            return value
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                flush()
                let escaped = bytes[index + 1]
                index += 2
                switch escaped {
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "u"):
                    guard var value = hex4(index) else { continue }
                    index += 4
                    if (0xD800..<0xDC00).contains(value), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u"), let low = hex4(index + 2), (0xDC00..<0xE000).contains(low)
                    {
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                    scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                default: scalars.append(Unicode.Scalar(escaped))
                }
                continue
            }
            raw.append(byte)
            index += 1
        }
        flush()
        return (String(scalars), index)
    }
}
