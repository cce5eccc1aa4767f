import Foundation
import JWTK
import JWTKInspection
import Testing

/// The JWTKInspection library (the engine of `jwtk inspect`, `jwtk jwks` and `verify --explain`), tested directly.
@Suite("JWTK inspection API: VerificationTrace, TokenInspection, JWKSLint")
struct InspectionLibraryTests {
    /// The repository root, relative to this file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let secret = Array(repeating: UInt8(0x5A), count: 32)
    static let now = 1_767_225_600.0

    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let step: String
        let code: JWTKError.Code
        var description: String { name }
    }

    static func signer(secret: [UInt8] = secret, kid: String? = "k1") throws -> JWTSigner {
        JWTSigner(key: try SigningKey(hmacSecret: secret, keyID: kid), algorithm: .HS256)
    }

    static func sign(_ claims: String, type: String? = "JWT", extraHeader: String? = nil, kid: String? = "k1") throws -> String {
        try signer(kid: kid).sign(payload: Array(claims.utf8), type: type, extraHeader: extraHeader)
    }

    static func policy() -> VerificationPolicy {
        var policy = VerificationPolicy()
        policy.clock = .fixed(now)
        return policy
    }

    /// Builds the token and policy of one case.
    static func scenario(_ name: String) throws -> (String, VerificationPolicy, [VerificationKey]) {
        let key = try VerificationKey(hmacSecret: secret, keyID: "k1")
        var policy = policy()
        let good = #"{"sub":"u","exp":1767229200,"iat":1767225600,"iss":"https://i","aud":"a","nonce":"n"}"#
        var token = try sign(good)
        var keys = [key]
        policy.issuers = ["https://i"]
        policy.audiences = ["a"]
        switch name {
        case "shape": token = "a.b"
        case "header-base64": token = "!!!.e30.AAAA"
        case "header-json": token = "bm90anNvbg.e30.AAAA"
        case "alg-none": token = "eyJhbGciOiJub25lIn0.e30."
        case "alg-not-allowed": policy.algorithms = [.HS384]
        case "crit": token = try sign(good, extraHeader: #"{"crit":["x-ext"],"x-ext":1}"#)
        case "kid": token = try sign(good, kid: "other")
        case "weak":
            let short = Array(repeating: UInt8(1), count: 16)
            keys = [try VerificationKey(hmacSecret: short, keyID: "k1")]
            token = try signer(secret: short).sign(payload: Array(good.utf8), type: "JWT")
        case "signature": keys = [try VerificationKey(hmacSecret: Array(repeating: 1, count: 32), keyID: "k1")]
        case "payload": token = try sign("[1]")
        case "typ": policy.expectedType = "at+jwt"
        case "claim-type": token = try sign(#"{"exp":"soon"}"#)
        case "exp": policy.clock = .fixed(1_767_229_200)
        case "nbf": token = try sign(#"{"exp":1767229200,"nbf":1767229000,"iss":"https://i","aud":"a"}"#)
        case "iat": token = try sign(#"{"exp":1767229200,"iat":1767228000,"iss":"https://i","aud":"a"}"#)
        case "iss": policy.issuers = ["https://i/"]
        case "aud": policy.audiences = ["b"]
        case "sub": policy.subject = "v"
        case "required": policy.requiredClaims = ["email"]
        case "nonce": policy.nonce = "m"
        case "azp":
            policy.authorizedParty = "a"
            token = try sign(#"{"sub":"u","exp":1767229200,"aud":["a","b"],"iss":"https://i"}"#)
        default: break
        }
        return (token, policy, keys)
    }

    static let cases: [Case] = [
        Case(name: "shape", step: "shape", code: .malformedToken),
        Case(name: "header-base64", step: "header", code: .invalidBase64URL),
        Case(name: "header-json", step: "header", code: .invalidJSON),
        Case(name: "alg-none", step: "alg_none", code: .unsecuredTokenRefused),
        Case(name: "alg-not-allowed", step: "alg", code: .algorithmNotAllowed),
        Case(name: "crit", step: "crit", code: .unsupportedCriticalHeader),
        Case(name: "kid", step: "key", code: .keyNotFound),
        Case(name: "weak", step: "key_strength", code: .weakKey),
        Case(name: "signature", step: "signature", code: .signatureInvalid),
        Case(name: "payload", step: "payload", code: .invalidPayload),
        Case(name: "typ", step: "typ", code: .typeMismatch),
        Case(name: "claim-type", step: "claim_types", code: .invalidClaim),
        Case(name: "exp", step: "exp", code: .expired),
        Case(name: "nbf", step: "nbf", code: .notYetValid),
        Case(name: "iat", step: "iat", code: .issuedInFuture),
        Case(name: "iss", step: "iss", code: .issuerMismatch),
        Case(name: "aud", step: "aud", code: .audienceMismatch),
        Case(name: "sub", step: "sub", code: .subjectMismatch),
        Case(name: "required", step: "required", code: .missingClaim),
        Case(name: "nonce", step: "nonce", code: .nonceMismatch),
        Case(name: "azp", step: "azp", code: .authorizedPartyMismatch),
    ]

    @Test("the trace fails exactly the step the verifier stopped at", arguments: cases)
    func traceFailsTheStepTheVerifierStoppedAt(_ c: Case) throws {
        let (token, policy, keys) = try InspectionLibraryTests.scenario(c.name)
        let trace = VerificationTrace(verifying: token, with: JWTVerifier(keys: keys, policy: policy))
        #expect(trace.error?.code == c.code, "\(trace.error.map(String.init(describing:)) ?? "valid")")
        let failed = trace.steps.filter { $0.outcome == .failed }
        #expect(failed.map(\.id) == [c.step])
        let index = try #require(trace.steps.firstIndex { $0.outcome == .failed })
        #expect(trace.steps[(index + 1)...].allSatisfy { $0.outcome == .skipped })
        #expect(trace.verified == nil)
        // Claims are never handed out for a rejected token; the signature is only when it verified.
        let signatureIndex = try #require(trace.steps.firstIndex { $0.id == "signature" })
        #expect((trace.verifiedSignature != nil) == (index > signatureIndex))
    }

    @Test func validTokenPassesEveryAskedForStepAndSkipsTheRest() throws {
        let (token, policy, keys) = try InspectionLibraryTests.scenario("valid")
        let trace = VerificationTrace(verifying: token, with: JWTVerifier(keys: keys, policy: policy))
        #expect(trace.error == nil)
        #expect(trace.verified != nil)
        let outcome = Dictionary(uniqueKeysWithValues: trace.steps.map { ($0.id, $0.outcome) })
        #expect(outcome["signature"] == .passed)
        #expect(outcome["iss"] == .passed)
        #expect(outcome["aud"] == .passed)
        #expect(outcome["nbf"] == .skipped)
        #expect(outcome["nonce"] == .skipped)
        #expect(!trace.steps.contains { $0.outcome == .failed })
    }

    @Test func signatureOnlyTraceSkipsEveryClaimStep() throws {
        let token = try InspectionLibraryTests.sign(#"{"exp":1}"#)
        let key = try VerificationKey(hmacSecret: InspectionLibraryTests.secret, keyID: "k1")
        let trace = VerificationTrace(
            verifying: token, with: JWTVerifier(keys: [key], policy: InspectionLibraryTests.policy()), signatureOnly: true)
        #expect(trace.error == nil)
        #expect(trace.verifiedSignature != nil)
        for step in trace.steps where VerificationTrace.claimStepIDs.contains(step.id) { #expect(step.outcome == .skipped) }
    }

    @Test(arguments: [
        (0.0, "0s"), (59, "59s"), (60, "1m"), (252, "4m12s"), (10_800, "3h"), (10_805, "3h"), (90_061, "1d1h"), (-252, "4m12s"),
    ])
    func durationsUseTheTwoLargestUnits(_ seconds: Double, _ text: String) {
        #expect(TokenInspection.durationText(seconds) == text)
    }

    @Test func strictParseNamesTheDuplicateMember() {
        #expect(throws: JWTKError(.invalidJSON)) { try JSONValue.parse(#"{"a":1,"b":{"c":1},"\u0061":2}"#) }
        do {
            _ = try JSONValue.parse(#"{"a":1,"\u0061":2}"#)
        } catch {
            #expect(error.claim == "a")
        }
        #expect((try? JSONValue.parse("[1,2]"))?.count == 2)
    }

    @Test func inspectionFlagsAKeyURLAndComputesTimes() throws {
        let token = try InspectionLibraryTests.sign(
            #"{"exp":1767229200,"iat":1767225600}"#, extraHeader: #"{"jku":"https://evil.example"}"#)
        let inspection = try TokenInspection.inspect(token, now: InspectionLibraryTests.now + 60)
        #expect(inspection.form == .jws)
        #expect(inspection.keyID == "k1")
        #expect(inspection.findings.map(\.id) == ["symmetric_alg", "header_key_url", "no_iss", "no_aud"])
        #expect(inspection.times.map(\.name) == ["iat", "exp"])
        #expect(inspection.times.map(\.secondsFromNow) == [-60, 3540])
    }

    @Test func jwksLintReportsTheSameKeyPublishedTwice() throws {
        let jwk = try String(
            contentsOf: InspectionLibraryTests.root.appendingPathComponent("testvectors/generated/keys/p256.public.jwk.json"),
            encoding: .utf8)
        let twice = #"{"keys":[\#(jwk),\#(jwk.replacingOccurrences(of: "\"p256\"", with: "\"p256-copy\""))]}"#
        let report = try JWKSLint.lint(bytes: Array(twice.utf8))
        #expect(report.entries.count == 2)
        #expect(report.findings.map(\.id) == ["duplicate_key"])
        #expect(report.entries.allSatisfy { $0.findings.map(\.id) == ["missing_alg", "missing_use"] })
    }
}
