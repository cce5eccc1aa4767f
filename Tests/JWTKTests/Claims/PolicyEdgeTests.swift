import Foundation
import JWTK
import Testing

/// Policy values outside the normal range fail closed rather than open.
@Suite("Policy edge values")
struct PolicyEdgeTests {
    static let expired = try! JWTSigner(key: TestKeys.hs256, algorithm: .HS256).sign(claims: #"{"exp":1}"#)

    static func code(_ change: (inout VerificationPolicy) -> Void, _ token: String = PolicyEdgeTests.expired) -> JWTKError.Code? {
        var policy = TestPolicy.fixed(100)
        change(&policy)
        return errorCode { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(token) }
    }

    /// A leeway or clock that is not a finite number ≥ 0 is a caller error, refused rather than applied.
    @Test func nonFiniteOrNegativeLeewayAndClockAreRefused() throws {
        #expect(Self.code { $0.leeway = .nan } == .invalidArgument)
        #expect(Self.code { $0.leeway = .infinity } == .invalidArgument)
        #expect(Self.code { $0.leeway = -10 } == .invalidArgument)
        #expect(Self.code { $0.clock = .fixed(.nan) } == .invalidArgument)
        #expect(Self.code { $0.clock = .fixed(.infinity) } == .invalidArgument)
        // The same policies never turn a forged token into a claim error: the signature is checked first.
        var signature = TestTokens.signature(Self.expired)
        signature[0] ^= 1
        #expect(Self.code({ $0.leeway = .nan }, TestTokens.withSignature(Self.expired, signature)) == .signatureInvalid)
        #expect(Self.code { $0.leeway = 1e9 } == nil)  // large but finite: the caller's choice
    }

    @Test func nonPositiveLimitsRefuseEverything() {
        #expect(Self.code { $0.limits.maxTokenBytes = -1 } == .limitExceeded)
        #expect(Self.code { $0.limits.maxTokenBytes = 0 } == .limitExceeded)
        #expect(Self.code { $0.limits.maxJSONDepth = 0 } == .limitExceeded)
        #expect(Self.code { $0.limits.maxHeaderBytes = 0 } == .limitExceeded)
    }

    @Test func nonFiniteLeewayIsRefused() throws {
        let key = try SigningKey.generate(for: .HS256)
        var policy = VerificationPolicy()
        policy.leeway = .nan
        let token = try JWTSigner(key: key, algorithm: .HS256).sign(claims: #"{"exp":4102444800,"nbf":4102444000}"#)
        #expect(throws: JWTKError(.invalidArgument)) { try JWTVerifier(keys: [key.verificationKey], policy: policy).verify(token) }
    }

    /// A NaN maximum age made `now - iat > NaN` false, so a token of any age passed: refuse the policy instead.
    @Test func nanMaximumTokenAgeIsAnInvalidPolicyNotNoLimit() throws {
        let token = try TestTokens.hs256(#"{"exp":\#(TestPolicy.farExp),"iat":1}"#)
        #expect(throws: JWTKError(.invalidArgument)) { try TestPolicy.verifier { $0.maxTokenAge = .nan }.verify(token) }
        #expect(throws: JWTKError(.invalidArgument)) { try TestPolicy.verifier { $0.maxTokenAge = -1 }.verify(token) }
        #expect(throws: JWTKError(.tokenTooOld)) { try TestPolicy.verifier { $0.maxTokenAge = 60 }.verify(token) }
    }

    @Test func nanMaximumAuthenticationAgeIsAnInvalidPolicyNotNoLimit() throws {
        let token = try TestTokens.hs256(#"{"exp":\#(TestPolicy.farExp),"auth_time":1}"#)
        #expect(throws: JWTKError(.invalidArgument)) { try TestPolicy.verifier { $0.maxAuthenticationAge = .nan }.verify(token) }
        #expect(throws: JWTKError(.invalidArgument)) { try TestPolicy.verifier { $0.maxAuthenticationAge = -1 }.verify(token) }
        #expect(throws: JWTKError(.authenticationTooOld)) { try TestPolicy.verifier { $0.maxAuthenticationAge = 60 }.verify(token) }
    }
}
