/// Runs `body` over the UTF-8 bytes of `string` without copying them (native strings are contiguous).
@inline(__always)
func withUTF8Bytes<R>(of string: String, _ body: (UnsafeBufferPointer<UInt8>) throws(JWTKError) -> R) throws(JWTKError) -> R {
    // In place first: `withUTF8` needs a `var` copy, a retain and a release of the caller's string.
    let borrowed: Result<R, JWTKError>? = unsafe string.utf8.withContiguousStorageIfAvailable { bytes in
        do throws(JWTKError) { return unsafe .success(try body(bytes)) } catch { return .failure(error) }
    }
    if let borrowed { return try borrowed.get() }
    var string = string
    let result: Result<R, JWTKError> = string.withUTF8 { bytes in
        do throws(JWTKError) { return unsafe .success(try body(bytes)) } catch { return .failure(error) }
    }
    return try result.get()
}

@inline(__always)
func decodeSegment(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ what: String) throws(JWTKError) -> [UInt8] {
    do {
        return try unsafe Base64URL.decode(UnsafeBufferPointer(rebasing: bytes[range]))
    } catch {
        throw JWTKError(.invalidBase64URL, "the \(what) segment is not strict base64url")
    }
}

/// Decodes a segment into a temporary buffer (on the stack when it is small, as signatures are) that lives only
/// for `body`: the header-cache hit path checks the signature without an allocation.
@inline(__always)
func withDecodedSegment<R>(
    _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ what: String, _ body: (UnsafeBufferPointer<UInt8>) throws(JWTKError) -> R
) throws(JWTKError) -> R {
    let input = unsafe UnsafeBufferPointer(rebasing: bytes[range])
    guard let count = Base64URL.decodedCount(input.count) else {
        throw JWTKError(.invalidBase64URL, "the \(what) segment is not strict base64url")
    }
    return try unsafe withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer throws(JWTKError) -> R in
        guard unsafe Base64URL.decode(input, into: buffer) else {
            throw JWTKError(.invalidBase64URL, "the \(what) segment is not strict base64url")
        }
        return try unsafe body(UnsafeBufferPointer(buffer))
    }
}
