/// Runs `body` over the UTF-8 bytes of `string` without copying them (native strings are contiguous).
@inline(__always)
func withUTF8Bytes<R>(of string: String, _ body: (UnsafeBufferPointer<UInt8>) throws(JWTKError) -> R) throws(JWTKError) -> R {
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
