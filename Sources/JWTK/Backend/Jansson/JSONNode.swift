internal import CJWTKJansson
internal import CJWTKShims

/// An unretained view of one value inside a parsed document, for the verification hot path: reading claims
/// in place costs no reference counting and creates no Swift string or array.
///
/// A `JSONNode` does not keep its document alive. Use one only inside ``JSONValue/withNode(_:)`` of a value
/// of the same document, which holds the document for the duration of the closure.
struct JSONNode {
    let raw: UnsafeMutablePointer<json_t>

    /// The JSON type.
    var kind: JSONValue.Kind {
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

    /// The member named by `name`'s UTF-8 bytes, when this is an object that has it.
    func member(_ name: StaticString) -> JSONNode? {
        name.utf8Start.withMemoryRebound(to: CChar.self, capacity: name.utf8CodeUnitCount) { chars in
            json_object_getn(raw, chars, name.utf8CodeUnitCount).map(JSONNode.init(raw:))
        }
    }

    /// The member named `name` (byte for byte), when this is an object that has it.
    func member(_ name: String) -> JSONNode? {
        var name = name
        return name.withUTF8 { utf8 -> JSONNode? in
            guard let base = utf8.baseAddress, utf8.count > 0 else { return json_object_get(raw, "").map(JSONNode.init(raw:)) }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                json_object_getn(raw, $0, utf8.count).map(JSONNode.init(raw:))
            }
        }
    }

    /// The number as a Double (as ``JSONValue/number`` reads it), when this is a JSON number.
    var number: Double? {
        switch CJWTKShims_json_typeof(raw) {
        case Int32(JSON_INTEGER.rawValue): return Double(json_integer_value(raw))
        case Int32(JSON_REAL.rawValue): return json_real_value(raw)
        default: return nil
        }
    }

    /// The string's UTF-8 bytes, valid while the document lives, when this is a JSON string.
    var stringBytes: UnsafeBufferPointer<UInt8>? {
        guard CJWTKShims_json_typeof(raw) == Int32(JSON_STRING.rawValue), let chars = json_string_value(raw) else { return nil }
        let length = json_string_length(raw)
        return UnsafeRawPointer(chars).withMemoryRebound(to: UInt8.self, capacity: length) {
            UnsafeBufferPointer(start: $0, count: length)
        }
    }

    /// The number of elements, when this is an array; nil otherwise.
    var arrayCount: Int? { CJWTKShims_json_typeof(raw) == Int32(JSON_ARRAY.rawValue) ? json_array_size(raw) : nil }

    /// The element at `index` of an array.
    func element(_ index: Int) -> JSONNode? { json_array_get(raw, index).map(JSONNode.init(raw:)) }
}
