import Foundation
import JWTK
import Testing

/// A private key is one key: its members belong together, whatever the form it comes in.
@Suite("Private key consistency")
struct PrivateKeyConsistencyTests {
    @Test func rsaPrivateJWKWithoutCRTMembersStillSigns() throws {
        var rsa = try #require(try Fixtures.json("generated/keys/rsa2048.private.jwk.json") as? [String: Any])
        for member in ["p", "q", "dp", "dq", "qi"] { rsa[member] = nil }
        let key = try SigningKey(jwk: Fixtures.jsonText(rsa))
        let token = try JWTSigner(key: key, algorithm: .RS256).sign(claims: #"{"exp":4102444800}"#)
        _ = try JWTVerifier(keys: [try Fixtures.verificationKey("rsa2048")]).verify(token)
    }

    @Test func rsaPrivateJWKWithAnotherKeysCRTMembersIsRefused() throws {
        var rsa = try #require(try Fixtures.json("generated/keys/rsa2048.private.jwk.json") as? [String: Any])
        let other = try #require(try Fixtures.json("example/private/smarttask-2026-01.private.jwk.json") as? [String: Any])
        for member in ["p", "q", "dp", "dq", "qi"] { rsa[member] = other[member] }
        #expect(throws: JWTKError(.invalidKey)) { try SigningKey(jwk: Fixtures.jsonText(rsa)) }
    }

    @Test func privateJWKWhoseDBelongsToAnotherKeyIsRefused() throws {
        let a = try JSONSerialization.jsonObject(with: try Fixtures.data("generated/keys/p256.private.jwk.json")) as! [String: Any]
        let other = try SigningKey.generate(for: .ES256)
        let otherJWK = try #require(
            try SigningKeyExport.privateJWK(other) as [String: Any]?)
        var mixed = a
        mixed["d"] = otherJWK["d"]
        #expect(throws: JWTKError(.invalidKey)) { try SigningKey(jwk: Fixtures.jsonText(mixed)) }
        var signOnly = a
        signOnly["key_ops"] = ["sign"]
        _ = try SigningKey(jwk: Fixtures.jsonText(signOnly))
    }
}

/// Extracts the private scalar `d` of a P-256 signing key from its PKCS#8 PEM (test helper).
enum SigningKeyExport {
    static func privateJWK(_ key: SigningKey) throws -> [String: Any] {
        let pem = try #require(key.privateKeyPEM)
        let der = try #require(Data(base64Encoded: pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()))
        // PKCS#8 for P-256: the 32-byte private scalar follows the OCTET STRING header 04 20 inside the
        // ECPrivateKey; find it after the version INTEGER 02 01 01.
        let bytes = [UInt8](der)
        guard
            let at = (0..<(bytes.count - 4)).first(where: {
                bytes[$0] == 0x02 && bytes[$0 + 1] == 0x01 && bytes[$0 + 2] == 0x01 && bytes[$0 + 3] == 0x04 && bytes[$0 + 4] == 0x20
            })
        else {
            throw JWTKError(.invalidKey)
        }
        return ["d": try Base64URLTestCodec.encode(Array(bytes[(at + 5)..<(at + 37)]))]
    }
}
