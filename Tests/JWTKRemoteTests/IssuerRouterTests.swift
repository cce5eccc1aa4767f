import Foundation
import JWTK
import JWTKRemote
import JWTKTestSupport
import Testing

/// `IssuerRouter` in the core: the unverified `iss` only chooses, byte for byte; the chosen issuer's keys and
/// policy only; an unknown issuer refused before any fetch (over real loopback HTTP).
@Suite("Issuer router (core)")
struct CoreIssuerRouterTests {
    let now: Double = 1_800_000_000
    let a = try! TestIssuer(kid: "a")
    let b = try! TestIssuer(kid: "b")

    func local(_ issuer: TestIssuer, _ name: String?) -> JWTVerifier {
        var policy = VerificationPolicy(issuer: name, audience: "api")
        policy.clock = .fixed(now)
        return JWTVerifier(keys: [issuer.key.verificationKey], policy: policy)
    }

    func token(_ signer: TestIssuer, iss: Any?) throws -> String {
        var claims: [String: Any] = ["aud": "api", "exp": Int(now) + 60]
        if let iss { claims["iss"] = iss }
        return try signer.token(claims)
    }

    @Test func routesByExactIssuer() async throws {
        let router = IssuerRouter(["https://a": local(a, "https://a"), "https://b": local(b, "https://b")])
        let routed = try await router.verify(try token(b, iss: "https://b"))
        #expect(routed.issuer == "https://b")
        #expect(try routed.token.claims.issuer == "https://b")
        for iss in ["https://B", "https://b/", " https://b", "https://c", ""] {
            await #expect(throws: JWTKRemoteError.rejected(JWTKError(.issuerMismatch))) { try await router.verify(try token(b, iss: iss)) }
        }
        await #expect(throws: JWTKRemoteError.rejected(JWTKError(.issuerMismatch))) { try await router.verify(try token(b, iss: nil)) }
        await #expect(throws: JWTKRemoteError.rejected(JWTKError(.invalidClaim))) { try await router.verify(try token(b, iss: 7)) }
        await #expect(throws: JWTKRemoteError.rejected(JWTKError(.malformedToken))) { try await router.verify("not-a-token") }
        #expect(throws: JWTKError(.issuerMismatch)) { try router.route(try token(a, iss: "https://z")) }
        #expect(try router.route(try token(a, iss: "https://a")).issuer == "https://a")
    }

    @Test func unicodeEquivalentIssuerIsAnotherIssuer() async throws {
        let composed = "https://caf\u{E9}.example"
        let decomposed = "https://cafe\u{301}.example"
        #expect(composed == decomposed)  // Swift's String equality, which the router must not use
        let router = IssuerRouter([composed: local(a, nil)])
        #expect(try await router.verify(try token(a, iss: composed)).issuer == composed)
        await #expect(throws: JWTKRemoteError.rejected(JWTKError(.issuerMismatch))) {
            try await router.verify(try token(a, iss: decomposed))
        }
    }

    @Test func anotherIssuersKeyIsNotTried() async throws {
        let router = IssuerRouter(["https://a": local(a, "https://a"), "https://b": local(b, "https://b")])
        await #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try await router.verify(try token(b, iss: "https://a")) }
    }

    /// A delegate that returns a token of another issuer cannot make the router accept it under this one.
    @Test func verifiedIssuerMustEqualRoute() async throws {
        let other = try token(a, iss: "https://other")
        let lax = local(a, nil)
        let confused = ClosureIssuerVerifier { _ throws(JWTKRemoteError) in try await lax.verify(routed: other) }
        let router = IssuerRouter(["https://a": confused])
        await #expect(throws: JWTKRemoteError.rejected(JWTKError(.issuerMismatch))) {
            try await router.verify(try token(a, iss: "https://a"))
        }
    }

    @Test func unknownIssuerCausesNoFetch() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.jwks = jwksDocument([a]) }
            let jwks = try RemoteJWKS(url: URL(string: "\(provider.base)/jwks")!, configuration: .roomy)
            var policy = VerificationPolicy(issuer: provider.base, audience: "api")
            policy.clock = .fixed(now)
            let router = IssuerRouter([provider.base: jwks.verifier(policy: policy)])
            for iss in ["\(provider.base)/", "https://evil.example", provider.base.uppercased()] {
                await #expect(throws: JWTKRemoteError.rejected(JWTKError(.issuerMismatch))) {
                    try await router.verify(try token(a, iss: iss))
                }
            }
            #expect(provider.count("/jwks") == 0)
            #expect(try await router.verify(try token(a, iss: provider.base)).issuer == provider.base)
            #expect(provider.count("/jwks") == 1)
        }
    }
}
