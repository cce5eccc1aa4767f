import Foundation
import JWTK
import Testing

/// Keeps every event an observed verification reports.
struct StepRecorder: VerificationObserver {
    var began = 0
    var events: [(step: VerificationStep, outcome: VerificationOutcome)] = []
    var signature: VerifiedJWS?

    mutating func verificationWillBegin(_ verifier: JWTVerifier) { began += 1 }
    mutating func verificationStep(_ step: VerificationStep, _ outcome: VerificationOutcome) { events.append((step, outcome)) }
    mutating func verificationSignatureVerified(_ jws: VerifiedJWS) { signature = jws }

    var failed: [VerificationStep] {
        events.compactMap { if case .failed = $0.outcome { return $0.step } else { return nil } }
    }
    func outcome(_ step: VerificationStep) -> VerificationOutcome? { events.first { $0.step == step }?.outcome }
}

/// One failure situation: the token, the policy, and the step and code the verifier must name.
struct StepCase: CustomTestStringConvertible, Sendable {
    let name: String
    let step: VerificationStep
    let code: JWTKError.Code
    let token: @Sendable () throws -> String
    let adjust: @Sendable (inout VerificationPolicy) -> Void

    var testDescription: String { name }

    init(
        _ name: String, _ step: VerificationStep, _ code: JWTKError.Code,
        adjust: @escaping @Sendable (inout VerificationPolicy) -> Void = { _ in },
        token: @escaping @Sendable () throws -> String
    ) {
        self.name = name
        self.step = step
        self.code = code
        self.token = token
        self.adjust = adjust
    }
}

@Suite("The verifier reports its own steps")
struct VerificationStepTests {
    static let key = TestKeys.hs256
    static let now = TestPolicy.now
    static let good = #"{"iss":"https://issuer.example","aud":"client","sub":"u1","exp":\#(Int(now) + 600),"iat":\#(Int(now) - 60)}"#

    static func hs(_ payload: String = good, header: String = TestTokens.header("HS256", kid: "hs256")) throws -> String {
        try TestTokens.sign(header: header, payload: payload, key: key, algorithm: .HS256)
    }

    static func claims(_ members: String) throws -> String {
        try hs("{\"exp\":\(Int(now) + 600),\(members)}")
    }

    static func policy() -> VerificationPolicy {
        var policy = TestPolicy.fixed()
        policy.issuers = ["https://issuer.example"]
        policy.audiences = ["client"]
        return policy
    }

    static func verifier(_ adjust: (inout VerificationPolicy) -> Void = { _ in }) -> JWTVerifier {
        var policy = policy()
        adjust(&policy)
        return JWTVerifier(keys: [key.verificationKey], policy: policy)
    }

    @Test func theStepsAreDeclaredInTheOrderOfChecks() {
        let ids = VerificationStep.allCases.map(\.id)
        #expect(
            ids == [
                "shape", "header", "alg_none", "alg", "crit", "key", "key_strength", "signature", "payload", "typ", "claim_types",
                "exp", "nbf", "iat", "iss", "aud", "sub", "required", "nonce", "azp", "auth_time", "at_hash", "c_hash",
            ])
        #expect(VerificationStep.allCases.sorted() == VerificationStep.allCases)
        #expect(VerificationStep.allCases.filter(\.isClaimStep).first == .payload)
        #expect(Set(VerificationStep.allCases.map(\.title)).count == VerificationStep.allCases.count)
    }

    @Test func aGoodTokenReportsEveryStepOnceInOrder() throws {
        var recorder = StepRecorder()
        let jwt = try Self.verifier().verify(try Self.hs(), observer: &recorder)
        #expect(recorder.began == 1)
        #expect(recorder.events.map(\.step) == VerificationStep.allCases)
        #expect(recorder.failed.isEmpty)
        let passed = recorder.events.filter { $0.outcome == .passed }.map(\.step)
        #expect(
            passed == [
                .shape, .header, .unsecuredAlgorithm, .algorithm, .keySelection, .keyStrength, .signature, .payload, .claimTypes,
                .expiration,
                .issuedAt, .issuer, .audience,
            ])
        for step in [VerificationStep.criticalHeaders, .type, .notBefore, .subject, .requiredClaims, .nonce, .authorizedParty] {
            #expect(recorder.outcome(step) == .skipped(.notRequired), "\(step)")
        }
        #expect(recorder.signature?.key.keyID == jwt.key.keyID)
    }

    @Test func theObservedVerdictIsThePlainOne() throws {
        var recorder = StepRecorder()
        let token = try Self.hs()
        let observed = try Self.verifier().verify(token, observer: &recorder)
        let plain = try Self.verifier().verify(token)
        #expect(observed.claims.payload == plain.claims.payload)
        #expect(observed.key.keyID == plain.key.keyID)
    }

    @Test func aFailingTokenReportsExactlyTheFailingStepAndStops() throws {
        var recorder = StepRecorder()
        let token = try Self.claims(#""iss":"https://other.example","aud":"client""#)
        var thrown: JWTKError?
        do { _ = try Self.verifier().verify(token, observer: &recorder) } catch { thrown = error }
        let error = try #require(thrown)
        #expect(error.code == .issuerMismatch)
        #expect(error.step == .issuer)
        #expect(recorder.events.map(\.step) == VerificationStep.allCases)
        #expect(recorder.failed == [.issuer])
        #expect(recorder.outcome(.issuer) == .failed(error))
        let after = recorder.events.drop { $0.step != .issuer }.dropFirst()
        #expect(!after.isEmpty)
        #expect(after.allSatisfy { $0.outcome == .skipped(.earlierFailure) })
        #expect(recorder.outcome(.signature) == .passed)
        #expect(recorder.signature != nil)
    }

    @Test func aForgedTokenFailsAtTheSignatureAndNoClaimStepRuns() throws {
        var recorder = StepRecorder()
        let token = TestTokens.withSignature(try Self.hs(#"{"exp":1}"#), Array(repeating: 7, count: 32))
        #expect(throws: JWTKError(.signatureInvalid)) { try Self.verifier().verify(token, observer: &recorder) }
        #expect(recorder.failed == [.signature])
        #expect(recorder.signature == nil)
        #expect(recorder.events.filter { $0.step.isClaimStep }.allSatisfy { $0.outcome == .skipped(.earlierFailure) })
    }

    @Test func signatureOnlyVerificationSkipsEveryClaimStep() throws {
        var recorder = StepRecorder()
        _ = try Self.verifier().verifySignature(try Self.hs(#"{"exp":1}"#), observer: &recorder)
        #expect(recorder.events.map(\.step) == VerificationStep.allCases)
        #expect(recorder.events.filter { $0.step.isClaimStep }.allSatisfy { $0.outcome == .skipped(.signatureOnly) })
        #expect(recorder.outcome(.signature) == .passed)
    }

    @Test func aCachedVerdictThatNoLongerHoldsNamesTheSameStepAsAFreshOne() throws {
        let cache = try VerifiedTokenCache(capacity: 8)
        let token = try Self.hs()
        let now = Locked(Self.now)
        let verifier = Self.verifier { $0.clock = JWTClock { now.withLock { $0 } } }
        _ = try verifier.verify(token, cache: cache)
        now.withLock { $0 = Self.now + 3600 }  // past exp: the cached entry's claims no longer hold
        var cached: JWTKError?
        do { _ = try verifier.verify(token, cache: cache) } catch { cached = error }
        var fresh: JWTKError?
        do { _ = try verifier.verify(token) } catch { fresh = error }
        #expect(cache.statisticsForCurrentThread.misses == 1)  // the second call found the entry
        #expect(cached?.code == .expired)
        #expect(cached?.step == .expiration)
        #expect(fresh?.step == cached?.step)
    }

    @Test func errorsOutsideAVerificationNameNoStep() {
        #expect(throws: JWTKError.self) { try VerificationKey(jwk: "{}") }
        do { _ = try VerificationKey(jwk: "{}") } catch { #expect(error.step == nil) }
    }

    static let cases: [StepCase] = [
        StepCase("two segments", .shape, .malformedToken) { "e30.e30" },
        StepCase("a JWE", .shape, .encryptedTokenUnsupported) { "e30.a.b.c.d" },
        StepCase("too large", .shape, .limitExceeded, adjust: { $0.limits.maxTokenBytes = 64 }) { try hs() },
        StepCase("header not base64url", .header, .invalidBase64URL) { "e3=.e30.AAAA" },
        StepCase("header not JSON", .header, .invalidJSON) { TestTokens.b64("{x") + ".e30.AAAA" },
        StepCase("header without alg", .header, .invalidHeader) { TestTokens.b64("{}") + ".e30.AAAA" },
        StepCase("alg none", .unsecuredAlgorithm, .unsecuredTokenRefused) { TestTokens.b64(#"{"alg":"none"}"#) + ".e30." },
        StepCase("unknown alg", .algorithm, .unsupportedAlgorithm) { TestTokens.b64(#"{"alg":"XS999"}"#) + ".e30.AAAA" },
        StepCase("alg not allowed", .algorithm, .algorithmNotAllowed, adjust: { $0.algorithms = [.RS256] }) { try hs() },
        StepCase("unknown crit", .criticalHeaders, .unsupportedCriticalHeader) {
            try hs(header: TestTokens.header("HS256", kid: "hs256", extra: #""crit":["x"],"x":1"#))
        },
        StepCase("b64 false outside crit", .criticalHeaders, .invalidHeader) {
            try hs(header: TestTokens.header("HS256", kid: "hs256", extra: #""b64":false"#))
        },
        StepCase("unknown kid", .keySelection, .keyNotFound) { try hs(header: TestTokens.header("HS256", kid: "other")) },
        StepCase("RSA key below the minimum", .keyStrength, .weakKey, adjust: { $0.minimumRSAKeyBits = 4096 }) {
            try TestTokens.sign(header: TestTokens.header("RS256", kid: "rsa"), payload: good, key: TestKeys.rsa, algorithm: .RS256)
        },
        StepCase("forged signature", .signature, .signatureInvalid) { TestTokens.withSignature(try hs(), [1, 2, 3]) },
        StepCase("signature not base64url", .signature, .invalidBase64URL) {
            let parts = TestTokens.segments(try hs())
            return parts[0] + "." + parts[1] + ".A+A"
        },
        StepCase("payload an array", .payload, .invalidPayload) { try hs("[1]") },
        StepCase("payload not JSON", .payload, .invalidJSON) { try hs("{x") },
        StepCase("nested JWT", .payload, .invalidPayload) {
            try hs(header: TestTokens.header("HS256", kid: "hs256", extra: #""cty":"JWT""#))
        },
        StepCase("invalid leeway in the policy", .payload, .invalidArgument, adjust: { $0.leeway = -1 }) { try hs() },
        StepCase("typ refused", .type, .typeMismatch, adjust: { $0.expectedType = "at+jwt" }) { try hs() },
        StepCase("exp a string", .claimTypes, .invalidClaim) { try hs(#"{"exp":"soon"}"#) },
        StepCase("expired", .expiration, .expired) { try hs(#"{"exp":1}"#) },
        StepCase("no exp", .expiration, .missingClaim) { try hs(#"{"iss":"https://issuer.example","aud":"client"}"#) },
        StepCase("not yet valid", .notBefore, .notYetValid) { try claims(#""nbf":\#(Int(now) + 300)"#) },
        StepCase("issued in the future", .issuedAt, .issuedInFuture) { try claims(#""iat":\#(Int(now) + 300)"#) },
        StepCase("too old", .issuedAt, .tokenTooOld, adjust: { $0.maxTokenAge = 10 }) { try claims(#""iat":\#(Int(now) - 300)"#) },
        StepCase("no iss", .issuer, .missingClaim) { try claims(#""aud":"client""#) },
        StepCase("other iss", .issuer, .issuerMismatch) { try claims(#""iss":"x","aud":"client""#) },
        StepCase("other aud", .audience, .audienceMismatch) { try claims(#""iss":"https://issuer.example","aud":"x""#) },
        StepCase("other sub", .subject, .subjectMismatch, adjust: { $0.subject = "u2" }) { try hs() },
        StepCase("required claim missing", .requiredClaims, .missingClaim, adjust: { $0.requiredClaims = ["jti"] }) { try hs() },
        StepCase("required sub empty", .requiredClaims, .invalidClaim, adjust: { $0.requiredClaims = ["sub"] }) {
            try claims(#""iss":"https://issuer.example","aud":"client","sub":"""#)
        },
        StepCase("other nonce", .nonce, .nonceMismatch, adjust: { $0.nonce = "n1" }) {
            try claims(#""iss":"https://issuer.example","aud":"client","nonce":"n2""#)
        },
        StepCase("other azp", .authorizedParty, .authorizedPartyMismatch, adjust: { $0.authorizedParty = "client" }) {
            try claims(#""iss":"https://issuer.example","aud":"client","azp":"x""#)
        },
        StepCase("authentication too old", .authenticationTime, .authenticationTooOld, adjust: { $0.maxAuthenticationAge = 10 }) {
            try claims(#""iss":"https://issuer.example","aud":"client","auth_time":\#(Int(now) - 300)"#)
        },
        StepCase("at_hash differs", .accessTokenHash, .tokenHashMismatch, adjust: { $0.accessTokenForHash = "at" }) {
            try claims(#""iss":"https://issuer.example","aud":"client","at_hash":"AAAA""#)
        },
        StepCase("c_hash missing", .codeHash, .missingClaim, adjust: { $0.authorizationCodeForHash = "code" }) { try hs() },
    ]

    @Test("every error of verify names the step that raised it", arguments: cases)
    func everyErrorNamesItsStep(_ c: StepCase) throws {
        let verifier = JWTVerifier(
            keys: [Self.key.verificationKey, TestKeys.rsa.verificationKey],
            policy: {
                var policy = Self.policy()
                policy.allowsMixedKeyTypes = true
                c.adjust(&policy)
                return policy
            }())
        let token = try c.token()
        var plain: JWTKError?
        do { _ = try verifier.verify(token) } catch { plain = error }
        let error = try #require(plain)
        #expect(error.code == c.code, "\(error)")
        #expect(error.step == c.step, "\(error)")
        var recorder = StepRecorder()
        var observed: JWTKError?
        do { _ = try verifier.verify(token, observer: &recorder) } catch { observed = error }
        #expect(observed?.code == error.code)
        #expect(observed?.step == error.step)
        #expect(recorder.failed == [c.step])
        #expect(recorder.events.map(\.step) == VerificationStep.allCases)
    }
}
