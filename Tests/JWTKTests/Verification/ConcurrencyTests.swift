import Dispatch
import Foundation
import JWTK
import Synchronization
import Testing

/// One shared keyring and verifier used from several threads while the keys are being replaced.
@Suite("Concurrency")
struct ConcurrencyTests {
    /// 4 threads × 500 verifications of mixed algorithms (valid and forged tokens) while another thread keeps
    /// replacing the keyring's keys with the same keys: every verdict is the expected one.
    @Test func concurrentVerificationDuringKeyReplacementIsAlwaysCorrect() throws {
        let keys = TestKeys.allPublicKeys
        let keyring = Keyring(keys: keys)
        let verifier = JWTVerifier(keyring: keyring, policy: TestPolicy.fixedMixed())
        var cases: [(token: String, valid: Bool)] = []
        for algorithm in TestKeys.algorithms {
            let token = try JWTSigner(key: TestKeys.signing(for: algorithm), algorithm: algorithm).sign(
                claims: #"{"exp":4102444800,"sub":"\#(algorithm)"}"#)
            cases.append((token, true))
            var signature = TestTokens.signature(token)
            signature[signature.count / 2] ^= 0x40
            cases.append((TestTokens.withSignature(token, signature), false))
        }
        let expiredToken = try JWTSigner(key: TestKeys.p256, algorithm: .ES256).sign(claims: #"{"exp":1}"#)
        cases.append((expiredToken, false))
        let work = cases

        let correct = Atomic<Int>(0)
        let wrong = Atomic<Int>(0)
        let done = Atomic<Bool>(false)
        let replacements = Atomic<Int>(0)
        let replacer = Thread {
            while !done.load(ordering: .acquiring) {
                keyring.replaceKeys(keys)
                replacements.add(1, ordering: .relaxed)
            }
        }
        replacer.start()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for i in 0..<500 {
                let item = work[(i * 7 + worker) % work.count]
                let accepted = (try? verifier.verify(item.token)) != nil
                if accepted == item.valid { correct.add(1, ordering: .relaxed) } else { wrong.add(1, ordering: .relaxed) }
            }
        }
        done.store(true, ordering: .releasing)
        while !replacer.isFinished { usleep(1000) }
        #expect(correct.load(ordering: .relaxed) == 2000)
        #expect(wrong.load(ordering: .relaxed) == 0)
        #expect(replacements.load(ordering: .relaxed) > 0)
        #expect(keyring.generation == 1 + replacements.load(ordering: .relaxed))
    }
}
