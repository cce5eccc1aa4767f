import Foundation
import JWTK
import Testing

/// The OpenID Connect preset's rules that SECURITY.md pins: ID tokens only, a required `sub` is not empty,
/// `auth_time` is not in the future under `max_age`.
@Suite("OpenID Connect claim rules")
struct OpenIDConnectRuleTests {
    static let now = Int(TestPolicy.now)

    static func oidc(maxAge: Double? = nil, _ change: (inout VerificationPolicy) -> Void = { _ in }) -> JWTVerifier {
        var policy = VerificationPolicy.openIDConnect(issuer: "https://i", clientID: "c", maxAuthenticationAge: maxAge)
        policy.clock = .fixed(TestPolicy.now)
        change(&policy)
        return JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy)
    }

    static func idToken(sub: String = "u", authTime: Int? = nil) throws -> String {
        let auth = authTime.map { #","auth_time":\#($0)"# } ?? ""
        return try TestTokens.hs256(
            #"{"iss":"https://i","aud":"c","sub":"\#(sub)","iat":\#(Self.now),"exp":\#(TestPolicy.farExp)\#(auth)}"#)
    }

    @Test func openIDConnectPresetRefusesAccessTokens() throws {
        let key = try SigningKey.generate(for: .ES256, keyID: "k")
        var policy = VerificationPolicy.openIDConnect(issuer: "https://i", clientID: "c")
        policy.clock = .fixed(1_767_225_600)
        let token = try JWTSigner(key: key, algorithm: .ES256)
            .sign(claims: #"{"iss":"https://i","aud":"c","sub":"s","iat":1767225600,"exp":4102444800}"#, type: "at+jwt")
        #expect(throws: JWTKError(.typeMismatch)) { try JWTVerifier(keys: [key.verificationKey], policy: policy).verify(token) }
    }

    /// A required `sub` that is empty identifies no one: refused under the OIDC profile (and wherever `sub` is
    /// required); a policy that does not require `sub` does not judge it.
    @Test func emptySubjectIsRefusedWhenSubIsRequired() throws {
        _ = try Self.oidc().verify(try Self.idToken())
        let error = try #require(throws: JWTKError.self) { try Self.oidc().verify(try Self.idToken(sub: "")) }
        #expect(error.code == .invalidClaim && error.claim == "sub")
        #expect(throws: JWTKError(.invalidClaim)) {
            try TestPolicy.verifier { $0.requiredClaims = ["sub"] }.verify(try TestTokens.hs256(#"{"sub":"","exp":4102444800}"#))
        }
        _ = try TestPolicy.verifier().verify(try TestTokens.hs256(#"{"sub":"","exp":4102444800}"#))
    }

    /// With max_age, an `auth_time` later than now + leeway is refused: it would make any max_age pass.
    /// Without max_age, `auth_time` is not interpreted.
    @Test func futureAuthenticationTimeIsRefusedUnderMaxAge() throws {
        let future = try Self.idToken(authTime: Self.now + 3600)
        let error = try #require(throws: JWTKError.self) { try Self.oidc(maxAge: 300).verify(future) }
        #expect(error.code == .invalidClaim && error.claim == "auth_time")
        #expect(error.reason.contains("in the future"))
        _ = try Self.oidc(maxAge: 300).verify(try Self.idToken(authTime: Self.now - 10))
        _ = try Self.oidc(maxAge: 300) { $0.leeway = 60 }.verify(try Self.idToken(authTime: Self.now + 30))
        #expect(throws: JWTKError(.invalidClaim)) {
            try Self.oidc(maxAge: 300) { $0.leeway = 60 }.verify(try Self.idToken(authTime: Self.now + 61))
        }
        _ = try Self.oidc().verify(future)
    }
}
