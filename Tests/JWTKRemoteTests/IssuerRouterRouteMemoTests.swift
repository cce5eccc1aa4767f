import Foundation
import JWTK
import JWTKTestSupport
import Testing

@testable import JWTKRemote

/// The route memo of a router with a token cache: a repeated token (exact bytes) is routed without decoding it
/// again, to the issuer routing would choose, and never across routers, to a Unicode-equivalent token, or for
/// a token that could not be routed.
@Suite("Issuer router route memo")
struct IssuerRouterRouteMemoTests {
    let now: Double = 1_800_000_000
    let a = try! TestIssuer(kid: "a")
    let b = try! TestIssuer(kid: "b")

    func local(_ issuer: TestIssuer, _ name: String) -> JWTVerifier {
        var policy = VerificationPolicy(issuer: name, audience: "api")
        policy.clock = .fixed(now)
        return JWTVerifier(keys: [issuer.key.verificationKey], policy: policy)
    }

    func cached(_ verifiers: [String: any IssuerVerifying]) throws -> IssuerRouter {
        IssuerRouter(verifiers, tokenCache: try VerifiedTokenCache(capacity: 16))
    }

    func token(_ signer: TestIssuer, iss: String, sub: String = "s") throws -> String {
        try signer.token(["iss": iss, "aud": "api", "sub": sub, "exp": Int(now) + 60])
    }

    @Test func aRepeatedTokenIsRoutedFromTheMemoToTheSameIssuer() async throws {
        let router = try cached(["https://a": local(a, "https://a"), "https://b": local(b, "https://b")])
        let token = try token(b, iss: "https://b")
        let first = try await router.verify(token)
        let hits = IssuerRouter.routeMemoHitsForCurrentThread
        let second = try await router.verify(token)
        #expect(IssuerRouter.routeMemoHitsForCurrentThread == hits + 1)
        #expect(first.issuer == "https://b" && second.issuer == "https://b" && second.cacheHit)
        #expect(try second.token.claims.issuer == "https://b")
    }

    /// Another router naming the same issuer with other keys does not take the first router's decision or verdict.
    @Test func routersDoNotShareTheirMemo() async throws {
        let token = try token(a, iss: "https://a")
        let trusting = try cached(["https://a": local(a, "https://a")])
        let other = try cached(["https://a": local(b, "https://a")])
        #expect(try await trusting.verify(token).issuer == "https://a")
        #expect(try await trusting.verify(token).cacheHit)
        let hits = IssuerRouter.routeMemoHitsForCurrentThread
        await #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try await other.verify(token) }
        #expect(IssuerRouter.routeMemoHitsForCurrentThread == hits)
    }

    /// "\u{212A}" (KELVIN SIGN) equals "K" under Swift's String `==`; the memo compares bytes, so the altered token
    /// is routed (and refused) as a fresh router refuses it.
    @Test func aUnicodeEquivalentTokenIsNotRoutedFromTheMemo() async throws {
        let router = try cached(["https://a": local(a, "https://a")])
        var candidate: String?
        for n in 0..<200 where candidate == nil {
            let text = try token(a, iss: "https://a", sub: "s\(n)")
            if text.contains("K") { candidate = text }
        }
        let token = try #require(candidate)
        let kelvin = token.replacingOccurrences(of: "K", with: "\u{212A}")
        #expect(kelvin == token && !kelvin.utf8.elementsEqual(token.utf8))
        _ = try await router.verify(token)
        let hits = IssuerRouter.routeMemoHitsForCurrentThread
        let fresh = try cached(["https://a": local(a, "https://a")])
        var expected: JWTKRemoteError?
        do { _ = try await fresh.verify(kelvin) } catch { expected = error }
        let refusal = try #require(expected)
        await #expect(throws: refusal) { try await router.verify(kelvin) }
        #expect(IssuerRouter.routeMemoHitsForCurrentThread == hits)
    }

    /// A token that cannot be routed is refused afresh each time, never remembered.
    @Test func anUnroutableTokenIsNotRemembered() async throws {
        let router = try cached(["https://a": local(a, "https://a")])
        let token = try token(a, iss: "https://z")
        let hits = IssuerRouter.routeMemoHitsForCurrentThread
        for _ in 0..<3 {
            await #expect(throws: JWTKRemoteError.rejected(JWTKError(.issuerMismatch))) { try await router.verify(token) }
        }
        #expect(IssuerRouter.routeMemoHitsForCurrentThread == hits)
    }

    /// Without a token cache nothing is remembered: every token is routed and verified in full.
    @Test func noMemoWithoutATokenCache() async throws {
        let router = IssuerRouter(["https://a": local(a, "https://a")])
        let token = try token(a, iss: "https://a")
        let hits = IssuerRouter.routeMemoHitsForCurrentThread
        for _ in 0..<3 { #expect(try await router.verify(token).issuer == "https://a") }
        #expect(IssuerRouter.routeMemoHitsForCurrentThread == hits)
    }

    /// More distinct tokens than slots: the oldest route is dropped, and every verdict stays right.
    @Test func theMemoIsBounded() async throws {
        let router = try cached(["https://a": local(a, "https://a"), "https://b": local(b, "https://b")])
        let tokens = try (0..<(RouteMemo.slotCount + 2)).map { n in
            try token(n.isMultiple(of: 2) ? a : b, iss: n.isMultiple(of: 2) ? "https://a" : "https://b", sub: "m\(n)")
        }
        for _ in 0..<2 {
            for (n, token) in tokens.enumerated() {
                #expect(try await router.verify(token).issuer == (n.isMultiple(of: 2) ? "https://a" : "https://b"))
            }
        }
    }
}
