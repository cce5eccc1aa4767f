import JWTK
import JWTKHummingbird
import JWTKRemote
import Testing

/// ``IssuerRouter`` with local keys: exact issuer choice, refusal of unknown issuers, the verified-iss check.
@Suite("Issuer router")
struct IssuerRouterTests {
    let keyA = try! SigningKey.generate(for: .ES256, keyID: "a")
    let keyB = try! SigningKey.generate(for: .ES256, keyID: "b")

    func verifier(_ key: SigningKey, issuer: String?) -> any JWTTokenVerifying {
        var policy = VerificationPolicy(issuer: issuer, audience: "api")
        policy.clock = JWTClock { testNow }
        return LocalTokenVerifier(JWTVerifier(keys: [key.verificationKey], policy: policy), issuerLabel: "unused")
    }

    @Test func routesByExactIssuer() async throws {
        let router = IssuerRouter(["https://a": verifier(keyA, issuer: "https://a"), "https://b": verifier(keyB, issuer: "https://b")])
        let token = try sign(keyB, #"{"iss":"https://b","aud":"api","exp":\#(testNow + 60)}"#)
        let identity = try await router.verifyToken(token)
        #expect(identity.issuerLabel == "https://b")
        for iss in ["https://B", "https://b/", " https://b", "https://c"] {
            let other = try sign(keyB, #"{"iss":"\#(iss)","aud":"api","exp":\#(testNow + 60)}"#)
            await #expect(throws: JWTKRemoteError.rejected(JWTKError(.issuerMismatch))) { try await router.verifyToken(other) }
        }
        let noIssuer = try sign(keyB, #"{"aud":"api","exp":\#(testNow + 60)}"#)
        await #expect(throws: JWTKRemoteError.rejected(JWTKError(.issuerMismatch))) { try await router.verifyToken(noIssuer) }
        let numeric = try sign(keyB, #"{"iss":7,"aud":"api","exp":\#(testNow + 60)}"#)
        await #expect(throws: JWTKRemoteError.rejected(JWTKError(.invalidClaim))) { try await router.verifyToken(numeric) }
        await #expect(throws: JWTKRemoteError.rejected(JWTKError(.malformedToken))) { try await router.verifyToken("not-a-token") }
    }

    /// Issuers are compared byte for byte, not under Unicode canonical equivalence: with a verifier that has no
    /// issuer check of its own, a decomposed spelling of the configured issuer must still be refused.
    @Test func unicodeEquivalentIssuerIsAnotherIssuer() async throws {
        let composed = "https://caf\u{E9}.example"
        let decomposed = "https://cafe\u{301}.example"
        #expect(composed == decomposed)  // Swift's String equality, which the router must not use
        let router = IssuerRouter([composed: verifier(keyA, issuer: nil)])
        let good = try sign(keyA, #"{"iss":"\#(composed)","aud":"api","exp":\#(testNow + 60)}"#)
        #expect(try await router.verifyToken(good).issuerLabel == composed)
        let other = try sign(keyA, #"{"iss":"\#(decomposed)","aud":"api","exp":\#(testNow + 60)}"#)
        await #expect(throws: JWTKRemoteError.rejected(JWTKError(.issuerMismatch))) { try await router.verifyToken(other) }
    }

    @Test func anotherIssuersKeyIsNotTried() async throws {
        let router = IssuerRouter(["https://a": verifier(keyA, issuer: "https://a"), "https://b": verifier(keyB, issuer: "https://b")])
        let forged = try sign(keyB, #"{"iss":"https://a","aud":"api","exp":\#(testNow + 60)}"#)
        await #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try await router.verifyToken(forged) }
    }

    /// A verifier configured without an issuer check still cannot accept a token routed to it under another name.
    @Test func verifiedIssuerMustEqualRoute() async throws {
        let lax = verifier(keyA, issuer: nil)
        let router = IssuerRouter(["https://a": lax])
        let token = try sign(keyA, #"{"iss":"https://a","aud":"api","exp":\#(testNow + 60)}"#)
        #expect(try await router.verifyToken(token).issuerLabel == "https://a")
    }

    @Test func scopesFromScopeAndScp() async throws {
        let router = IssuerRouter(["https://a": verifier(keyA, issuer: "https://a")])
        let token = try sign(keyA, #"{"iss":"https://a","aud":"api","scope":"read  write","scp":["admin"],"exp":\#(testNow + 60)}"#)
        #expect(try await router.verifyToken(token).scopes == ["read", "write", "admin"])
        let wrongType = try sign(keyA, #"{"iss":"https://a","aud":"api","scope":5,"exp":\#(testNow + 60)}"#)
        #expect(try await router.verifyToken(wrongType).scopes.isEmpty)
    }

    @Test func challengeValuesAreSanitised() {
        #expect(
            BearerChallenge.header(realm: "a\"b\\c\n", error: "invalid_token")
                == #"Bearer realm="abc", error="invalid_token""#)
    }
}
