import Foundation
import JWTK
import Testing

/// `SigningKey.privateJWK(algorithm:)`: what `jwtk keygen` writes reads back as the same key.
@Suite struct PrivateJWKExportTests {
    @Test("a generated key exports a private JWK that reads back as the same key", arguments: JWSAlgorithm.allCases)
    func roundTrip(_ algorithm: JWSAlgorithm) throws {
        let key = try SigningKey.generate(for: algorithm, keyID: "k1")
        let text = try #require(key.privateJWK(algorithm: algorithm))
        let back = try SigningKey(jwk: text)
        #expect(back.keyID == "k1")
        #expect(back.verificationKey.thumbprint == key.verificationKey.thumbprint)
        let members = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(members["alg"] as? String == algorithm.rawValue)
        // A token signed with the read-back key verifies with the original's public part.
        let token = try JWTSigner(key: back, algorithm: algorithm).sign(claims: #"{"sub":"1","exp":4102444800}"#)
        _ = try JWTVerifier(keys: [key.verificationKey]).verify(token)
        switch algorithm.family {
        case .ecdsa:
            // RFC 7518 §6.2.2.1: d is as long as the curve's coordinates, leading zeros kept.
            let d = try #require(members["d"] as? String)
            let x = try #require(members["x"] as? String)
            #expect(d.count == x.count)
        case .rsaPKCS1, .rsaPSS:
            for name in ["d", "p", "q", "dp", "dq", "qi"] { #expect(members[name] is String, "no \(name)") }
        case .eddsa:
            #expect(members["d"] is String)
        case .hmac:
            #expect(members["k"] is String)
        }
    }
}
