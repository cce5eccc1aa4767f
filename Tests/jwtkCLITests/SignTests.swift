import Foundation
import Testing

@Suite("jwtk sign")
struct SignTests {
    struct Case: CustomStringConvertible, Sendable {
        let alg: String
        let privateKey: String
        let publicKey: String
        let signatureBytes: Int?
        var description: String { alg }
    }

    static let keys = "testvectors/generated/keys"
    static let cases: [Case] = [
        Case(alg: "HS256", privateKey: "\(keys)/hs256.private.jwk.json", publicKey: "\(keys)/hs256.public.jwk.json", signatureBytes: 32),
        Case(alg: "HS384", privateKey: "\(keys)/hs384.private.jwk.json", publicKey: "\(keys)/hs384.public.jwk.json", signatureBytes: 48),
        Case(alg: "HS512", privateKey: "\(keys)/hs512.private.jwk.json", publicKey: "\(keys)/hs512.public.jwk.json", signatureBytes: 64),
        Case(alg: "RS256", privateKey: "\(keys)/rsa2048.private.pem", publicKey: "\(keys)/rsa2048.public.pem", signatureBytes: 256),
        Case(
            alg: "RS384", privateKey: "\(keys)/rsa3072.private.jwk.json", publicKey: "\(keys)/rsa3072.public.jwk.json", signatureBytes: 384),
        Case(alg: "RS512", privateKey: "\(keys)/rsa4096.private.pem", publicKey: "\(keys)/rsa4096.public.der", signatureBytes: 512),
        Case(alg: "PS256", privateKey: "\(keys)/rsa2048.private.jwk.json", publicKey: "\(keys)/rsa2048.cert.pem", signatureBytes: 256),
        Case(alg: "PS384", privateKey: "\(keys)/rsa2048.private.pem", publicKey: "\(keys)/rsa2048.pkcs1.pem", signatureBytes: 256),
        Case(alg: "PS512", privateKey: "\(keys)/rsa2048.private.pem", publicKey: "\(keys)/rsa2048.public.jwk.json", signatureBytes: 256),
        Case(alg: "ES256", privateKey: "\(keys)/p256.private.pem", publicKey: "\(keys)/p256.public.jwk.json", signatureBytes: 64),
        Case(alg: "ES384", privateKey: "\(keys)/p384.private.jwk.json", publicKey: "\(keys)/p384.public.pem", signatureBytes: 96),
        Case(alg: "ES512", privateKey: "\(keys)/p521.private.pem", publicKey: "\(keys)/p521.public.jwk.json", signatureBytes: 132),
        Case(alg: "EdDSA", privateKey: "\(keys)/ed25519.private.jwk.json", publicKey: "\(keys)/ed25519.public.pem", signatureBytes: 64),
        Case(alg: "Ed25519", privateKey: "\(keys)/ed25519.private.pem", publicKey: "\(keys)/ed25519.public.jwk.json", signatureBytes: 64),
        Case(
            alg: "Ed448", privateKey: "Tests/jwtkCLITests/Fixtures/ed448.private.pem",
            publicKey: "Tests/jwtkCLITests/Fixtures/ed448.public.pem", signatureBytes: 114),
    ]

    @Test("sign then verify round-trips", arguments: cases)
    func signThenVerifyRoundTrips(_ c: Case) throws {
        let signed = try CLI.run([
            "sign", "--key", c.privateKey, "--alg", c.alg, "--set", "iss=https://issuer.example", "--set", "aud=api",
            "--set", #"sub="42""#, "--iat", "--exp", "1h", "--now", "1767225600",
        ])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(signed.stderr == "")
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        #expect(signed.stdout == token + "\n")
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        #expect(parts.count == 3)
        // A JWK brings its kid (the key's file name); a PEM key has none.
        let file = c.privateKey.split(separator: "/").last.map(String.init) ?? ""
        let kid = file.hasSuffix(".jwk.json") ? #","kid":"\#(file.split(separator: ".")[0])""# : ""
        #expect(Craft.b64urlDecode(parts[0]).map { String(decoding: $0, as: UTF8.self) } == #"{"alg":"\#(c.alg)","typ":"JWT"\#(kid)}"#)
        #expect(
            Craft.b64urlDecode(parts[1]).map { String(decoding: $0, as: UTF8.self) }
                == #"{"iss":"https://issuer.example","aud":"api","sub":"42","iat":1767225600,"exp":1767229200}"#)
        #expect(Craft.b64urlDecode(parts[2])?.count == c.signatureBytes, "raw signature length")

        let verified = try CLI.run([
            "verify", "--json", "--key", c.publicKey, "--alg", c.alg, "--iss", "https://issuer.example", "--aud", "api", "--now",
            "1767225700", token,
        ])
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
        let json = try verified.json()
        #expect(json["valid"] as? Bool == true)
        #expect((json["key"] as? [String: Any])?["alg"] as? String == c.alg)
        #expect((json["claims"] as? [String: Any])?["sub"] as? String == "42")

        // One bit of the signature changed: rejected.
        var bytes = try #require(Craft.b64urlDecode(parts[2]))
        bytes[bytes.count / 2] ^= 0x01
        let tampered = "\(parts[0]).\(parts[1]).\(Craft.b64url(bytes))"
        let rejected = try CLI.run([
            "verify", "--key", c.publicKey, "--alg", c.alg, "--iss", "https://issuer.example", "--aud", "api", "--now", "1767225700",
            tampered,
        ])
        #expect(rejected.status == 1)
        #expect(rejected.stderr == "INVALID: signature check failed: the signature does not verify [signature_invalid]\n")
    }

    @Test func setValuesParseAsJSONWhenValidElseAsStrings() throws {
        let claims = try CLI.tempFile(#"{"sub":"from-file","n":1,"keep":true}"#)
        let result = try CLI.run([
            "sign", "--key", "\(SignTests.keys)/p256.private.pem", "--alg", "ES256", "--claims", claims, "--set", "n=5", "--set", "s=hello",
            "--set", #"o={"a":[1,2]}"#, "--set", "eq=a=b", "--nbf=-1m", "--exp", "2026-01-02T00:00:00Z", "--now", "1767225600", "--no-typ",
            "--header", "x5t=abc",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let parts = result.stdout.trimmingCharacters(in: .newlines).split(separator: ".").map(String.init)
        #expect(Craft.b64urlDecode(parts[0]).map { String(decoding: $0, as: UTF8.self) } == #"{"alg":"ES256","x5t":"abc"}"#)
        #expect(
            Craft.b64urlDecode(parts[1]).map { String(decoding: $0, as: UTF8.self) }
                == #"{"sub":"from-file","n":5,"keep":true,"s":"hello","o":{"a":[1,2]},"eq":"a=b","nbf":1767225540,"exp":1767312000}"#)
    }

    @Test func claimsFromStdin() throws {
        let result = try CLI.run(
            ["sign", "--key", "\(SignTests.keys)/hs256.private.jwk.json", "--alg", "HS256", "--claims", "-"], stdin: Array(#"{"a":1}"#.utf8)
        )
        #expect(result.status == 0)
        let parts = result.stdout.trimmingCharacters(in: .newlines).split(separator: ".").map(String.init)
        #expect(Craft.b64urlDecode(parts[1]).map { String(decoding: $0, as: UTF8.self) } == #"{"a":1}"#)
    }

    @Test func signingWithAPublicKeyIsStatus2() throws {
        let result = try CLI.run(["sign", "--key", "\(SignTests.keys)/p256.public.pem", "--alg", "ES256"])
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: \(SignTests.keys)/p256.public.pem: no PRIVATE KEY block in the PEM input [invalid_key]\n")
    }

    @Test func algorithmThatDoesNotFitTheKeyIsStatus2() throws {
        let result = try CLI.run(["sign", "--key", "\(SignTests.keys)/p256.private.pem", "--alg", "RS256"])
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: cannot sign: a EC P-256 key cannot sign RS256 [algorithm_key_mismatch]\n")
    }

    @Test func unsecuredTokensAreNeverProduced() throws {
        let result = try CLI.run(["sign", "--key", "\(SignTests.keys)/p256.private.pem", "--alg", "none"])
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: --alg none: jwtk does not produce unsecured tokens\n")
    }

    @Test func claimsThatAreNotAnObjectAreStatus2() throws {
        let path = try CLI.tempFile("[1,2]")
        let result = try CLI.run(["sign", "--key", "\(SignTests.keys)/p256.private.pem", "--alg", "ES256", "--claims", path])
        #expect(result.status == 2)
        #expect(result.stderr == "jwtk: \(path): the claims must be a JSON object\n")
    }
}
