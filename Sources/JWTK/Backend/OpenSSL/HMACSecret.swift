internal import CJWTKOpenSSL
internal import CJWTKShims

/// An HMAC secret with one keyed `EVP_MAC_CTX` template per hash (+1 each, freed in `deinit`).
///
/// The templates are never modified after `init`, so concurrent use from many threads only reads them.
/// Verification duplicates a template once per thread into that thread's context cache (keyed by
/// ``handle``) and re-initialises it per token; signing duplicates it per call.
///
/// `@safe` (SE-0458): the context and handle pointers are private, owned by the instance and freed only in
/// `deinit`, so no use of an `HMACSecret` can outlive them; the unsafe operations are marked inside.
@safe final class HMACSecret: @unchecked Sendable {
    let bytes: [UInt8]
    private let templates: [OpaquePointer?]  // index 0: SHA-256, 1: SHA-384, 2: SHA-512
    private let handle: OpaquePointer?  // CJWTKShims_key_handle *, +1 (nil: out of memory, fresh contexts)

    init(bytes: [UInt8]) throws(JWTKError) {
        self.bytes = bytes
        var made: [OpaquePointer?] = unsafe []
        for bits in [256, 384, 512] {
            unsafe made.append(CJWTKShims_hmac_template(Int32(bits), bytes, bytes.count))
        }
        // Fail before `templates` is set: a throwing class init whose properties are all set still runs
        // `deinit`, which would free the contexts a second time.
        if unsafe made.contains(where: { unsafe $0 == nil }) {
            // `swift format` 6.3.1 drops the space after `unsafe` in a for-in (`for unsafet`), hence the ignore.
            // swift-format-ignore
            for unsafe t in unsafe made { if let t = unsafe t { unsafe EVP_MAC_CTX_free(t) } }
            throw JWTKError(.cryptoFailure, "OpenSSL could not create an HMAC context", openSSLErrors: OpenSSLErrors.take())
        }
        unsafe templates = made
        unsafe handle = CJWTKShims_handle_new()
    }

    deinit {
        unsafe CJWTKShims_handle_retire(handle)
        // `swift format` 6.3.1 drops the space after `unsafe` in a for-in (`for unsafet`), hence the ignore.
        // swift-format-ignore
        for unsafe t in unsafe templates { if let t = unsafe t { unsafe EVP_MAC_CTX_free(t) } }
    }

    private static func index(_ hashBits: Int) -> Int { hashBits == 256 ? 0 : hashBits == 384 ? 1 : 2 }

    /// Computes the MAC and compares it with `signature` in constant time (CRYPTO_memcmp).
    func verify(signature: UnsafeBufferPointer<UInt8>, message: UnsafeBufferPointer<UInt8>, hashBits: Int) throws(JWTKError) -> Bool {
        let expectedLength = hashBits / 8
        guard signature.count == expectedLength, let template = unsafe templates[Self.index(hashBits)] else { return false }
        switch unsafe CJWTKShims_hmac_verify_cached(
            handle, template, Int32(hashBits), message.baseAddress, message.count, signature.baseAddress, signature.count)
        {
        case 1: return true
        case 0: return false
        default: throw JWTKError(.cryptoFailure, "OpenSSL HMAC computation failed")
        }
    }

    func sign(message: [UInt8], hashBits: Int) throws(JWTKError) -> [UInt8] {
        guard let template = unsafe templates[Self.index(hashBits)] else { throw JWTKError(.cryptoFailure, "no HMAC context") }
        var out = [UInt8](repeating: 0, count: Int(CJWTK_MAX_DIGEST_BYTES))
        var length = 0
        guard unsafe CJWTKShims_hmac_compute(template, message, message.count, &out, out.count, &length) == 1 else {
            throw JWTKError(.cryptoFailure, "OpenSSL HMAC computation failed", openSSLErrors: OpenSSLErrors.take())
        }
        return Array(out[..<length])
    }
}
