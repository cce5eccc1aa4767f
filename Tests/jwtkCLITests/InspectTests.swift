import Foundation
import Testing

@Suite("jwtk inspect")
struct InspectTests {
    static func findingIDs(_ json: [String: Any]) -> [String] {
        (json["findings"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test func exampleTokenTextMatchesGolden() throws {
        let result = try CLI.run(["inspect", "--now", Craft.exampleNow, "\(Craft.exampleToken)"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == (try CLI.golden("inspect-example.txt")))
    }

    @Test func outputIsLabelledNotVerified() throws {
        let result = try CLI.run(["inspect", Craft.exampleToken])
        #expect(result.stdout.hasPrefix("NOT VERIFIED: "))
    }

    @Test func noColourWhenStdoutIsNotATerminal() throws {
        let result = try CLI.run(["inspect", Craft.exampleToken])
        #expect(!result.stdout.contains("\u{1B}["))
    }

    @Test func exampleTokenJSONFieldByField() throws {
        let result = try CLI.run(["inspect", "--json", "--now", Craft.exampleNow], stdin: Array((Craft.exampleToken + "\n").utf8))
        #expect(result.status == 0)
        let json = try result.json()
        #expect(json["verified"] as? Bool == false)
        #expect(json["decoded"] as? Bool == true)
        #expect(json["form"] as? String == "jws")
        #expect(json["bytes"] as? Int == Craft.exampleToken.utf8.count)
        #expect(json["alg"] as? String == "RS256")
        #expect(json["kid"] as? String == "smarttask-2026-01")
        let header = try #require(json["header"] as? [String: Any])
        #expect(header["typ"] as? String == "JWT")
        #expect(json["header_text"] is NSNull)
        let payload = try #require(json["payload"] as? [String: Any])
        #expect(payload["iss"] as? String == Craft.issuer)
        #expect(payload["nonce"] as? String == Craft.nonce)
        let signature = try #require(json["signature"] as? [String: Any])
        #expect(signature["bytes"] as? Int == 256)
        #expect(signature["summary"] as? String == "256 bytes: an RSA signature, which implies a 2048-bit modulus")
        #expect(json["now"] as? Int == 1_767_227_400)
        #expect(json["now_utc"] as? String == Craft.exampleNow)
        let times = try #require(json["times"] as? [[String: Any]])
        #expect(times.map { $0["claim"] as? String } == ["iat", "exp", "auth_time"])
        #expect(times[1]["utc"] as? String == "2026-01-01T01:00:00Z")
        #expect(times[1]["relative"] as? String == "expires in 30m")
        #expect(times[1]["seconds_from_now"] as? Int == 1800)
        #expect(times[0]["relative"] as? String == "issued 30m ago")
        #expect(InspectTests.findingIDs(json) == [])
    }

    @Test func relativeTimesFollowNow() throws {
        let result = try CLI.run(["inspect", "--json", "--now", "2026-01-01T04:00:00Z", Craft.exampleToken])
        let json = try result.json()
        let times = try #require(json["times"] as? [[String: Any]])
        #expect(times[1]["relative"] as? String == "expired 3h ago")
        #expect(InspectTests.findingIDs(json) == ["expired"])
    }

    @Test func algNoneIsAnErrorFinding() throws {
        let token = Craft.token(header: #"{"alg":"none"}"#, payload: #"{"sub":"1","exp":4102444800}"#, signature: [])
        let result = try CLI.run(["inspect", "--json", "--now", "0", token])
        #expect(result.status == 0)
        let json = try result.json()
        let findings = try #require(json["findings"] as? [[String: Any]])
        let first = try #require(findings.first)
        #expect(first["id"] as? String == "alg_none")
        #expect(first["severity"] as? String == "error")
        #expect(first["reference"] as? String == "RFC 8725 §3.1; RFC 7518 §3.6")
        #expect((json["signature"] as? [String: Any])?["summary"] as? String == "0 bytes: unsecured, no signature")
    }

    @Test func riskyHeadersAndClaimsAreFindingsWithTheirRFC() throws {
        let header =
            #"{"alg":"HS256","typ":"weird","jku":"https://evil.example/jwks","jwk":{"kty":"oct","k":"AA"},"x5u":"https://x","x5c":["AA=="],"crit":["exp-ext"],"exp-ext":1,"cty":"JWT"}"#
        let payload = #"{"iat":2000000000,"sub":"x"}"#
        let token = Craft.token(header: header, payload: payload, signature: Array(repeating: 1, count: 32))
        let result = try CLI.run(["inspect", "--json", "--now", "1767225600", token])
        #expect(result.status == 0)
        let ids = InspectTests.findingIDs(try result.json())
        for id in ["symmetric_alg", "header_key_url", "embedded_key", "crit", "unknown_typ", "nested", "missing_exp", "iat_in_future"] {
            #expect(ids.contains(id), "missing finding \(id) in \(ids)")
        }
        #expect(ids.filter { $0 == "header_key_url" }.count == 2)
        #expect(ids.filter { $0 == "embedded_key" }.count == 2)
    }

    @Test func veryLongLifetimeIsAWarning() throws {
        let token = Craft.token(
            header: #"{"alg":"ES256","kid":"k"}"#, payload: #"{"iat":1767225600,"exp":1798761600}"#,
            signature: Array(repeating: 1, count: 64))
        let result = try CLI.run(["inspect", "--json", "--now", "1767225600", token])
        let findings = try #require(try result.json()["findings"] as? [[String: Any]])
        let long = try #require(findings.first { $0["id"] as? String == "long_lifetime" })
        #expect(long["severity"] as? String == "warning")
        #expect(long["message"] as? String == "lifetime 365d (iat to exp) is longer than 1d; bearer tokens should be short-lived")
    }

    @Test func duplicateHeaderMemberIsShownAndReported() throws {
        let token = Craft.token(header: #"{"alg":"RS256","alg":"none"}"#, payload: #"{"exp":1}"#)
        let result = try CLI.run(["inspect", "--json", "--now", "0", token])
        #expect(result.status == 0)
        let json = try result.json()
        #expect(json["header"] is NSNull)
        #expect(json["header_text"] as? String == #"{"alg":"RS256","alg":"none"}"#)
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.first?["id"] as? String == "duplicate_member")
        #expect(findings.first?["member"] as? String == "alg")
    }

    @Test func duplicateClaimIsReported() throws {
        let token = Craft.token(
            header: #"{"alg":"ES256","typ":"JWT","kid":"k"}"#, payload: #"{"sub":"a","sub":"b","exp":4102444800}"#,
            signature: Array(repeating: 1, count: 64))
        let result = try CLI.run(["inspect", "--json", "--now", "0", token])
        let findings = try #require(try result.json()["findings"] as? [[String: Any]])
        #expect(findings.first?["id"] as? String == "duplicate_member")
        #expect(findings.first?["reference"] as? String == "RFC 7519 §4")
    }

    @Test func derEncodedECDSASignatureIsReported() throws {
        var der: [UInt8] = [0x30, 0x44, 0x02, 0x20] + Array(repeating: 1, count: 32) + [0x02, 0x20] + Array(repeating: 2, count: 32)
        der = Array(der.prefix(70))
        let token = Craft.token(header: #"{"alg":"ES256","typ":"JWT","kid":"k"}"#, payload: #"{"exp":4102444800}"#, signature: der)
        let result = try CLI.run(["inspect", "--json", "--now", "0", token])
        #expect(InspectTests.findingIDs(try result.json()).contains("ecdsa_der"))
    }

    @Test func fivePartTokenIsRecognisedAsJWE() throws {
        let header = #"{"alg":"RSA-OAEP","enc":"A256GCM","kid":"enc-1","cty":"JWT"}"#
        let token = "\(Craft.b64url(header)).AAAA.BBBB.CCCC.DDDD"
        let result = try CLI.run(["inspect", token])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Token:     compact JWE (encrypted), 5 segments"))
        #expect(result.stdout.contains("Protected header\n{\n  \"alg\": \"RSA-OAEP\",\n  \"enc\": \"A256GCM\","))
        let json = try CLI.run(["inspect", "--json", token]).json()
        #expect(json["form"] as? String == "jwe")
        #expect(json["kid"] as? String == "enc-1")
        #expect(InspectTests.findingIDs(json) == ["jwe", "nested"])
    }

    @Test func malformedTokenIsStatus1() throws {
        let result = try CLI.run(["inspect", "not-a-token"])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(
            result.stderr
                == "jwtk: cannot decode the token: a compact JWS has three segments separated by two dots; this token has 1 [malformed_token]\n"
        )
    }
}
