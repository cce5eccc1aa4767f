import Dispatch
import Foundation
import JWTK
import Testing

/// EC public keys from JWK members. Every key is made from a per-curve template key that all threads share
/// (Sources/CJWTKShims/keys.c): these tests pin that each import still gets its own point, that the template
/// never changes, and that the point checks run whether or not the template exists yet.
@Suite("EC key import")
struct ECKeyImportTests {
    static let algorithms: [JWSAlgorithm] = [.ES256, .ES384, .ES512]

    /// A generated key (no `kid`, so a verifier tries its one key on every token), its public JWK and a token
    /// it signed.
    struct Signed: Sendable {
        let jwk: String
        let token: String
    }

    static func signed(_ algorithm: JWSAlgorithm, count: Int) throws -> [Signed] {
        try (0..<count).map { index in
            let key = try SigningKey.generate(for: algorithm)
            let token = try JWTSigner(key: key, algorithm: algorithm).sign(claims: #"{"exp":4102444800,"n":\#(index)}"#)
            return Signed(jwk: key.verificationKey.publicJWK, token: token)
        }
    }

    static func verifies(_ jwk: String, _ token: String) throws -> Bool {
        do {
            _ = try JWTVerifier(keys: [try VerificationKey(jwk: jwk)], policy: TestPolicy.fixed()).verify(token)
            return true
        } catch let error where error.code == .signatureInvalid {
            return false
        }
    }

    /// 4 threads import 8 keys of each curve, 3 rounds each, all at once: every imported key verifies its own
    /// token and refuses the next key's token of the same curve.
    @Test func concurrentImportsOfEveryCurveKeepTheirOwnPoint() throws {
        let keys = try Self.algorithms.map { try Self.signed($0, count: 8) }
        let failures = Locked([String]())
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for round in 0..<3 {
                for (curve, set) in keys.enumerated() {
                    for index in set.indices {
                        // Each thread walks the keys in its own order, so different threads import different keys
                        // of the same curve at the same moment.
                        let mine = set[(index + thread + round) % set.count]
                        let other = set[(index + thread + round + 1) % set.count]
                        do {
                            let own = try Self.verifies(mine.jwk, mine.token)
                            let foreign = try Self.verifies(mine.jwk, other.token)
                            if !own || foreign {
                                failures.withLock { $0.append("\(Self.algorithms[curve]) own=\(own) foreign=\(foreign)") }
                            }
                        } catch {
                            failures.withLock { $0.append("\(Self.algorithms[curve]): \(error)") }
                        }
                    }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
    }

    /// Importing key B after key A of the same curve leaves A's point as it was: A exports the same JWK,
    /// verifies its own token and still refuses B's.
    @Test(arguments: algorithms)
    func importingAnotherKeyLeavesTheFirstUnchanged(_ algorithm: JWSAlgorithm) throws {
        let pair = try Self.signed(algorithm, count: 2)
        let a = try VerificationKey(jwk: pair[0].jwk)
        let exportedBefore = a.publicJWK
        let b = try VerificationKey(jwk: pair[1].jwk)
        #expect(a.publicJWK == exportedBefore)
        #expect(a.thumbprint != b.thumbprint)
        let verifyA = JWTVerifier(keys: [a], policy: TestPolicy.fixed())
        #expect(throws: Never.self) { try verifyA.verify(pair[0].token) }
        #expect(throws: JWTKError(.signatureInvalid)) { try verifyA.verify(pair[1].token) }
        let verifyB = JWTVerifier(keys: [b], policy: TestPolicy.fixed())
        #expect(throws: Never.self) { try verifyB.verify(pair[1].token) }
        #expect(throws: JWTKError(.signatureInvalid)) { try verifyB.verify(pair[0].token) }
    }

    /// With the curve's template made by a good import, bad points are still refused: off the curve, the
    /// encoding of infinity, a coordinate not below the field prime. A refused point leaves nothing behind: the
    /// same good key imports to the same thumbprint afterwards.
    @Test(arguments: ["p256": "P-256", "p384": "P-384", "p521": "P-521"])
    func badPointsAreRefusedAfterAGoodImport(_ name: String, _ curve: String) throws {
        let good = try Fixtures.key(name, "public.jwk.json")
        let thumbprint = try VerificationKey(jwk: good).thumbprint
        var object = try #require(try JSONSerialization.jsonObject(with: Data(good.utf8)) as? [String: Any])
        let x = Array(try Base64URLTestCodec.decode(object["x"] as! String))
        var y = Array(try Base64URLTestCodec.decode(object["y"] as! String))
        y[y.count - 1] ^= 1
        let size = x.count
        let bad: [(String, [UInt8], [UInt8])] = [
            ("off the curve", x, y),
            ("(0, 0)", Array(repeating: 0, count: size), Array(repeating: 0, count: size)),
            ("x all ones (not below p)", Array(repeating: 0xFF, count: size), y),
        ]
        for (what, badX, badY) in bad {
            object["x"] = try Base64URLTestCodec.encode(badX)
            object["y"] = try Base64URLTestCodec.encode(badY)
            #expect(throws: JWTKError(.invalidKey), "\(name) \(what)") { try VerificationKey(jwk: Fixtures.jsonText(object)) }
        }
        #expect(try VerificationKey(jwk: good).thumbprint == thumbprint)
        #expect(try VerificationKey(jwk: good).type == .ec(curve: curve))
    }
}
