internal import CJWTKJansson
internal import CJWTKShims

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A read-only view of one value inside a parsed JSON document (a header, a claim set, a JWK).
///
/// Values are produced lazily: nothing is converted to Swift until an accessor is called, and a wrong type
/// yields `nil` (never a default), so callers can tell "absent" from "present with the wrong type".
///
/// `@safe` (SE-0458): the node pointer is private and the value holds its `JSONDocument`, so the node
/// lives as long as the value; the document is immutable, and the unsafe operations are marked inside.
@safe public struct JSONValue: @unchecked Sendable, CustomStringConvertible {
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
        unsafe self.node = node
    }

    private var raw: UnsafeMutablePointer<json_t> { unsafe UnsafeMutablePointer(node) }

    /// The JSON type of this value.
    public var kind: Kind { unsafe JSONNode(raw: raw).kind }

    /// Runs `body` with an unretained view of this value; the document stays alive until `body` returns.
    func withNode<R>(_ body: (JSONNode) -> R) -> R {
        withExtendedLifetime(document) { unsafe body(JSONNode(raw: raw)) }
    }

    /// The string, when this is a JSON string.
    public var string: String? {
        guard kind == .string, let chars = unsafe json_string_value(raw) else { return nil }
        let length = unsafe json_string_length(raw)
        return unsafe chars.withMemoryRebound(to: UInt8.self, capacity: length) {
            unsafe String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    /// Compares a JSON string with `expected` without creating a Swift string. False for non-strings.
    func stringEquals(_ expected: String) -> Bool {
        guard kind == .string, let chars = unsafe json_string_value(raw) else { return false }
        let length = unsafe json_string_length(raw)
        var expected = expected
        return expected.withUTF8 { e in
            unsafe e.count == length && (length == 0 || memcmp(e.baseAddress!, chars, length) == 0)
        }
    }

    /// The number as a Double, when this is a JSON number (integer or real).
    public var number: Double? {
        switch kind {
        case .integer: return unsafe Double(json_integer_value(raw))
        case .real: return unsafe json_real_value(raw)
        default: return nil
        }
    }

    /// The integer, when this is a JSON integer literal (no fraction or exponent).
    public var integer: Int64? { unsafe kind == .integer ? Int64(json_integer_value(raw)) : nil }

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
        let count = unsafe json_array_size(raw)
        var out: [JSONValue] = []
        out.reserveCapacity(count)
        for index in 0..<count {
            if let element = unsafe json_array_get(raw, index) {
                unsafe out.append(JSONValue(document: document, node: OpaquePointer(element)))
            }
        }
        return out
    }

    /// The number of elements (arrays) or members (objects); 0 otherwise.
    public var count: Int {
        switch kind {
        case .array: return unsafe json_array_size(raw)
        case .object: return unsafe json_object_size(raw)
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
            guard let base = utf8.baseAddress, utf8.count > 0 else { return unsafe json_object_get(raw, "") }
            return unsafe base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { unsafe json_object_getn(raw, $0, utf8.count) }
        }
        guard let member = unsafe member else { return nil }
        return unsafe JSONValue(document: document, node: OpaquePointer(member))
    }

    /// The members in document order, when this is an object.
    public var members: [(key: String, value: JSONValue)]? {
        guard kind == .object else { return nil }
        var out: [(key: String, value: JSONValue)] = []
        var iter = unsafe json_object_iter(raw)
        while let current = unsafe iter {
            let keyLength = unsafe json_object_iter_key_len(current)
            let key: String
            if let keyChars = unsafe json_object_iter_key(current) {
                key = unsafe keyChars.withMemoryRebound(to: UInt8.self, capacity: keyLength) {
                    unsafe String(decoding: UnsafeBufferPointer(start: $0, count: keyLength), as: UTF8.self)
                }
            } else {
                key = ""
            }
            if let value = unsafe json_object_iter_value(current) {
                unsafe out.append((key, JSONValue(document: document, node: OpaquePointer(value))))
            }
            unsafe iter = json_object_iter_next(raw, current)
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
        flags |= pretty ? Int(CJWTK_JSON_INDENT_2) : Int(JSON_COMPACT)
        if sortKeys { flags |= Int(JSON_SORT_KEYS) }
        guard let text = unsafe json_dumps(raw, flags) else { return "null" }
        // jansson's own free function: the process may have installed a non-malloc allocator (and jwtk's
        // arena hook chains to it).
        defer { unsafe CJWTKShims_json_free(text) }
        return unsafe String(cString: text)
    }

    public var description: String { serialized() }
}
