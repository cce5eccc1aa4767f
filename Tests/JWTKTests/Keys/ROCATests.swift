import Foundation
import JWTKInspection
import Testing

@testable import JWTK

/// ROCA (CVE-2017-15361): the fingerprinted modulus is refused at import and flagged by the lint; others pass.
@Suite("ROCA fingerprint")
struct ROCATests {
    static func rocaJWK() throws -> [String: Any] {
        try #require(try Fixtures.json("roca/roca-2048.public.jwk.json") as? [String: Any])
    }

    /// The ROCA-shaped modulus (testvectors/roca/generate.py) is refused at import with its own reason, by
    /// JWK and in a key set (skipped with that reason), and flagged by the lint.
    @Test func rocaModulusIsRefusedAtImportAndFlaggedByLint() throws {
        let jwk = try Self.rocaJWK()
        let n = try Base64URL.decode(try #require(jwk["n"] as? String))
        #expect(n.count == 256)
        #expect(ROCA.hasFingerprint(modulus: n))
        let error = try #require(throws: JWTKError.self) { try VerificationKey(jwk: Fixtures.jsonText(jwk)) }
        #expect(error.code == .weakKey && error.claim == "n" && error.keyID == "roca-2048")
        #expect(error.reason.contains("ROCA") && error.reason.contains("CVE-2017-15361"))
        let set = try JWKSet(json: Fixtures.jsonText(["keys": [jwk]]))
        #expect(set.keys.isEmpty && set.skipped.first?.reason.code == .weakKey)
        let lint = try JWKSLint.lint(bytes: Array(Fixtures.jsonText(["keys": [jwk]]).utf8))
        #expect(lint.entries.first?.findings.map(\.id).contains("rsa_roca") == true)
    }

    /// One bit changed, the fingerprint is gone: the test is about the residues, not the key's size or shape.
    @Test func nearRocaModulusIsNotFlagged() throws {
        var n = try Base64URL.decode(try #require(try Self.rocaJWK()["n"] as? String))
        n[n.count - 1] ^= 0x02
        #expect(!ROCA.hasFingerprint(modulus: n))
        var jwk = try Self.rocaJWK()
        jwk["n"] = Base64URL.encode(n)
        _ = try VerificationKey(jwk: Fixtures.jsonText(jwk))
        #expect(!ROCA.hasFingerprint(modulus: [UInt8]()))
    }

    /// Every RSA modulus in the repository's test vectors, and freshly generated keys, pass.
    @Test func ordinaryRSAKeysAreNotFlagged() throws {
        var moduli: [[UInt8]] = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                if object["kty"] as? String == "RSA", let n = object["n"] as? String, let bytes = try? Base64URL.decode(n) {
                    moduli.append(bytes)
                }
                object.values.forEach(collect)
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        let files = FileManager.default.enumerator(at: Fixtures.vectors, includingPropertiesForKeys: nil)!
        for case let url as URL in files where url.pathExtension == "json" && !url.path.contains("/roca/") {
            if let object = try? JSONSerialization.jsonObject(with: Data(contentsOf: url)) { collect(object) }
        }
        for bits in [2048, 2048, 3072] {
            let key = try SigningKey.generate(for: .RS256, rsaBits: bits)
            let members = VerificationKey.publicMembers(material: key.verificationKey.material, type: key.verificationKey.type)
            moduli.append(try Base64URL.decode(try #require(members.first { $0.0 == "n" }?.1)))
        }
        #expect(moduli.count >= 10)
        for n in moduli { #expect(!ROCA.hasFingerprint(modulus: n.drop { $0 == 0 })) }
    }
}
