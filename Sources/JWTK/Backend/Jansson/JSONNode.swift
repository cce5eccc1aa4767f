internal import CJWTKJansson
internal import CJWTKShims

/// An unretained view of one value inside a parsed document, for the verification hot path: reading claims
/// in place costs no reference counting and creates no Swift string or array.
///
/// A `JSONNode` does not keep its document alive. Use one only inside ``JSONValue/withNode(_:)`` of a value
/// of the same document, which holds the document for the duration of the closure.
///
/// `@unsafe` (SE-0458): nothing ties the node's lifetime to its document, so every use is marked `unsafe`.
@unsafe struct JSONNode {
    let raw: UnsafeMutablePointer<json_t>

    /// The JSON type.
    var kind: JSONValue.Kind {
        switch unsafe CJWTKShims_json_typeof(raw) {
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

    /// The member named by `name`'s UTF-8 bytes, when this is an object that has it.
    func member(_ name: StaticString) -> JSONNode? {
        unsafe name.utf8Start.withMemoryRebound(to: CChar.self, capacity: name.utf8CodeUnitCount) { chars in
            unsafe json_object_getn(raw, chars, name.utf8CodeUnitCount).map(JSONNode.init(raw:))
        }
    }

    /// The member named `name` (byte for byte), when this is an object that has it.
    func member(_ name: String) -> JSONNode? {
        // In place first: `withUTF8` needs a `var` copy of the name (a retain and a release when it is not small).
        if let found = unsafe name.utf8.withContiguousStorageIfAvailable({ unsafe member(bytes: $0) }) { return unsafe found }
        var name = name
        return name.withUTF8 { unsafe member(bytes: $0) }
    }

    private func member(bytes utf8: UnsafeBufferPointer<UInt8>) -> JSONNode? {
        guard let base = utf8.baseAddress, utf8.count > 0 else { return unsafe json_object_get(raw, "").map(JSONNode.init(raw:)) }
        return unsafe base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
            unsafe json_object_getn(raw, $0, utf8.count).map(JSONNode.init(raw:))
        }
    }

    /// The number as a Double (as ``JSONValue/number`` reads it), when this is a JSON number.
    var number: Double? {
        switch unsafe CJWTKShims_json_typeof(raw) {
        case Int32(JSON_INTEGER.rawValue): return unsafe Double(json_integer_value(raw))
        case Int32(JSON_REAL.rawValue): return unsafe json_real_value(raw)
        default: return nil
        }
    }

    /// The string's UTF-8 bytes, valid while the document lives, when this is a JSON string.
    var stringBytes: UnsafeBufferPointer<UInt8>? {
        guard unsafe CJWTKShims_json_typeof(raw) == Int32(JSON_STRING.rawValue), let chars = unsafe json_string_value(raw) else {
            return nil
        }
        let length = unsafe json_string_length(raw)
        return unsafe UnsafeRawPointer(chars).withMemoryRebound(to: UInt8.self, capacity: length) {
            unsafe UnsafeBufferPointer(start: $0, count: length)
        }
    }

    /// The number of elements, when this is an array; nil otherwise.
    var arrayCount: Int? { unsafe CJWTKShims_json_typeof(raw) == Int32(JSON_ARRAY.rawValue) ? json_array_size(raw) : nil }

    /// The element at `index` of an array.
    func element(_ index: Int) -> JSONNode? { unsafe json_array_get(raw, index).map(JSONNode.init(raw:)) }
}
