internal import CJWTKJansson
internal import CJWTKShims

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Owner of one parsed jansson document (`json_t *`, +1 reference, released in `deinit`).
///
/// Immutable after parsing: jwtk only calls jansson's read functions on it, and jansson's reference counts
/// are atomic on this platform (`JSON_HAVE_ATOMIC_BUILTINS`), so one document may be read from any number of
/// threads at once.
package final class JSONDocument: @unchecked Sendable {
    fileprivate let root: OpaquePointer

    private init(root: OpaquePointer) { self.root = root }
    deinit { json_decref(UnsafeMutablePointer(root)) }

    /// Parses `bytes` as one JSON value with jansson, rejecting duplicate object members (RFC 7515 §4,
    /// RFC 8725 §3.7 expects strictness), invalid UTF-8 and NUL characters. `maxDepth` is enforced by a
    /// scan before jansson runs, so hostile nesting costs time proportional to the input, never recursion.
    /// With `quotesInput` false (key documents), a syntax error names its line and column and drops the text
    /// jansson quotes from the input ("near '...'"), which can be a private key member.
    static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, what: String, quotesInput: Bool = true
    ) throws(JWTKError) -> JSONDocument {
        if let depth = nestingDepthExceeding(maxDepth, in: bytes) {
            throw JWTKError(.limitExceeded, "\(what) JSON nests deeper than \(maxDepth) levels (reached \(depth))")
        }
        var error = json_error_t()
        let flags = Int(JSON_REJECT_DUPLICATES) | Int(JSON_DECODE_ANY)
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JWTKError(.invalidJSON, "\(what) is empty")
        }
        let node = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
            json_loadb(chars, bytes.count, flags, &error)
        }
        guard let node else {
            let text = withUnsafePointer(to: &error) { String(cString: CJWTKShims_json_error_text($0)) }
            guard quotesInput else {
                // A duplicate's "near" is the member name, not a value: kept.
                let cut = text.hasPrefix("duplicate object key") ? text : Self.prefix(of: text, before: " near ")
                throw JWTKError(.invalidJSON, "\(what) is not valid JSON at line \(error.line), column \(error.column): \(cut)")
            }
            throw JWTKError(.invalidJSON, "\(what) is not valid JSON: \(text)")
        }
        return JSONDocument(root: OpaquePointer(node))
    }

    /// The part of `text` before the first `marker` (all of it when absent).
    private static func prefix(of text: String, before marker: String) -> String {
        let bytes = Array(text.utf8)
        let mark = Array(marker.utf8)
        guard bytes.count >= mark.count,
            let at = (0...(bytes.count - mark.count)).first(where: { bytes[$0..<$0 + mark.count].elementsEqual(mark) })
        else { return text }
        return String(decoding: bytes[..<at], as: UTF8.self)
    }

    package static func parse(_ bytes: [UInt8], maxDepth: Int, what: String, quotesInput: Bool = true) throws(JWTKError) -> JSONDocument {
        let result: Result<JSONDocument, JWTKError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(JWTKError) { return .success(try parse(buffer, maxDepth: maxDepth, what: what, quotesInput: quotesInput)) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Returns the depth reached when it exceeds `limit`, or nil. Brackets inside strings do not count.
    private static func nestingDepthExceeding(_ limit: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        // Fast path: the depth can never exceed the number of opening brackets. Counting them is a
        // branch-free loop; only documents with more than `limit` of them (none of
        // the usual headers and claim sets) need the exact scan below.
        var opening: UInt32 = 0
        for index in 0..<bytes.count {  // 0x5B "[" | 0x20 == 0x7B "{"
            opening &+= ((UInt32(bytes[index] | 0x20) ^ 0x7B) &- 1) >> 31  // 1 exactly for "[" and "{"
        }
        if Int(opening) <= limit { return nil }
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == 0x5C {  // backslash
                    escaped = true
                } else if byte == 0x22 {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x5B, 0x7B:
                depth += 1
                if depth > limit { return depth }
            case 0x5D, 0x7D: depth -= 1
            default: break
            }
        }
        return nil
    }

    package var rootValue: JSONValue { JSONValue(document: self, node: root) }
}

/// A read-only view of one value inside a parsed JSON document (a header, a claim set, a JWK).
///
/// Values are produced lazily: nothing is converted to Swift until an accessor is called, and a wrong type
/// yields `nil` (never a default), so callers can tell "absent" from "present with the wrong type".
public struct JSONValue: @unchecked Sendable, CustomStringConvertible {
    /// The JSON type of a value.
    public enum Kind: String, Sendable {
        case object, array, string, integer, real, `true`, `false`, null

        /// Whether the value is a JSON number (integer or real).
        public var isNumber: Bool { self == .integer || self == .real }
    }

    let document: JSONDocument  // keeps `node` alive
    private let node: OpaquePointer

    init(document: JSONDocument, node: OpaquePointer) {
        self.document = document
        self.node = node
    }

    private var raw: UnsafeMutablePointer<json_t> { UnsafeMutablePointer(node) }

    /// The JSON type of this value.
    public var kind: Kind {
        switch CJWTKShims_json_typeof(raw) {
        case Int32(JSON_OBJECT.rawValue): return .object
        case Int32(JSON_ARRAY.rawValue): return .array
        case Int32(JSON_STRING.rawValue): return .string
        case Int32(JSON_INTEGER.rawValue): return .integer
        case Int32(JSON_REAL.rawValue): return .real
        case Int32(JSON_TRUE.rawValue): return .true
        case Int32(JSON_FALSE.rawValue): return .false
        default: return .null
        }
    }

    /// The string, when this is a JSON string.
    public var string: String? {
        guard kind == .string, let chars = json_string_value(raw) else { return nil }
        let length = json_string_length(raw)
        return chars.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    /// Compares a JSON string with `expected` without creating a Swift string. False for non-strings.
    func stringEquals(_ expected: String) -> Bool {
        guard kind == .string, let chars = json_string_value(raw) else { return false }
        let length = json_string_length(raw)
        var expected = expected
        return expected.withUTF8 { e in
            e.count == length && (length == 0 || memcmp(e.baseAddress!, chars, length) == 0)
        }
    }

    /// The number as a Double, when this is a JSON number (integer or real).
    public var number: Double? {
        switch kind {
        case .integer: return Double(json_integer_value(raw))
        case .real: return json_real_value(raw)
        default: return nil
        }
    }

    /// The integer, when this is a JSON integer literal (no fraction or exponent).
    public var integer: Int64? { kind == .integer ? Int64(json_integer_value(raw)) : nil }

    /// The boolean, when this is `true` or `false`.
    public var bool: Bool? {
        switch kind {
        case .true: return true
        case .false: return false
        default: return nil
        }
    }

    /// Whether this is JSON `null`.
    public var isNull: Bool { kind == .null }

    /// The elements, when this is an array.
    public var array: [JSONValue]? {
        guard kind == .array else { return nil }
        let count = json_array_size(raw)
        var out: [JSONValue] = []
        out.reserveCapacity(count)
        for index in 0..<count {
            if let element = json_array_get(raw, index) { out.append(JSONValue(document: document, node: OpaquePointer(element))) }
        }
        return out
    }

    /// The number of elements (arrays) or members (objects); 0 otherwise.
    public var count: Int {
        switch kind {
        case .array: return json_array_size(raw)
        case .object: return json_object_size(raw)
        default: return 0
        }
    }

    /// The member named `key`, when this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        guard kind == .object else { return nil }
        // json_object_getn with the string's own UTF-8 storage: no temporary C string (an allocation and a
        // copy per lookup when a Swift String is passed as `const char *`).
        var key = key
        let member = key.withUTF8 { utf8 -> UnsafeMutablePointer<json_t>? in
            guard let base = utf8.baseAddress, utf8.count > 0 else { return json_object_get(raw, "") }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { json_object_getn(raw, $0, utf8.count) }
        }
        guard let member else { return nil }
        return JSONValue(document: document, node: OpaquePointer(member))
    }

    /// The members in document order, when this is an object.
    public var members: [(key: String, value: JSONValue)]? {
        guard kind == .object else { return nil }
        var out: [(key: String, value: JSONValue)] = []
        var iter = json_object_iter(raw)
        while let current = iter {
            let keyLength = json_object_iter_key_len(current)
            let key: String
            if let keyChars = json_object_iter_key(current) {
                key = keyChars.withMemoryRebound(to: UInt8.self, capacity: keyLength) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: keyLength), as: UTF8.self)
                }
            } else {
                key = ""
            }
            if let value = json_object_iter_value(current) {
                out.append((key, JSONValue(document: document, node: OpaquePointer(value))))
            }
            iter = json_object_iter_next(raw, current)
        }
        return out
    }

    /// The array's elements when all are strings; nil otherwise.
    public var stringArray: [String]? {
        guard let elements = array else { return nil }
        var out: [String] = []
        out.reserveCapacity(elements.count)
        for element in elements {
            guard let s = element.string else { return nil }
            out.append(s)
        }
        return out
    }

    /// This value serialised as JSON: compact by default, or indented by two spaces.
    public func serialized(pretty: Bool = false, sortKeys: Bool = false) -> String {
        var flags = Int(JSON_ENCODE_ANY)
        if pretty {
            flags |= 2
        }  // JSON_INDENT(2)
        else {
            flags |= Int(JSON_COMPACT)
        }
        if sortKeys { flags |= Int(JSON_SORT_KEYS) }
        guard let text = json_dumps(raw, flags) else { return "null" }
        defer { free(text) }
        return String(cString: text)
    }

    public var description: String { serialized() }
}
