import Foundation
import Hummingbird
import JWTK
import JWTKExampleService
import JWTKHummingbird
import NIOConcurrencyHelpers
import Testing

/// The example service over real HTTP on loopback, against real loopback providers: every RFC 6750 answer,
/// two issuers, key rotation while serving, and metrics after a known request sequence.
@Suite("Example service over HTTP")
struct ExampleServiceTests {
    /// One provider, one service; `body` gets the provider, its issuer string and the service port.
    func withService<T: Sendable>(
        keys: [SigningKey], secondProvider: LoopbackProvider? = nil, cooldown: Double = 30,
        _ body: (_ provider: LoopbackProvider, _ issuer: String, _ second: String?, _ port: Int) async throws -> T
    ) async throws -> T {
        let provider = LoopbackProvider(keys: keys)
        return try await withRunning({ provider.application(onRunning: $0) }) { providerPort in
            let issuer = "http://127.0.0.1:\(providerPort)"
            func serve(_ secondIssuer: String?) async throws -> T {
                var configuration = ExampleService.Configuration()
                configuration.issuers = [ExampleService.Issuer(issuer: issuer, audience: "api")]
                if let secondIssuer { configuration.issuers.append(.init(issuer: secondIssuer, audience: "api")) }
                configuration.clock = JWTClock { testNow }
                configuration.unknownKeyCooldown = cooldown
                return try await withRunning({ try ExampleService.build(configuration, onServerRunning: $0).application }) {
                    port in try await body(provider, issuer, secondIssuer, port)
                }
            }
            guard let secondProvider else { return try await serve(nil) }
            return try await withRunning({ secondProvider.application(onRunning: $0) }) { secondPort in
                try await serve("http://127.0.0.1:\(secondPort)")
            }
        }
    }

    @Test func rfc6750Answers() async throws {
        let key = try SigningKey.generate(for: .ES256, keyID: "k1")
        try await withService(keys: [key]) { provider, issuer, _, port in
            // Keys were fetched before the first request.
            #expect(provider.count("jwks") == 1)
            #expect(try await get(port, "/healthz").status == 200)

            let none = try await get(port, "/me")
            #expect(none.status == 401)
            #expect(none.header("WWW-Authenticate") == #"Bearer realm="jwtk-example""#)
            let basic = try await get(port, "/me", headers: ["Authorization": "Basic dXNlcjpwYXNz"])
            #expect(basic.status == 401)
            #expect(basic.header("WWW-Authenticate") == #"Bearer realm="jwtk-example""#)

            let malformed = try await get(port, "/me", headers: ["Authorization": "Bearer two words"])
            #expect(malformed.status == 400)
            #expect(
                malformed.header("WWW-Authenticate")
                    == #"Bearer realm="jwtk-example", error="invalid_request", error_description="invalid_authorization_header""#)

            let good = try sign(key, #"{"iss":"\#(issuer)","aud":"api","sub":"alice","exp":\#(testNow + 600)}"#)
            let me = try await get(port, "/me", headers: ["Authorization": "Bearer \(good)"])
            #expect(me.status == 200)
            #expect(me.body.contains(#""sub":"alice""#))
            let lowercase = try await get(port, "/me", headers: ["Authorization": "bearer \(good)"])
            #expect(lowercase.status == 200)

            let expired = try sign(key, #"{"iss":"\#(issuer)","aud":"api","sub":"alice","exp":\#(testNow - 1)}"#)
            let expiredAnswer = try await get(port, "/me", headers: ["Authorization": "Bearer \(expired)"])
            #expect(expiredAnswer.status == 401)
            let challenge = expiredAnswer.header("WWW-Authenticate") ?? ""
            #expect(challenge == #"Bearer realm="jwtk-example", error="invalid_token", error_description="expired""#)
            #expect(!challenge.contains(expired) && !expiredAnswer.body.contains(expired))

            let wrongAudience = try sign(key, #"{"iss":"\#(issuer)","aud":"other","exp":\#(testNow + 600)}"#)
            let audienceAnswer = try await get(port, "/me", headers: ["Authorization": "Bearer \(wrongAudience)"])
            #expect(audienceAnswer.status == 401)
            #expect(audienceAnswer.header("WWW-Authenticate")?.contains(#"error_description="audience_mismatch""#) == true)

            let noScope = try await get(port, "/admin", headers: ["Authorization": "Bearer \(good)"])
            #expect(noScope.status == 403)
            #expect(
                noScope.header("WWW-Authenticate")
                    == #"Bearer realm="jwtk-example", error="insufficient_scope", error_description="the token lacks a required scope", scope="admin""#
            )
            let scoped = try sign(key, #"{"iss":"\#(issuer)","aud":"api","scope":"read admin","exp":\#(testNow + 600)}"#)
            #expect(try await get(port, "/admin", headers: ["Authorization": "Bearer \(scoped)"]).status == 200)
            let scp = try sign(key, #"{"iss":"\#(issuer)","aud":"api","scp":["admin"],"exp":\#(testNow + 600)}"#)
            #expect(try await get(port, "/admin", headers: ["Authorization": "Bearer \(scp)"]).status == 200)
            let adminNoToken = try await get(port, "/admin")
            #expect(adminNoToken.status == 401)

            // A DPoP-bound token (cnf.jkt) is not usable as a plain bearer token.
            let bound = try sign(
                key,
                #"{"iss":"\#(issuer)","aud":"api","cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"},"exp":\#(testNow + 600)}"#)
            let boundAnswer = try await get(port, "/me", headers: ["Authorization": "Bearer \(bound)"])
            #expect(boundAnswer.status == 401)
            #expect(
                boundAnswer.header("WWW-Authenticate")
                    == #"Bearer realm="jwtk-example", error="invalid_token", error_description="sender_constrained_token""#)

            // The query method is off by default: a token there is not read.
            let query = try await get(port, "/me?access_token=\(good)")
            #expect(query.status == 401)
            #expect(query.header("WWW-Authenticate") == #"Bearer realm="jwtk-example""#)
        }
    }

    @Test func twoIssuersEachWithTheirOwnKeys() async throws {
        let keyA = try SigningKey.generate(for: .ES256, keyID: "a1")
        let keyB = try SigningKey.generate(for: .ES256, keyID: "b1")
        let second = LoopbackProvider(keys: [keyB])
        try await withService(keys: [keyA], secondProvider: second) { provider, issuerA, issuerB, port in
            let issuerB = try #require(issuerB)
            let tokenA = try sign(keyA, #"{"iss":"\#(issuerA)","aud":"api","sub":"a","exp":\#(testNow + 600)}"#)
            let tokenB = try sign(keyB, #"{"iss":"\#(issuerB)","aud":"api","sub":"b","exp":\#(testNow + 600)}"#)
            #expect(try await get(port, "/me", headers: ["Authorization": "Bearer \(tokenA)"]).body.contains(#""sub":"a""#))
            #expect(try await get(port, "/me", headers: ["Authorization": "Bearer \(tokenB)"]).body.contains(#""sub":"b""#))

            // B's key signing a token that claims A: verified with A's keys only, so refused.
            let forged = try sign(keyB, #"{"iss":"\#(issuerA)","aud":"api","sub":"x","exp":\#(testNow + 600)}"#)
            let forgedAnswer = try await get(port, "/me", headers: ["Authorization": "Bearer \(forged)"])
            #expect(forgedAnswer.status == 401)
            #expect(forgedAnswer.header("WWW-Authenticate")?.contains(#"error_description="key_not_found""#) == true)

            // An unknown issuer (even one differing only by a trailing slash) is refused without any fetch.
            let fetchesA = provider.count("jwks") + provider.count("discovery")
            let fetchesB = second.count("jwks") + second.count("discovery")
            for unknown in ["\(issuerA)/", "https://evil.example"] {
                let token = try sign(keyA, #"{"iss":"\#(unknown)","aud":"api","exp":\#(testNow + 600)}"#)
                let answer = try await get(port, "/me", headers: ["Authorization": "Bearer \(token)"])
                #expect(answer.status == 401)
                #expect(answer.header("WWW-Authenticate")?.contains(#"error_description="issuer_mismatch""#) == true)
            }
            #expect(provider.count("jwks") + provider.count("discovery") == fetchesA)
            #expect(second.count("jwks") + second.count("discovery") == fetchesB)
        }
    }

    @Test func keyRotationWhileServing() async throws {
        let old = try SigningKey.generate(for: .ES256, keyID: "old")
        let new = try SigningKey.generate(for: .ES256, keyID: "new")
        try await withService(keys: [old], cooldown: 0) { provider, issuer, _, port in
            let before = try sign(old, #"{"iss":"\#(issuer)","aud":"api","exp":\#(testNow + 600)}"#)
            #expect(try await get(port, "/me", headers: ["Authorization": "Bearer \(before)"]).status == 200)
            provider.keys.withLockedValue { $0 = [new] }
            let after = try sign(new, #"{"iss":"\#(issuer)","aud":"api","exp":\#(testNow + 600)}"#)
            // The unknown kid makes the source refetch once; the rotated key then verifies.
            #expect(try await get(port, "/me", headers: ["Authorization": "Bearer \(after)"]).status == 200)
            #expect(provider.count("jwks") == 2)
        }
    }

    @Test func metricsAfterAKnownSequence() async throws {
        let key = try SigningKey.generate(for: .ES256, keyID: "m1")
        try await withService(keys: [key]) { _, issuer, _, port in
            let good = try sign(key, #"{"iss":"\#(issuer)","aud":"api","exp":\#(testNow + 600)}"#)
            let expired = try sign(key, #"{"iss":"\#(issuer)","aud":"api","exp":\#(testNow - 5)}"#)
            for _ in 0..<3 { _ = try await get(port, "/me", headers: ["Authorization": "Bearer \(good)"]) }
            for _ in 0..<2 { _ = try await get(port, "/me", headers: ["Authorization": "Bearer \(expired)"]) }
            _ = try await get(port, "/me")  // no token: not a verification
            let text = try await get(port, "/metrics").body
            #expect(value(text, "jwtk_verifications_total", ["outcome=\"ok\"", "issuer=\"\(issuer)\""]) == 3)
            #expect(value(text, "jwtk_verifications_total", ["outcome=\"expired\"", "issuer=\"\(issuer)\""]) == 2)
            #expect(value(text, "jwtk_jwks_refreshes_total", ["outcome=\"updated\"", "issuer=\"\(issuer)\""]) == 1)
            let age = try #require(value(text, "jwtk_jwks_age_seconds", ["issuer=\"\(issuer)\""]))
            #expect(age >= 0)
            #expect(!text.contains(good))
        }
    }

    @Test func refusesToStartWithoutKeys() async throws {
        // A port nobody listens on: discovery fails before the server accepts traffic, and run() throws.
        var configuration = ExampleService.Configuration()
        configuration.issuers = [.init(issuer: "http://127.0.0.1:9", audience: "api")]
        let built = try ExampleService.build(configuration)
        await #expect(throws: (any Error).self) { try await built.application.run() }
    }

    /// The value of the sample of `name` whose labels include all of `labels`.
    func value(_ text: String, _ name: String, _ labels: [String]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") {
            guard labels.allSatisfy({ line.contains($0) }), let space = line.lastIndex(of: " ") else { continue }
            return Double(line[line.index(after: space)...])
        }
        return nil
    }
}
