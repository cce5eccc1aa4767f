import Foundation
import JWTK
import Testing

@Suite("RFC examples")
struct RFCVectorTests {
    @Test("the vector files are present and non-trivial")
    func vectorsLoad() {
        #expect(VectorCase.all.count >= 18)
        #expect(VectorCase.all.filter(\.expectValid).count >= 10)
    }

    /// Each published example verifies with its key and algorithm (signature only: the RFC tokens expired in
    /// 2011), and each invalid one is refused with the error its kind calls for.
    @Test(arguments: VectorCase.all)
    func publishedExampleHasTheExpectedVerdict(_ vector: VectorCase) throws {
        var keys: [VerificationKey] = []
        if let keyJSON = vector.keyJSON { keys = [try VerificationKey(jwk: keyJSON)] }
        var policy = VerificationPolicy()
        if let alg = JWSAlgorithm(rawValue: vector.alg) { policy.algorithms = [alg] }
        let verifier = JWTVerifier(keyring: Keyring(keys: keys, unidentifiedKeyMatching: .matchAnyKeyID), policy: policy)
        if vector.expectValid {
            let verified = try verifier.verifySignature(vector.token)
            #expect(verified.algorithm.rawValue == vector.alg)
            if vector.payloadIsJSONObject {
                var replay = policy
                replay.clock = .fixed(1_300_819_000)  // before the examples' exp of 1300819380
                replay.ignoresAudience = true
                let jwt = try JWTVerifier(keyring: verifier.keyring, policy: replay).verify(vector.token)
                #expect(try jwt.claims.expiration != nil)
            }
        } else {
            let expected: JWTKError.Code
            switch vector.rejectReason {
            case "unsecured": expected = .unsecuredTokenRefused
            // RFC 7515 Appendix E is also unsecured; `alg: none` is refused before `crit` is read.
            case "crit": expected = vector.alg == "none" ? .unsecuredTokenRefused : .unsupportedCriticalHeader
            // No kid and no key of the token's family: nothing is selected.
            case "wrong-key": expected = .keyNotFound
            default: expected = .signatureInvalid
            }
            #expect(throws: JWTKError(expected)) { try verifier.verifySignature(vector.token) }
        }
    }

    /// Detached content (RFC 7515 Appendix F, RFC 7520 §4.5) verifies once the payload is supplied.
    @Test func detachedContentVerifiesWithThePayload() throws {
        let vector = try #require(VectorCase.all.first { $0.detachedPayload != nil })
        let key = try VerificationKey(jwk: try #require(vector.keyJSON))
        let verifier = JWTVerifier(keys: [key])
        let payload = Array(try Base64URLTestCodec.decode(try #require(vector.detachedPayload)))
        let verified = try verifier.verifySignature(vector.token, detachedPayload: payload)
        #expect(verified.payload == payload)
        var tampered = payload
        tampered[0] ^= 1
        #expect(throws: JWTKError(.signatureInvalid)) { try verifier.verifySignature(vector.token, detachedPayload: tampered) }
    }

    /// Deterministic signatures (HS*, RS*, Ed25519) are reproduced exactly from the RFCs' private keys.
    @Test(arguments: VectorCase.all.filter { $0.deterministic && $0.privateKeyJSON != nil })
    func deterministicSignatureIsReproduced(_ vector: VectorCase) throws {
        let key = try SigningKey(jwk: try #require(vector.privateKeyJSON))
        let parts = vector.token.split(separator: ".", omittingEmptySubsequences: false)
        let input = Array("\(parts[0]).\(parts[1])".utf8)
        let alg = try #require(JWSAlgorithm(rawValue: vector.alg))
        let signature = try key.sign(input, algorithm: alg)
        #expect(try Base64URLTestCodec.encode(signature) == String(parts[2]))
    }

    struct ThumbprintCase: Sendable, CustomTestStringConvertible {
        let id: String, jwk: String, expected: String
        var testDescription: String { id }
        static let all: [ThumbprintCase] = ["rfc7638.json", "rfc8037.json"].flatMap { file -> [ThumbprintCase] in
            guard let root = try? Fixtures.json("rfc/\(file)") as? [String: Any], let list = root["thumbprints"] as? [[String: Any]] else {
                return []
            }
            return list.map {
                ThumbprintCase(id: $0["id"] as! String, jwk: Fixtures.jsonText($0["jwk"]!), expected: $0["sha256"] as! String)
            }
        }
    }

    @Test(arguments: ThumbprintCase.all)
    func thumbprintMatchesRFC7638(_ c: ThumbprintCase) throws {
        #expect(try VerificationKey(jwk: c.jwk).thumbprint == c.expected)
    }

    @Test func thumbprintCasesLoad() { #expect(ThumbprintCase.all.count >= 5) }
}

/// Standard-library-only base64url for test code, independent of the library's codec.
enum Base64URLTestCodec {
    static func decode(_ s: String) throws -> Data {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        guard let d = Data(base64Encoded: t) else { throw JWTKError(.invalidBase64URL) }
        return d
    }
    static func encode(_ bytes: [UInt8]) throws -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
