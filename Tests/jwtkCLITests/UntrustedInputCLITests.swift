import Foundation
import JWTK
import Testing

/// Issue 9 through the real binary: mixed key sets, terminal escaping of values that came from outside.
@Suite("jwtk: untrusted key sets and outside text (mixed sets, ROCA, terminal escaping)")
struct UntrustedInputCLITests {
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

    // MARK: item 6: one escaping rule for everything printed that came from outside

    /// Each scalar the rule escapes, as a JSON escape (for building documents) and as itself.
    static let hostile: [(json: String, scalar: Unicode.Scalar)] = [
        ("\\u001b", "\u{1B}"), ("\\u0007", "\u{07}"), ("\\u007f", "\u{7F}"), ("\\u0085", "\u{85}"), ("\\u009b", "\u{9B}"),
        ("\\u2028", "\u{2028}"), ("\\u2029", "\u{2029}"), ("\\u202a", "\u{202A}"), ("\\u202e", "\u{202E}"), ("\\u2066", "\u{2066}"),
        ("\\u2069", "\u{2069}"),
    ]
    /// A JSON string body carrying every hostile scalar, plus an OSC title sequence.
    static let hostileJSON = "x" + hostile.map(\.json).joined() + "\\u001b]0;PWNED\\u0007y"
    /// The same value as raw text (for argv).
    static let hostileText = "x" + String(String.UnicodeScalarView(hostile.map(\.scalar))) + "\u{1B}]0;PWNED\u{07}y"

    /// No hostile scalar reaches the output raw (ESC only as jwtk's own colour codes `ESC[…m` on a terminal),
    /// and each one appears as its `\uXXXX` escape.
    static func expectEscaped(_ output: String, terminal: Bool = false, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        var text = output
        if terminal {
            for code in ["1", "2", "0", "1;31", "1;32", "33", "34", "32", "36", "35"] {
                text = text.replacingOccurrences(of: "\u{1B}[\(code)m", with: "")
            }
        }
        for (json, scalar) in hostile {
            #expect(
                !text.unicodeScalars.contains(scalar), "\(what): raw U+\(String(scalar.value, radix: 16, uppercase: true))",
                sourceLocation: sourceLocation)
            #expect(
                text.contains(json.replacingOccurrences(of: "\\\\", with: "\\")), "\(what): \(json) missing", sourceLocation: sourceLocation
            )
        }
        #expect(text.contains("]0;PWNED"), "\(what): the value is shown", sourceLocation: sourceLocation)
    }

    @Test func rulePinsEveryScalarClass() {
        for (_, scalar) in Self.hostile { #expect(JSONText.isUnsafeOnScreen(scalar)) }
        for value: UInt32 in [0x00, 0x1F, 0x80, 0x9F, 0x202B, 0x202C, 0x202D, 0x2067, 0x2068] {
            #expect(JSONText.isUnsafeOnScreen(Unicode.Scalar(value)!))
        }
        for value: UInt32 in [0x20, 0x7E, 0xA0, 0xE9, 0x200F, 0x2027, 0x202F, 0x2065, 0x206A, 0x1F600] {
            #expect(!JSONText.isUnsafeOnScreen(Unicode.Scalar(value)!), "U+\(String(value, radix: 16))")
        }
        #expect(JSONText.quote("a\u{9B}b\u{202E}c", escapingLineBreaks: true) == #""a\u009bb\u202ec""#)
    }

    @Test func inspectEscapesHostileHeaderAndClaims() throws {
        let token = Craft.token(
            header: #"{"alg":"ES256","kid":"\#(Self.hostileJSON)","typ":"\#(Self.hostileJSON)"}"#,
            payload: #"{"exp":4102444800,"sub":"\#(Self.hostileJSON)","note":{"deep":"\#(Self.hostileJSON)"}}"#,
            signature: Array(repeating: 1, count: 64))
        let text = try CLI.run(["inspect", token])
        #expect(text.status == 0)
        Self.expectEscaped(text.stdout, "inspect")
        let json = try CLI.run(["inspect", "--json", token])
        Self.expectEscaped(json.stdout, "inspect --json")
        // The escapes are JSON: the document still decodes to the hostile value.
        let claims = try #require(try json.json()["payload"] as? [String: Any])
        #expect(claims["sub"] as? String == Self.hostileText)
        if FileManager.default.isExecutableFile(atPath: ColourTests.script) {
            let terminal = try ColourTests.onTerminal(["inspect", token])
            Self.expectEscaped(terminal.stdout, terminal: true, "inspect on a terminal")
        }
    }

    @Test func verifyEscapesHostileClaims() throws {
        let signed = try CLI.run([
            "sign", "--key", "testvectors/generated/keys/rsa2048.private.pem", "--alg", "RS256", "--kid", Self.hostileText,
            "--set", "exp=4102444800", "--set", "sub=\(Self.hostileText)", "--set", "iss=\(Self.hostileText)",
        ])
        #expect(signed.status == 0, "\(signed.stderr)")
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        let key = "testvectors/generated/keys/rsa2048.public.pem"
        let ok = try CLI.run(["verify", "--key", key, token])
        #expect(ok.status == 0, "\(ok.stderr)")
        Self.expectEscaped(ok.stdout, "verify")
        Self.expectEscaped(try CLI.run(["verify", "--json", "--key", key, token]).stdout, "verify --json")
        Self.expectEscaped(try CLI.run(["verify", "--explain", "--key", key, token]).stdout, "verify --explain")
        // A failure's stderr line quotes the claim: escaped too.
        let failed = try CLI.run(["verify", "--key", key, "--iss", "https://issuer.example", token])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("[issuer_mismatch]"))
        for (_, scalar) in Self.hostile { #expect(!failed.stderr.unicodeScalars.contains(scalar)) }
    }

    @Test func thumbprintEscapesHostileKeyIDs() throws {
        let p256 = try String(contentsOfFile: CLI.path("testvectors/generated/keys/p256.public.jwk.json"), encoding: .utf8)
        var one = try #require(try JSONSerialization.jsonObject(with: Data(p256.utf8)) as? [String: Any])
        one["kid"] = nil
        let body = String(decoding: try JSONSerialization.data(withJSONObject: one, options: [.sortedKeys]), as: UTF8.self)
        let withKid = body.dropLast() + #","kid":"\#(Self.hostileJSON)"}"#
        let set = try CLI.tempFile(#"{"keys":[\#(withKid),\#(withKid.replacingOccurrences(of: "\"kid\":\"x", with: "\"kid\":\"z"))]}"#)
        let result = try CLI.run(["thumbprint", set])
        #expect(result.status == 0, "\(result.stderr)")
        Self.expectEscaped(result.stdout, "thumbprint")
    }

    @Test func discoverEscapesHostileProviderValues() async throws {
        try await LoopbackProvider.with { provider in
            provider.update { $0.algorithms = ["RS256", "HS256" + Self.hostileText, Self.hostileText] }
            let result = try await CLI.runDetached(["discover", provider.base, "--timeout", "60"])
            Self.expectEscaped(result.stdout, "discover")
            let json = try await CLI.runDetached(["discover", "--json", provider.base, "--timeout", "60"])
            Self.expectEscaped(json.stdout, "discover --json")
        }
    }

    @Test func userinfoEscapesHostileClaims() async throws {
        try await LoopbackProvider.with { provider in
            provider.update { $0.userinfoSubject = Self.hostileJSON }
            let tokenFile = try CLI.tempFile("at-123\n")
            let result = try await CLI.runDetached(["userinfo", "--issuer", provider.base, "--token-file", tokenFile, "--timeout", "60"])
            #expect(result.status == 0, "\(result.stderr)")
            Self.expectEscaped(result.stdout, "userinfo")
        }
    }
}
