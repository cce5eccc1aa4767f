import Foundation
import JWTK
import Testing

/// Private keys read from DER get the same pairwise check as PEM and JWK. Both cases were found by FuzzKeyImport
/// (docs/FUZZING.md); their inputs are kept under `testvectors/fuzz-regressions/FuzzKeyImport/` and are also seeds.
@Suite("Private keys from DER: the pairwise check")
struct PrivateKeyDERImportTests {
    /// The DER body of a PEM file under `testvectors/`.
    private static func der(_ relativePath: String) throws -> [UInt8] {
        let body = try Fixtures.text(relativePath).split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return Array(try #require(Data(base64Encoded: body)))
    }

    /// FuzzKeyImport: `SigningKey.load(contents:)` read binary (DER) private keys without the pairwise check that
    /// the PEM and JWK readers apply, so a PKCS#8 RSA key whose private members had been altered loaded and then
    /// signed tokens that its own public key never verifies. The input is the fuzzer's: rsa3072's PKCS#8 DER with
    /// six bytes changed inside the private exponent and a prime.
    @Test func derPrivateKeyWhosePrivatePartDoesNotMatchIsRefused() throws {
        let corrupted = Array(try Fixtures.data("fuzz-regressions/FuzzKeyImport/rsa3072-pkcs8-der-private-mismatch.der"))
        #expect(throws: JWTKError(.invalidKey)) { try SigningKey.load(contents: corrupted) }

        // The untouched key still loads from DER and signs what it verifies.
        let good = try SigningKey.load(contents: try Self.der("generated/keys/rsa3072.private.pem"))
        let token = try JWTSigner(key: good, algorithm: .RS256).sign(claims: #"{"sub":"s","exp":4102444800}"#)
        #expect(try JWTVerifier(keys: [good.verificationKey]).verify(token).claims.subject == "s")
    }

    /// The same gap for EC: a P-256 PKCS#8 DER key whose embedded public point belongs to another key.
    @Test func derECPrivateKeyWithAnotherKeysPublicPointIsRefused() throws {
        let own = try Self.der("generated/keys/p256.private.pem")
        let other = try Self.der("example/private/smarttask-ec-2026.private.pem")
        // Both are 138-byte PKCS#8 documents ending in the BIT STRING 03 42 00 04 || X || Y.
        try #require(own.count == 138 && other.count == 138 && own[own.count - 67..<own.count - 64] == [0x42, 0x00, 0x04])
        let spliced = Array(own.dropLast(64)) + Array(other.suffix(64))
        #expect(throws: JWTKError(.invalidKey)) { try SigningKey.load(contents: spliced) }
        _ = try SigningKey.load(contents: own)
    }
}
