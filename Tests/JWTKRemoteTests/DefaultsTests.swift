import JWTK
import JWTKRemote
import Testing

/// Every default documented in docs/REMOTE.md; a change to one must be deliberate.
@Suite struct DefaultsTests {
    @Test func jwksDefaultsAreTheDocumentedOnes() {
        let c = RemoteJWKS.Configuration()
        #expect(c.timeout == 5)
        #expect(c.maxResponseBytes == 1_048_576)
        #expect(c.freshness == CacheFreshness(minimumTTL: 60, maximumTTL: 86_400, defaultTTL: 600))
        #expect(c.unknownKeyCooldown == 30)
        #expect(c.maxStaleness == 3600)
        #expect(c.refreshesInBackground)
        #expect(c.jwksLimits == JWKSet.Limits())
    }

    @Test func discoveryAndUserinfoDefaultsAreTheDocumentedOnes() {
        let d = OIDCDiscovery.Configuration()
        #expect(d.timeout == 5)
        #expect(d.maxResponseBytes == 1_048_576)
        #expect(d.freshness == CacheFreshness(minimumTTL: 60, maximumTTL: 86_400, defaultTTL: 3600))
        #expect(d.retryInterval == 30)
        #expect(d.maxStaleness == 86_400)
        let u = UserInfoClient()
        #expect(u.timeout == 5)
        #expect(u.maxResponseBytes == 1_048_576)
        #expect(URLSessionFetcher().maxRedirects == 5)
        #expect(HTTPFetchRequest.defaultUserAgent == "jwtk/\(JWTKLibrary.version)")
    }

    @Test func oidcAllowListHoldsNoHMACAlgorithm() {
        let allowed = OIDCVerifier.Configuration().allowedAlgorithms
        #expect(allowed.allSatisfy { $0.family != .hmac })
        #expect(allowed.isSuperset(of: [.RS256, .PS256, .ES256, .EdDSA]))
    }

    @Test func errorCodesKeepTheirStableNames() {
        #expect(
            JWTKRemoteError.Code.allCases.map(\.rawValue) == [
                "fetch_failed", "timeout", "tls_failure", "http_status", "response_too_large", "unexpected_content_type",
                "invalid_document", "insecure_url", "redirect_refused", "issuer_mismatch", "no_common_algorithm", "missing_endpoint",
                "stale_keys", "not_loaded", "subject_mismatch", "cancelled", "invalid_argument",
                "unexpected_content_encoding", "token_rejected",
            ])
    }
}
