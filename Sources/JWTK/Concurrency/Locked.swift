#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value guarded by a `pthread_mutex_t`: the one lock every jwtk module and test uses.
///
/// Why not `Synchronization.Mutex`: on Linux the toolchain's `Mutex` is atomics plus a futex inside an
/// uninstrumented library, so ThreadSanitizer sees no ordering between two `withLock` bodies and reports
/// every pair of them as a data race. Those false positives had to be suppressed by name, which hid any real
/// race in the same functions and kept coming back in new places. ThreadSanitizer intercepts
/// `pthread_mutex_lock`/`unlock`, so with this lock it checks the guarded state instead of guessing at it.
///
/// The value and the mutex share one heap allocation (a `ManagedBuffer` whose header is the value and whose
/// single element is the mutex), so the mutex has the stable address POSIX requires. Copies of a `Locked`
/// share that storage. Uncontended, a lock/unlock pair costs about what `Mutex` costs (two atomic operations).
///
/// ```swift
/// let hits = Locked(0)
/// hits.withLock { $0 += 1 }
/// ```
package struct Locked<Value> {
    private let storage: Storage

    /// Creates a lock guarding `value`.
    package init(_ value: Value) {
        let buffer = unsafe Storage.create(minimumCapacity: 1) { _ in value }
        storage = unsafe unsafeDowncast(buffer, to: Storage.self)
        unsafe storage.withUnsafeMutablePointerToElements { mutex in
            let status = unsafe pthread_mutex_init(mutex, nil)
            precondition(status == 0, "pthread_mutex_init failed (\(status))")
        }
    }

    /// Runs `body` with exclusive access to the value and returns its result. The lock is released when
    /// `body` returns or throws. Not reentrant: calling `withLock` on the same lock inside `body` deadlocks.
    ///
    /// - Throws: whatever `body` throws, unchanged.
    package func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        try unsafe storage.withUnsafeMutablePointers { (value, mutex) throws(Failure) -> Result in
            unsafe pthread_mutex_lock(mutex)
            defer { unsafe pthread_mutex_unlock(mutex) }
            return try unsafe body(&value.pointee)
        }
    }

    /// `@safe` (SE-0458): the mutex is private to `Locked`, initialised in `init`, destroyed in `deinit` and
    /// only ever locked and unlocked in place (its address is stable in the buffer).
    @safe private final class Storage: ManagedBuffer<Value, pthread_mutex_t> {
        deinit {
            // The header (the value) is destroyed by ManagedBuffer; the mutex is plain memory once destroyed.
            _ = unsafe withUnsafeMutablePointerToElements { unsafe pthread_mutex_destroy($0) }
        }
    }
}

// Sendable when the value is: the lock orders every access to the value, but it does not make a value that is
// unsafe to share (a class with unguarded state) safe to hand to another thread.
extension Locked: @unchecked Sendable where Value: Sendable {}
