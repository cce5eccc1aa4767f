import Foundation
import Testing

@testable import JWTK

/// Project Wycheproof primitive vectors, run against jwtk's signature dispatch (`SignatureCheck.verify`, the
/// same function `JWTVerifier` calls after key selection) so that each vector's exact message is what is
/// verified. Keys are imported through the public JWK path (`VerificationKey(jwk:)`) with the vector's `kid`
/// and `alg` removed, and cross-checked against the DER form of the same key.
///
/// Rules applied:
/// - `valid` must verify; `invalid` must not (a `false` verdict or a thrown error both count as rejected).
/// - `acceptable` (only `MissingNull`, a PKCS#1 v1.5 DigestInfo without the NULL parameter) must be rejected:
///   OpenSSL 3 compares the re-encoded DigestInfo with the NULL parameter, so the verdict is deterministic.
/// - HMAC: groups with a truncated tag must be rejected even for the vectors Wycheproof marks `valid`, since a
///   JWS HS* signature is always the full MAC (RFC 7518 §3.2). Short keys still verify at the primitive level;
///   the verifier's policy refuses them (see `hmacShortKeyIsWeakAtTheVerifierLevel`).
/// - RSA keys with e = 3 still verify at the primitive level; key strength is policy (see `Keys` suites).
@Suite("Wycheproof")
struct WycheproofTests {
    static let files: [String] = [
        "ecdsa_secp256r1_sha256_p1363_test.json", "ecdsa_secp384r1_sha384_p1363_test.json",
        "ecdsa_secp521r1_sha512_p1363_test.json",
        "rsa_signature_2048_sha256_test.json", "rsa_signature_3072_sha256_test.json", "rsa_signature_4096_sha256_test.json",
        "rsa_signature_2048_sha384_test.json", "rsa_signature_3072_sha384_test.json", "rsa_signature_4096_sha384_test.json",
        "rsa_signature_2048_sha512_test.json", "rsa_signature_3072_sha512_test.json", "rsa_signature_4096_sha512_test.json",
        "rsa_pss_2048_sha256_mgf1_32_test.json", "rsa_pss_3072_sha256_mgf1_32_test.json",
        "rsa_pss_4096_sha256_mgf1_32_test.json", "rsa_pss_2048_sha384_mgf1_48_test.json",
        "rsa_pss_4096_sha384_mgf1_48_test.json", "rsa_pss_4096_sha512_mgf1_64_test.json",
        "ed25519_test.json", "hmac_sha256_test.json", "hmac_sha384_test.json", "hmac_sha512_test.json",
    ]

    static func algorithm(for file: String) -> JWSAlgorithm {
        let hash = file.contains("sha512") ? "512" : file.contains("sha384") ? "384" : "256"
        if file.hasPrefix("ecdsa_") { return JWSAlgorithm(rawValue: "ES\(hash)")! }
        if file.hasPrefix("rsa_signature_") { return JWSAlgorithm(rawValue: "RS\(hash)")! }
        if file.hasPrefix("rsa_pss_") { return JWSAlgorithm(rawValue: "PS\(hash)")! }
        if file.hasPrefix("hmac_") { return JWSAlgorithm(rawValue: "HS\(hash)")! }
        return .EdDSA
    }

    static func load(_ file: String) throws -> [String: Any] {
        let url = Fixtures.wycheproofDirectory.appendingPathComponent(file)
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    struct Tally: CustomStringConvertible {
        var validVerified = 0, validRejected = 0, invalidRejected = 0, invalidAccepted = 0
        var acceptableRejected = 0, acceptableAccepted = 0, truncatedRejected = 0, truncatedAccepted = 0, cases = 0
        var description: String {
            "cases \(cases): valid verified \(validVerified), invalid rejected \(invalidRejected), "
                + "acceptable rejected \(acceptableRejected)/accepted \(acceptableAccepted), truncated-MAC rejected \(truncatedRejected)"
        }
    }

    /// Verifies one vector with the dispatch the verifier uses. A thrown error counts as a rejection.
    static func verdict(_ key: VerificationKey, _ algorithm: JWSAlgorithm, signature: [UInt8], message: [UInt8]) -> Bool {
        signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in
                (try? SignatureCheck.verify(key: key, algorithm: algorithm, signature: sig, input: msg)) ?? false
            }
        }
    }

    /// The group's JWK without `kid` and `alg`, which would only pin it (`"kid": "none"` is a placeholder).
    static func groupKey(_ group: [String: Any], file: String) throws -> VerificationKey {
        guard var jwk = (group["publicKeyJwk"] ?? group["keyJwk"]) as? [String: Any] else {
            // A few ECDSA groups carry no JWK; their SubjectPublicKeyInfo is the key.
            return try VerificationKey(der: Hex.decode(try #require(group["publicKeyDer"] as? String, "\(file): group without key")))
        }
        jwk["kid"] = nil
        jwk["alg"] = nil
        let key = try VerificationKey(jwk: Fixtures.jsonText(jwk))
        if let derHex = group["publicKeyDer"] as? String {
            let fromDER = try VerificationKey(der: Hex.decode(derHex))
            #expect(fromDER.thumbprint == key.thumbprint, "\(file): DER and JWK forms of a group key differ")
        }
        return key
    }

    @Test(arguments: files)
    func primitiveVectorsHaveTheExpectedVerdict(_ file: String) throws {
        let root = try Self.load(file)
        let algorithm = Self.algorithm(for: file)
        let groups = try #require(root["testGroups"] as? [[String: Any]])
        var tally = Tally()
        for group in groups {
            let tests = try #require(group["tests"] as? [[String: Any]])
            let isMAC = algorithm.family == .hmac
            let truncated = isMAC && (group["tagSize"] as? Int) != algorithm.hashBits
            let groupKey = isMAC ? nil : try Self.groupKey(group, file: file)
            for test in tests {
                tally.cases += 1
                let tcId = test["tcId"] as? Int ?? -1
                let result = test["result"] as? String ?? "?"
                let message = Hex.decode(test["msg"] as? String ?? "")
                let signature = Hex.decode((isMAC ? test["tag"] : test["sig"]) as? String ?? "")
                let key: VerificationKey
                if let groupKey {
                    key = groupKey
                } else {
                    key = try VerificationKey(hmacSecret: Hex.decode(test["key"] as? String ?? ""))
                }
                let accepted = Self.verdict(key, algorithm, signature: signature, message: message)
                let label = "\(file) tcId \(tcId) (\(result), \(test["comment"] as? String ?? ""))"
                if truncated {
                    #expect(!accepted, "\(label): a truncated MAC must never verify as \(algorithm)")
                    if accepted { tally.truncatedAccepted += 1 } else { tally.truncatedRejected += 1 }
                    continue
                }
                switch result {
                case "valid":
                    #expect(accepted, "\(label) must verify")
                    if accepted { tally.validVerified += 1 } else { tally.validRejected += 1 }
                case "invalid":
                    #expect(!accepted, "\(label) must be rejected")
                    if accepted { tally.invalidAccepted += 1 } else { tally.invalidRejected += 1 }
                case "acceptable":
                    // OpenSSL 3 rejects a PKCS#1 DigestInfo without the NULL parameter (MissingNull): asserted.
                    #expect(!accepted, "\(label): jwtk/OpenSSL rejects this acceptable case deterministically")
                    if accepted { tally.acceptableAccepted += 1 } else { tally.acceptableRejected += 1 }
                default:
                    Issue.record("\(label): unknown result")
                }
            }
        }
        let declared = try #require(root["numberOfTests"] as? Int)
        #expect(tally.cases == declared, "\(file): ran \(tally.cases) of \(declared) tests")
        #expect(tally.validVerified >= 7, "\(file): too few valid vectors verified (\(tally))")
        #expect(tally.invalidRejected >= 40, "\(file): too few invalid vectors rejected (\(tally))")
        #expect(tally.validRejected == 0 && tally.invalidAccepted == 0 && tally.truncatedAccepted == 0)
        print("Wycheproof \(file): \(tally)")
    }

    /// Every file the README lists is present, so a missing file cannot silently shrink the run.
    @Test func everyListedFileIsPresent() throws {
        let directory = Fixtures.wycheproofDirectory
        for file in Self.files {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file) is missing")
        }
    }

    /// Wycheproof's e = 3 RSA keys verify at the primitive level; the verifier accepts them too at 2048 bits
    /// (the exponent is odd and > 1), while a 1024-bit key is refused by the default policy.
    @Test func rsaExponentThreeKeysImportAndVerify() throws {
        let root = try Self.load("rsa_signature_2048_sha256_test.json")
        let groups = try #require(root["testGroups"] as? [[String: Any]])
        let e3 = groups.filter { ($0["publicKey"] as? [String: Any])?["publicExponent"] as? String == "03" }
        try #require(!e3.isEmpty)
        var verified = 0
        for group in e3 {
            let key = try Self.groupKey(group, file: "rsa_signature_2048_sha256_test.json")
            for test in (group["tests"] as? [[String: Any]] ?? []) where test["result"] as? String == "valid" {
                #expect(
                    Self.verdict(key, .RS256, signature: Hex.decode(test["sig"] as! String), message: Hex.decode(test["msg"] as! String)))
                verified += 1
            }
        }
        #expect(verified >= 1)
    }

    /// A 16-byte HMAC key verifies Wycheproof's full-length tags at the primitive level, but the verifier's
    /// default policy refuses such a key for HS256 as weak.
    @Test func hmacShortKeyIsWeakAtTheVerifierLevel() throws {
        let key = try VerificationKey(hmacSecret: Array(repeating: 7, count: 16))
        let signer = try SigningKey(hmacSecret: Array(repeating: 7, count: 16))
        let token = try JWTSigner(key: signer, algorithm: .HS256).sign(payload: Array("x".utf8))
        #expect(throws: JWTKError(.weakKey)) { try JWTVerifier(keys: [key]).verifySignature(token) }
    }
}
