import Foundation
import Testing

/// `jwtk sign` as people use it (issue 12 item 3): whole-second NumericDates, the registered claims as flags,
/// the algorithm from the JWK, a key picked from a JWK Set, and the time forms of --now/--exp/--nbf/--iat.
@Suite("jwtk sign: dates, claims, keys from a set")
struct SignUXTests {
    static let keys = "testvectors/generated/keys"
    static let set = "Tests/jwtkCLITests/Fixtures/sign.private.jwks.json"
    static let publicSet = "Tests/jwtkCLITests/Fixtures/sign.public.jwks.json"

    static func payload(_ result: CLIResult) throws -> [String: Any] {
        let parts = result.stdout.trimmingCharacters(in: .newlines).split(separator: ".").map(String.init)
        guard parts.count == 3, let bytes = Craft.b64urlDecode(parts[1]),
            let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { throw CLI.Failure("not a signed JWT: \(result.stdout) \(result.stderr)") }
        return object
    }

    static func payloadText(_ result: CLIResult) -> String {
        let parts = result.stdout.trimmingCharacters(in: .newlines).split(separator: ".").map(String.init)
        return parts.count == 3 ? Craft.b64urlDecode(parts[1]).map { String(decoding: $0, as: UTF8.self) } ?? "" : ""
    }

    @Test func datesAreWholeSecondsEvenWithTheSystemClock() throws {
        let signed = try CLI.run(["sign", "--key", "\(SignUXTests.keys)/p256.private.pem", "--alg", "ES256", "--iat", "--exp", "1h"])
        #expect(signed.status == 0, "\(signed.stderr)")
        let text = SignUXTests.payloadText(signed)
        #expect(!text.contains("."), "fractional NumericDate in \(text)")
        let claims = try SignUXTests.payload(signed)
        let iat = try #require(claims["iat"] as? Int)
        let exp = try #require(claims["exp"] as? Int)
        #expect(exp - iat == 3600)
        // inspect of a fresh token: no "issued in the future" finding, iat printed as an integer
        let inspected = try CLI.run(["inspect", "--json", signed.stdout.trimmingCharacters(in: .newlines)])
        #expect(!inspected.stdout.contains("iat_in_future"))
        let fractionalNow = try CLI.run([
            "sign", "--key", "\(SignUXTests.keys)/p256.private.pem", "--alg", "ES256", "--iat", "--exp", "1h", "--now", "1767225600.9",
        ])
        #expect(SignUXTests.payloadText(fractionalNow) == #"{"iat":1767225600,"exp":1767229200}"#)
    }

    @Test func timeFormsForIatNbfExp() throws {
        let base = ["sign", "--key", "\(SignUXTests.keys)/p256.private.pem", "--alg", "ES256", "--now", "2026-01-01T00:00:00Z"]
        let absolute = try CLI.run(base + ["--iat", "1767225000", "--nbf", "2026-01-01", "--exp", "2026-01-02T00:00:00Z"])
        #expect(SignUXTests.payloadText(absolute) == #"{"iat":1767225000,"nbf":1767225600,"exp":1767312000}"#)
        let relative = try CLI.run(base + ["--iat=-5m", "--nbf", "now", "--exp", "+1d"])
        #expect(SignUXTests.payloadText(relative) == #"{"iat":1767225300,"nbf":1767225600,"exp":1767312000}"#)
        let old = try CLI.run(base + ["--exp", "90"])
        #expect(old.status == 0)
        #expect(SignUXTests.payloadText(old) == #"{"exp":90}"#)
        #expect(old.stderr == "jwtk: warning: --exp 90 is the Unix time 1970-01-01T00:01:30Z; for 90 seconds from now write +90s\n")
        let bad = try CLI.run(base + ["--exp", "tomorrow"])
        #expect(bad.status == 2)
        #expect(
            bad.stderr
                == "jwtk: --exp \"tomorrow\": expected now, Unix seconds, a relative time (+1h, -5m, 1d) or an RFC 3339 time or date (2026-01-01T00:30:00Z, 2026-01-01)\n"
        )
    }

    @Test func registeredClaimFlags() throws {
        let signed = try CLI.run([
            "sign", "--key", "\(SignUXTests.keys)/p256.private.pem", "--alg", "ES256", "--iss", "https://issuer.example", "--sub", "42",
            "--aud", "api", "--jti", "id-1", "--now", "1767225600", "--exp", "1h",
        ])
        #expect(
            SignUXTests.payloadText(signed) == #"{"iss":"https://issuer.example","sub":"42","aud":"api","jti":"id-1","exp":1767229200}"#)
        let many = try CLI.run([
            "sign", "--key", "\(SignUXTests.keys)/p256.private.pem", "--alg", "ES256", "--aud", "a", "--aud", "b", "--jti", "--iat",
            "--now", "1767225600",
        ])
        #expect(many.status == 0, "\(many.stderr)")
        let claims = try SignUXTests.payload(many)
        #expect(claims["aud"] as? [String] == ["a", "b"])
        let jti = try #require(claims["jti"] as? String)
        #expect(Craft.b64urlDecode(jti)?.count == 16)
        let again = try SignUXTests.payload(
            try CLI.run(["sign", "--key", "\(SignUXTests.keys)/p256.private.pem", "--alg", "ES256", "--jti"]))
        #expect(again["jti"] as? String != jti)
        let conflicting = try CLI.run(["sign", "--key", "\(SignUXTests.keys)/p256.private.pem", "--alg", "ES256", "--jti", "x", "--jti"])
        #expect(conflicting.status == 2)
    }

    @Test func algorithmAndKeyComeFromTheJWKSet() throws {
        let signed = try CLI.run(["sign", "--jwks", SignUXTests.set, "--kid", "ed25519", "--exp", "1h", "--now", "1767225600"])
        #expect(signed.status == 0, "\(signed.stderr)")
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        let header = Craft.b64urlDecode(String(token.split(separator: ".")[0])).map { String(decoding: $0, as: UTF8.self) }
        #expect(header == #"{"alg":"EdDSA","typ":"JWT","kid":"ed25519"}"#)
        let verified = try CLI.run(["verify", "--jwks", SignUXTests.publicSet, "--now", "1767225700", token])
        #expect(verified.status == 0, "\(verified.stderr)")

        let noKid = try CLI.run(["sign", "--jwks", SignUXTests.set, "--exp", "1h"])
        #expect(noKid.status == 2)
        #expect(noKid.stderr == "jwtk: \(SignUXTests.set) holds 3 keys: pick the signing key with --kid\n")
        let unknown = try CLI.run(["sign", "--jwks", SignUXTests.set, "--kid", "nope", "--exp", "1h"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "jwtk: \(SignUXTests.set): no key has kid \"nope\" (the set has \"p256\", \"ed25519\", \"rsa2048\")\n")
        let noAlg = try CLI.run(["sign", "--jwks", SignUXTests.set, "--kid", "rsa2048", "--exp", "1h"])
        #expect(noAlg.status == 2)
        #expect(
            noAlg.stderr == "jwtk: --alg is required: the key does not name its algorithm (a JWK's \"alg\"), and jwtk never guesses one\n")
        let explicit = try CLI.run(["sign", "--jwks", SignUXTests.set, "--kid", "rsa2048", "--alg", "PS256", "--exp", "1h"])
        #expect(explicit.status == 0)
        let differs = try CLI.run(["sign", "--jwks", SignUXTests.set, "--kid", "p256", "--alg", "ES384", "--exp", "1h"])
        #expect(differs.status == 2)
        #expect(differs.stderr == "jwtk: --alg ES384 differs from the JWK's alg ES256; the key is bound to its alg (RFC 7517 §4.4)\n")
    }

    @Test func nowTakesRelativeTimesAndDatesInVerifyAndInspect() throws {
        let token = Craft.exampleToken
        let date = try CLI.run(["verify"] + Craft.exampleVerifyArgs.dropLast(2) + ["--now", "2026-01-01", token])
        #expect(date.status == 0, "\(date.stderr)")
        let relative = try CLI.run(["inspect", "--json", "--now=+1h", token])
        #expect(relative.status == 0)
        let bad = try CLI.run(["inspect", "--now", "yesterday", token])
        #expect(bad.status == 2)
    }
}
