import Foundation
import Testing

@testable import JWTK

/// A JWK's thumbprint is computed from its own members (RFC 7638) instead of exporting the key from OpenSSL; the
/// two must agree on every key, including JWKs whose RSA `n` or `e` carry leading zero bytes.
@Suite("Thumbprints from JWK members agree with the key's export")
struct ThumbprintFromMembersTests {
    /// The thumbprint computed from what OpenSSL holds (the path PEM, DER and certificates take).
    static func exported(_ key: VerificationKey) -> String {
        let canonical = VerificationKey.canonicalJWK(members: VerificationKey.publicMembers(material: key.material, type: key.type))
        return Base64URL.encode(Crypto.digest(Array(canonical.utf8), hashBits: 256))
    }

    static let generated = [
        "rsa1024", "rsa2048", "rsa3072", "rsa4096", "p256", "p384", "p521", "ed25519", "hs256", "hs384", "hs512", "hs256-short",
    ]

    @Test(arguments: generated)
    func everyGeneratedKey(_ name: String) throws {
        let key = try VerificationKey(jwk: try Fixtures.key(name, "public.jwk.json"))
        #expect(key.thumbprint == Self.exported(key))
    }

    @Test(arguments: ["generated/jwks-25.json", "generated/jwks.json"])
    func everyKeyOfASet(_ path: String) throws {
        let set = try JWKSet(json: try Fixtures.text(path))
        #expect(!set.keys.isEmpty)
        for key in set.keys { #expect(key.thumbprint == Self.exported(key), "kid \(key.keyID ?? "-")") }
    }

    /// The published and computed thumbprint vectors (RFC 7638 §3.1 and the others in rfc7638.json), each also
    /// through the export path.
    @Test func theThumbprintVectors() throws {
        let file = try #require(try Fixtures.json("rfc/rfc7638.json") as? [String: Any])
        let cases = try #require(file["thumbprints"] as? [[String: Any]])
        #expect(!cases.isEmpty)
        for vector in cases {
            let jwk = try #require(vector["jwk"] as? [String: Any])
            let expected = try #require(vector["sha256"] as? String)
            let key = try VerificationKey(jwk: Fixtures.jsonText(jwk))
            #expect(key.thumbprint == expected && Self.exported(key) == expected, "\(vector["id"] ?? "?")")
        }
    }

    /// Leading zero bytes in `n` and `e` (which RFC 7518 forbids but the parser tolerates) do not change the
    /// thumbprint: OpenSSL holds numbers, and the members are normalised the same way.
    @Test func leadingZerosInRSAMembers() throws {
        var object = try #require(try Fixtures.json("generated/keys/rsa2048.public.jwk.json") as? [String: Any])
        let plain = try VerificationKey(jwk: Fixtures.jsonText(object))
        let n = try Base64URL.decode(try #require(object["n"] as? String))
        object["n"] = Base64URL.encode([0, 0] + n)
        object["e"] = Base64URL.encode([0, 1, 0, 1])
        let padded = try VerificationKey(jwk: Fixtures.jsonText(object))
        #expect(padded.thumbprint == plain.thumbprint)
        #expect(padded.thumbprint == Self.exported(padded))
    }
}
