import Foundation
import Testing

/// Issue 9, items 2, 3, 4, 14, 15, 16 and 17 through the real CLI: key bodies never printed, exact
/// `--secret-env` bytes, bounded reads of every file and stdin, key material refused as a secret, and what
/// `verify`, `thumbprint` and `jwks` print about keys.
@Suite("jwtk: key material and local input")
struct KeysAndLocalInputTests {
    static let keys = "testvectors/generated/keys"
    static let now = "1767225600"

    static func file(_ bytes: [UInt8], name: String = "input") throws -> String {
        let path = try CLI.tempFile("", name: name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func text(_ relative: String) throws -> String {
        String(decoding: try Data(contentsOf: CLI.root.appendingPathComponent(relative)), as: UTF8.self)
    }

    // MARK: item 2

    /// Runs every CLI path that reads a key file on `path`.
    static func keyReadingRuns(_ path: String) throws -> [CLIResult] {
        let token = Craft.token(
            header: #"{"alg":"ES256"}"#, payload: #"{"sub":"1","exp":9999999999}"#, signature: Array(repeating: 1, count: 64))
        return [
            try CLI.run(["sign", "--key", path, "--alg", "ES256", "--set", "sub=user"]),
            try CLI.run(["verify", "--key", path, token]),
            try CLI.run(["verify", "--key", path, "--json", token]),
            try CLI.run(["verify", "--jwks", path, "--json", "--explain", token]),
            try CLI.run(["verify", "--secret-file", path, token]),
            try CLI.run(["thumbprint", path]),
            try CLI.run(["jwks", path]),
            try CLI.run(["jwks", "--json", path]),
            try CLI.run(["bench", "--key", path, "--seconds", "0.1", token]),
        ]
    }

    @Test(
        "no CLI key reader prints a byte run of a malformed private key", arguments: ["p256", "rsa2048", "ed25519"])
    func malformedPrivateKeysAreNeverEchoed(_ name: String) throws {
        let pem = try Self.text("\(Self.keys)/\(name).private.pem")
        var secretRuns = KeyMaterialRuns.runs(of: pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined())
        let jwk = try #require(
            try JSONSerialization.jsonObject(with: Data(try Self.text("\(Self.keys)/\(name).private.jwk.json").utf8)) as? [String: Any])
        for member in ["d", "p", "q", "dp", "dq", "qi"] {
            if let value = jwk[member] as? String { secretRuns.formUnion(KeyMaterialRuns.runs(of: value)) }
        }
        let lines = pem.split(separator: "\n").map(String.init)
        let jwkText = String(decoding: try JSONSerialization.data(withJSONObject: jwk, options: [.sortedKeys]), as: UTF8.self)
        let inputs = [
            lines.joined(separator: " "),  // one-line PEM (environment variables, YAML)
            lines.joined(),
            lines.dropLast().joined(separator: "\n"),  // no END
            lines[0] + "\n" + lines.dropFirst().joined(),  // body and END on one line
            "-----BEGIN \(lines.dropFirst().dropLast().joined())-----\n",
            pem.replacingOccurrences(of: "A", with: "!"),
            String(jwkText.dropLast()),
            jwkText.replacingOccurrences(of: "\"d\":\"", with: "\"d\":"),
            jwkText.replacingOccurrences(of: "\"kty\":", with: "\"ktx\":"),
        ]
        for input in inputs {
            let path = try Self.file(Array(input.utf8), name: "key.pem")
            for result in try Self.keyReadingRuns(path) {
                let leaked = secretRuns.filter { result.stdout.contains($0) || result.stderr.contains($0) }
                #expect(leaked.isEmpty, "\(result.stderr)\(result.stdout.prefix(300))")
            }
        }
    }

    @Test func oneLinePrivatePEMNamesOnlyTheLabelAndLine() throws {
        let pem = try Self.text("\(Self.keys)/ed25519.private.pem")
        let path = try Self.file(Array(pem.split(separator: "\n").joined(separator: " ").utf8), name: "key.pem")
        let result = try CLI.run(["thumbprint", path])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "jwtk: \(path): PEM block \"PRIVATE KEY\" at line 1: text follows the BEGIN line's closing \"-----\" (a one-line PEM?); "
                + "the body must start on its own line (RFC 7468 §2) [invalid_key]\n")
    }

    // MARK: item 3

    /// 40 ASCII bytes, then bytes that are not UTF-8: the two secrets differ only there.
    static let secretA: [UInt8] = Array("0123456789abcdefghijklmnopqrstuvwxyzABCD".utf8) + [0xFF, 0xC3, 0x28, 0x80]
    static let secretB: [UInt8] = Array("0123456789abcdefghijklmnopqrstuvwxyzABCD".utf8) + [0xFE, 0xC3, 0x29, 0x81]

    @Test("--secret-env uses the variable's raw bytes: secrets differing only in invalid UTF-8 stay different")
    func secretEnvUsesRawBytes() throws {
        let signed = try RawRun.run(
            ["sign", "--secret-env", "JWTK_TEST_SECRET", "--alg", "HS256", "--set", "sub=user", "--exp", "1h", "--now", Self.now],
            environment: [("JWTK_TEST_SECRET", Self.secretA)])
        #expect(signed.status == 0, "\(signed.stderr)")
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        let verify = ["verify", "--secret-env", "JWTK_TEST_SECRET", "--now", Self.now, token]
        let other = try RawRun.run(verify, environment: [("JWTK_TEST_SECRET", Self.secretB)])
        #expect(other.status == 1)
        #expect(other.stderr.hasSuffix("[signature_invalid]\n"))
        let same = try RawRun.run(verify, environment: [("JWTK_TEST_SECRET", Self.secretA)])
        #expect(same.status == 0, "\(same.stderr)")
        // The same bytes from a file verify too: the variable was read byte for byte.
        let fromFile = try CLI.run(["verify", "--secret-file", try Self.file(Self.secretA), "--now", Self.now, token])
        #expect(fromFile.status == 0)
        let fromOtherFile = try CLI.run(["verify", "--secret-file", try Self.file(Self.secretB), "--now", Self.now, token])
        #expect(fromOtherFile.status == 1)
    }

    // MARK: item 4

    @Test("JWTK_MAX_INPUT_BYTES: every file and stdin read is accepted at the limit and refused one past it")
    func inputLimitAtAndPast() throws {
        let limit = 4096
        let env = [("JWTK_MAX_INPUT_BYTES", Array("\(limit)".utf8))]
        let secret = try Self.file(Array("a shared secret that is long enough for HS256!!".utf8))
        let past = "larger than \(limit) bytes, the most jwtk reads (JWTK_MAX_INPUT_BYTES) [limit_exceeded]\n"
        for size in [limit, limit + 1] {
            let zeros = [UInt8](repeating: 0x30, count: size)
            let path = try Self.file(zeros)
            let runs: [(String, CLIResult)] = [
                (path, try RawRun.run(["verify", "--jwks", path, "x.y.z"], environment: env)),
                (path, try RawRun.run(["verify", "--key", path, "x.y.z"], environment: env)),
                (path, try RawRun.run(["thumbprint", path], environment: env)),
                (path, try RawRun.run(["jwks", path], environment: env)),
                (path, try RawRun.run(["sign", "--key", path, "--alg", "ES256"], environment: env)),
                (path, try RawRun.run(["sign", "--secret-file", path, "--alg", "HS256", "--claims", path], environment: env)),
                ("stdin", try RawRun.run(["verify", "--secret-file", "-", "x.y.z"], environment: env, stdin: .bytes(zeros))),
                ("stdin", try RawRun.run(["inspect", "-"], environment: env, stdin: .bytes(zeros))),
                ("stdin", try RawRun.run(["verify", "--secret-file", secret], environment: env, stdin: .bytes(zeros))),
            ]
            for (what, result) in runs {
                if size > limit {
                    #expect(result.status == 2)
                    #expect(result.stderr.hasSuffix("\(what) is " + past), "\(result.stderr)")
                } else {
                    #expect(!result.stderr.contains("limit_exceeded"), "\(result.stderr)")
                }
            }
        }
    }

    @Test("endless stdin stops at the limit: inspect - < /dev/zero, yes | verify --secret-file s -, --jwks -")
    func endlessStdinStopsAtTheLimit() throws {
        let secret = try Self.file(Array("a shared secret that is long enough for HS256!!".utf8))
        let runs = [
            try RawRun.run(["inspect", "-"], stdin: .endless(0)),
            try RawRun.run(["verify", "--secret-file", secret, "-"], stdin: .endless(UInt8(ascii: "y"))),
            try RawRun.run(["verify", "--jwks", "-", "x.y.z"], stdin: .endless(0)),
            try RawRun.run(["verify", "--secret-file", "-", "x.y.z"], stdin: .endless(UInt8(ascii: "y"))),
        ]
        for result in runs {
            #expect(result.status == 2)
            #expect(
                result.stderr == "jwtk: stdin is larger than 67108864 bytes, the most jwtk reads (JWTK_MAX_INPUT_BYTES) [limit_exceeded]\n")
        }
    }

    @Test("a key file of 64 MiB is read; one byte more is limit_exceeded, exit 2")
    func defaultLimitOnAKeyFile() throws {
        let path = try Self.file([], name: "big.pem")
        for size in [64 << 20, (64 << 20) + 1] {
            #expect(truncate(path, off_t(size)) == 0)
            let result = try CLI.run(["verify", "--key", path, "x.y.z"])
            #expect(result.status == 2)
            if size > 64 << 20 {
                #expect(
                    result.stderr
                        == "jwtk: \(path) is larger than 67108864 bytes, the most jwtk reads (JWTK_MAX_INPUT_BYTES) [limit_exceeded]\n")
            } else {
                #expect(!result.stderr.contains("limit_exceeded"))
            }
        }
    }

    /// 0, a non-number and a value past 1 TiB (where "limit + 1" would overflow, which trapped before) are
    /// usage errors; 1 TiB itself is accepted.
    @Test(arguments: ["0", "x", "1099511627777", "9223372036854775807"])
    func invalidInputLimitIsAUsageError(_ value: String) throws {
        let result = try RawRun.run(["inspect", "-"], environment: [("JWTK_MAX_INPUT_BYTES", Array(value.utf8))], stdin: .bytes([1]))
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: JWTK_MAX_INPUT_BYTES \"\(value)\": expected a number of bytes from 1 to 1099511627776\n")
    }

    @Test func largestInputLimitIsAccepted() throws {
        let result = try RawRun.run(
            ["inspect", "-"], environment: [("JWTK_MAX_INPUT_BYTES", Array("1099511627776".utf8))], stdin: .bytes(Array("x.y.z".utf8)))
        #expect(!result.stderr.contains("JWTK_MAX_INPUT_BYTES"))
    }

    // MARK: item 14

    @Test(
        "an HMAC secret that is a public key, certificate or JWK is refused (CVE-2015-9235)",
        arguments: ["rsa2048.public.pem", "p256.cert.pem", "p256.public.jwk.json", "rsa2048.public.der"])
    func keyAsSecretIsRefused(_ file: String) throws {
        let path = "\(Self.keys)/\(file)"
        let bytes = Array(try Data(contentsOf: CLI.root.appendingPathComponent(path)))
        // The attack: a token MACed with the public key's bytes, verified by a verifier handed that key as a secret.
        let results =
            [
                try CLI.run(["verify", "--secret-file", path, "x.y.z"]),
                try CLI.run(["sign", "--secret-file", path, "--alg", "HS256", "--set", "sub=user"]),
            ]
            // An environment value cannot hold NUL, so DER is tried through files only.
            + (bytes.contains(0) ? [] : [try RawRun.run(["verify", "--secret-env", "S", "x.y.z"], environment: [("S", bytes)])])
        for result in results {
            #expect(result.status == 2)
            #expect(result.stderr.contains("a key is not a shared secret (CVE-2015-9235)"), "\(result.stderr)")
            #expect(result.stderr.hasSuffix("[invalid_key]\n"))
        }
    }

    // MARK: item 15

    @Test func pemFileWithTwoDifferentKeysIsRefused() throws {
        let text = try Self.text("\(Self.keys)/p256.public.pem") + (try Self.text("\(Self.keys)/p384.public.pem"))
        let path = try Self.file(Array(text.utf8), name: "two.pem")
        let result = try CLI.run(["verify", "--key", path, "x.y.z"])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "jwtk: \(path): the PEM input holds different keys (block 1 \"PUBLIC KEY\" and block 2 \"PUBLIC KEY\"); give one key per file [ambiguous_key]\n"
        )
    }

    // MARK: item 16

    @Test func thumbprintOfAUseEncKey() throws {
        let jwk = try #require(
            try JSONSerialization.jsonObject(with: Data(try Self.text("\(Self.keys)/p256.public.jwk.json").utf8)) as? [String: Any])
        let expected = try CLI.run(["thumbprint", "\(Self.keys)/p256.public.jwk.json"])
        #expect(expected.status == 0)
        var enc = jwk
        enc["use"] = "enc"
        enc["alg"] = "ECDH-ES"
        let path = try Self.file(Array(try JSONSerialization.data(withJSONObject: enc)), name: "enc.json")
        let result = try CLI.run(["thumbprint", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == expected.stdout)
        let listed = try CLI.run(["jwks", "--json", path])
        let keys = try #require(try listed.json()["keys"] as? [[String: Any]])
        #expect(keys.count == 1)
        #expect(keys.first?["usable"] as? Bool == false)
        #expect(keys.first?["thumbprint"] as? String == expected.stdout.trimmingCharacters(in: .newlines))
    }

    // MARK: item 17

    @Test func verifyNeverPrintsAnHMACSecretsThumbprint() throws {
        let secret = try Self.file(Array("a shared secret that is long enough for HS256!!".utf8))
        let signed = try CLI.run(["sign", "--secret-file", secret, "--alg", "HS256", "--set", "sub=user", "--exp", "1h", "--now", Self.now])
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        let text = try CLI.run(["verify", "--secret-file", secret, "--now", Self.now, "--explain", token])
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("Checks"))
        #expect(!text.stdout.contains("thumbprint"))
        let json = try CLI.run(["verify", "--secret-file", secret, "--now", Self.now, "--json", "--explain", token])
        #expect(json.status == 0)
        let key = try #require(try json.json()["key"] as? [String: Any])
        #expect(key["thumbprint"] is NSNull)
        #expect(key["kty"] as? String == "oct")
        #expect(!json.stdout.contains("thumbprint \""))
        // An asymmetric key's thumbprint is still printed.
        let rsa = try CLI.run(["verify"] + Craft.exampleVerifyArgs + [Craft.exampleToken])
        #expect(rsa.stdout.contains("  thumbprint  "))
    }

    @Test func verifyWarnsWhenGivenAPrivateKey() throws {
        let signed = try CLI.run([
            "sign", "--key", "\(Self.keys)/p256.private.pem", "--alg", "ES256", "--set", "sub=user", "--exp", "1h", "--now", Self.now,
        ])
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        let warning =
            "jwtk: warning: a private key was given to verify with (no kid, EC P-256); only its public part is used: "
            + "give verifiers the public key and keep the private key off them\n"
        for file in ["p256.private.pem", "p256.private.jwk.json"] {
            let result = try CLI.run(["verify", "--key", "\(Self.keys)/\(file)", "--now", Self.now, token])
            #expect(result.status == 0)
            #expect(result.stderr == warning.replacingOccurrences(of: "no kid", with: file.hasSuffix("json") ? "kid \"p256\"" : "no kid"))
        }
        let quiet = try CLI.run(["verify", "--key", "\(Self.keys)/p256.public.pem", "--now", Self.now, token])
        #expect(quiet.status == 0)
        #expect(quiet.stderr == "")
    }
}

/// 8-character runs of a secret, for leak checks.
enum KeyMaterialRuns {
    static func runs(of secret: String) -> Set<String> {
        let chars = Array(secret)
        guard chars.count >= 8 else { return [secret] }
        return Set((0...(chars.count - 8)).map { String(chars[$0..<$0 + 8]) })
    }
}
