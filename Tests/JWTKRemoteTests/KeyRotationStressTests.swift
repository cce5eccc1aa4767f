import Foundation
import JWTK
import JWTKRemote
import Logging
import Synchronization
import Testing

/// Many threads verify tokens of every algorithm against one `RemoteJWKS` while the loopback provider rotates
/// its key set and the source is refreshed (with `304`s and failed fetches in between).
///
/// The correct verdict of each verification:
/// - a token signed by a **stable** key (published in every set) is accepted, by that key, except for the
///   published `oct` key: a fetched set is public, so its symmetric keys are skipped and every HS token under
///   that `kid` (valid, tampered or impostor) is refused with `key_not_found`;
/// - a tampered token (signature or payload changed, or signed by another key under a stable `kid`) is
///   refused with `signature_invalid`; a token with a `kid` never published with `key_not_found`; an
///   unsecured token with `unsecured_token_refused`;
/// - a token signed by a **rotating** key: the verification used one snapshot whose generation lies between
///   the keyring generations read just before and just after it. The rotator records the key ids of every
///   generation before installing it (it is the only thing that fetches), so the token may be accepted only
///   if one of those snapshots held its key, and may be refused (only with `key_not_found`) only if one of
///   them lacked it. A key present in all of them must verify; a key absent from all must not.
/// Any other outcome, and any `JWTKRemoteError` (the keys are always fresh), is a verdict error.
@Suite struct KeyRotationStressTests {
    static let workers = 4
    static let rotations = 12
    static let minimumPerWorker = 200
    static let maximumPerWorker = 200_000
    static let issuer = "https://issuer.test"
    static let claims = #"{"exp":4102444800,"iss":"https://issuer.test","sub":"stress"}"#

    enum Expected: Sendable {
        case accept(kid: String)
        case reject(JWTKError.Code)
        case rotating(kid: String)
    }

    struct Case: Sendable {
        let name: String
        let token: String
        let expected: Expected
    }

    /// Verdict bookkeeping shared by the worker threads.
    final class Tally: Sendable {
        let verifications = Atomic<Int>(0)
        let verdictErrors = Atomic<Int>(0)
        let rotatingAccepted = Atomic<Int>(0)
        let rotatingRefused = Atomic<Int>(0)
        let generationChangedDuringVerification = Atomic<Int>(0)
        let finishedWorkers = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let firstErrors = Locked<[String]>([])
        let generationsSeen = Locked<Set<Int>>([])
        /// Keyring generation → the key ids of the set installed as that generation.
        let published = Locked<[Int: Set<String>]>([:])

        /// Counts the outcome of one verification against the verdict rules of the suite.
        func judge(_ item: Case, _ outcome: Result<VerifiedJWT, JWTKRemoteError>, from first: Int, to last: Int) {
            let failure: String?
            switch (item.expected, outcome) {
            case (.accept(let kid), .success(let jwt)):
                failure = jwt.key.keyID == kid ? nil : "verified by \(jwt.key.keyID ?? "?")"
            case (.reject(let code), .failure(let error)):
                // One error type: a rejection carries the core error; any other code is a key-source failure.
                failure =
                    error.rejection?.code == code
                    ? nil : "refused with \(error.rejection?.code.rawValue ?? error.code.rawValue), expected \(code)"
            case (.rotating(let kid), let outcome):
                let sets = self.published.withLock { table in (first...last).map { table[$0] ?? [] } }
                switch outcome {
                case .success(let jwt) where jwt.key.keyID == kid && sets.contains(where: { $0.contains(kid) }):
                    rotatingAccepted.add(1, ordering: .relaxed)
                    failure = nil
                case .failure(let error) where error.rejection?.code == .keyNotFound && sets.contains(where: { !$0.contains(kid) }):
                    rotatingRefused.add(1, ordering: .relaxed)
                    failure = nil
                default:
                    failure = "\(outcome) with generations \(first)...\(last)"
                }
            case (_, .success):
                failure = "accepted"
            case (_, .failure(let error)):
                failure = "\(error)"
            }
            if let failure { recordError("\(item.name): \(failure)") }
        }

        func recordError(_ text: String) {
            verdictErrors.add(1, ordering: .relaxed)
            firstErrors.withLock { if $0.count < 10 { $0.append(text) } }
        }
    }

    static func b64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func tamperedSignature(_ token: String) -> String {
        var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var signature = Array(parts[2].utf8)
        let index = signature.count / 2
        signature[index] = signature[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        parts[2] = String(decoding: signature, as: UTF8.self)
        return parts.joined(separator: ".")
    }

    static func tamperedPayload(_ token: String) -> String {
        var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        parts[1] = b64(Array(#"{"exp":4102444800,"iss":"https://issuer.test","sub":"mallory"}"#.utf8))
        return parts.joined(separator: ".")
    }

    @Test func everyVerdictIsCorrectWhileTheProviderRotatesKeys() async throws {
        // Stable keys: one per key type; together they cover every algorithm name.
        let hmac = try SigningKey.generate(for: .HS512, keyID: "stable-hs")  // 64 bytes: full length for HS256/384/512
        let rsa = try SigningKey.generate(for: .RS256, keyID: "stable-rsa")
        let p256 = try SigningKey.generate(for: .ES256, keyID: "stable-p256")
        let p384 = try SigningKey.generate(for: .ES384, keyID: "stable-p384")
        let p521 = try SigningKey.generate(for: .ES512, keyID: "stable-p521")
        let ed25519 = try SigningKey.generate(for: .Ed25519, keyID: "stable-ed25519")
        let ed448 = try SigningKey.generate(for: .Ed448, keyID: "stable-ed448")
        let stable = [hmac, rsa, p256, p384, p521, ed25519, ed448]
        let usable = stable.count - 1  // the oct key is published but skipped: anyone reading the set could sign with it
        func stableKey(for algorithm: JWSAlgorithm) -> [SigningKey] {
            switch algorithm.family {
            case .hmac: return [hmac]
            case .rsaPKCS1, .rsaPSS: return [rsa]
            case .ecdsa: return [algorithm == .ES256 ? p256 : algorithm == .ES384 ? p384 : p521]
            case .eddsa: return algorithm == .Ed25519 ? [ed25519] : algorithm == .Ed448 ? [ed448] : [ed25519, ed448]
            }
        }

        // Rotating keys: rotation step s publishes rot-(s-1) and rot-s (one step of overlap), then retires rot-(s-1).
        let rotatingAlgorithms: [JWSAlgorithm] = [.ES256, .EdDSA, .ES512, .ES384]
        let rotating = try (0...Self.rotations).map { index in
            let algorithm = rotatingAlgorithms[index % rotatingAlgorithms.count]
            return (key: try SigningKey.generate(for: algorithm, keyID: "rot-\(index)"), algorithm: algorithm)
        }
        func document(step: Int) -> (json: String, kids: Set<String>) {
            let published = stable + (step > 0 ? [rotating[step - 1].key] : []) + [rotating[step].key]
            let json = #"{"keys":["# + published.map(\.verificationKey.publicJWK).joined(separator: ",") + "]}"
            return (json, Set(published.compactMap(\.keyID)))
        }

        var cases: [Case] = []
        for algorithm in JWSAlgorithm.allCases {
            for key in stableKey(for: algorithm) {
                let token = try JWTSigner(key: key, algorithm: algorithm).sign(claims: Self.claims)
                let kid = key.keyID!
                let published = algorithm.family != .hmac
                cases.append(
                    Case(name: "\(algorithm) \(kid)", token: token, expected: published ? .accept(kid: kid) : .reject(.keyNotFound)))
                let tampered: Expected = published ? .reject(.signatureInvalid) : .reject(.keyNotFound)
                cases.append(Case(name: "\(algorithm) \(kid) signature", token: Self.tamperedSignature(token), expected: tampered))
                cases.append(Case(name: "\(algorithm) \(kid) payload", token: Self.tamperedPayload(token), expected: tampered))
            }
        }
        // Another key's signature under a stable kid of the same family.
        let impostors: [(SigningKey, JWSAlgorithm)] = [
            (try SigningKey(pem: rotating[0].key.privateKeyPEM!, keyID: "stable-p256"), .ES256),
            (try SigningKey(hmacSecret: Array(repeating: 7, count: 64), keyID: "stable-hs"), .HS512),
            (try SigningKey(pem: try SigningKey.generate(for: .RS256).privateKeyPEM!, keyID: "stable-rsa"), .PS256),
        ]
        for (key, algorithm) in impostors {
            let token = try JWTSigner(key: key, algorithm: algorithm).sign(claims: Self.claims)
            let expected: Expected = algorithm.family == .hmac ? .reject(.keyNotFound) : .reject(.signatureInvalid)
            cases.append(Case(name: "impostor \(algorithm) \(key.keyID!)", token: token, expected: expected))
        }
        let unpublished = try SigningKey.generate(for: .ES256, keyID: "never-published")
        cases.append(
            Case(
                name: "unpublished kid", token: try JWTSigner(key: unpublished, algorithm: .ES256).sign(claims: Self.claims),
                expected: .reject(.keyNotFound)))
        cases.append(
            Case(
                name: "alg none", token: Self.b64(Array(#"{"alg":"none"}"#.utf8)) + "." + Self.b64(Array(Self.claims.utf8)) + ".",
                expected: .reject(.unsecuredTokenRefused)))
        for (key, algorithm) in rotating {
            let token = try JWTSigner(key: key, algorithm: algorithm).sign(claims: Self.claims)
            cases.append(Case(name: "\(algorithm) \(key.keyID!)", token: token, expected: .rotating(kid: key.keyID!)))
        }
        let work = cases

        try await TestProvider.with { provider in
            let clock = ManualClock()
            var configuration = RemoteJWKS.Configuration.roomy
            configuration.clock = clock.clock
            configuration.refreshesInBackground = false
            configuration.timeout = roomyTimeout
            let logs = LogCapture()
            configuration.logger = logs.logger
            let jwks = try RemoteJWKS(url: URL(string: provider.base + "/jwks")!, configuration: configuration)
            var policy = VerificationPolicy(issuer: Self.issuer, audience: nil)
            policy.clock = clock.clock
            let verifier = jwks.verifier(policy: policy)

            let tally = Tally()
            // Generation → key ids, written before the generation is installed.
            func publish(step: Int) {
                let (json, kids) = document(step: step)
                provider.update {
                    $0.jwks = json
                    $0.jwksETag = "\"v\(step)\""
                    $0.jwksCacheControl = "max-age=3600"
                }
                tally.published.withLock { $0[jwks.keyring.generation + 1] = kids }
            }
            publish(step: 0)
            #expect(try await jwks.refresh() == .updated(keyCount: usable + 1))
            let table = tally.published.withLock { $0 }
            #expect(jwks.keyring.generation == 2 && table[2] != nil)

            let deadline = Date().addingTimeInterval(60)
            var threads: [Thread] = []
            for worker in 0..<Self.workers {
                let thread = Thread {
                    var iteration = 0
                    var seen = Set<Int>()
                    while iteration < Self.maximumPerWorker, Date() < deadline,
                        iteration < Self.minimumPerWorker || !tally.stop.load(ordering: .acquiring)
                    {
                        let item = work[(iteration &* 7 &+ worker &* 13) % work.count]
                        let before = verifier.source.keyring.generation
                        let outcome = Result { () throws(JWTKRemoteError) in try verifier.verify(item.token) }
                        let after = verifier.source.keyring.generation
                        seen.insert(before)
                        seen.insert(after)
                        if after != before { tally.generationChangedDuringVerification.add(1, ordering: .relaxed) }
                        tally.judge(item, outcome, from: before, to: after)
                        tally.verifications.add(1, ordering: .relaxed)
                        iteration += 1
                    }
                    tally.generationsSeen.withLock { $0.formUnion(seen) }
                    tally.finishedWorkers.add(1, ordering: .releasing)
                }
                thread.stackSize = 1 << 20
                threads.append(thread)
            }
            for thread in threads { thread.start() }
            #expect(await eventually(within: 30) { tally.verifications.load(ordering: .relaxed) >= Self.workers })

            // The rotator: new set, sometimes a failed fetch first, sometimes a 304 after.
            var expectedUpdates = 1, expectedNotModified = 0, expectedFailures = 0
            for step in 1...Self.rotations {
                if step % 4 == 0 {
                    provider.update {
                        $0.jwksBurstRemaining = 1
                        $0.jwksBurstStatus = 502
                    }
                    await #expect(throws: JWTKRemoteError(.httpStatus)) { try await jwks.refresh() }
                    expectedFailures += 1
                }
                publish(step: step)
                #expect(try await jwks.refresh() == .updated(keyCount: usable + 2))
                expectedUpdates += 1
                if step % 3 == 0 {
                    #expect(try await jwks.refresh() == .notModified)
                    expectedNotModified += 1
                }
                try await Task.sleep(for: .milliseconds(150))  // let the verifiers run on each generation
            }
            tally.stop.store(true, ordering: .releasing)
            #expect(await eventually(within: 60) { tally.finishedWorkers.load(ordering: .acquiring) == Self.workers })

            let verifications = tally.verifications.load(ordering: .relaxed)
            let verdictErrors = tally.verdictErrors.load(ordering: .relaxed)
            let generations = tally.generationsSeen.withLock { $0 }
            let stats = jwks.statistics
            print(
                "rotation stress: \(verifications) verifications on \(Self.workers) threads, \(work.count) tokens, "
                    + "\(Self.rotations) rotations, \(generations.count) generations seen by verifiers, "
                    + "\(tally.generationChangedDuringVerification.load(ordering: .relaxed)) verifications spanning a key replacement, "
                    + "rotating-key tokens accepted \(tally.rotatingAccepted.load(ordering: .relaxed)) / refused "
                    + "\(tally.rotatingRefused.load(ordering: .relaxed)), verdict errors \(verdictErrors); fetches \(stats.fetches), "
                    + "updates \(stats.updates), 304s \(stats.notModified), failures \(stats.failures)")
            for line in tally.firstErrors.withLock({ $0 }) { Issue.record("verdict error: \(line)") }

            #expect(verdictErrors == 0)
            #expect(verifications >= Self.workers * Self.minimumPerWorker)
            #expect(generations.count >= 2)  // the verifiers did run across rotations
            #expect(tally.rotatingAccepted.load(ordering: .relaxed) > 0)
            #expect(tally.rotatingRefused.load(ordering: .relaxed) > 0)

            // The counters tell exactly what the rotator did.
            #expect(stats.updates == expectedUpdates)
            #expect(stats.notModified == expectedNotModified)
            #expect(stats.failures == expectedFailures)
            #expect(stats.fetches == expectedUpdates + expectedNotModified + expectedFailures)
            #expect(provider.count("/jwks") == stats.fetches)
            #expect(stats.consecutiveFailures == 0)
            #expect(stats.lastError == nil)
            #expect(stats.generation == 1 + expectedUpdates)
            #expect(stats.keyCount == usable + 2)
            #expect(stats.skippedKeys == 1)
            #expect(stats.skippedKeyDetails.map(\.keyID) == ["stable-hs"])
            #expect(stats.state == .fresh)
            #expect(stats.staleServes == 0)
            #expect(stats.refusals == 0)
            #expect(stats.unknownKeyRefreshes == 0)
            #expect(stats.cooldownHits == 0)
            #expect(logs.messages(atLeast: .error).count == expectedFailures)
        }
    }
}
