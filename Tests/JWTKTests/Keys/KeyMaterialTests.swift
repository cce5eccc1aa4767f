import Foundation
import JWTK
import JWTKInspection
import Testing

/// Issue 9, items 2, 14, 15 (PEM), 16 and 17 (library side): key material never reaches a message, an HMAC
/// secret that is a key is detectable, several PEM key blocks are one key or refused, and a thumbprint
/// ignores `use`/`key_ops`.
@Suite("Key material: no key bytes in messages, secrets that are keys, PEM ambiguity, thumbprints")
struct KeyMaterialTests {
    /// Every 8-character run of `secret` (a base64 body, or a `d`/`p`/`q`/`k` value).
    static func runs(of secret: String) -> Set<String> {
        let chars = Array(secret)
        guard chars.count >= 8 else { return [secret] }
        return Set((0...(chars.count - 8)).map { String(chars[$0..<$0 + 8]) })
    }

    /// The base64 body of a PEM text (every line between BEGIN and END, joined).
    static func pemBody(_ pem: String) -> String {
        pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
    }

    /// Malformed spellings of a private-key PEM: one-line (space or nothing between lines), missing END,
    /// another END label, the body on the END line, the body as the label, bad base64, truncated DER.
    static func malformedPEMs(_ pem: String) -> [String] {
        let lines = pem.split(separator: "\n").map(String.init)
        let body = lines.dropFirst().dropLast()
        var out = [
            lines.joined(separator: " "),
            lines.joined(),
            lines.dropLast().joined(separator: "\n"),
            pem.replacingOccurrences(of: "-----END PRIVATE KEY-----", with: "-----END PUBLIC KEY-----"),
            pem.replacingOccurrences(of: "-----END PRIVATE KEY-----", with: "-----END \(body.joined())-----"),
            lines[0] + "\n" + body.joined() + "-----END PRIVATE KEY-----\n",
            "-----BEGIN \(body.joined())-----\n" + body.joined(separator: "\n") + "\n-----END PRIVATE KEY-----\n",
            pem.replacingOccurrences(of: "A", with: "!"),
        ]
        if body.count > 1 {
            out.append(([lines[0]] + body.dropLast() + [lines.last!]).joined(separator: "\n"))
        } else {
            let line = body.first!
            out.append(lines[0] + "\n" + String(line.prefix(line.count / 2 / 4 * 4)) + "\n" + lines.last!)
        }
        return out
    }

    /// Malformed private JWKs: one member broken at a time, and JSON syntax errors next to `d`.
    static func malformedJWKs(_ object: [String: Any]) -> [String] {
        var out: [String] = []
        for name in ["d", "p", "q", "k", "n", "x", "kty"] where object[name] != nil {
            var broken = object
            broken[name] = (object[name] as! String) + "!"
            out.append(Fixtures.jsonText(broken))
        }
        let text = Fixtures.jsonText(object)
        out.append(String(text.dropLast()))  // unterminated
        out.append(text.replacingOccurrences(of: "\"d\":\"", with: "\"d\":"))  // an unquoted value
        if let d = object["d"] as? String ?? object["k"] as? String {
            out.append("{\"kty\":\"oct\",\"k\":\"\(d)")  // a string that never ends
            out.append("{\"keys\":[{\"d\":\"\(d)\"\u{01}}]}")
        }
        return out
    }

    /// The error `body` throws, or nil.
    static func caught(_ body: () throws(JWTKError) -> Void) -> JWTKError? {
        do throws(JWTKError) {
            try body()
            return nil
        } catch {
            return error
        }
    }

    static let privateKeyNames = ["rsa2048", "p256", "p384", "p521", "ed25519"]

    /// Every library path that reads key material, with the error message it gives (or "" when it reads).
    static func messages(for contents: String) -> [String] {
        let bytes = Array(contents.utf8)
        var out: [String] = []
        func record(_ body: () throws -> Void) {
            do { try body() } catch let error as JWTKError { out.append(error.reason + " " + error.description) } catch {
                out.append("\(error)")
            }
        }
        record { _ = try VerificationKey(pem: contents) }
        record { _ = try VerificationKey.load(contents: bytes) }
        record { _ = try VerificationKey.loadForThumbprint(contents: bytes) }
        record { _ = try VerificationKey(jwk: contents) }
        record { _ = try JWKSet(bytes: bytes, acceptSingleKey: true) }
        record { _ = try SigningKey(pem: contents) }
        record { _ = try SigningKey.load(contents: bytes) }
        record { _ = try SigningKey(jwk: contents) }
        record {
            let lint = try JWKSLint.lint(bytes: bytes)
            out += lint.allFindings.map(\.message) + lint.entries.compactMap { $0.skipReason?.reason }
        }
        record { try VerificationKey.checkHMACSecretIsNotKeyMaterial(bytes) }
        return out
    }

    @Test("no library key reader echoes a malformed private PEM's body", arguments: privateKeyNames)
    func malformedPEMBodyIsNeverEchoed(_ name: String) throws {
        let pem = try Fixtures.key(name, "private.pem")
        let secretRuns = Self.runs(of: Self.pemBody(pem))
        for input in Self.malformedPEMs(pem) {
            for message in Self.messages(for: input) {
                let leaked = secretRuns.filter { message.contains($0) }
                #expect(leaked.isEmpty, "\(message)")
            }
        }
    }

    @Test("no library key reader echoes d, p, q or k of a malformed private JWK", arguments: privateKeyNames + ["hs256"])
    func malformedJWKSecretsAreNeverEchoed(_ name: String) throws {
        let object = try #require(try Fixtures.json("generated/keys/\(name).private.jwk.json") as? [String: Any])
        var secretRuns = Set<String>()
        for member in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            if let value = object[member] as? String { secretRuns.formUnion(Self.runs(of: value)) }
        }
        #expect(!secretRuns.isEmpty)
        for input in Self.malformedJWKs(object) {
            for message in Self.messages(for: input) {
                let leaked = secretRuns.filter { message.contains($0) }
                #expect(leaked.isEmpty, "\(message)")
            }
        }
    }

    @Test func oneLinePEMNamesTheLabelAndLineOnly() throws {
        let pem = try Fixtures.key("ed25519", "private.pem")
        let oneLine = pem.split(separator: "\n").joined(separator: " ")
        let error = Self.caught { () throws(JWTKError) in _ = try VerificationKey(pem: oneLine) }
        #expect(error?.code == .invalidKey)
        #expect(
            error?.reason
                == "PEM block \"PRIVATE KEY\" at line 1: text follows the BEGIN line's closing \"-----\" (a one-line PEM?); "
                + "the body must start on its own line (RFC 7468 §2)")
    }

    @Test("CR-only line endings are PEM line endings (RFC 7468 §3 eol)")
    func carriageReturnLineEndingsAreRead() throws {
        let pem = try Fixtures.key("p256", "public.pem")
        let expected = try VerificationKey(pem: pem)
        let key = try VerificationKey(pem: pem.replacingOccurrences(of: "\n", with: "\r"))
        #expect(key.thumbprint == expected.thumbprint)
        let signing = try SigningKey(pem: try Fixtures.key("p256", "private.pem").replacingOccurrences(of: "\n", with: "\r"))
        #expect(signing.keyID == nil)
    }

    @Test func missingENDNamesTheBeginLine() throws {
        let pem = "garbage\n" + String(try Fixtures.key("p256", "private.pem").split(separator: "\n").dropLast().joined(separator: "\n"))
        let error = Self.caught { () throws(JWTKError) in _ = try VerificationKey(pem: pem) }
        #expect(error?.reason == "PEM block \"PRIVATE KEY\" (BEGIN at line 2) has no END line")
    }

    // MARK: item 14

    @Test(
        "an HMAC secret that is a PEM, a JWK, a JWK Set or a DER key is refused by the library check",
        arguments: ["rsa2048.public.pem", "p256.cert.pem", "p256.public.jwk.json", "rsa2048.public.der", "p256.cert.der"])
    func keyMaterialAsHMACSecretIsRefused(_ file: String) throws {
        let bytes = Array(try Fixtures.data("generated/keys/\(file)"))
        let set = Array("{\"keys\":[\(try Fixtures.key("p256", "public.jwk.json"))]}".utf8)
        for input in [bytes, set] {
            let error = Self.caught { () throws(JWTKError) in try VerificationKey.checkHMACSecretIsNotKeyMaterial(input) }
            #expect(error?.code == .invalidKey)
            #expect(error?.reason.contains("CVE-2015-9235") == true)
        }
    }

    @Test func ordinarySecretsPassTheHMACSecretCheck() throws {
        for secret in [
            Array("correct horse battery staple, 32+ bytes long".utf8), [UInt8](repeating: 0x30, count: 64),
            Array("{\"not\":\"a key\"}".utf8), (0..<64).map { UInt8($0 * 7 & 0xFF) },
        ] {
            try VerificationKey.checkHMACSecretIsNotKeyMaterial(secret)
        }
    }

    // MARK: item 15 (PEM)

    @Test func pemWithTwoDifferentKeysIsAmbiguous() throws {
        let text = try Fixtures.key("p256", "public.pem") + (try Fixtures.key("rsa2048", "public.pem"))
        let error = Self.caught { () throws(JWTKError) in _ = try VerificationKey(pem: text) }
        #expect(error?.code == .ambiguousKey)
        #expect(
            error?.reason
                == "the PEM input holds different keys (block 1 \"PUBLIC KEY\" and block 2 \"PUBLIC KEY\"); give one key per file")
        let keys = try? VerificationKey.load(contents: Array(text.utf8))
        #expect(keys == nil)
    }

    @Test func pemBlocksOfOneKeyAreOneKey() throws {
        let expected = try VerificationKey(pem: try Fixtures.key("p256", "public.pem"))
        let text =
            try Fixtures.key("p256", "private.pem") + (try Fixtures.key("p256", "cert.pem")) + (try Fixtures.key("p256", "public.pem"))
        let key = try VerificationKey(pem: text)
        #expect(key.thumbprint == expected.thumbprint)
        #expect(key.hadPrivateMembers)
    }

    @Test func signingPEMWithBlocksOfDifferentKeysIsAmbiguous() throws {
        let mixed = try Fixtures.key("p256", "private.pem") + (try Fixtures.key("p384", "private.pem"))
        #expect(Self.caught { () throws(JWTKError) in _ = try SigningKey(pem: mixed) }?.code == .ambiguousKey)
        let withOtherCertificate = try Fixtures.key("p256", "private.pem") + (try Fixtures.key("rsa2048", "cert.pem"))
        #expect(Self.caught { () throws(JWTKError) in _ = try SigningKey(pem: withOtherCertificate) }?.code == .ambiguousKey)
        let withOwnCertificate = try Fixtures.key("p256", "private.pem") + (try Fixtures.key("p256", "cert.pem"))
        let key = try SigningKey(pem: withOwnCertificate)
        #expect(key.verificationKey.thumbprint == (try VerificationKey(pem: try Fixtures.key("p256", "public.pem"))).thumbprint)
    }

    // MARK: item 16

    @Test func thumbprintIgnoresUseAndKeyOps() throws {
        let object = try #require(try Fixtures.json("generated/keys/p256.public.jwk.json") as? [String: Any])
        let expected = try VerificationKey(jwk: Fixtures.jsonText(object)).thumbprint
        for extra: [String: Any] in [["use": "enc"], ["key_ops": ["encrypt"]], ["alg": "ECDH-ES"], ["use": "enc", "alg": "RSA-OAEP"]] {
            let jwk = Fixtures.jsonText(object.merging(extra) { $1 })
            #expect(Self.caught { () throws(JWTKError) in _ = try VerificationKey(jwk: jwk) } != nil)
            let keys = try VerificationKey.loadForThumbprint(contents: Array(jwk.utf8))
            #expect(keys.map(\.thumbprint) == [expected])
            let lint = try JWKSLint.lint(bytes: Array("{\"keys\":[\(jwk)]}".utf8))
            #expect(lint.entries.map(\.thumbprint) == [expected])
            #expect(lint.entries.first?.key == nil)
        }
    }
}
