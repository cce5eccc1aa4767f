import Foundation
import Testing

/// HMAC as it is met in practice (issue 12 item 8): secrets written in base64/base64url, legacy short secrets
/// checked only with a loud override, and sign refusing what verify would refuse.
@Suite("HMAC secrets: encodings and the short-secret override")
struct HMACSecretTests {
    static let keys = "testvectors/generated/keys"
    static let warning =
        "jwtk: WARNING: --allow-short-secret: HMAC secrets shorter than the hash are accepted; such a secret can be brute-forced (RFC 7518 §3.2). Use it only to check legacy tokens.\n"
    /// 32 bytes: "secret-secret-secret-secret-1234".
    static let secret = "secret-secret-secret-secret-1234"

    @Test func base64AndBase64URLSecrets() throws {
        let bytes = Array(HMACSecretTests.secret.utf8)
        let standard = try CLI.tempFile(Data(bytes).base64EncodedString() + "\n")
        let url = try CLI.tempFile(Craft.b64url(bytes))
        let signed = try CLI.run(["sign", "--secret-file", standard, "--secret-base64", "--alg", "HS256", "--exp", "1h"])
        #expect(signed.status == 0, "\(signed.stderr)")
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        let raw = try CLI.run(["verify", "--secret-env", "S", token], environment: ["S": HMACSecretTests.secret])
        #expect(raw.status == 0, "\(raw.stderr)")
        let viaURL = try CLI.run(["verify", "--secret-file", url, "--secret-base64url", token])
        #expect(viaURL.status == 0, "\(viaURL.stderr)")
        let viaEnv = try CLI.run(
            ["verify", "--secret-env", "S", "--secret-base64", token], environment: ["S": Data(bytes).base64EncodedString()])
        #expect(viaEnv.status == 0)
        // Without the flag the base64 text itself is the secret: another key, a failed signature.
        let literal = try CLI.run(["verify", "--secret-file", url, token])
        #expect(literal.status == 1)
        let bad = try CLI.run(["verify", "--secret-file", url, "--secret-base64", token])
        #expect(bad.status == 2)
        #expect(bad.stderr == "jwtk: \(url): not standard padded base64 (--secret-base64)\n")
        #expect(!bad.stderr.contains(Craft.b64url(bytes)))
        let both = try CLI.run(["verify", "--secret-file", url, "--secret-base64", "--secret-base64url", token])
        #expect(both.status == 2)
    }

    @Test func shortSecretsNeedTheLoudOverride() throws {
        let key = "\(HMACSecretTests.keys)/hs256-short.private.jwk.json"
        let refused = try CLI.run(["sign", "--key", key, "--alg", "HS256", "--exp", "1h"])
        #expect(refused.status == 2)
        #expect(
            refused.stderr
                == "jwtk: the HMAC secret has 128 bits; HS256 requires at least 256 (RFC 7518 §3.2), and verify would refuse the token [weak_key]; --allow-short-secret signs anyway\n"
        )
        #expect(refused.stdout == "")
        let signed = try CLI.run(["sign", "--key", key, "--alg", "HS256", "--exp", "1h", "--allow-short-secret"])
        #expect(signed.status == 0)
        #expect(signed.stderr == HMACSecretTests.warning)
        let token = signed.stdout.trimmingCharacters(in: .newlines)

        let publicKey = "\(HMACSecretTests.keys)/hs256-short.public.jwk.json"
        let rejected = try CLI.run(["verify", "--key", publicKey, token])
        #expect(rejected.status == 1)
        #expect(
            rejected.stderr
                == "INVALID: key strength check failed: HMAC secret has 128 bits; HS256 requires at least 256 (RFC 7518 §3.2) [weak_key]"
                + "; hint: --allow-short-secret checks it anyway (legacy tokens only; RFC 7518 §3.2 forbids short secrets)\n")
        let accepted = try CLI.run(["verify", "--key", publicKey, "--allow-short-secret", token])
        #expect(accepted.status == 0)
        #expect(accepted.stderr == HMACSecretTests.warning)
        // A full-length secret signs without any warning.
        let full = try CLI.run(["sign", "--key", "\(HMACSecretTests.keys)/hs256.private.jwk.json", "--alg", "HS256", "--exp", "1h"])
        #expect(full.status == 0)
        #expect(full.stderr == "")
    }
}
