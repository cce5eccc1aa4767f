import Foundation
import Testing

@Suite("jwtk bench")
struct BenchTests {
    @Test func jsonReportHasEveryFieldAndNoFailures() throws {
        let result = try CLI.run(
            ["bench", "--json", "--seconds", "0.3", "--threads", "2"] + Craft.exampleVerifyArgs + ["--profile", "oidc", Craft.exampleToken])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(json["alg"] as? String == "RS256")
        #expect(json["threads"] as? Int == 2)
        #expect((json["seconds"] as? Double ?? 0) >= 0.3)
        let verifications = try #require(json["verifications"] as? Int)
        #expect(verifications > 0)
        #expect(json["failures"] as? Int == 0)
        let ops = try #require(json["ops_per_sec"] as? Double)
        let ns = try #require(json["ns_per_op"] as? Double)
        #expect(ops > 0)
        #expect(abs(ns - 1e9 / ops) <= ns * 0.01 + 0.1)
        let perThread = try #require(json["per_thread"] as? [[String: Any]])
        #expect(perThread.count == 2)
        #expect(perThread.reduce(0) { $0 + ($1["verifications"] as? Int ?? 0) } == verifications)
    }

    @Test func tokenCacheAnswersEveryVerificationAfterEachThreadsFirst() throws {
        let result = try CLI.run(
            ["bench", "--json", "--token-cache", "--seconds", "0.3", "--threads", "2"] + Craft.exampleVerifyArgs + [
                "--profile", "oidc", Craft.exampleToken,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(json["token_cache"] as? Bool == true)
        #expect(json["failures"] as? Int == 0)
        let verifications = try #require(json["verifications"] as? Int)
        // One miss per thread (its first verification), hits after that.
        #expect(json["cache_hits"] as? Int == verifications - 2)
        let perThread = try #require(json["per_thread"] as? [[String: Any]])
        for thread in perThread {
            #expect(thread["cache_hits"] as? Int == (thread["verifications"] as? Int ?? 0) - 1)
        }
        let text = try CLI.run(["bench", "--token-cache", "--seconds", "0.2"] + Craft.exampleVerifyArgs + [Craft.exampleToken])
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("jwtk bench: RS256, 1 thread, "))
        #expect(text.stdout.split(separator: "\n").first?.hasSuffix(", token cache") == true)
    }

    @Test func tokenCacheWithJWSIsAUsageError() throws {
        let result = try CLI.run(["bench", "--token-cache", "--jws", "--seconds", "0.1"] + Craft.exampleVerifyArgs + [Craft.exampleToken])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--token-cache"))
    }

    @Test func textReportNamesThreadsAndTotal() throws {
        let result = try CLI.run(["bench", "--seconds", "0.2"] + Craft.exampleVerifyArgs + [Craft.exampleToken])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("jwtk bench: RS256, 1 thread, "))
        #expect(lines[1].hasPrefix("  thread 1: "))
        #expect(lines[2].hasPrefix("  total:    "))
        #expect(lines[2].contains(" 0 failures, "))
    }

    @Test func aTokenThatDoesNotVerifyIsStatus1BeforeAnyMeasurement() throws {
        let result = try CLI.run([
            "bench", "--seconds", "5", "--jwks", "\(Craft.example)/jwks.json", "--aud", Craft.client, "--now", "2026-01-01T02:00:00Z",
            Craft.exampleToken,
        ])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(
            result.stderr
                == "jwtk: the token does not verify, nothing to measure: INVALID: exp check failed: the token expired at 2026-01-01T01:00:00Z (now 2026-01-01T02:00:00Z, leeway 0s) [expired]\n"
        )
    }

    @Test func invalidThreadCountIsAUsageError() throws {
        let result = try CLI.run(["bench", "--threads", "0"] + Craft.exampleVerifyArgs + [Craft.exampleToken])
        #expect(result.status == 2)
    }
}
