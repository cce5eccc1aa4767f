import Dispatch
import Foundation
import JWTK

/// The one timing loop of jwtk's tools: `jwtk bench` and Benchmarks' `jwtk-loop` (`make compare`,
/// `make perf-check`) both measure with it. Not API: the product exists so that the Benchmarks package can use
/// it, and it may change with those tools.
///
/// Every thread starts at one common instant and runs the operation until one common deadline, reading the
/// monotonic clock after every batch of operations (so the clock costs little next to a microsecond
/// verification); every operation's result is counted. The C harness of the peer programs
/// (`dev/peers/harness.h`) follows the same rules, so the numbers of `make compare` are comparable.
public enum TimingLoop {
    /// What one thread did.
    public struct ThreadResult: Sendable {
        /// Operations run, failed ones included.
        public var operations = 0
        /// Operations that returned false.
        public var failures = 0
        /// Nanoseconds from the common start to the thread's last clock reading.
        public var elapsedNanoseconds: UInt64 = 0
        /// What the `finished` closure returned on the thread after its last operation.
        public var tally = 0

        /// Operations that succeeded.
        public var succeeded: Int { operations - failures }
        /// ``elapsedNanoseconds`` in seconds.
        public var seconds: Double { Double(elapsedNanoseconds) / 1e9 }
    }

    /// What all threads did.
    public struct Run: Sendable {
        /// One result a thread, in the order the threads were started.
        public var threads: [ThreadResult]
        /// Nanoseconds from the common start until the last thread had finished.
        public var elapsedNanoseconds: UInt64

        /// Operations run by all threads, failed ones included.
        public var operations: Int { threads.reduce(0) { $0 + $1.operations } }
        /// Operations of all threads that returned false.
        public var failures: Int { threads.reduce(0) { $0 + $1.failures } }
    }

    /// Runs `operation` on `threads` threads (1 MiB stacks) until `duration` has passed since the common
    /// start, reading the clock after every `batch` operations, and returns when every thread has finished.
    ///
    /// - Parameters:
    ///   - threads: how many threads run the operation at once (at least 1).
    ///   - duration: how long each thread runs, from the common start.
    ///   - batch: operations between two clock readings.
    ///   - operation: one operation; false when it did not succeed.
    ///   - finished: called on each thread after its last operation (a per-thread reading, such as a
    ///     per-thread cache's hits); its value is the thread's ``ThreadResult/tally``.
    public static func run(
        threads: Int, duration: Duration, batch: Int, operation: @escaping @Sendable () -> Bool,
        finished: @escaping @Sendable () -> Int = { 0 }
    ) -> Run {
        precondition(threads >= 1 && batch >= 1)
        let results = Locked([ThreadResult](repeating: ThreadResult(), count: threads))
        let done = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        let (seconds, attoseconds) = duration.components
        let deadline = start + UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
        for index in 0..<threads {
            done.enter()
            let thread = Thread {
                var result = ThreadResult()
                var now = start
                while now < deadline {
                    for _ in 0..<batch {
                        if !operation() { result.failures += 1 }
                        result.operations += 1
                    }
                    now = DispatchTime.now().uptimeNanoseconds
                }
                result.elapsedNanoseconds = now - start
                result.tally = finished()
                results.withLock { $0[index] = result }
                done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        done.wait()
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        return Run(threads: results.withLock { $0 }, elapsedNanoseconds: elapsed)
    }
}
