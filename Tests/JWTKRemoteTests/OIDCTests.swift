import Foundation
import JWTK
import JWTKRemote
import JWTKTestSupport
import Logging
import Testing

@Suite struct OIDCTests {
    let clock = ManualClock()
    let logs = LogCapture()
    let clientID = "client-1"

    func verifier(
        _ issuer: String, fetcher: any HTTPFetching = URLSessionFetcher(), _ adjust: (inout OIDCVerifier.Configuration) -> Void = { _ in }
    )
        throws -> OIDCVerifier
    {
        var configuration = OIDCVerifier.Configuration.roomy
        configuration.clock = clock.clock
        configuration.jwks.logger = logs.logger
        configuration.discovery.logger = logs.logger
        adjust(&configuration)
        return try OIDCVerifier(issuer: issuer, clientID: clientID, configuration: configuration, fetcher: fetcher)
    }

    func idToken(_ key: TestIssuer, issuer: String, audience: Any? = nil, extra: [String: Any] = [:]) throws -> String {
        try key.basicToken(issuer: issuer, audience: audience ?? clientID, now: clock.now, extra: extra)
    }

    @Test func endToEndDiscoveryThenJWKSThenIDTokenVerifiedWithNonce() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            provider.update { $0.jwks = jwksDocument([key]) }
            let oidc = try verifier(provider.base)
            let token = try idToken(key, issuer: provider.base, extra: ["nonce": "n-0S6_WzA2Mj"])
            let jwt = try await oidc.verifyRefreshing(idToken: token, nonce: "n-0S6_WzA2Mj")
            #expect(try jwt.claims.subject == "user-42")
            #expect(jwt.key.keyID == "sig-1")
            #expect(provider.count("/.well-known/openid-configuration") == 1)
            #expect(provider.count("/jwks") == 1)
            // Now warm: the synchronous path verifies without traffic.
            _ = try oidc.verify(idToken: token, nonce: "n-0S6_WzA2Mj")
            #expect(provider.count("/jwks") == 1)
            #expect(oidc.metadata?.jwksURI.absoluteString == provider.base + "/jwks")
            #expect(oidc.jwks?.statistics.state == .fresh)
        }
    }

    @Test func idTokenRulesAreEnforced() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            provider.update { $0.jwks = jwksDocument([key]) }
            let oidc = try verifier(provider.base)
            try await oidc.prepare()
            let base = provider.base
            let withNonce = try idToken(key, issuer: base, extra: ["nonce": "right"])
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.nonceMismatch))) { try oidc.verify(idToken: withNonce, nonce: "wrong") }
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.missingClaim))) {
                try oidc.verify(idToken: try idToken(key, issuer: base), nonce: "right")
            }
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.audienceMismatch))) {
                try oidc.verify(idToken: try idToken(key, issuer: base, audience: "someone-else"))
            }
            // Several audiences: azp is required and must be the client id.
            let multi: [String] = [clientID, "api"]
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.authorizedPartyMismatch))) {
                try oidc.verify(idToken: try idToken(key, issuer: base, audience: multi))
            }
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.authorizedPartyMismatch))) {
                try oidc.verify(idToken: try idToken(key, issuer: base, audience: multi, extra: ["azp": "api"]))
            }
            _ = try oidc.verify(idToken: try idToken(key, issuer: base, audience: multi, extra: ["azp": clientID]))
            // azp present with one audience must still be the client id.
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.authorizedPartyMismatch))) {
                try oidc.verify(idToken: try idToken(key, issuer: base, extra: ["azp": "other"]))
            }
            // iss must be the discovered issuer exactly.
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.issuerMismatch))) {
                try oidc.verify(idToken: try idToken(key, issuer: base + "/"))
            }
            // iat is required by the preset.
            let noIAT = try key.token(["iss": base, "sub": "u", "aud": clientID, "exp": Int(clock.now) + 600])
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.missingClaim))) { try oidc.verify(idToken: noIAT) }
            let expired = try key.token(["iss": base, "sub": "u", "aud": clientID, "iat": Int(clock.now) - 600, "exp": Int(clock.now) - 1])
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.expired))) { try oidc.verify(idToken: expired) }
        }
    }

    @Test func issuerMismatchInDiscoveryIsRefusedBeforeAnyKeyFetch() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.issuer = "https://evil.example.com" }
            let oidc = try verifier(provider.base)
            await #expect(throws: JWTKRemoteError(.issuerMismatch)) { try await oidc.prepare() }
            #expect(provider.count("/jwks") == 0)
            #expect(oidc.discovery.lastError?.code == .issuerMismatch)
            #expect(logs.contains("provider metadata fetch failed", atLeast: .error))
        }
    }

    @Test func issuerWithATrailingSlashIsDiscoveredAndComparedExactly() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            let issuer = provider.base + "/"
            #expect(
                try OIDCProviderMetadata.discoveryURL(forIssuer: issuer).absoluteString == provider.base
                    + "/.well-known/openid-configuration")
            provider.update {
                $0.jwks = jwksDocument([key])
                $0.issuer = issuer
            }
            let oidc = try verifier(issuer)
            _ = try await oidc.verifyRefreshing(idToken: try idToken(key, issuer: issuer))
            // Without the slash the document's issuer no longer matches.
            await #expect(throws: JWTKRemoteError(.issuerMismatch)) { try await verifier(provider.base).prepare() }
        }
    }

    @Test func issuerWithAPathUsesThePathForDiscovery() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            provider.update { $0.jwks = jwksDocument([key]) }
            let issuer = provider.base + "/tenant"
            let oidc = try verifier(issuer)
            _ = try await oidc.verifyRefreshing(idToken: try idToken(key, issuer: issuer))
            #expect(provider.count("/tenant/.well-known/openid-configuration") == 1)
        }
    }

    @Test func insecureJWKSURIInDiscoveryIsRefusedWithoutContactingIt() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.jwksURI = "http://192.0.2.10/jwks" }
            let counting = CountingFetcher()
            let oidc = try verifier(provider.base, fetcher: counting)
            await #expect(throws: JWTKRemoteError(.insecureURL)) { try await oidc.prepare() }
            #expect(counting.requested == [provider.base + "/.well-known/openid-configuration"])
        }
    }

    @Test func algorithmsAreTheIntersectionOfProviderAndAllowList() async throws {
        try await TestProvider.with { provider in
            let es = try TestIssuer(kid: "es")
            let rs = try TestIssuer(kid: "rs", algorithm: .RS256)
            provider.update {
                $0.jwks = jwksDocument([es, rs])
                $0.algorithms = ["RS256", "none"]
            }
            let oidc = try verifier(provider.base)
            try await oidc.prepare()
            _ = try oidc.verify(idToken: try idToken(rs, issuer: provider.base))
            // ES256 is in our allow-list but the provider does not publish it.
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.algorithmNotAllowed))) {
                try oidc.verify(idToken: try idToken(es, issuer: provider.base))
            }
            // The provider publishes RS256 but our allow-list does not admit it.
            let strict = try verifier(provider.base) { $0.allowedAlgorithms = [.ES256] }
            await #expect(throws: JWTKRemoteError(.noCommonAlgorithm)) { try await strict.prepare() }
        }
    }

    @Test func providerPublishingOnlyNoneOrHMACIsRefused() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.algorithms = ["none", "HS256"] }
            await #expect(throws: JWTKRemoteError(.noCommonAlgorithm)) { try await verifier(provider.base).prepare() }
        }
    }

    @Test func metadataIsRefreshedOnItsOwnTTL() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            provider.update {
                $0.jwks = jwksDocument([key])
                $0.jwksCacheControl = "max-age=86400"
                $0.discoveryCacheControl = "max-age=120"
            }
            let oidc = try verifier(provider.base)
            let token = try idToken(key, issuer: provider.base)
            _ = try await oidc.verifyRefreshing(idToken: token)
            clock.advance(119)
            _ = try await oidc.verifyRefreshing(idToken: token)
            #expect(provider.count("/.well-known/openid-configuration") == 1)
            clock.advance(2)
            _ = try await oidc.verifyRefreshing(idToken: token)
            #expect(provider.count("/.well-known/openid-configuration") == 2)
            #expect(provider.count("/jwks") == 1)  // same jwks_uri: the key cache carries over
        }
    }

    @Test func unreachableDiscoveryServesTheLastGoodMetadata() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            provider.update {
                $0.jwks = jwksDocument([key])
                $0.jwksCacheControl = "max-age=86400"
                $0.discoveryCacheControl = "max-age=60"
            }
            let oidc = try verifier(provider.base)
            let token = try idToken(key, issuer: provider.base)
            _ = try await oidc.verifyRefreshing(idToken: token)
            provider.update { $0.discoveryFault = .status(502) }
            clock.advance(61)
            _ = try await oidc.verifyRefreshing(idToken: token)
            #expect(oidc.discovery.lastError?.code == .httpStatus)
            #expect(logs.contains("serving stale provider metadata", atLeast: .warning))
        }
    }

    @Test func accessTokenProfileFollowsRFC9068() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            provider.update { $0.jwks = jwksDocument([key]) }
            let oidc = try verifier(provider.base)
            let now = Int(clock.now)
            var claims: [String: Any] = [
                "iss": provider.base, "sub": "user-42", "aud": "https://api.example.com", "client_id": clientID, "iat": now,
                "exp": now + 600,
                "jti": "a-1",
            ]
            let accessToken = try key.token(claims, type: "at+jwt")
            let jwt = try await oidc.verifyAccessTokenRefreshing(accessToken, audience: "https://api.example.com")
            #expect(try jwt.claims.string("client_id") == clientID)
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.typeMismatch))) {
                try oidc.verifyAccessToken(try key.token(claims), audience: "https://api.example.com")
            }
            // An access token never passes as an ID token, even with the client as its audience.
            var asIDToken = claims
            asIDToken["aud"] = clientID
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.typeMismatch))) {
                try oidc.verify(idToken: try key.token(asIDToken, type: "at+jwt"))
            }
            claims["jti"] = nil
            #expect(throws: JWTKRemoteError.rejected(JWTKError(.missingClaim))) {
                try oidc.verifyAccessToken(try key.token(claims, type: "at+jwt"), audience: "https://api.example.com")
            }
        }
    }

    @Test func userinfoReturnsClaimsForTheBearerTokenAndChecksTheSubject() async throws {
        try await TestProvider.with { provider in
            let key = try TestIssuer(kid: "sig-1")
            provider.update { $0.jwks = jwksDocument([key]) }
            let oidc = try verifier(provider.base)
            let jwt = try await oidc.verifyRefreshing(idToken: try idToken(key, issuer: provider.base))
            let info = try await oidc.userInfo(accessToken: "access-token-1", expectedSubject: try jwt.claims.subject)
            #expect(info.subject == "user-42")
            let direct = try await OIDCDiscovery(issuer: provider.base, configuration: .roomy).userInfo(
                accessToken: "access-token-1", expectedSubject: "user-42")
            // The provider serializes a dictionary, so member order may differ between responses: compare claims.
            #expect(direct.claimNames == info.claimNames)
            for name in info.claimNames where name != "email_verified" { #expect(direct.string(name) == info.string(name)) }
            #expect(info.string("name") == "Ada Lovelace")
            #expect(info.claimNames == ["email", "email_verified", "name", "sub"])
            struct Profile: Decodable { let email: String, email_verified: Bool }
            #expect(try info.decode(Profile.self).email_verified == true)
            let headers = provider.lastHeaders("/userinfo")
            #expect(headers["authorization"] == "Bearer access-token-1")
            #expect(headers["accept"] == "application/json")
            #expect(headers["user-agent"] == "jwtk/\(JWTKLibrary.version)")
            await #expect(throws: JWTKRemoteError(.invalidArgument)) {
                try await oidc.userInfo(accessToken: "two words", expectedSubject: nil)
            }
            await #expect(throws: JWTKRemoteError(.subjectMismatch)) {
                try await oidc.userInfo(accessToken: "access-token-1", expectedSubject: "someone-else")
            }
            do {
                _ = try await oidc.userInfo(accessToken: "revoked", expectedSubject: nil)
                Issue.record("expected a 401")
            } catch let error as JWTKRemoteError {
                #expect(error.code == .httpStatus)
                #expect(error.status == 401)
                #expect(error.reason.contains("invalid_token"))
            }
        }
    }

    @Test func userinfoWithoutAnEndpointIsReported() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.publishesUserinfo = false }
            let oidc = try verifier(provider.base)
            await #expect(throws: JWTKRemoteError(.missingEndpoint)) { try await oidc.userInfo(accessToken: "x", expectedSubject: nil) }
        }
    }

    @Test func synchronousVerifyBeforeDiscoveryReportsNotLoaded() throws {
        let oidc = try verifier("https://auth.smarttask.io")
        #expect(throws: JWTKRemoteError(.notLoaded)) { try oidc.verify(idToken: "a.b.c") }
    }
}

/// Identifiers the specifications require to match exactly are compared byte for byte, never with Swift's
/// canonical-equivalence `==` (U+212A KELVIN SIGN equals "K" there).
@Suite struct ExactComparisonTests {
    static let kelvin = "\u{212A}"

    @Test func discoveryIssuerMustBeByteForByteIdentical() throws {
        func document(issuer: String) -> [UInt8] {
            let object: [String: Any] = [
                "issuer": issuer, "jwks_uri": "https://auth.example.com/jwks", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
            ]
            return Array(try! JSONSerialization.data(withJSONObject: object))
        }
        let configured = "https://auth.example.com/K"
        #expect(try OIDCProviderMetadata(json: document(issuer: configured), expectedIssuer: configured).issuer == configured)
        let lookalike = "https://auth.example.com/\(Self.kelvin)"
        #expect(lookalike == configured)  // what `==` would have accepted
        #expect(throws: JWTKRemoteError(.issuerMismatch)) {
            try OIDCProviderMetadata(json: document(issuer: lookalike), expectedIssuer: configured)
        }
    }

    @Test func userinfoSubjectMustBeByteForByteIdentical() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.userinfoSubject = "user-\(Self.kelvin)" }
            let endpoint = URL(string: provider.base + "/userinfo")!
            _ = try await UserInfoClient(timeout: roomyTimeout).fetch(
                endpoint: endpoint, accessToken: "access-token-1", expectedSubject: "user-\(Self.kelvin)")
            await #expect(throws: JWTKRemoteError(.subjectMismatch)) {
                try await UserInfoClient(timeout: roomyTimeout).fetch(
                    endpoint: endpoint, accessToken: "access-token-1", expectedSubject: "user-K")
            }
        }
    }
}
