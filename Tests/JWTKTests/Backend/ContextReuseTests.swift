import Foundation
import Synchronization
import Testing

@testable import JWTK

/// Verification reuses OpenSSL contexts kept per thread and keyed by each key's unique handle
/// (`CJWTKShims_verify_cached`, `CJWTKShims_hmac_verify_cached`). These tests prove that a reused context
/// never verifies with the wrong key, padding or hash, never outlives its key, and is safe across threads.
@Suite("Per-thread OpenSSL context reuse")
struct ContextReuseTests {
    static let claims = #"{"sub":"ctx","exp":4102444800}"#

    /// A signed token and the public key that verifies it.
    struct Signed {
        let token: String
        let key: VerificationKey
    }

    static func signed(_ algorithm: JWSAlgorithm, keyID: String? = nil, with key: SigningKey? = nil) throws -> Signed {
        let signing = try key ?? SigningKey.generate(for: algorithm, keyID: keyID)
        let token = try JWTSigner(key: signing, algorithm: algorithm).sign(claims: claims)
        return Signed(token: token, key: signing.verificationKey)
    }

    static func verifier(_ key: VerificationKey, _ algorithm: JWSAlgorithm) -> JWTVerifier {
        var policy = VerificationPolicy()
        policy.algorithms = [algorithm]
        return JWTVerifier(keyring: Keyring(keys: [key], unidentifiedKeyMatching: .matchAnyKeyID), policy: policy)
    }

    /// A compact JWS whose header says `headerAlg` but whose signature was made with `signWith`.
    static func mislabelled(headerAlg: JWSAlgorithm, signWith: JWSAlgorithm, key: SigningKey) throws -> String {
        let header = Base64URL.encode(Array(#"{"alg":"\#(headerAlg.rawValue)"}"#.utf8))
        let payload = Base64URL.encode(Array(claims.utf8))
        let input = "\(header).\(payload)"
        let signature = try key.sign(Array(input.utf8), algorithm: signWith)
        return "\(input).\(Base64URL.encode(signature))"
    }

    @Test(arguments: [JWSAlgorithm.RS256, .PS256, .ES256, .ES384, .ES512, .EdDSA, .HS256, .HS512])
    func sameThreadAlternatingTwoKeysOfOneTypeNeverMixesThemUp(_ algorithm: JWSAlgorithm) throws {
        let a = try Self.signed(algorithm)
        let b = try Self.signed(algorithm)
        let verifyA = Self.verifier(a.key, algorithm)
        let verifyB = Self.verifier(b.key, algorithm)
        for _ in 0..<12 {
            #expect(try verifyA.verify(a.token).algorithm == algorithm)
            #expect(throws: JWTKError(.signatureInvalid)) { try verifyB.verify(a.token) }
            #expect(try verifyB.verify(b.token).algorithm == algorithm)
            #expect(throws: JWTKError(.signatureInvalid)) { try verifyA.verify(b.token) }
        }
    }

    @Test func ps256AfterRS256WithTheSameKeyKeepsEachPadding() throws {
        let key = try SigningKey.generate(for: .RS256)
        let rs = try Self.signed(.RS256, with: key)
        let ps = try Self.signed(.PS256, with: key)
        let rsVerifier = Self.verifier(rs.key, .RS256)
        let psVerifier = Self.verifier(rs.key, .PS256)
        // PKCS#1 v1.5 signatures labelled PS256 and PSS signatures labelled RS256 must both fail, whichever
        // padding the thread's cached contexts saw last.
        let pkcs1AsPSS = try Self.mislabelled(headerAlg: .PS256, signWith: .RS256, key: key)
        let pssAsPKCS1 = try Self.mislabelled(headerAlg: .RS256, signWith: .PS256, key: key)
        let ps384AsPS256 = try Self.mislabelled(headerAlg: .PS256, signWith: .PS384, key: key)
        for _ in 0..<8 {
            #expect(try rsVerifier.verify(rs.token).algorithm == .RS256)
            #expect(throws: JWTKError(.signatureInvalid)) { try psVerifier.verifySignature(pkcs1AsPSS) }
            #expect(try psVerifier.verify(ps.token).algorithm == .PS256)
            #expect(throws: JWTKError(.signatureInvalid)) { try rsVerifier.verifySignature(pssAsPKCS1) }
            #expect(throws: JWTKError(.signatureInvalid)) { try psVerifier.verifySignature(ps384AsPS256) }
        }
    }

    @Test func hs256AndHS512WithTheSameSecretUseTheirOwnHash() throws {
        let secret = try SigningKey(hmacSecret: Array(repeating: 0x5A, count: 64))
        let hs256 = try Self.signed(.HS256, with: secret)
        let hs512 = try Self.signed(.HS512, with: secret)
        let v256 = Self.verifier(hs256.key, .HS256)
        let v512 = Self.verifier(hs256.key, .HS512)
        let hs512As256 = try Self.mislabelled(headerAlg: .HS256, signWith: .HS512, key: secret)
        for _ in 0..<8 {
            #expect(try v256.verify(hs256.token).algorithm == .HS256)
            #expect(try v512.verify(hs512.token).algorithm == .HS512)
            #expect(throws: JWTKError(.signatureInvalid)) { try v256.verifySignature(hs512As256) }
        }
    }

    /// A key is freed and a new one allocated (often at the same address): the thread's contexts for the
    /// freed key must never serve the new one, and they are released.
    @Test(arguments: [JWSAlgorithm.ES256, .RS256, .HS256, .EdDSA])
    func freedKeyIsNeverServedByAStaleContext(_ algorithm: JWSAlgorithm) throws {
        // Key material kept as text/bytes only, so every VerificationKey below is a new object.
        var tokens: [String] = []
        var makeKey: [() throws -> VerificationKey] = []
        for _ in 0..<6 {
            if algorithm == .HS256 {
                let secret = (0..<32).map { _ in UInt8.random(in: 0...255) }
                tokens.append(try JWTSigner(key: try SigningKey(hmacSecret: secret), algorithm: algorithm).sign(claims: Self.claims))
                makeKey.append { try VerificationKey(hmacSecret: secret) }
            } else {
                let signer = try SigningKey.generate(for: algorithm)
                tokens.append(try JWTSigner(key: signer, algorithm: algorithm).sign(claims: Self.claims))
                let jwk = signer.verificationKey.publicJWK
                makeKey.append { try VerificationKey(jwk: jwk) }
            }
        }
        VerificationContextCache.flushThisThread()
        for round in 0..<tokens.count {
            // A fresh key object each round: the previous round's keys have just been freed.
            do {
                let verifier = Self.verifier(try makeKey[round](), algorithm)
                #expect(try verifier.verify(tokens[round]).algorithm == algorithm)
                if round > 0 {
                    #expect(throws: JWTKError(.signatureInvalid)) { try verifier.verify(tokens[round - 1]) }
                }
            }
            // The same key material again, as a new object: a new identity, a new context, same verdicts.
            let again = Self.verifier(try makeKey[round](), algorithm)
            #expect(try again.verify(tokens[round]).algorithm == algorithm)
            if round > 0 {
                #expect(throws: JWTKError(.signatureInvalid)) { try again.verify(tokens[round - 1]) }
            }
            // Contexts of freed keys are dropped on this thread's next verification; only `again`'s stays.
            #expect(VerificationContextCache.slotsInUseOnThisThread == 1)
        }
        VerificationContextCache.flushThisThread()
        #expect(VerificationContextCache.slotsInUseOnThisThread == 0)
    }

    @Test func cacheStaysBoundedWithManyKeys() throws {
        VerificationContextCache.flushThisThread()
        let keys = try (0..<20).map { _ in try Self.signed(.ES256) }
        let verifiers = keys.map { Self.verifier($0.key, .ES256) }
        for _ in 0..<2 {
            for (i, k) in keys.enumerated() {
                #expect(try verifiers[i].verify(k.token).algorithm == .ES256)
                #expect(VerificationContextCache.slotsInUseOnThisThread <= 8)
            }
        }
    }

    @Test func failedVerificationLeavesTheContextUsable() throws {
        for algorithm in [JWSAlgorithm.RS256, .PS256, .ES256, .EdDSA, .HS256] {
            let s = try Self.signed(algorithm)
            let verifier = Self.verifier(s.key, algorithm)
            var tampered = Array(s.token.utf8)
            let last = tampered.count - 3
            tampered[last] = tampered[last] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            for _ in 0..<4 {
                #expect(throws: JWTKError(.signatureInvalid)) { try verifier.verify(bytes: tampered) }
                #expect(try verifier.verify(s.token).algorithm == algorithm)
            }
        }
    }

    /// Hand-written ECDSA DER: many signatures cover r and s with leading zero bytes and with the high bit
    /// set (P-521 also needs the long-form sequence length).
    @Test(arguments: [JWSAlgorithm.ES256, .ES512])
    func manyECDSASignaturesAllVerify(_ algorithm: JWSAlgorithm) throws {
        let key = try SigningKey.generate(for: algorithm)
        let verifier = Self.verifier(key.verificationKey, algorithm)
        let signer = JWTSigner(key: key, algorithm: algorithm)
        for i in 0..<150 {
            let token = try signer.sign(claims: #"{"sub":"\#(i)","exp":4102444800}"#)
            #expect(try verifier.verify(token).algorithm == algorithm)
        }
    }

    @Test func ecdsaScalarsOutOfRangeAreRejected() throws {
        let s = try Self.signed(.ES256)
        let verifier = Self.verifier(s.key, .ES256)
        let parts = s.token.split(separator: ".")
        let order: [UInt8] = [
            0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
        ]
        let original = try Base64URL.decode(String(parts[2]))
        for forged in [
            [UInt8](repeating: 0, count: 64), order + Array(original[32...]), Array(original[..<32]) + order,
            [UInt8](repeating: 0xFF, count: 64),
        ] {
            let token = "\(parts[0]).\(parts[1]).\(Base64URL.encode(forged))"
            #expect(throws: JWTKError(.signatureInvalid)) { try verifier.verify(token) }
        }
        #expect(try verifier.verify(s.token).algorithm == .ES256)
    }

    /// Many threads verify with shared keys (each thread builds its own contexts) while another thread keeps
    /// creating and freeing keys; every verdict is right.
    @Test func manyThreadsVerifyCorrectlyWhileKeysComeAndGo() throws {
        let algorithms: [JWSAlgorithm] = [.RS256, .PS256, .ES256, .EdDSA, .HS256]
        let pairs = try algorithms.map { alg in (try Self.signed(alg), try Self.signed(alg), alg) }
        final class Tally: Sendable {
            let wrong = Atomic<Int>(0)
            let checks = Atomic<Int>(0)
        }
        let tally = Tally()
        let threads = 8
        let group = DispatchGroup()
        for t in 0..<threads {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                for i in 0..<30 {
                    let (a, b, alg) = pairs[(t + i) % pairs.count]
                    let va = Self.verifier(a.key, alg)
                    let vb = Self.verifier(b.key, alg)
                    let ok = (try? va.verify(a.token)) != nil && (try? vb.verify(b.token)) != nil
                    let crossRejected = (try? va.verify(b.token)) == nil && (try? vb.verify(a.token)) == nil
                    if !ok || !crossRejected { tally.wrong.add(1, ordering: .relaxed) }
                    tally.checks.add(1, ordering: .relaxed)
                }
            }
            thread.start()
        }
        // Churn: keys created, used once, and freed on this thread while the others run.
        for _ in 0..<10 {
            let s = try Self.signed(.ES256)
            #expect(try Self.verifier(s.key, .ES256).verify(s.token).algorithm == .ES256)
        }
        group.wait()
        #expect(tally.checks.load(ordering: .relaxed) == threads * 30)
        #expect(tally.wrong.load(ordering: .relaxed) == 0)
    }
}
