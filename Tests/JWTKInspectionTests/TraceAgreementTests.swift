import Foundation
import JWTK
import JWTKInspection
import Testing

/// The trace is the verifier's verdict, not a second opinion: on every vector the trace's error, failing step
/// and result are those of the plain verification.
@Suite("The trace equals the verifier's verdict")
struct TraceAgreementTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        let id: String
        let alg: String
        let token: String
        let keyJSON: String?
        var testDescription: String { id }
    }

    /// Every case of the repository's `testvectors/rfc/*.json` files (RFC 7515, 7519, 7520, 8037).
    static let vectors: [Vector] = ["rfc7515.json", "rfc7519.json", "rfc7520.json", "rfc8037.json"].flatMap { file -> [Vector] in
        let url = InspectionLibraryTests.root.appendingPathComponent("testvectors/rfc/\(file)")
        guard let data = try? Data(contentsOf: url), let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let cases = root["cases"] as? [[String: Any]]
        else { return [] }
        return cases.map { c in
            let key = (c["key"] as? [String: Any]).map {
                String(decoding: try! JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self)
            }
            return Vector(id: c["id"] as! String, alg: c["alg"] as! String, token: c["token"] as! String, keyJSON: key)
        }
    }

    static func expectAgreement(_ token: String, _ verifier: JWTVerifier, signatureOnly: Bool) {
        var plainError: JWTKError?
        var plainKey: String??
        do throws(JWTKError) {
            plainKey = signatureOnly ? try verifier.verifySignature(token).key.keyID : try verifier.verify(token).key.keyID
        } catch {
            plainError = error
        }
        let trace = VerificationTrace(verifying: token, with: verifier, signatureOnly: signatureOnly)
        #expect(trace.steps.map(\.step) == VerificationStep.allCases)
        #expect(trace.error?.code == plainError?.code)
        #expect(trace.error?.step == plainError?.step)
        #expect(trace.error?.reason == plainError?.reason)
        let failed = trace.steps.filter { $0.outcome == .failed }.map(\.step)
        #expect(failed == (plainError?.step).map { [$0] } ?? [])
        if let plainKey {
            #expect(trace.verifiedSignature?.key.keyID == plainKey)
            #expect((trace.verified != nil) == !signatureOnly)
        } else {
            #expect(trace.verified == nil)
        }
    }

    @Test("every published vector", arguments: vectors)
    func traceAgreesOnEveryVector(_ vector: Vector) throws {
        var keys: [VerificationKey] = []
        if let keyJSON = vector.keyJSON { keys = [try VerificationKey(jwk: keyJSON)] }
        var policy = VerificationPolicy()
        if let alg = JWSAlgorithm(rawValue: vector.alg) { policy.algorithms = [alg] }
        let verifier = JWTVerifier(keyring: Keyring(keys: keys, unidentifiedKeyMatching: .matchAnyKeyID), policy: policy)
        Self.expectAgreement(vector.token, verifier, signatureOnly: true)
        Self.expectAgreement(vector.token, verifier, signatureOnly: false)
        var early = policy
        early.clock = .fixed(1_300_819_000)  // before the examples' exp
        early.ignoresAudience = true
        Self.expectAgreement(vector.token, JWTVerifier(keyring: verifier.keyring, policy: early), signatureOnly: false)
    }

    @Test("every failure scenario", arguments: ["valid"] + InspectionLibraryTests.cases.map(\.name))
    func traceAgreesOnEveryScenario(_ name: String) throws {
        let (token, policy, keys) = try InspectionLibraryTests.scenario(name)
        let verifier = JWTVerifier(keys: keys, policy: policy)
        Self.expectAgreement(token, verifier, signatureOnly: false)
        Self.expectAgreement(token, verifier, signatureOnly: true)
    }

    @Test func theVectorsAreThere() {
        #expect(Self.vectors.count >= 18)
    }
}
