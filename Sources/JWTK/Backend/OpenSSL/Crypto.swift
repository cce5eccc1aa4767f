internal import CJWTKOpenSSL
internal import CJWTKShims

/// Hashing and randomness.
enum Crypto {
    /// SHA-256/384/512 of `bytes`.
    static func digest(_ bytes: [UInt8], hashBits: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(CJWTK_MAX_DIGEST_BYTES))
        var len = 0
        guard unsafe CJWTKShims_digest(Int32(hashBits), bytes, bytes.count, &out, &len) == 1 else {
            OpenSSLErrors.clear()
            return []
        }
        return Array(out[..<len])
    }

    /// SHA-1 of `bytes`, only for comparing a JWK's `x5t` certificate thumbprint (RFC 7517 §4.8); never for
    /// anything that needs collision resistance.
    static func sha1(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(CJWTK_SHA1_BYTES))
        var len: UInt32 = 0
        guard unsafe EVP_Digest(bytes, bytes.count, &out, &len, EVP_sha1(), nil) == 1, Int(len) == CJWTK_SHA1_BYTES else {
            OpenSSLErrors.clear()
            return []
        }
        return out
    }

    static func randomBytes(_ count: Int) throws(JWTKError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard unsafe CJWTKShims_random(&out, count) == 1 else {
            throw JWTKError(.cryptoFailure, "RAND_bytes failed", openSSLErrors: OpenSSLErrors.take())
        }
        return out
    }

    /// Constant-time equality (CRYPTO_memcmp); false when lengths differ.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        unsafe a.count == b.count && (a.isEmpty || CJWTKShims_memcmp(a, b, a.count) == 0)
    }

    /// The OpenSSL version this process runs against.
    static var openSSLVersion: String { unsafe String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))) }
}
