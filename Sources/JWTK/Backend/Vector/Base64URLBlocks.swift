internal import CJWTKShims

/// The vector block loop of strict base64url decoding, in C (`base64url.c`, SSE2 on x86-64): Swift 6.3 lowers
/// SIMD comparisons lane by lane and has no portable byte shuffle. ``Base64URL`` calls it first and decodes
/// what is left (at most 15 characters, and the unused-bits rule of the last group) with its scalar loop.
enum Base64URLBlocks {
    /// Decodes the whole 16-character blocks at the start of `input` into `output` (12 bytes each). Returns
    /// the characters consumed (a multiple of 16; 0 where there is no vector code), or nil when one of them
    /// is outside the alphabet. `output` must have room for the decoded count of all of `input`.
    @inline(__always)
    static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        guard input.count >= 16, let source = input.baseAddress, let target = output.baseAddress,
            output.count >= input.count / 16 * 12
        else { return 0 }
        var invalid: Int32 = 0
        let consumed = unsafe CJWTKShims_base64url_decode_blocks(source, input.count, target, &invalid)
        return invalid == 0 ? consumed : nil
    }
}
