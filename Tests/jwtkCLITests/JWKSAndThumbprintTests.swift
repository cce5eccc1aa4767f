import Foundation
import Testing

@Suite("jwtk jwks and jwtk thumbprint")
struct JWKSAndThumbprintTests {
    @Test func exampleSetTextMatchesGolden() throws {
        let result = try CLI.run(["jwks", "\(Craft.example)/jwks.json"])
        #expect(result.status == 0)
        #expect(result.stdout == (try CLI.golden("jwks-example.txt")))
    }

    @Test func lintFindsEveryProblemOfTheFixtureSet() throws {
        let result = try CLI.run(["jwks", "--json", "Tests/jwtkCLITests/Fixtures/lint-jwks.json"])
        #expect(result.status == 0)
        let json = try result.json()
        #expect(json["total"] as? Int == 7)
        #expect(json["usable"] as? Int == 5)
        let keys = try #require(json["keys"] as? [[String: Any]])
        func ids(_ index: Int) -> [String] { (keys[index]["findings"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
        #expect(keys[0]["kid"] as? String == "dup")
        #expect(keys[0]["kty"] as? String == "RSA")
        #expect(keys[0]["bits"] as? Int == 2048)
        #expect(keys[0]["alg"] as? String == "RS256")
        #expect(keys[0]["use"] as? String == "sig")
        #expect(keys[0]["thumbprint"] as? String == "Q51oGXyV1tXAarRBiC65AyyNz_R18P5vTQUY0UrAZLg")
        #expect(keys[0]["usable"] as? Bool == true)
        #expect(ids(0) == [])
        #expect(keys[1]["crv"] as? String == "P-256")
        #expect(ids(1) == ["missing_alg"])
        #expect(keys[2]["bits"] as? Int == 1024)
        #expect(ids(2) == ["rsa_key_small"])
        #expect(ids(3) == ["private_members"])
        #expect(keys[4]["usable"] as? Bool == false)
        // Skipped for its use, but RFC 7638 depends only on the required members (issue 9 item 16).
        #expect(keys[4]["thumbprint"] as? String == "uuxhcvx5IfLR_gJVyrqgd6VV5p2Zutbnsug6ckTlJdQ")
        #expect((keys[4]["skip_reason"] as? [String: Any])?["code"] as? String == "key_usage_mismatch")
        #expect(ids(4) == ["skipped"])
        #expect((keys[5]["skip_reason"] as? [String: Any])?["code"] as? String == "unsupported_key")
        #expect(ids(6) == ["symmetric_key", "missing_use"])
        let setFindings = try #require(json["findings"] as? [[String: Any]])
        #expect(setFindings.map { $0["id"] as? String } == ["duplicate_kid"])
        #expect(setFindings.first?["message"] as? String == "kid \"dup\" is used by keys #0, #1; a token naming it cannot pick one key")
    }

    @Test func notAJWKSetIsStatus2() throws {
        let path = try CLI.tempFile(#"{"foo":1}"#)
        let result = try CLI.run(["jwks", path])
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: \(path): not a JWK Set: no \"keys\" array [invalid_json]\n")
    }

    @Test func rfc7638ThumbprintOfTheRFCKey() throws {
        let data = try Data(contentsOf: CLI.root.appendingPathComponent("testvectors/rfc/rfc7638.json"))
        let vectors = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(vectors["thumbprints"] as? [[String: Any]])
        #expect(!cases.isEmpty)
        for vector in cases {
            let jwk = try JSONSerialization.data(withJSONObject: try #require(vector["jwk"]))
            let path = try CLI.tempFile(String(decoding: jwk, as: UTF8.self))
            let result = try CLI.run(["thumbprint", path])
            #expect(result.status == 0)
            #expect(result.stdout == "\(vector["sha256"] as? String ?? "?")\n", "\(vector["id"] ?? "")")
        }
    }

    @Test(arguments: [
        "rsa2048.public.pem", "rsa2048.pkcs1.pem", "rsa2048.cert.pem", "rsa2048.public.der", "rsa2048.private.pem",
        "rsa2048.private.jwk.json",
    ])
    func everyFormOfOneKeyHasTheSameThumbprint(_ file: String) throws {
        let result = try CLI.run(["thumbprint", "testvectors/generated/keys/\(file)"])
        #expect(result.status == 0)
        #expect(result.stdout == "Q51oGXyV1tXAarRBiC65AyyNz_R18P5vTQUY0UrAZLg\n")
    }

    @Test func uriFormFollowsRFC9278() throws {
        let result = try CLI.run(["thumbprint", "--uri", "testvectors/generated/keys/p256.public.jwk.json"])
        #expect(result.stdout == "urn:ietf:params:oauth:jwk-thumbprint:sha-256:0qBpayLotg9Cd1g5EarV9MYdLjJ0WNEFj4R85Iv2Sn4\n")
    }

    @Test func aSetPrintsOneLinePerKey() throws {
        let result = try CLI.run(["thumbprint", "\(Craft.example)/jwks.json"])
        #expect(
            result.stdout
                == "dhingLiOPORngNBjCcgjb7dDtcMumyS2cVZpp1wqtYk  smarttask-2026-01\ntyBio4dpKcqNWfTqDQa6gm2-k4VYP-Gf-ildzNrTpp0  smarttask-ec-2026\n"
        )
    }

    @Test func thumbprintOfAMissingFileIsStatus2() throws {
        let result = try CLI.run(["thumbprint", "/nonexistent.jwk"])
        #expect(result.status == 2)
    }
}
