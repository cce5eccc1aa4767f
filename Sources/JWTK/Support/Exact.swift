/// Byte-for-byte string comparison. Swift's `==`, `Set` and `Dictionary` treat canonically equivalent
/// Unicode spellings as equal; JWT string claims must match exactly (RFC 7519 §2, "StringOrURI").
package enum Exact {
    /// Byte-for-byte UTF-8 equality (never Unicode canonical equivalence). Not constant time: for public
    /// values (`kid`, `iss`, `aud`, `typ`), never for secrets. Native strings are compared through their
    /// contiguous storage; the generic `UTF8View.elementsEqual` iterator cost ~3.8k instructions per
    /// verification on the hot path.
    @inline(__always)
    package static func equal(_ a: String, _ b: String) -> Bool {
        let x = a.utf8
        let y = b.utf8
        guard x.count == y.count else { return false }
        let contiguous = unsafe x.withContiguousStorageIfAvailable { p in
            unsafe y.withContiguousStorageIfAvailable { q in
                for i in 0..<p.count where unsafe p[i] != q[i] { return false }
                return true
            }
        }
        if case .some(.some(let result)) = contiguous { return result }
        return x.elementsEqual(y)
    }

    /// Byte-for-byte equality of a string with UTF-8 bytes read in place (a claim inside a parsed document).
    @inline(__always)
    package static func equal(_ a: String, bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let x = a.utf8
        guard x.count == bytes.count else { return false }
        if let result = unsafe x.withContiguousStorageIfAvailable({ p in
            for i in 0..<p.count where unsafe p[i] != bytes[i] { return false }
            return true
        }) {
            return result
        }
        return unsafe x.elementsEqual(bytes)
    }

    /// Whether `set` holds a string equal byte for byte to `bytes`.
    package static func contains(_ set: Set<String>, bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for candidate in set where unsafe equal(candidate, bytes: bytes) { return true }
        return false
    }

    package static func contains(_ set: Set<String>, _ value: String) -> Bool {
        if let found = set.firstIndex(of: value), equal(set[found], value) { return true }
        return set.contains { equal($0, value) }
    }
}
