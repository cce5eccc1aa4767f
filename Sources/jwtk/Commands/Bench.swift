import ArgumentParser
import Foundation
import JWTK
import JWTKTiming

/// `jwtk bench`: verification throughput, in process.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure verification throughput of one token in process (ops/s and ns/op, per thread and in total).",
        discussion: """
            Takes the key-source and policy flags of verify. The token is verified once first; if it does not \
            verify, bench exits 1 with the error. Then N threads share one JWTVerifier and verify the token in a \
            loop for S seconds. Every verification must succeed: failures are counted and reported (and make the \
            exit status 1). Use --now for tokens whose exp is past. Total ns/op is 1e9 / total ops/s.

            --json prints {"alg", "threads", "seconds", "verifications", "failures", "ops_per_sec", "ns_per_op", \
            "per_thread": [{"verifications", "failures", "seconds", "ops_per_sec", "ns_per_op"}]}.

            --token-cache verifies through one shared VerifiedTokenCache (verify(_:cache:)): after each thread's \
            first verification (a miss), every verification is a cache hit, with its time rules (exp, nbf, iat, ages) re-checked. \
            --json then adds "token_cache": true and "cache_hits" (also per thread).

            Build with -c release for numbers worth comparing.

            \(exitStatusHelp)
            """)

    @Argument(help: ArgumentHelp("The token; \"-\" or absent reads stdin.", valueName: "TOKEN"))
    var token: String?

    @OptionGroup(title: "Key source (at least one)")
    var keySource: KeySourceOptions

    @OptionGroup(title: "Policy")
    var policyOptions: PolicyOptions

    @Option(help: ArgumentHelp("How long to run, in seconds.", valueName: "S"))
    var seconds: Double = 2

    @Option(help: ArgumentHelp("Threads verifying concurrently with one shared verifier.", valueName: "N"))
    var threads: Int = 1

    @Flag(help: "Print one JSON document.")
    var json = false

    @Flag(help: "Verify through a VerifiedTokenCache (measures cache hits; not with --jws).")
    var tokenCache = false

    func validate() throws {
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be > 0 and at most 3600") }
        guard threads >= 1, threads <= 1024 else { throw ValidationError("--threads must be between 1 and 1024") }
        if tokenCache, policyOptions.jws { throw ValidationError("--token-cache caches verified JWTs; it cannot be used with --jws") }
    }

    func run() throws {
        try keySource.checkStandardInput(token: token)
        let loaded = try keySource.load()
        let policy = keySource.applyingSecretOverride(try policyOptions.policy(keys: loaded.keys))
        let token = try Input.token(self.token)
        let verifier = JWTVerifier(keyring: loaded.keyring, policy: policy)
        let signatureOnly = policyOptions.jws
        let algorithm: JWSAlgorithm
        do throws(JWTKError) {
            algorithm = signatureOnly ? try verifier.verifySignature(token).algorithm : try verifier.verify(token).algorithm
        } catch {
            throw CLIFailure(
                ExitStatus(for: error.code),
                "the token does not verify, nothing to measure: \(VerifyOutput.failureLine(error, policy: policy))")
        }

        // One closure per mode: a cache captured as an optional and unwrapped in the loop (`if let cache`)
        // retains and releases the one cache object all threads share on every verification, which is the
        // contention a cache hit is designed not to have.
        let operation: @Sendable () -> Bool
        let finished: @Sendable () -> Int
        if tokenCache {
            let cache = try VerifiedTokenCache(capacity: 16)
            operation = { (try? verifier.verify(token, cache: cache)) != nil }
            finished = { cache.statisticsForCurrentThread.hits }
        } else if signatureOnly {
            operation = { (try? verifier.verifySignature(token)) != nil }
            finished = { 0 }
        } else {
            operation = { (try? verifier.verify(token)) != nil }
            finished = { 0 }
        }
        let measured = TimingLoop.run(threads: threads, duration: .seconds(seconds), batch: 8, operation: operation, finished: finished)
        let perThread = measured.threads

        let verifications = perThread.reduce(0) { $0 + $1.succeeded }
        let failures = perThread.reduce(0) { $0 + $1.failures }
        let opsPerSecond = perThread.reduce(0.0) { $0 + Double($1.succeeded) / max($1.seconds, 1e-9) }
        let nsPerOp = opsPerSecond > 0 ? 1e9 / opsPerSecond : 0
        let elapsed = perThread.map(\.seconds).max() ?? 0
        if json {
            let threadsJSON: [JSONOut] = perThread.map { r in
                let ops = Double(r.succeeded) / max(r.seconds, 1e-9)
                var members: [(String, JSONOut)] = [
                    ("verifications", .integer(Int64(r.succeeded))), ("failures", .integer(Int64(r.failures))),
                    ("seconds", .number(Self.rounded(r.seconds, 3))), ("ops_per_sec", .number(Self.rounded(ops, 1))),
                    ("ns_per_op", .number(Self.rounded(ops > 0 ? 1e9 / ops : 0, 1))),
                ]
                if tokenCache { members.append(("cache_hits", .integer(Int64(r.tally)))) }
                return .object(members)
            }
            var members: [(String, JSONOut)] = [
                ("alg", .string(algorithm.rawValue)), ("threads", .integer(Int64(threads))),
                ("seconds", .number(Self.rounded(elapsed, 3))), ("verifications", .integer(Int64(verifications))),
                ("failures", .integer(Int64(failures))), ("ops_per_sec", .number(Self.rounded(opsPerSecond, 1))),
                ("ns_per_op", .number(Self.rounded(nsPerOp, 1))), ("per_thread", .array(threadsJSON)),
            ]
            if tokenCache {
                members.append(("token_cache", .bool(true)))
                members.append(("cache_hits", .integer(Int64(perThread.reduce(0) { $0 + $1.tally }))))
            }
            JSONDocumentOut.emit(JSONOut.object(members))
        } else {
            print(
                "jwtk bench: \(algorithm), \(threads) thread\(threads == 1 ? "" : "s"), \(String(format: "%.2f", elapsed)) s\(signatureOnly ? ", signature only" : "")\(tokenCache ? ", token cache" : "")"
            )
            for (index, r) in perThread.enumerated() {
                let ops = Double(r.succeeded) / max(r.seconds, 1e-9)
                print(
                    "  thread \(index + 1): \(r.succeeded) verifications, \(r.failures) failures, "
                        + "\(String(format: "%.0f", ops)) ops/s, \(String(format: "%.0f", ops > 0 ? 1e9 / ops : 0)) ns/op")
            }
            print(
                "  total:    \(verifications) verifications, \(failures) failures, \(String(format: "%.0f", opsPerSecond)) ops/s, "
                    + "\(String(format: "%.0f", nsPerOp)) ns/op")
        }
        if failures > 0 { throw CLIFailure(.rejected, "\(failures) verifications failed during the run") }
    }

    static func rounded(_ value: Double, _ digits: Int) -> Double {
        let scale = pow(10.0, Double(digits))
        return (value * scale).rounded() / scale
    }
}
