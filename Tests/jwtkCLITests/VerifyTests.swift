import Foundation
import Testing

@Suite("jwtk verify")
struct VerifyTests {
    static let oidcArgs = Craft.exampleVerifyArgs + ["--profile", "oidc", "--nonce", Craft.nonce]
    static let privateKey = "\(Craft.example)/private/smarttask-2026-01.private.pem"

    /// Signs claims with the example provider's key through `jwtk sign`.
    static func exampleSigned(_ sets: [String], extra: [String] = []) throws -> String {
        let result = try CLI.run(
            ["sign", "--key", privateKey, "--alg", "RS256", "--kid", "smarttask-2026-01"] + sets.flatMap { ["--set", $0] } + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .newlines)
    }

    @Test func exampleOIDCTokenIsValidAndTextMatchesGolden() throws {
        let result = try CLI.run(["verify"] + VerifyTests.oidcArgs, stdin: Array((Craft.exampleToken + "\n").utf8))
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == (try CLI.golden("verify-example.txt")))
    }

    @Test func explainOfTheValidExampleMatchesGolden() throws {
        let result = try CLI.run(["verify", "--explain"] + VerifyTests.oidcArgs + [Craft.exampleToken])
        #expect(result.status == 0)
        #expect(result.stdout == (try CLI.golden("verify-explain-example.txt")))
    }

    @Test func validJSONFieldByField() throws {
        let result = try CLI.run(["verify", "--json"] + VerifyTests.oidcArgs + [Craft.exampleToken])
        #expect(result.status == 0)
        let json = try result.json()
        #expect(json["valid"] as? Bool == true)
        #expect(json["error"] is NSNull)
        let header = try #require(json["header"] as? [String: Any])
        #expect(header["alg"] as? String == "RS256")
        #expect(header["kid"] as? String == "smarttask-2026-01")
        let claims = try #require(json["claims"] as? [String: Any])
        #expect(claims["sub"] as? String == "248289761001")
        #expect(claims["exp"] as? Int == 1_767_229_200)
        let key = try #require(json["key"] as? [String: Any])
        #expect(key["kid"] as? String == "smarttask-2026-01")
        #expect(key["thumbprint"] as? String == "dhingLiOPORngNBjCcgjb7dDtcMumyS2cVZpp1wqtYk")
        #expect(key["kty"] as? String == "RSA")
        #expect(key["alg"] as? String == "RS256")
        #expect((json["skipped_keys"] as? [Any])?.isEmpty == true)
        #expect((json["hints"] as? [Any])?.isEmpty == true)
        #expect(json["checks"] == nil)
    }

    @Test func expiredTokenIsRejectedWithOneLineAndStatus1() throws {
        let args = ["--jwks", "\(Craft.example)/jwks.json", "--iss", Craft.issuer, "--aud", Craft.client, "--now", "2026-01-01T02:00:00Z"]
        let result = try CLI.run(["verify"] + args + [Craft.exampleToken])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(
            result.stderr
                == "INVALID: exp check failed: the token expired at 2026-01-01T01:00:00Z (now 2026-01-01T02:00:00Z, leeway 0s) [expired]"
                + "; hint: expired by 1h (3600s) with leeway 0s; exp 2026-01-01T01:00:00Z, now 2026-01-01T02:00:00Z; "
                + "--leeway SECONDS allows clock skew; --now TIME checks as of another time\n")
    }

    @Test func withoutNowTheExampleIsExpired() throws {
        let result = try CLI.run(["verify", "--jwks", "\(Craft.example)/jwks.json", "--aud", Craft.client, Craft.exampleToken])
        #expect(result.status == 1)
        #expect(result.stderr.contains("[expired]; hint: expired by "))
    }

    @Test func tamperedSignatureIsRejectedAndThePayloadIsNeverPrinted() throws {
        var token = Craft.exampleToken
        let last = token.removeLast()
        token.append(last == "A" ? "B" : "A")
        let result = try CLI.run(["verify", "--json"] + VerifyTests.oidcArgs + [token])
        #expect(result.status == 1)
        let json = try result.json()
        #expect(json["valid"] as? Bool == false)
        let error = try #require(json["error"] as? [String: Any])
        #expect(error["code"] as? String == "signature_invalid" || error["code"] as? String == "invalid_base64url")
        #expect(json["claims"] is NSNull)
        #expect(json["header"] is NSNull)
        #expect(json["key"] is NSNull)
        #expect(!result.stdout.contains("jane.doe"))
    }

    @Test func forgedPayloadFailsOnTheSignatureNotOnClaims() throws {
        let parts = Craft.exampleToken.split(separator: ".").map(String.init)
        let forged = "\(parts[0]).\(Craft.b64url(#"{"iss":"x","exp":1}"#)).\(parts[2])"
        let result = try CLI.run(["verify"] + VerifyTests.oidcArgs + [forged])
        #expect(result.status == 1)
        #expect(result.stderr == "INVALID: signature check failed: the signature does not verify [signature_invalid]\n")
    }

    @Test func algNoneTokenIsRejected() throws {
        let token = Craft.token(header: #"{"alg":"none"}"#, payload: #"{"exp":4102444800}"#, signature: [])
        let result = try CLI.run(["verify", "--jwks", "\(Craft.example)/jwks.json", token])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "INVALID: alg none check failed: the token is unsecured (alg \"none\"); the verifier never accepts it [unsecured_token_refused]\n"
        )
    }

    @Test func algorithmOutsideTheAllowListIsRejectedWithAHint() throws {
        let result = try CLI.run(["verify", "--json", "--explain", "--alg", "ES256"] + VerifyTests.oidcArgs + [Craft.exampleToken])
        #expect(result.status == 1)
        let json = try result.json()
        #expect((json["error"] as? [String: Any])?["code"] as? String == "algorithm_not_allowed")
        #expect((json["error"] as? [String: Any])?["check"] as? String == "alg")
        #expect(json["hints"] as? [String] == ["a given key can verify RS256, but RS256 is not in the allow-list"])
    }

    @Test func explainNamesEveryCheckInOrderWithItsOutcome() throws {
        let result = try CLI.run([
            "verify", "--json", "--explain", "--now", "2026-01-01T02:00:00Z", "--jwks", "\(Craft.example)/jwks.json", "--aud", Craft.client,
            "--leeway", "5", Craft.exampleToken,
        ])
        #expect(result.status == 1)
        let json = try result.json()
        let checks = try #require(json["checks"] as? [[String: Any]])
        let ids = checks.compactMap { $0["id"] as? String }
        #expect(Array(ids.prefix(9)) == ["shape", "header", "alg_none", "alg", "crit", "key", "key_strength", "signature", "payload"])
        let outcome = Dictionary(uniqueKeysWithValues: checks.map { ($0["id"] as! String, $0["outcome"] as! String) })
        #expect(outcome["signature"] == "pass")
        #expect(outcome["crit"] == "skip")
        #expect(outcome["exp"] == "fail")
        #expect(outcome["aud"] == "skip")
        #expect(checks.first { $0["id"] as? String == "exp" }?["reference"] as? String == "RFC 7519 §4.1.4")
        #expect(json["hints"] as? [String] == ["expired by 1h (3600s) with leeway 5s; exp 2026-01-01T01:00:00Z, now 2026-01-01T02:00:00Z"])
    }

    @Test func issuerWithTrailingSlashGetsANearMissHint() throws {
        let result = try CLI.run([
            "verify", "--explain", "--jwks", "\(Craft.example)/jwks.json", "--iss", Craft.issuer + "/", "--aud", Craft.client, "--now",
            Craft.exampleNow, Craft.exampleToken,
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("  fail  Issuer (iss) (RFC 7519 §4.1.1; RFC 8725 §3.8)\n"))
        #expect(
            result.stdout.contains(
                "Hints\n  - the issuer differs only by a trailing slash: token \"\(Craft.issuer)\", expected \"\(Craft.issuer)/\"\n"))
        #expect(
            result.stderr
                == "INVALID: iss check failed: issuer \"\(Craft.issuer)\" is not the expected \"\(Craft.issuer)/\" [issuer_mismatch]"
                + "; hint: the issuer differs only by a trailing slash: token \"\(Craft.issuer)\", expected \"\(Craft.issuer)/\"; "
                + "--iss names the expected issuer\n")
    }

    @Test func audienceFoundInAzpGetsANearMissHint() throws {
        let token = try VerifyTests.exampleSigned(
            [#"aud="other-api""#, "azp=\(Craft.client)", "sub=\"u1\""], extra: ["--iat", "--exp", "1h", "--now", "1767225600"])
        let result = try CLI.run([
            "verify", "--json", "--explain", "--jwks", "\(Craft.example)/jwks.json", "--aud", Craft.client, "--now", Craft.exampleNow,
            token,
        ])
        #expect(result.status == 1)
        let json = try result.json()
        #expect((json["error"] as? [String: Any])?["code"] as? String == "audience_mismatch")
        #expect(json["hints"] as? [String] == ["the expected audience \"\(Craft.client)\" is in azp, not in aud \"other-api\""])
    }

    @Test func unknownKidWithAFittingKeyGetsAHint() throws {
        let result = try CLI.run([
            "verify", "--json", "--explain", "--jwks", "testvectors/generated/jwks.json", "--aud", Craft.client, "--now", Craft.exampleNow,
            Craft.exampleToken,
        ])
        #expect(result.status == 1)
        let json = try result.json()
        #expect((json["error"] as? [String: Any])?["code"] as? String == "key_not_found")
        #expect(
            json["hints"] as? [String] == [
                "kid \"smarttask-2026-01\" is unknown, but a key that can verify RS256 exists: \"rsa2048\" (the issuer may have rotated its keys)"
            ])
    }

    @Test func skippedKeysOfTheSetAreListed() throws {
        let signed = try CLI.run([
            "sign", "--key", "testvectors/generated/keys/rsa2048.private.pem", "--alg", "RS256", "--kid", "dup", "--set", "exp=4102444800",
        ])
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        // The set mixes oct and asymmetric keys (refused without --allow-mixed-keys), and two of its keys share
        // the kid "dup": the token is ambiguous (issue 9 items 10 and 11), and the skipped keys are still listed.
        let result = try CLI.run(["verify", "--json", "--allow-mixed-keys", "--jwks", "Tests/jwtkCLITests/Fixtures/lint-jwks.json", token])
        #expect(result.status == 1)
        #expect((try result.json()["error"] as? [String: Any])?["code"] as? String == "ambiguous_key")
        let skipped = try #require(try result.json()["skipped_keys"] as? [[String: Any]])
        #expect(skipped.map { $0["index"] as? Int } == [4, 5])
        #expect(skipped.map { $0["kid"] as? String } == ["enc-key", "future"])
        #expect(skipped.map { $0["code"] as? String } == ["key_usage_mismatch", "unsupported_key"])
        let explained = try CLI.run([
            "verify", "--explain", "--allow-mixed-keys", "--jwks", "Tests/jwtkCLITests/Fixtures/lint-jwks.json", token,
        ])
        #expect(
            explained.stdout.contains(
                "Skipped keys\n  - key #4 kid \"enc-key\" (OKP): JWK \"use\" is \"enc\", not \"sig\" [key_usage_mismatch]\n"))
    }

    @Test func smallRSAKeyIsRefusedUnlessTheMinimumIsLowered() throws {
        let signed = try CLI.run([
            "sign", "--key", "testvectors/generated/keys/rsa1024.private.pem", "--alg", "RS256", "--set", "exp=4102444800",
        ])
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        let refused = try CLI.run(["verify", "--key", "testvectors/generated/keys/rsa1024.public.pem", token])
        #expect(refused.status == 1)
        #expect(
            refused.stderr == "INVALID: key strength check failed: RSA key has 1024 bits; the policy requires at least 2048 [weak_key]"
                + "; hint: --min-rsa-bits N accepts a smaller RSA key (RFC 8725 §3.5 advises against it)\n")
        let accepted = try CLI.run(["verify", "--key", "testvectors/generated/keys/rsa1024.public.pem", "--min-rsa-bits", "1024", token])
        #expect(accepted.status == 0)
    }

    @Test func missingExpIsRefusedUnlessAllowed() throws {
        let token = try VerifyTests.exampleSigned(["sub=\"x\""])
        let refused = try CLI.run(["verify", "--jwks", "\(Craft.example)/jwks.json", token])
        #expect(refused.status == 1)
        #expect(
            refused.stderr == "INVALID: exp check failed: the token has no \"exp\" and the policy requires one [missing_claim]"
                + "; hint: --allow-missing-exp accepts a token without exp (it never expires)\n")
        let allowed = try CLI.run(["verify", "--jwks", "\(Craft.example)/jwks.json", "--allow-missing-exp", token])
        #expect(allowed.status == 0)
    }

    @Test func audienceIsRequiredWhenTheTokenNamesOne() throws {
        let result = try CLI.run(["verify", "--jwks", "\(Craft.example)/jwks.json", "--now", Craft.exampleNow, Craft.exampleToken])
        #expect(result.status == 1)
        #expect(result.stderr.contains("[audience_mismatch]; hint: "))
        #expect(result.stderr.hasSuffix(", or --ignore-audience to skip the check\n"))
        let ignored = try CLI.run([
            "verify", "--jwks", "\(Craft.example)/jwks.json", "--now", Craft.exampleNow, "--ignore-audience", Craft.exampleToken,
        ])
        #expect(ignored.status == 0)
    }

    @Test func wrongNonceIsRejected() throws {
        let args = Craft.exampleVerifyArgs + ["--profile", "oidc", "--nonce", "other"]
        let result = try CLI.run(["verify"] + args + [Craft.exampleToken])
        #expect(result.status == 1)
        #expect(result.stderr == "INVALID: nonce check failed: nonce \"n-0S6_WzA2Mj\" does not match the one sent [nonce_mismatch]\n")
    }

    @Test func oidcProfileRejectsAForeignAzp() throws {
        let token = try VerifyTests.exampleSigned(
            ["iss=\(Craft.issuer)", "aud=\(Craft.client)", "azp=someone-else", "sub=\"u\""],
            extra: ["--iat", "--exp", "1h", "--now", "1767225600"])
        let result = try CLI.run(["verify"] + Craft.exampleVerifyArgs + ["--profile", "oidc", token])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "INVALID: azp check failed: azp \"someone-else\" is not the client id \"jwtk-demo-client\" [authorized_party_mismatch]"
                + "; hint: azp is \"someone-else\"; the client id is \"jwtk-demo-client\"\n"
        )
    }

    @Test func oidcProfileRefusesAnAccessTokenAsIDToken() throws {
        let token = try VerifyTests.exampleSigned(
            ["iss=\(Craft.issuer)", "aud=\(Craft.client)", "sub=\"u\""],
            extra: ["--typ", "at+jwt", "--iat", "--exp", "1h", "--now", "1767225600"])
        let result = try CLI.run(["verify"] + Craft.exampleVerifyArgs + ["--profile", "oidc", token])
        #expect(result.status == 1)
        #expect(result.stderr == "INVALID: typ check failed: header \"typ\" is \"at+jwt\", which this policy refuses [type_mismatch]\n")
    }

    @Test func accessTokenProfileChecksTypAndRequiredClaims() throws {
        let base = ["iss=\(Craft.issuer)", "aud=api", "sub=\"u\"", "jti=j1"]
        let good = try VerifyTests.exampleSigned(
            base + ["client_id=c1"], extra: ["--typ", "at+jwt", "--iat", "--exp", "5m", "--now", "1767225600"])
        let args = [
            "--jwks", "\(Craft.example)/jwks.json", "--profile", "at+jwt", "--iss", Craft.issuer, "--aud", "api", "--now", "1767225700",
        ]
        #expect(try CLI.run(["verify"] + args + [good]).status == 0)
        let noClient = try VerifyTests.exampleSigned(base, extra: ["--typ", "at+jwt", "--iat", "--exp", "5m", "--now", "1767225600"])
        let missing = try CLI.run(["verify"] + args + [noClient])
        #expect(missing.status == 1)
        #expect(missing.stderr == "INVALID: required claims check failed: the required claim \"client_id\" is missing [missing_claim]\n")
        let wrongTyp = try VerifyTests.exampleSigned(base + ["client_id=c1"], extra: ["--iat", "--exp", "5m", "--now", "1767225600"])
        let typ = try CLI.run(["verify"] + args + [wrongTyp])
        #expect(typ.status == 1)
        #expect(typ.stderr == "INVALID: typ check failed: header \"typ\" is \"JWT\"; expected \"at+jwt\" [type_mismatch]\n")
    }

    @Test func requireAndMaxAgeAreEnforced() throws {
        let token = try VerifyTests.exampleSigned(["sub=\"u\""], extra: ["--iat", "--exp", "1h", "--now", "1767225600"])
        let keys = ["--jwks", "\(Craft.example)/jwks.json", "--now", "1767226600"]
        let required = try CLI.run(["verify"] + keys + ["--require", "email", token])
        #expect(required.stderr == "INVALID: required claims check failed: the required claim \"email\" is missing [missing_claim]\n")
        let old = try CLI.run(["verify"] + keys + ["--max-age", "60", token])
        #expect(old.stderr == "INVALID: iat check failed: the token was issued 1000s ago; the maximum age is 60s [token_too_old]\n")
        #expect(try CLI.run(["verify"] + keys + ["--max-age", "3600", "--require", "sub", token]).status == 0)
    }

    @Test func signatureOnlyVerificationPrintsThePayloadBytes() throws {
        let signed = try CLI.run([
            "sign", "--key", "testvectors/generated/keys/ed25519.private.pem", "--alg", "EdDSA", "--no-typ", "--set", "note=expired",
            "--exp", "2000-01-01T00:00:00Z",
        ])
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        let result = try CLI.run(["verify", "--jws", "--key", "testvectors/generated/keys/ed25519.public.pem", token])
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("Payload (34 bytes; no claim was checked)\n{\"note\":\"expired\",\"exp\":946684800}\n"))
        let json = try CLI.run(["verify", "--jws", "--json", "--key", "testvectors/generated/keys/ed25519.public.pem", token]).json()
        #expect(json["valid"] as? Bool == true)
        #expect(json["claims"] is NSNull)
        #expect(json["payload"] as? String == Craft.b64url(#"{"note":"expired","exp":946684800}"#))
    }

    @Test func hmacSecretFromEnvironmentVerifies() throws {
        let secret = String(repeating: "s", count: 32)
        let signed = try CLI.run(
            ["sign", "--secret-env", "JWTK_TEST_SECRET", "--alg", "HS256", "--set", "exp=4102444800"],
            environment: ["JWTK_TEST_SECRET": secret])
        #expect(signed.status == 0)
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        let ok = try CLI.run(["verify", "--secret-env", "JWTK_TEST_SECRET", token], environment: ["JWTK_TEST_SECRET": secret])
        #expect(ok.status == 0)
        let wrong = try CLI.run(
            ["verify", "--secret-env", "JWTK_TEST_SECRET", token], environment: ["JWTK_TEST_SECRET": String(repeating: "t", count: 32)])
        #expect(wrong.status == 1)
        #expect(wrong.stderr == "INVALID: signature check failed: the signature does not verify [signature_invalid]\n")
        let unset = try CLI.run(["verify", "--secret-env", "JWTK_NOT_SET_ANYWHERE", token])
        #expect(unset.status == 2)
    }
}
