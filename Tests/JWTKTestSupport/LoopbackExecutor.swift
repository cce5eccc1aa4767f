import Foundation

/// The one thread every ``LoopbackServer`` runs on, outside Swift's cooperative pool.
///
/// The pool has one thread per core (two here), and many tests block one of them while a child process
/// runs (the CLI tests wait for `jwtk` synchronously). Under a sanitizer a child takes seconds, so two such
/// tests at once used to starve a provider in the same process: its requests then timed out although the
/// code under test was right. A server whose tasks prefer this executor keeps answering whatever the pool is
/// doing. Handlers only await (they never block), so one serial thread serves every server.
package final class LoopbackExecutor: TaskExecutor, @unchecked Sendable {
    /// The shared executor; its thread starts on first use and lives as long as the process.
    package static let shared = LoopbackExecutor()

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init() {
        let thread = Thread { [unowned self] in self.serve() }
        thread.name = "jwtk-test-loopback"
        thread.start()
    }

    package func enqueue(_ job: UnownedJob) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func serve() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
