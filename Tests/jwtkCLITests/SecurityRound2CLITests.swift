import Foundation
import JWTK
import Testing

/// Issue 9 through the real binary: mixed key sets, terminal escaping of values that came from outside.
@Suite("jwtk security review round 2")
struct SecurityRound2CLITests {
    static let rsaToken: String = {
        let signed = try! CLI.run([
            "sign", "--key", "testvectors/generated/keys/rsa2048.private.pem", "--alg", "RS256", "--set", "exp=4102444800",
        ])
        return signed.stdout.trimmingCharacters(in: .newlines)
    }()

    /// A public key next to an HMAC secret is refused with a reason and the flag that allows it.
    @Test func mixedKeySetNeedsAllowMixedKeys() throws {
        let secret = try CLI.tempFile(String(repeating: "s", count: 32))
        let args = ["verify", "--key", "testvectors/generated/keys/rsa2048.public.pem", "--secret-file", secret]
        let refused = try CLI.run(args + [Self.rsaToken])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("mixes symmetric (oct) and asymmetric keys"))
        #expect(refused.stderr.contains("--allow-mixed-keys"))
        #expect(refused.stderr.contains("[unsupported_key]"))
        let allowed = try CLI.run(args + ["--allow-mixed-keys", Self.rsaToken])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        // One family alone needs no flag.
        let single = try CLI.run(["verify", "--key", "testvectors/generated/keys/rsa2048.public.pem", Self.rsaToken])
        #expect(single.status == 0)
    }

    /// `jwks` lint flags the ROCA-shaped key (testvectors/roca/generate.py); `verify --key` refuses it (exit 2).
    @Test func rocaKeyIsFlaggedByJWKSAndRefusedByVerify() throws {
        let lint = try CLI.run(["jwks", "--json", "testvectors/roca/roca-2048.public.jwk.json"])
        let keys = try #require(try lint.json()["keys"] as? [[String: Any]])
        let findings = try #require(keys.first?["findings"] as? [[String: Any]])
        #expect(findings.contains { $0["id"] as? String == "rsa_roca" && $0["severity"] as? String == "error" })
        #expect(keys.first?["usable"] as? Bool == false)
        let verify = try CLI.run(["verify", "--key", "testvectors/roca/roca-2048.public.jwk.json", Self.rsaToken])
        #expect(verify.status == 2)
        #expect(verify.stderr.contains("ROCA fingerprint (CVE-2017-15361"))
        #expect(verify.stderr.contains("[weak_key]"))
    }
}
