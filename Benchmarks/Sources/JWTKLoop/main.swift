// jwtk-loop: times jwtk's release build on one token, for dev/compare-peers.sh.
//
//   jwtk-loop verify|cached|signature|decode ALG TOKEN_FILE JWK_FILE THREADS MILLIS
//
// verify: full verification; cached: verify(_:cache:) with one shared VerifiedTokenCache (hits after each
// thread's first); signature: verifySignature (no claims); decode: UnverifiedJWT.decode.
// Each thread verifies (or decodes) the token in a loop until the deadline (JWTKTiming's TimingLoop, the loop
// `jwtk bench` uses); every result is checked and any failure exits 1. Prints
// `ns_per_op=<aggregate ns per operation> ops=<n> threads=<t>`.
// JWTK_LOOP_NOW fixes the clock; JWTK_LOOP_ITERATIONS runs a fixed count (valgrind: make perf-check).
import BenchFixtures
import Foundation
import JWTK
import JWTKTiming

let args = CommandLine.arguments
guard args.count == 7, let threads = Int(args[5]), threads >= 1, let millis = Int(args[6]), millis > 0,
    let algorithm = JWSAlgorithm(rawValue: args[2])
else {
    FileHandle.standardError.write(Data("usage: jwtk-loop verify|cached|signature|decode ALG TOKEN_FILE JWK_FILE THREADS MILLIS\n".utf8))
    exit(2)
}
let mode = args[1]
func readText(_ path: String) -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
        exit(2)
    }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
let token = readText(args[3])
let key: VerificationKey
do { key = try VerificationKey(jwk: readText(args[4])) } catch {
    FileHandle.standardError.write(Data("key: \(error)\n".utf8))
    exit(2)
}
var policy = VerificationPolicy(issuer: BenchFixtures.issuer, audience: BenchFixtures.audience)
policy.algorithms = [algorithm]
// JWTK_LOOP_NOW=seconds: verify as of a fixed time (make perf-check), so no run depends on the real clock.
if let now = ProcessInfo.processInfo.environment["JWTK_LOOP_NOW"].flatMap({ Double($0) }) {
    policy.clock = .fixed(now)
}
let verifier = JWTVerifier(keys: [key], policy: policy)

/// One operation on the shared (immutable, thread-safe) verifier; false when it did not succeed.
struct Operation: Sendable {
    let decodeOnly: Bool
    let signatureOnly: Bool
    /// Whether to verify through `cache`. The cache is not optional: unwrapping an optional stored cache
    /// (`if let cache`) retains and releases the one cache object every thread shares, on every operation.
    let cached: Bool
    let cache: VerifiedTokenCache
    let token: String
    let verifier: JWTVerifier
    let algorithm: JWSAlgorithm

    @inline(never) func run() -> Bool {
        if decodeOnly {
            guard let decoded = try? UnverifiedJWT.decode(token) else { return false }
            return decoded.payloadJSON != nil
        }
        if signatureOnly {
            guard let jws = try? verifier.verifySignature(token) else { return false }
            return jws.algorithm == algorithm
        }
        if cached {
            guard let jwt = try? verifier.verify(token, cache: cache) else { return false }
            return jwt.algorithm == algorithm
        }
        guard let jwt = try? verifier.verify(token) else { return false }
        return jwt.algorithm == algorithm
    }
}
let operation = Operation(
    decodeOnly: mode == "decode", signatureOnly: mode == "signature",
    cached: mode == "cached", cache: try! VerifiedTokenCache(capacity: 16), token: token, verifier: verifier, algorithm: algorithm)

guard ["verify", "cached", "signature", "decode"].contains(mode), operation.run() else {
    FileHandle.standardError.write(Data("jwtk-loop: the \(args[2]) token does not \(mode)\n".utf8))
    exit(1)
}

// JWTK_LOOP_ITERATIONS=n: run exactly n operations on one thread and print nothing (for callgrind/memcheck).
if let fixed = ProcessInfo.processInfo.environment["JWTK_LOOP_ITERATIONS"].flatMap({ Int($0) }) {
    for _ in 0..<fixed where !operation.run() { exit(1) }
    exit(0)
}
// The timing loop `jwtk bench` uses; the clock is read every 16 operations (HS256 takes about a microsecond).
let measured = TimingLoop.run(threads: threads, duration: .milliseconds(millis), batch: 16, operation: { [operation] in operation.run() })
guard measured.failures == 0 else {
    FileHandle.standardError.write(Data("jwtk-loop: \(measured.failures) of \(measured.operations) operations failed\n".utf8))
    exit(1)
}
print(
    String(
        format: "ns_per_op=%.1f ops=%d threads=%d", Double(measured.elapsedNanoseconds) / Double(measured.operations), measured.operations,
        threads))
