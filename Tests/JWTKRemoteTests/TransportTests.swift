import Foundation
import JWTK
import JWTKRemote
import Testing

/// Wraps the real transport and counts what reaches it.
final class CountingFetcher: HTTPFetching {
    let inner = URLSessionFetcher()
    private let urls = Locked<[String]>([])

    var requested: [String] { urls.withLock { $0 } }

    func fetch(_ request: HTTPFetchRequest) async throws(JWTKRemoteError) -> HTTPFetchResponse {
        urls.withLock { $0.append(request.url.absoluteString) }
        return try await inner.fetch(request)
    }
}

@Suite struct TransportTests {
    @Test(arguments: [
        "https://auth.example.com/jwks", "http://127.0.0.1:8080/jwks", "http://127.5.6.7/jwks", "http://localhost:9000/x",
        "http://LOCALHOST/x", "http://[::1]:8443/jwks", "http://[0:0:0:0:0:0:0:1]/jwks", "http://[::0:1]/jwks", "http://[0000::0001]/jwks",
    ])
    func secureOrLoopbackURLsAreAccepted(url: String) throws {
        _ = try RemoteURLPolicy.url(url)
    }

    @Test(arguments: [
        "http://auth.example.com/jwks", "http://128.0.0.1/jwks", "http://127.0.0.1.example.com/jwks", "http://localhost.example.com/",
        "http://[::2]/jwks", "http://[::]/jwks", "http://[1::1]/jwks", "http://[::ffff:127.0.0.1]/jwks", "http://[::1:0]/jwks",
        "http://0177.0.0.1/jwks", "http://2130706433/jwks", "http://127.1/jwks", "ftp://127.0.0.1/jwks",
        "file:///etc/passwd", "https://user:secret@auth.example.com/jwks", "https:///jwks", "/relative/jwks",
    ])
    func insecureURLsAreRefused(url: String) {
        #expect(throws: JWTKRemoteError(.insecureURL)) { try RemoteURLPolicy.url(url) }
    }

    @Test func plainHTTPToANonLoopbackHostIsRefusedBeforeConnecting() async throws {
        let counting = CountingFetcher()
        // TEST-NET-1 (RFC 5737): a connection attempt would time out or fail, never report insecure_url.
        let url = URL(string: "http://192.0.2.10/jwks")!
        #expect(throws: JWTKRemoteError(.insecureURL)) { try RemoteJWKS(url: url, fetcher: counting) }
        #expect(throws: JWTKRemoteError(.insecureURL)) { try OIDCDiscovery(issuer: "http://192.0.2.10", fetcher: counting) }
        await #expect(throws: JWTKRemoteError(.insecureURL)) {
            try await URLSessionFetcher().fetch(HTTPFetchRequest(url: url, timeout: roomyTimeout, maxResponseBytes: 1024))
        }
        #expect(counting.requested.isEmpty)
    }

    @Test func slowServerFailsWithTimeout() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.jwksFault = .delay(seconds: 3) }
            let request = HTTPFetchRequest(url: URL(string: provider.base + "/jwks")!, timeout: 0.3, maxResponseBytes: 1 << 20)
            // Had the fetch waited for the server, it would have returned its 200.
            await #expect(throws: JWTKRemoteError(.timeout)) { try await URLSessionFetcher().fetch(request) }
        }
    }

    @Test func bodyOverTheCapIsRefused() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.jwksFault = .oversize(bytes: 2 << 20) }
            let request = HTTPFetchRequest(url: URL(string: provider.base + "/jwks")!, timeout: roomyTimeout, maxResponseBytes: 1 << 20)
            await #expect(throws: JWTKRemoteError(.responseTooLarge)) { try await URLSessionFetcher().fetch(request) }
        }
    }

    @Test func chunkedBodyOverTheCapIsCutOff() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.jwksFault = .oversizeChunked(bytes: 2 << 20) }
            let request = HTTPFetchRequest(url: URL(string: provider.base + "/jwks")!, timeout: roomyTimeout, maxResponseBytes: 1 << 20)
            await #expect(throws: JWTKRemoteError(.responseTooLarge)) { try await URLSessionFetcher().fetch(request) }
            provider.update { $0.jwksFault = .oversizeChunked(bytes: 1000) }
            let response = try await URLSessionFetcher().fetch(request)
            #expect(response.body.count == 1000)
        }
    }

    @Test func tlsHandshakeFailureIsReportedAsTLSFailure() async throws {
        try await TestProvider.with { provider in
            // https to a server that speaks plain HTTP: the handshake cannot succeed.
            let request = HTTPFetchRequest(
                url: URL(string: "https://127.0.0.1:\(provider.port)/jwks")!, timeout: roomyTimeout, maxResponseBytes: 1024)
            await #expect(throws: JWTKRemoteError(.tlsFailure)) { try await URLSessionFetcher().fetch(request) }
        }
    }

    @Test func refusedConnectionFailsWithFetchFailed() async throws {
        let port = try await TestProvider.with { $0.port }  // a port that was just free and is closed now
        let request = HTTPFetchRequest(url: URL(string: "http://127.0.0.1:\(port)/jwks")!, timeout: roomyTimeout, maxResponseBytes: 1024)
        await #expect(throws: JWTKRemoteError(.fetchFailed)) { try await URLSessionFetcher().fetch(request) }
    }

    @Test func statusesAreReturnedNotThrown() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.jwksFault = .status(503) }
            let request = HTTPFetchRequest(url: URL(string: provider.base + "/jwks")!, timeout: roomyTimeout, maxResponseBytes: 1024)
            let response = try await URLSessionFetcher().fetch(request)
            #expect(response.status == 503)
            #expect(response.header("Content-Type") == "application/json")
        }
    }
}

@Suite struct CacheFreshnessTests {
    let bounds = CacheFreshness()
    let now = 1_767_225_600.0

    @Test func maxAgeIsUsedWithinTheBounds() {
        #expect(bounds.lifetime(headers: ["cache-control": "public, max-age=300"], now: now) == 300)
        #expect(bounds.lifetime(headers: ["cache-control": "max-age=\"900\", must-revalidate"], now: now) == 900)
    }

    @Test func maxAgeIsClampedToTheMinimumAndMaximum() {
        #expect(bounds.lifetime(headers: ["cache-control": "max-age=5"], now: now) == 60)
        #expect(bounds.lifetime(headers: ["cache-control": "max-age=31536000"], now: now) == 86_400)
        #expect(bounds.lifetime(headers: ["cache-control": "no-cache"], now: now) == 60)
        #expect(bounds.lifetime(headers: ["cache-control": "no-store, max-age=600"], now: now) == 60)
    }

    @Test func ageIsSubtractedFromMaxAge() {
        #expect(bounds.lifetime(headers: ["cache-control": "max-age=600", "age": "100"], now: now) == 500)
    }

    @Test func expiresIsMeasuredFromTheDateHeader() {
        let headers = ["expires": "Thu, 01 Jan 2026 00:05:00 GMT", "date": "Thu, 01 Jan 2026 00:00:00 GMT"]
        #expect(bounds.lifetime(headers: headers, now: now + 10_000) == 300)
        #expect(bounds.lifetime(headers: ["expires": "Thu, 01 Jan 2026 00:10:00 GMT"], now: now) == 600)
    }

    @Test func maxAgeWinsOverExpires() {
        let headers = ["cache-control": "max-age=120", "expires": "Thu, 01 Jan 2026 05:00:00 GMT"]
        #expect(bounds.lifetime(headers: headers, now: now) == 120)
    }

    @Test func invalidExpiresCountsAsExpired() {
        #expect(bounds.lifetime(headers: ["expires": "0"], now: now) == 60)
    }

    @Test func noCacheHeadersGiveTheDefaultTTL() {
        #expect(bounds.lifetime(headers: [:], now: now) == 600)
        #expect(bounds.lifetime(headers: ["cache-control": "public"], now: now) == 600)
        #expect(CacheFreshness(minimumTTL: 10, maximumTTL: 100, defaultTTL: 42).lifetime(headers: [:], now: now) == 42)
    }

    @Test func allThreeHTTPDateFormsAreRead() {
        // RFC 9110 §5.6.7's example instant: 784111777.
        for form in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            let headers = ["expires": form, "date": "Sun, 06 Nov 1994 08:48:37 GMT"]
            #expect(bounds.lifetime(headers: headers, now: 0) == 60, "\(form)")
            let later = ["expires": form, "date": "Sun, 06 Nov 1994 07:49:37 GMT"]
            #expect(bounds.lifetime(headers: later, now: 0) == 3600, "\(form)")
        }
    }

    /// The HTTP-date reader uses the core's calendar (`DateText`): a day the month does not have is not a
    /// date, so such an `Expires` counts as already expired (RFC 9111 §5.3) instead of rolling into March.
    @Test(arguments: [
        ("Mon, 29 Feb 2027 08:00:00 GMT", false), ("Tue, 29 Feb 2028 08:00:00 GMT", true), ("Thu, 31 Apr 2027 08:00:00 GMT", false),
        ("Fri, 30 Apr 2027 08:00:00 GMT", true), ("Fri, 30 Apr 2027 24:00:00 GMT", false), ("Fri, 30 Apr 2027 23:60:00 GMT", false),
    ])
    func httpDatesAreReadWithTheCoresCalendar(expires: String, isDate: Bool) {
        // A `Date` a day earlier than any of them: a real date gives a long lifetime, a non-date none.
        let lifetime = CacheFreshness(minimumTTL: 0, maximumTTL: .infinity).lifetime(
            headers: ["expires": expires, "date": "Sun, 28 Feb 2027 08:00:00 GMT"], now: 0)
        #expect((lifetime > 0) == isDate, "\(expires)")
    }
}
