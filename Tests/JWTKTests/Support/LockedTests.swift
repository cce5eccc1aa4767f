import Dispatch
import JWTK
import Testing

/// `Locked`, the pthread-backed lock every module uses (a lock ThreadSanitizer can see).
@Suite("Locked")
struct LockedTests {
    private final class Tracked: @unchecked Sendable {}

    /// 4 threads × 10,000 unsynchronised-looking increments through `withLock`: none is lost.
    @Test func concurrentUpdatesAreNeverLost() {
        let counter = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<10_000 { counter.withLock { $0 += 1 } }
        }
        #expect(counter.withLock { $0 } == 40_000)
    }

    /// Copies share one value (the storage is a reference), as a lock must.
    @Test func copiesShareTheValue() {
        let first = Locked([Int]())
        let second = first
        second.withLock { $0.append(7) }
        #expect(first.withLock { $0 } == [7])
    }

    /// A throwing body passes its error through unchanged and leaves the lock released: the next `withLock`
    /// on the same thread does not deadlock and sees the body's partial update.
    @Test func aThrowingBodyReleasesTheLock() {
        struct Stop: Error, Equatable { let code: Int }
        let value = Locked(1)
        #expect(throws: Stop(code: 3)) {
            try value.withLock { (number: inout Int) throws(Stop) in
                number = 2
                throw Stop(code: 3)
            }
        }
        #expect(value.withLock { $0 } == 2)
    }

    /// The guarded value is destroyed with the last copy of the lock (no leak of the header).
    @Test func theValueIsReleasedWithTheLock() {
        weak var observed: Tracked?
        do {
            let tracked = Tracked()
            observed = tracked
            let lock = Locked(tracked)
            #expect(lock.withLock { $0 } === tracked)
        }
        #expect(observed == nil)
    }
}
