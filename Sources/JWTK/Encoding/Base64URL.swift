/// Strict base64url (RFC 4648 §5) as JWS requires it (RFC 7515 §2): the URL-safe alphabet only, no padding,
/// no whitespace or line breaks, and the unused low bits of the last character must be zero (RFC 4648 §3.5),
/// so every byte string has exactly one accepted encoding.
package enum Base64URL {
    /// 0xFF marks a byte outside the alphabet.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()
    private static let encodeTable = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The decoded length of `count` encoded characters, or nil when no valid encoding has that length.
    @inline(__always)
    package static func decodedCount(_ count: Int) -> Int? {
        count % 4 == 1 ? nil : (count / 4) * 3 + max(0, count % 4 - 1)
    }

    /// Decodes strictly. Throws `invalidBase64URL` for any character outside the alphabet, a length that no
    /// encoding has, or non-zero unused trailing bits.
    package static func decode(_ input: UnsafeBufferPointer<UInt8>) throws(JWTKError) -> [UInt8] {
        guard let outCount = decodedCount(input.count) else {
            throw JWTKError(.invalidBase64URL, "base64url length \(input.count) is impossible")
        }
        // Never ask for capacity 0: Swift 6.3's Array(unsafeUninitializedCapacity: 0) stores the count into the
        // process-wide empty-array singleton, a (benign) write that ThreadSanitizer reports as a data race
        // when two threads decode an empty segment (an empty signature) at once.
        if outCount == 0 { return [] }
        var failed = false
        let table = decodeTable
        let output = unsafe [UInt8](unsafeUninitializedCapacity: outCount) { buffer, initialized in
            failed = unsafe !decode(input, into: buffer, table: table)
            initialized = failed ? 0 : outCount
        }
        if failed { throw JWTKError(.invalidBase64URL, "not strict base64url (alphabet, padding or trailing bits)") }
        return output
    }

    /// Decodes strictly into `output`, which holds exactly `decodedCount(input.count)` bytes (no allocation);
    /// false when `input` is not strict base64url or `output` has another size.
    package static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        guard let outCount = decodedCount(input.count), outCount == output.count else { return false }
        if outCount == 0 { return true }
        return unsafe decode(input, into: output, table: decodeTable)
    }

    /// Decodes a string strictly; see ``decode(_:)-(UnsafeBufferPointer<UInt8>)``.
    package static func decode(_ string: String) throws(JWTKError) -> [UInt8] {
        var copy = string
        let result: Result<[UInt8], JWTKError> = copy.withUTF8 { utf8 in
            do throws(JWTKError) { return unsafe .success(try decode(utf8)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes `input` into `output` (which must hold exactly the decoded count). Returns false on any
    /// character outside the alphabet or non-zero unused bits.
    @inline(__always)
    private static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, table: [UInt8]) -> Bool
    {
        guard let consumed = unsafe Base64URLBlocks.decode(input, into: output) else { return false }
        return unsafe decodeScalar(input, from: consumed, into: output, at: consumed / 4 * 3, table: table)
    }

    /// The scalar decode of `input[start...]` into `output[outputStart...]`, four characters at a time, then the tail.
    @inline(__always)
    private static func decodeScalar(
        _ input: UnsafeBufferPointer<UInt8>, from start: Int, into output: UnsafeMutableBufferPointer<UInt8>,
        at outputStart: Int, table: [UInt8]
    ) -> Bool {
        unsafe table.withUnsafeBufferPointer { t in
            var i = start
            var o = outputStart
            let full = input.count / 4 * 4
            var bad: UInt8 = 0
            while i < full {
                let a = unsafe t[Int(input[i])], b = unsafe t[Int(input[i + 1])], c = unsafe t[Int(input[i + 2])],
                    d = unsafe t[Int(input[i + 3])]
                bad |= (a | b | c | d) & 0x80
                unsafe output[o] = (a << 2) | (b >> 4)
                unsafe output[o + 1] = (b << 4) | (c >> 2)
                unsafe output[o + 2] = (c << 6) | d
                i += 4
                o += 3
            }
            switch input.count - full {
            case 2:
                let a = unsafe t[Int(input[i])], b = unsafe t[Int(input[i + 1])]
                bad |= (a | b) & 0x80
                if b & 0x0F != 0 { return false }
                unsafe output[o] = (a << 2) | (b >> 4)
            case 3:
                let a = unsafe t[Int(input[i])], b = unsafe t[Int(input[i + 1])], c = unsafe t[Int(input[i + 2])]
                bad |= (a | b | c) & 0x80
                if c & 0x03 != 0 { return false }
                unsafe output[o] = (a << 2) | (b >> 4)
                unsafe output[o + 1] = (b << 4) | (c >> 2)
            default:
                break
            }
            return bad == 0
        }
    }

    /// Encodes without padding.
    package static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        let count = (input.count / 3) * 4 + [0, 2, 3][input.count % 3]
        if count == 0 { return "" }  // no capacity-0 Array(unsafeUninitializedCapacity:); see decode(_:)
        let table = encodeTable
        let out = unsafe [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var i = 0
            var o = 0
            while i + 3 <= input.count {
                let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                unsafe buffer[o] = table[Int(v >> 18 & 63)]
                unsafe buffer[o + 1] = table[Int(v >> 12 & 63)]
                unsafe buffer[o + 2] = table[Int(v >> 6 & 63)]
                unsafe buffer[o + 3] = table[Int(v & 63)]
                i += 3
                o += 4
            }
            let rest = input.count - i
            if rest == 1 {
                let v = UInt32(input[i]) << 16
                unsafe buffer[o] = table[Int(v >> 18 & 63)]
                unsafe buffer[o + 1] = table[Int(v >> 12 & 63)]
            } else if rest == 2 {
                let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
                unsafe buffer[o] = table[Int(v >> 18 & 63)]
                unsafe buffer[o + 1] = table[Int(v >> 12 & 63)]
                unsafe buffer[o + 2] = table[Int(v >> 6 & 63)]
            }
            initialized = count
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Standard base64 (RFC 4648 §4) with padding, for PEM bodies and JWK `x5c` certificates.
package enum Base64 {
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    /// Decodes padded base64. When `ignoringLineBreaks` is true, CR, LF, spaces and tabs are skipped (PEM bodies).
    package static func decode<Bytes: Collection>(_ input: Bytes, ignoringLineBreaks: Bool = false) -> [UInt8]?
    where Bytes.Element == UInt8 {
        var values: [UInt8] = []
        values.reserveCapacity(input.count)
        var padding = 0
        for byte in input {
            if ignoringLineBreaks && (byte == 0x0A || byte == 0x0D || byte == 0x20 || byte == 0x09) { continue }
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            if padding > 0 { return nil }  // data after padding
            let v = decodeTable[Int(byte)]
            if v == 0xFF { return nil }
            values.append(v)
        }
        guard (values.count + padding) % 4 == 0, padding <= 2, values.count % 4 != 1 else { return nil }
        if padding > 0 && (values.count + padding) % 4 != 0 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var i = 0
        while i + 4 <= values.count {
            out.append(values[i] << 2 | values[i + 1] >> 4)
            out.append(values[i + 1] << 4 | values[i + 2] >> 2)
            out.append(values[i + 2] << 6 | values[i + 3])
            i += 4
        }
        let rest = values.count - i
        if rest == 2 {
            out.append(values[i] << 2 | values[i + 1] >> 4)
        } else if rest == 3 {
            out.append(values[i] << 2 | values[i + 1] >> 4)
            out.append(values[i + 1] << 4 | values[i + 2] >> 2)
        }
        if rest > 0 && padding != 4 - rest { return nil }
        return out
    }

    /// Encodes with padding, optionally wrapped at `lineLength` characters.
    package static func encode(_ bytes: [UInt8], lineLength: Int? = nil) -> String {
        var s = Base64URL.encode(bytes)
        s = String(s.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while s.utf8.count % 4 != 0 { s += "=" }
        guard let lineLength else { return s }
        var lines: [Substring] = []
        var rest = Substring(s)
        while !rest.isEmpty {
            lines.append(rest.prefix(lineLength))
            rest = rest.dropFirst(lineLength)
        }
        return lines.joined(separator: "\n")
    }
}
