import Foundation
import JWTK
import JWTKRemote
import JWTKTestSupport
import Testing

/// Keeps the policy and steps an observed remote verification reports.
private struct Steps: VerificationObserver {
    var policy: VerificationPolicy?
    var events: [(VerificationStep, VerificationOutcome)] = []

    mutating func verificationWillBegin(_ verifier: JWTVerifier) { policy = verifier.policy }
    mutating func verificationStep(_ step: VerificationStep, _ outcome: VerificationOutcome) { events.append((step, outcome)) }

    var failed: [VerificationStep] { events.compactMap { if case .failed = $0.1 { return $0.0 } else { return nil } } }
}

@Suite struct ObservedVerificationTests {
    let clock = ManualClock()
    let clientID = "client-1"

    @Test func oidcVerifierReportsTheProvidersPolicyAndEveryStep() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            provider.update { $0.jwks = jwksDocument([key]) }
            var configuration = OIDCVerifier.Configuration.roomy
            configuration.clock = clock.clock
            let oidc = try OIDCVerifier(issuer: provider.base, clientID: clientID, configuration: configuration)
            try await oidc.prepare()
            let token = try key.basicToken(issuer: provider.base, audience: clientID, now: clock.now, extra: ["nonce": "n-1"])

            var good = Steps()
            let jwt = try oidc.verify(idToken: token, nonce: "n-1", observer: &good)
            #expect(jwt.key.keyID == "sig-1")
            #expect(good.policy?.issuers == [provider.base])
            #expect(good.policy?.nonce == "n-1")
            #expect(good.events.map(\.0) == VerificationStep.allCases)
            #expect(good.failed.isEmpty)

            var bad = Steps()
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.nonceMismatch))) {
                try oidc.verify(idToken: token, nonce: "other", observer: &bad)
            }
            #expect(bad.failed == [.nonce])
            #expect(bad.events.map(\.0) == VerificationStep.allCases)
        }
    }

    @Test func remoteJWKSVerifierRefusesBeforeAnyStepWhenNoKeysAreLoaded() throws {
        let jwks = try RemoteJWKS(url: URL(string: "http://127.0.0.1:9/jwks")!)
        var steps = Steps()
        #expect(throws: JWTKRemoteError.self) { try jwks.verifier(policy: VerificationPolicy()).verify("a.b.c", observer: &steps) }
        #expect(steps.events.isEmpty)
        #expect(steps.policy == nil)
    }
}
