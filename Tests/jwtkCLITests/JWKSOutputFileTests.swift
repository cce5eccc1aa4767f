import Foundation
import JWTKTestSupport
import Testing

/// `jwks URL --output FILE` (issue 12 item 9): the fetched set saved as a usable JWK Set.
@Suite("jwks --output")
struct JWKSOutputFileTests {
    static let timeout = ["--timeout", "60"]

    func outputPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("jwtk-jwks-\(UUID().uuidString).json").path
    }

    @Test func theFetchedSetIsSavedExactlyAndVerifies() async throws {
        let key = try TestKey(kid: "k1")
        try await LoopbackProvider.with { provider in
            let served = TestKey.jwks([key])
            provider.update { $0.jwks = served }
            let file = outputPath()
            defer { try? FileManager.default.removeItem(atPath: file) }
            let result = try await CLI.runDetached(["jwks", provider.base + "/jwks", "--output", file] + Self.timeout)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr == "jwtk: saved 1 key to \(file) (\(served.utf8.count) bytes)\n")
            #expect(try String(contentsOfFile: file, encoding: .utf8) == served)
            let token = try key.token(["sub": "s", "aud": "client-1", "iat": 1_767_225_600, "exp": 1_767_229_200])
            let verify = try CLI.run(["verify", "--jwks", file, "--aud", "client-1", "--now", "2026-01-01T00:30:00Z", token])
            #expect(verify.status == 0, "\(verify.stderr)")
        }
    }

    @Test func aSetThatPublishesPrivateKeysIsNotSaved() async throws {
        let privateJWK = try String(
            contentsOfFile: CLI.path("testvectors/example/private/smarttask-ec-2026.private.jwk.json"), encoding: .utf8)
        let key = try TestKey(kid: "k1")
        try await LoopbackProvider.with { provider in
            // One usable key, so that a verifier accepts the set; the private one is skipped by verifiers and
            // must not be copied around.
            provider.update { $0.jwks = #"{"keys":["# + key.publishedJWK + "," + privateJWK + "]}" }
            let file = outputPath()
            let result = try await CLI.runDetached(["jwks", provider.base + "/jwks", "--output", file] + Self.timeout)
            #expect(result.status == 1)
            #expect(result.stderr.contains("--output: the set publishes private key material (private_members)"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: file))
        }
    }

    @Test func aLocalFileIsCopiedToo() throws {
        let file = outputPath()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try CLI.run(["jwks", "testvectors/example/jwks.json", "--output", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: file))
                == Data(contentsOf: URL(fileURLWithPath: CLI.path("testvectors/example/jwks.json"))))
    }
}
