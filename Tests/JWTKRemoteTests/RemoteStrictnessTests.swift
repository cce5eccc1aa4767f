import Foundation
import JWTK
import JWTKRemote
import JWTKTestSupport
import Testing

/// Remote documents are compared and trusted strictly (fetched oct keys, issuer and subject bytes).
@Suite struct RemoteStrictnessTests {
    let clock = ManualClock()

    /// A JWK Set fetched from a URL is public: an `oct` key in it hands its secret to everyone. With the
    /// default allow-list (every algorithm) such a key verified HS256 tokens that anyone could sign.
    @Test func symmetricKeyInAFetchedSetIsSkippedNotUsed() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            let published = try TestIssuer(kid: "sym", algorithm: .HS256)
            provider.update { $0.jwks = jwksDocument([k1, published]) }
            var configuration = RemoteJWKS.Configuration.roomy
            configuration.clock = clock.clock
            let jwks = try RemoteJWKS(url: URL(string: provider.base + "/jwks")!, configuration: configuration)
            var policy = VerificationPolicy()
            policy.clock = clock.clock
            let verifier = jwks.verifier(policy: policy)
            _ = try await verifier.verifyRefreshing(try k1.basicToken(now: clock.now))
            let forged = try published.basicToken(now: clock.now)
            await #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try await verifier.verifyRefreshing(forged) }
            #expect(jwks.keyring.keys.map(\.keyID) == ["k1"])
            let skipped = jwks.statistics.skippedKeyDetails
            #expect(skipped.map(\.keyID) == ["sym"])
            #expect(skipped.first?.reason.code == .unsupportedKey)
        }
    }

    /// Discovery §4.3: the document's `issuer` is identical to the configured one. Swift's `==` also accepted a
    /// canonically equivalent spelling (U+212A KELVIN SIGN for "K", a decomposed "é").
    @Test func discoveryIssuerMustBeIdenticalNotCanonicallyEquivalent() throws {
        func document(_ issuer: String) -> [UInt8] {
            Array(#"{"issuer":"\#(issuer)","jwks_uri":"https://idp.example/jwks","id_token_signing_alg_values_supported":["ES256"]}"#.utf8)
        }
        _ = try OIDCProviderMetadata(json: document("https://idp.example/K"), expectedIssuer: "https://idp.example/K")
        for (spelling, expected) in [
            ("https://idp.example/\u{212A}", "https://idp.example/K"), ("https://idp.example/e\u{301}", "https://idp.example/\u{E9}"),
        ] {
            #expect(spelling == expected)  // Swift `==`
            #expect(throws: JWTKRemoteError(.issuerMismatch)) {
                try OIDCProviderMetadata(json: document(spelling), expectedIssuer: expected)
            }
        }
    }

    /// OIDC Core §5.3.2: the userinfo `sub` must exactly match the ID token's. A provider whose subjects are
    /// user-chosen names could hand out "\u{212A}ate" next to "Kate"; Swift's `!=` treated them as the same.
    @Test func userinfoSubjectMustMatchByteForByte() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.userinfoSubject = "\u{212A}ate" }
            let discovery = try OIDCDiscovery(issuer: provider.base, configuration: .roomy)
            _ = try await discovery.userInfo(accessToken: "access-token-1", expectedSubject: "\u{212A}ate")
            await #expect(throws: JWTKRemoteError(.subjectMismatch)) {
                try await discovery.userInfo(accessToken: "access-token-1", expectedSubject: "Kate")
            }
        }
    }
}

/// The freshness computation reads headers the JWKS / discovery server chooses.
@Suite struct HTTPDateParsingTests {
    /// An HTTP-date year with many digits overflowed the day arithmetic and trapped the whole process.
    @Test(arguments: ["99999999999999999", "999999999999", "-5", "0"])
    func absurdHTTPDateYearIsUnparseableNotATrap(_ year: String) {
        let freshness = CacheFreshness()
        let date = "Thu, 01 Jan \(year) 00:00:00 GMT"
        #expect(freshness.lifetime(headers: ["expires": date], now: 1_767_225_600) == freshness.minimumTTL)
        let lifetime = freshness.lifetime(headers: ["expires": "Thu, 01 Jan 2026 00:10:00 GMT", "date": date], now: 1_767_225_000)
        #expect(lifetime >= freshness.minimumTTL && lifetime <= freshness.maximumTTL)
    }
}
