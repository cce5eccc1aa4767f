internal import CJWTKJansson
internal import CJWTKShims

/// Owner of one parsed jansson document: either a `json_t *` holding +1 reference (released in `deinit` with
/// `json_decref`), or a document parsed into an arena (`inArena`), whose values all live in one block that
/// `deinit` frees at once and that is never passed to `json_decref` (the invariants are in the shims' arena.c).
///
/// Immutable after parsing: jwtk only calls jansson's read functions on it, and jansson's reference counts
/// are atomic on this platform (`JSON_HAVE_ATOMIC_BUILTINS`), so one document may be read from any number of
/// threads at once.
///
/// `@safe` (SE-0458): the C pointers are private to this file and the class owns what they point to, so no
/// use of a `JSONDocument` can outlive or free them; the unsafe operations are marked inside.
@safe package final class JSONDocument: @unchecked Sendable {
    fileprivate let root: OpaquePointer
    /// The arena the document lives in, or nil for a reference-counted document.
    private let arena: UnsafeMutableRawPointer?

    private init(root: OpaquePointer, arena: UnsafeMutableRawPointer?) {
        unsafe self.root = root
        unsafe self.arena = arena
    }

    deinit {
        if let arena = unsafe arena { unsafe CJWTKShims_arena_free(arena) } else { unsafe json_decref(UnsafeMutablePointer(root)) }
    }

    /// Whether the document was parsed into an arena.
    var inArena: Bool { unsafe arena != nil }

    /// How many blocks the arena holds (0 for a reference-counted document); for tests.
    var arenaChunks: Int { unsafe arena.map { unsafe CJWTKShims_arena_chunks($0) } ?? 0 }

    /// Whether the calling thread keeps a freed arena block for its next parse (arena.c's spare); for tests.
    static var threadHasSpareArena: Bool { CJWTKShims_arena_has_spare() != 0 }

    /// Frees the calling thread's spare arena block, if any; for tests.
    static func dropThreadSpareArena() { CJWTKShims_arena_drop_spare() }

    /// Parses `bytes` as one JSON value with jansson, rejecting duplicate object members (RFC 7515 §4,
    /// RFC 8725 §3.7 expects strictness), invalid UTF-8 and NUL characters. `maxDepth` is enforced by a
    /// scan before jansson runs, so hostile nesting costs time proportional to the input, never recursion.
    /// With `quotesInput` false (key documents), a syntax error names its line and column and drops the text
    /// jansson quotes from the input ("near '...'"), which can be a private key member.
    ///
    /// With `arena`, every jansson allocation of the parse comes from one block owned by the document (the
    /// verification path: one allocation instead of one per value); the result and the errors are the same.
    static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, what: String, quotesInput: Bool = true, arena: Bool = false
    ) throws(JWTKError) -> JSONDocument {
        if let depth = unsafe nestingDepthExceeding(maxDepth, in: bytes) {
            throw JWTKError(.limitExceeded, "\(what) JSON nests deeper than \(maxDepth) levels (reached \(depth))")
        }
        var error = json_error_t()
        let flags = Int(JSON_REJECT_DUPLICATES) | Int(JSON_DECODE_ANY)
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JWTKError(.invalidJSON, "\(what) is empty")
        }
        var block: UnsafeMutableRawPointer?
        let node = unsafe base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
            unsafe arena
                ? CJWTKShims_json_loadb_arena(chars, bytes.count, flags, &error, &block) : json_loadb(chars, bytes.count, flags, &error)
        }
        guard let node = unsafe node else {
            let text = unsafe withUnsafePointer(to: &error) { unsafe String(cString: CJWTKShims_json_error_text($0)) }
            guard quotesInput else {
                // A duplicate's "near" is the member name, not a value: kept.
                let cut = text.hasPrefix("duplicate object key") ? text : Self.prefix(of: text, before: " near ")
                throw JWTKError(.invalidJSON, "\(what) is not valid JSON at line \(error.line), column \(error.column): \(cut)")
            }
            throw JWTKError(.invalidJSON, "\(what) is not valid JSON: \(text)")
        }
        return unsafe JSONDocument(root: OpaquePointer(node), arena: block)
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

    package static func parse(
        _ bytes: [UInt8], maxDepth: Int, what: String, quotesInput: Bool = true, arena: Bool = false
    ) throws(JWTKError) -> JSONDocument {
        let result: Result<JSONDocument, JWTKError> = unsafe bytes.withUnsafeBufferPointer { buffer in
            do throws(JWTKError) {
                return unsafe .success(try parse(buffer, maxDepth: maxDepth, what: what, quotesInput: quotesInput, arena: arena))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// How many "[" and "{" bytes `bytes` holds (the vectorised count of the depth pre-scan's fast path).
    static func openingBrackets(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        return unsafe CJWTKShims_count_opening_brackets(base, bytes.count)
    }

    /// Returns the depth reached when it exceeds `limit`, or nil. Brackets inside strings do not count.
    private static func nestingDepthExceeding(_ limit: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        // Fast path: the depth can never exceed the number of opening brackets. Counting them is a
        // vector loop (CJWTKShims, 16 bytes a step); only documents with more than `limit` of them (none of
        // the usual headers and claim sets) need the exact scan below.
        if unsafe openingBrackets(in: bytes) <= limit { return nil }
        var depth = 0
        var inString = false
        var escaped = false
        // `swift format` 6.3.1 drops the space after `unsafe` in a for-in (`for unsafebyte`), hence the ignore.
        // swift-format-ignore
        for unsafe byte in unsafe bytes {
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

    package var rootValue: JSONValue { unsafe JSONValue(document: self, node: root) }
}
