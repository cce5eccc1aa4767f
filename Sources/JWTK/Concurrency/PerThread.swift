#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One instance of `Value` per thread, made on the thread's first use and released when the thread exits
/// (a `pthread` key). The instance is only ever touched by its own thread, so it needs no lock; the hot-path
/// caches (``HeaderCache``, the verified-token cache's tables) live here.
package struct PerThread<Value: AnyObject>: @unchecked Sendable {
    private let key: pthread_key_t
    private let make: @Sendable () -> Value

    /// A new key; create one per kind of value, once (a `static let`), since keys are a limited resource.
    package init(_ make: @escaping @Sendable () -> Value) {
        var key = pthread_key_t()
        let status = unsafe pthread_key_create(&key) { pointer in
            if let pointer = unsafe pointer { unsafe Unmanaged<AnyObject>.fromOpaque(pointer).release() }
        }
        precondition(status == 0, "pthread_key_create failed (\(status))")
        self.key = key
        self.make = make
    }

    /// The calling thread's instance, not retained: the thread's own reference keeps it alive until the thread
    /// exits, so a caller on this thread may use it for the length of one call without a reference-count
    /// write (a hot path's retain and release are two atomic operations per call).
    @inline(__always)
    package var currentUnmanaged: Unmanaged<Value> {
        if let pointer = unsafe pthread_getspecific(key) { return unsafe Unmanaged<Value>.fromOpaque(pointer) }
        let value = unsafe Unmanaged.passRetained(make())
        unsafe pthread_setspecific(key, value.toOpaque())
        return unsafe value
    }

    /// The calling thread's instance.
    @inline(__always)
    package var current: Value {
        if let pointer = unsafe pthread_getspecific(key) { return unsafe Unmanaged<Value>.fromOpaque(pointer).takeUnretainedValue() }
        let value = make()
        unsafe pthread_setspecific(key, Unmanaged.passRetained(value).toOpaque())
        return value
    }
}
