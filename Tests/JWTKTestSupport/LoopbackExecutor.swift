import Foundation

/// A thread outside Swift's cooperative pool that ``LoopbackServer`` prefers for its server's actor.
///
/// The pool has one thread per core (two here), and many tests block one of them while a child process
/// runs (the CLI tests wait for `jwtk` synchronously). What runs on this executor keeps running whatever the
/// pool is doing: the server's start, its route table and `waitUntilListening`.
///
/// It is not the whole server: FlyingFox's `HTTPServer.run()` starts its accept loop in an unstructured
/// `Task`, which does not inherit a task executor preference (SE-0417), so connections are still served on
/// the cooperative pool and a request can wait seconds for a thread under a sanitizer. Tests therefore give
/// loopback fetches a roomy timeout (`--timeout 60` in the CLI tests, `roomyTimeout` in JWTKRemoteTests) and
/// keep small timeouts for the tests about timeouts. Handlers only await (they never block), so one serial
/// thread is enough.
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
