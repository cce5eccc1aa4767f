internal import CJWTKOpenSSL
internal import CJWTKShims

/// The calling thread's cache of ready OpenSSL verification contexts (see `CJWTKShims_verify_cached`).
enum VerificationContextCache {
    /// Occupied slots (at most 8 signature + 8 HMAC contexts per thread).
    static var slotsInUseOnThisThread: Int { Int(CJWTKShims_thread_cache_count()) }

    /// Frees every context the calling thread holds; the next verification builds them again.
    static func flushThisThread() { CJWTKShims_thread_cache_flush() }
}
