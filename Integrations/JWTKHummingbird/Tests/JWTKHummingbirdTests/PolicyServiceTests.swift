import Foundation
import JWTK
import JWTKExampleService
import JWTKRemote
import Testing

/// The example service started from a policy file over real HTTP on loopback, against two real loopback
/// providers: one issuer by discovery, one by JWK Set URL; the file's realm and scopes per route prefix.
@Suite("Example service with a policy file")
struct PolicyServiceTests {
    @Test func twoIssuersFromAPolicyFile() async throws {
        let keyA = try SigningKey.generate(for: .ES256, keyID: "pa")
        let keyB = try SigningKey.generate(for: .ES256, keyID: "pb")
        let providerA = LoopbackProvider(keys: [keyA])
        let providerB = LoopbackProvider(keys: [keyB])
        try await withRunning({ providerA.application(onRunning: $0) }) { portA in
            try await withRunning({ providerB.application(onRunning: $0) }) { portB in
                let issuerA = "http://127.0.0.1:\(portA)"
                let issuerB = "https://b.example"
                let text = #"""
                    {"audiences": ["api"], "realm": "policy-test",
                     "issuers": [
                       {"issuer": "\#(issuerA)", "discovery": "\#(issuerA)/.well-known/openid-configuration"},
                       {"issuer": "\#(issuerB)", "jwks": "http://127.0.0.1:\#(portB)/jwks"}
                     ],
                     "routes": [{"prefix": "/me", "scopes": ["read"]}]}
                    """#
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("jwtk-policy-\(UUID().uuidString).json")
                try Data(text.utf8).write(to: file)
                defer { try? FileManager.default.removeItem(at: file) }
                var configuration = ExampleService.Configuration()
                configuration.policy = try VerifierConfiguration.load(contentsOf: file.path)
                configuration.clock = JWTClock { testNow }
                try await withRunning({ try ExampleService.build(configuration, onServerRunning: $0).application }) { port in
                    // Keys of both issuers were fetched before the first request; B was not discovered.
                    #expect(providerA.count("discovery") == 1 && providerA.count("jwks") == 1)
                    #expect(providerB.count("discovery") == 0 && providerB.count("jwks") == 1)

                    let none = try await get(port, "/me")
                    #expect(none.status == 401)
                    #expect(none.header("WWW-Authenticate") == #"Bearer realm="policy-test""#)

                    let a = try sign(keyA, #"{"iss":"\#(issuerA)","aud":"api","sub":"a","scope":"read","exp":\#(testNow + 600)}"#)
                    let meA = try await get(port, "/me", headers: ["Authorization": "Bearer \(a)"])
                    #expect(meA.status == 200)
                    #expect(meA.body.contains(#""sub":"a""#))
                    let b = try sign(keyB, #"{"iss":"\#(issuerB)","aud":"api","sub":"b","scp":["read"],"exp":\#(testNow + 600)}"#)
                    #expect(try await get(port, "/me", headers: ["Authorization": "Bearer \(b)"]).body.contains(#""sub":"b""#))

                    // The route prefix's scope, from the file.
                    let unscoped = try sign(keyA, #"{"iss":"\#(issuerA)","aud":"api","sub":"a","exp":\#(testNow + 600)}"#)
                    let forbidden = try await get(port, "/me", headers: ["Authorization": "Bearer \(unscoped)"])
                    #expect(forbidden.status == 403)
                    #expect(
                        forbidden.header("WWW-Authenticate")
                            == #"Bearer realm="policy-test", error="insufficient_scope", error_description="the token lacks a required scope", scope="read""#
                    )
                    // /admin keeps its own requirement; /me's rule does not cover it.
                    let admin = try sign(keyB, #"{"iss":"\#(issuerB)","aud":"api","scope":"admin","exp":\#(testNow + 600)}"#)
                    #expect(try await get(port, "/admin", headers: ["Authorization": "Bearer \(admin)"]).status == 200)
                    #expect(try await get(port, "/admin", headers: ["Authorization": "Bearer \(b)"]).status == 403)

                    // One issuer's key never verifies the other's tokens; an unknown issuer causes no fetch.
                    let forged = try sign(keyB, #"{"iss":"\#(issuerA)","aud":"api","scope":"read","exp":\#(testNow + 600)}"#)
                    let forgedAnswer = try await get(port, "/me", headers: ["Authorization": "Bearer \(forged)"])
                    #expect(forgedAnswer.status == 401)
                    #expect(forgedAnswer.header("WWW-Authenticate")?.contains(#"error_description="key_not_found""#) == true)
                    let fetches = providerA.count("jwks") + providerA.count("discovery") + providerB.count("jwks")
                    let unknown = try sign(keyA, #"{"iss":"\#(issuerA)/","aud":"api","scope":"read","exp":\#(testNow + 600)}"#)
                    let unknownAnswer = try await get(port, "/me", headers: ["Authorization": "Bearer \(unknown)"])
                    #expect(unknownAnswer.status == 401)
                    #expect(unknownAnswer.header("WWW-Authenticate")?.contains(#"error_description="issuer_mismatch""#) == true)
                    #expect(providerA.count("jwks") + providerA.count("discovery") + providerB.count("jwks") == fetches)

                    // The policy's audience.
                    let wrongAudience = try sign(keyB, #"{"iss":"\#(issuerB)","aud":"other","scope":"read","exp":\#(testNow + 600)}"#)
                    let audienceAnswer = try await get(port, "/me", headers: ["Authorization": "Bearer \(wrongAudience)"])
                    #expect(audienceAnswer.header("WWW-Authenticate")?.contains(#"error_description="audience_mismatch""#) == true)
                }
            }
        }
    }

    @Test func aPolicyFilesDPoPSwitchTurnsOnDPoP() async throws {
        let key = try SigningKey.generate(for: .ES256, keyID: "pd")
        let provider = LoopbackProvider(keys: [key])
        try await withRunning({ provider.application(onRunning: $0) }) { providerPort in
            for dpop in [false, true] {
                let text = #"""
                    {"audiences": ["api"], "realm": "dpop-test", "dpop": \#(dpop),
                     "issuers": [{"issuer": "https://d.example", "jwks": "http://127.0.0.1:\#(providerPort)/jwks"}]}
                    """#
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("jwtk-policy-\(UUID().uuidString).json")
                try Data(text.utf8).write(to: file)
                defer { try? FileManager.default.removeItem(at: file) }
                var configuration = ExampleService.Configuration()
                configuration.policy = try VerifierConfiguration.load(contentsOf: file.path)
                configuration.clock = JWTClock { testNow }
                try await withRunning({ try ExampleService.build(configuration, onServerRunning: $0).application }) { port in
                    let none = try await get(port, "/me")
                    #expect(none.status == 401)
                    let challenge = none.header("WWW-Authenticate") ?? ""
                    #expect(challenge.hasPrefix(#"Bearer realm="dpop-test""#))
                    // RFC 9449 §7.2: with DPoP on, the DPoP scheme is offered next to Bearer, with its algorithms.
                    #expect(challenge.contains(#"DPoP realm="dpop-test", algs=""#) == dpop)
                }
            }
        }
    }

    @Test func routeScopesMatchByPathSegment() throws {
        var configuration = VerifierConfiguration(issuers: [])
        configuration.routes = [.init(prefix: "/admin", scopes: ["admin"]), .init(prefix: "/admin/audit", scopes: ["audit"])]
        #expect(configuration.scopes(forPath: "/admin") == ["admin"])
        #expect(configuration.scopes(forPath: "/admin/") == ["admin"])
        #expect(configuration.scopes(forPath: "/admin/audit/log") == ["audit"])
        #expect(configuration.scopes(forPath: "/administrator").isEmpty)
    }
}
