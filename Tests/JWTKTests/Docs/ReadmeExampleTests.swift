import Foundation
import JWTK
import Testing

/// The library example shown in README.md, kept compiling and passing here. If this test changes, update
/// the README in the same commit.
@Suite("README examples")
struct ReadmeExampleTests {
    @Test func readmeLibraryExampleVerifiesTheBundledToken() throws {
        let jwksText = try Fixtures.text("example/jwks.json")
        var token = try Fixtures.text("example/id_token.jwt")
        token.removeLast()  // the file ends with one newline

        // --- README: library example ---
        let jwks = try JWKSet(json: jwksText)
        var policy = VerificationPolicy.openIDConnect(
            issuer: "https://auth.smarttask.example", clientID: "jwtk-demo-client", nonce: "n-0S6_WzA2Mj")
        policy.algorithms = [.RS256, .ES256]
        policy.leeway = 30
        policy.clock = .fixed(1_767_227_400)  // 2026-01-01T00:30:00Z; omit to use the system clock
        let verifier = JWTVerifier(keyring: Keyring(jwks: jwks), policy: policy)

        do {
            let jwt = try verifier.verify(token)
            print("subject:", try jwt.claims.subject ?? "-")
            print("email:", try jwt.claims.string("email") ?? "-")
            print("verified by kid", jwt.key.keyID ?? "-", "thumbprint", jwt.key.thumbprint)
        } catch {
            print("rejected:", error.code.rawValue, "-", error.reason)
        }
        // --- end of README example ---

        let jwt = try verifier.verify(token)
        #expect(try jwt.claims.subject == "248289761001")
        #expect(jwt.key.keyID == "smarttask-2026-01")
        var late = policy
        late.clock = .fixed(1_767_229_200 + 30)
        #expect(throws: JWTKError(.expired)) { try JWTVerifier(keyring: verifier.keyring, policy: late).verify(token) }
    }
}
