import Foundation
import JWTK
import JWTKExampleService
import JWTKRemote
import NIOConcurrencyHelpers
import Testing

/// The example service from a policy file with `--token-cache`, over real HTTP on loopback against a real
/// loopback provider: the issuer router's token cache hits on a repeated token (counted in `/metrics`), a key
/// rotation while serving never lets a cached verdict outlive the key, expiry is judged on every hit, and an
/// unknown issuer is still refused without any fetch.
@Suite("Example service with a policy file and a token cache")
struct PolicyTokenCacheTests {
    @Test func routedTokenCacheOverHTTP() async throws {
        let old = try SigningKey.generate(for: .ES256, keyID: "tc-old")
        let new = try SigningKey.generate(for: .ES256, keyID: "tc-new")
        let provider = LoopbackProvider(keys: [old])
        let now = NIOLockedValueBox(testNow)
        try await withRunning({ provider.application(onRunning: $0) }) { providerPort in
            let issuer = "https://cache.example"
            let text = #"""
                {"audiences": ["api"], "cache": {"token_cache_capacity": 8, "jwks_unknown_key_cooldown": 0},
                 "issuers": [{"issuer": "\#(issuer)", "jwks": "http://127.0.0.1:\#(providerPort)/jwks"}]}
                """#
            var configuration = ExampleService.Configuration()
            configuration.policy = try VerifierConfiguration(json: Array(text.utf8))
            configuration.clock = JWTClock { now.withLockedValue { $0 } }
            configuration.tokenCacheCapacity = 64
            configuration.benchmarkRoute = true
            try await withRunning({ try ExampleService.build(configuration, onServerRunning: $0).application }) { port in
                // --benchmark-route with --policy: the load-test baseline, no middleware.
                #expect(try await get(port, "/me-unprotected").status == 200)
                let token = try sign(old, #"{"iss":"\#(issuer)","aud":"api","sub":"c","exp":\#(testNow + 60)}"#)
                // Each thread keeps its own table: each thread that serves the token misses once.
                let threads = 2 * ProcessInfo.processInfo.activeProcessorCount
                let requests = 2 * threads + 4
                for _ in 0..<requests {
                    #expect(try await get(port, "/me", headers: ["Authorization": "Bearer \(token)"]).status == 200)
                }
                let text = try await get(port, "/metrics").body
                let hits = metric(text, "jwtk_token_cache_lookups_total", [#"result="hit""#, #"issuer="\#(issuer)""#]) ?? 0
                let misses = metric(text, "jwtk_token_cache_lookups_total", [#"result="miss""#, #"issuer="\#(issuer)""#]) ?? 0
                #expect(hits + misses == Double(requests))
                #expect(hits >= Double(requests - threads) && misses >= 1)

                // Expiry is judged on every hit: the same cached token, one hour later, is refused.
                now.withLockedValue { $0 = testNow + 3_600 }
                for _ in 0..<3 {
                    let expired = try await get(port, "/me", headers: ["Authorization": "Bearer \(token)"])
                    #expect(expired.status == 401)
                    #expect(expired.header("WWW-Authenticate")?.contains(#"error_description="expired""#) == true)
                }
                now.withLockedValue { $0 = testNow }

                // An unknown issuer: refused, nothing fetched, however often it is sent.
                let fetches = provider.count("jwks")
                let unknown = try sign(old, #"{"iss":"\#(issuer)/","aud":"api","exp":\#(testNow + 60)}"#)
                for _ in 0..<3 {
                    let answer = try await get(port, "/me", headers: ["Authorization": "Bearer \(unknown)"])
                    #expect(answer.header("WWW-Authenticate")?.contains(#"error_description="issuer_mismatch""#) == true)
                }
                #expect(provider.count("jwks") == fetches)

                // Rotation while serving: the provider drops the old key; a token of the new key makes the
                // service refresh (unknown kid), and the old token, cached before, is refused from then on.
                provider.keys.withLockedValue { $0 = [new] }
                let fresh = try sign(new, #"{"iss":"\#(issuer)","aud":"api","sub":"n","exp":\#(testNow + 60)}"#)
                #expect(try await get(port, "/me", headers: ["Authorization": "Bearer \(fresh)"]).status == 200)
                #expect(provider.count("jwks") == fetches + 1)
                for _ in 0..<threads + 2 {
                    let stale = try await get(port, "/me", headers: ["Authorization": "Bearer \(token)"])
                    #expect(stale.status == 401)
                    #expect(stale.header("WWW-Authenticate")?.contains(#"error_description="key_not_found""#) == true)
                }
            }
        }
    }

    func metric(_ text: String, _ name: String, _ labels: [String]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") {
            guard labels.allSatisfy({ line.contains($0) }), let space = line.lastIndex(of: " ") else { continue }
            return Double(line[line.index(after: space)...])
        }
        return nil
    }
}
