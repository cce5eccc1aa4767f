internal import CJWTKOpenSSL
internal import CJWTKShims

/// OpenSSL's per-thread error queue.
enum OpenSSLErrors {
    /// Pops and returns every queued error of this thread (the first one's text).
    static func take() -> [String] {
        var buffer = [CChar](repeating: 0, count: 256)
        let code = unsafe CJWTKShims_take_errors(&buffer, buffer.count)
        guard code != 0 else { return [] }
        let text = unsafe buffer.withUnsafeBufferPointer { unsafe String(cString: $0.baseAddress!) }
        return [text]
    }

    static func clear() { CJWTKShims_clear_errors() }
}
