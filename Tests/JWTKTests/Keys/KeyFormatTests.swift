import Foundation
import JWTK
import Testing

/// PEM/DER tolerance and strictness, JWK Set entries that are not keys, and private-key consistency.
@Suite("Key formats")
struct KeyFormatTests {
    static var p256Thumbprint: String { try! Fixtures.verificationKey("p256").thumbprint }

    @Test func pemIsReadWithCRLFIndentationAndSurroundingText() throws {
        let pem = try Fixtures.key("p256", "public.pem")
        let variants = [
            pem.replacingOccurrences(of: "\n", with: "\r\n"), "Bag Attributes\n  friendlyName: x\n" + pem, String(pem.dropLast()),
            pem.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"),
        ]
        for variant in variants { #expect(try VerificationKey(pem: variant).thumbprint == Self.p256Thumbprint) }
    }

    @Test func derWithTrailingOrMissingBytesIsInvalid() throws {
        let der = Array(try Fixtures.data("generated/keys/p256.public.der"))
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(der: der + [0, 1, 2]) }
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(der: Array(der.dropLast())) }
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(der: []) }
    }

    @Test func loadDetectsTheFormat() throws {
        #expect(try VerificationKey.load(contents: Array(try Fixtures.data("generated/jwks.json"))).count == 5)
        #expect(
            try VerificationKey.load(contents: Array(try Fixtures.data("generated/keys/p256.public.pem"))).first?.thumbprint
                == Self.p256Thumbprint)
        #expect(try VerificationKey.load(contents: Array(try Fixtures.data("generated/keys/p256.public.jwk.json"))).first?.keyID == "p256")
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey.load(contents: [1, 2, 3]) }
        // A JWK that is only an encryption key: the load reports why nothing was usable.
        #expect(throws: JWTKError(.keyUsageMismatch)) {
            try VerificationKey.load(contents: Array(#"{"kty":"oct","k":"c2VjcmV0","use":"enc"}"#.utf8))
        }
        let signing = try SigningKey.load(contents: Array(try Fixtures.data("generated/keys/p256.private.pem")), keyID: "p")
        #expect(signing.verificationKey.thumbprint == Self.p256Thumbprint && signing.keyID == "p")
        #expect(throws: JWTKError(.invalidKey)) { try SigningKey(pem: try Fixtures.key("p256", "public.pem")) }
    }

    @Test func jwkSetEntriesThatAreNotObjectsAreSkipped() throws {
        let set = try JWKSet(json: #"{"keys":[1,"x",null,\#(try Fixtures.key("p256", "public.jwk.json"))]}"#)
        #expect(set.keys.count == 1)
        #expect(set.skipped.map(\.index) == [0, 1, 2])
        #expect(set.skipped.allSatisfy { $0.reason.code == .invalidKey })
    }

    @Test func jwkBoundToNoneIsUnsupported() {
        #expect(throws: JWTKError(.unsupportedAlgorithm)) { try VerificationKey(jwk: #"{"kty":"oct","k":"c2VjcmV0","alg":"none"}"#) }
    }

    @Test func rsaModulusWithLeadingZeroOctetIsTolerated() throws {
        var jwk = try #require(try Fixtures.json("generated/keys/rsa2048.public.jwk.json") as? [String: Any])
        jwk["n"] = try Base64URLTestCodec.encode([0] + Array(try Base64URLTestCodec.decode(jwk["n"] as! String)))
        let key = try VerificationKey(jwk: Fixtures.jsonText(jwk))
        #expect(key.type == .rsa(bits: 2048))
        #expect(key.thumbprint == (try Fixtures.verificationKey("rsa2048")).thumbprint)
    }

    @Test func rsaPrivateJWKWithoutCRTMembersSigns() throws {
        var jwk = try #require(try Fixtures.json("generated/keys/rsa2048.private.jwk.json") as? [String: Any])
        for member in ["p", "q", "dp", "dq", "qi"] { jwk[member] = nil }
        let key = try SigningKey(jwk: Fixtures.jsonText(jwk))
        let token = try JWTSigner(key: key, algorithm: .RS256).sign(claims: #"{"exp":4102444800}"#)
        #expect(throws: Never.self) {
            try JWTVerifier(keys: [try Fixtures.verificationKey("rsa2048")], policy: TestPolicy.fixed()).verify(token)
        }
    }

    @Test func okpPrivateJWKWhoseDDoesNotMatchXIsInvalid() throws {
        var jwk = try #require(try Fixtures.json("generated/keys/ed25519.private.jwk.json") as? [String: Any])
        jwk["d"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        #expect(throws: JWTKError(.invalidKey)) { try SigningKey(jwk: Fixtures.jsonText(jwk)) }
    }

    /// A private JWK whose `d` belongs to another key (EC; RSA without CRT members) is refused at import by
    /// the pairwise check, so it can never sign tokens its own public key rejects.
    @Test func privateJWKWhoseDDoesNotMatchThePublicKeyIsInvalid() throws {
        var ec = try #require(try Fixtures.json("generated/keys/p256.private.jwk.json") as? [String: Any])
        let otherEC = try #require(try Fixtures.json("example/private/smarttask-ec-2026.private.jwk.json") as? [String: Any])
        ec["d"] = otherEC["d"]
        var rsa = try #require(try Fixtures.json("generated/keys/rsa2048.private.jwk.json") as? [String: Any])
        let otherRSA = try #require(try Fixtures.json("example/private/smarttask-2026-01.private.jwk.json") as? [String: Any])
        for member in ["p", "q", "dp", "dq", "qi"] { rsa[member] = nil }
        rsa["d"] = otherRSA["d"]
        var rsaWithCRT = try #require(try Fixtures.json("generated/keys/rsa2048.private.jwk.json") as? [String: Any])
        for member in ["p", "q", "dp", "dq", "qi"] { rsaWithCRT[member] = otherRSA[member] }
        for (label, jwk) in [("EC", ec), ("RSA", rsa)] {
            #expect(throws: JWTKError(.invalidKey), "\(label)") { try SigningKey(jwk: Fixtures.jsonText(jwk)) }
        }
        // n, e, d of one key with p, q, dp, dq, qi of another (p·q ≠ n): the full key-pair check refuses it.
        let foreignCRT = Fixtures.jsonText(rsaWithCRT)
        #expect(throws: JWTKError(.invalidKey)) { try SigningKey(jwk: foreignCRT) }
        // Whatever the import does, what it signs verifies under its public key or not at all: never a wrong key.
        if let key = try? SigningKey(jwk: foreignCRT) {
            let token = try JWTSigner(key: key, algorithm: .RS256).sign(claims: #"{"exp":4102444800}"#)
            #expect(throws: Never.self) {
                try JWTVerifier(keys: [try Fixtures.verificationKey("rsa2048")], policy: TestPolicy.fixed()).verify(token)
            }
        }
    }
}
