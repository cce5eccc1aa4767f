import Foundation
import JWTK
import JWTKTestSupport
import Testing

@testable import JWTKRemote

/// Issue 9, the remote side: bounded and strictly parsed remote bodies, refused access tokens, clear messages
/// for odd statuses, upper-case schemes, and published private keys.
@Suite struct RemoteBodyTests {
    let clock = ManualClock()

    static let bomb: [UInt8] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("testvectors/remote/gzip-bomb-64MiB.json.gz")
        return (try? Array(Data(contentsOf: url))) ?? []
    }()

    static let gzipped = TestProvider.Fault.raw(
        status: 200, headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"], body: bomb)

    func jwks(_ provider: TestProvider, path: String = "/jwks") throws -> RemoteJWKS {
        var configuration = RemoteJWKS.Configuration.roomy
        configuration.clock = clock.clock
        return try RemoteJWKS(url: URL(string: provider.base + path)!, configuration: configuration)
    }

    // MARK: 1. compressed bodies

    /// A 64 KB gzip body that inflates to 64 MiB (64 times the cap) is refused at its headers: the request
    /// asked for `identity`, no body byte is buffered, and the error names the encoding.
    @Test func gzipBombIsRefusedBeforeAnyBodyByteIsBuffered() async throws {
        #expect(Self.bomb.count > 60_000 && Self.bomb.count < 1 << 20)
        try await TestProvider.with { provider in
            provider.update { $0.jwksFault = Self.gzipped }
            let meter = BodyMeter()
            let request = HTTPFetchRequest(url: URL(string: provider.base + "/jwks")!, timeout: 30, maxResponseBytes: 1 << 20)
            let error = await #expect(throws: JWTKRemoteError(.unexpectedContentEncoding)) {
                try await URLSessionFetcher(meter: meter).fetch(request)
            }
            #expect(error?.reason.contains("Content-Encoding \"gzip\"") == true)
            #expect(meter.peakBytes == 0)
            #expect(provider.lastHeaders("/jwks")["accept-encoding"] == "identity")
        }
    }

    /// The same bomb through each client: JWK Set, discovery and userinfo.
    @Test func gzipBombIsRefusedByEveryRemoteClient() async throws {
        try await TestProvider.with { provider in
            provider.update {
                $0.jwksFault = Self.gzipped
                $0.discoveryFault = Self.gzipped
                $0.userinfoFault = Self.gzipped
            }
            let set = try jwks(provider)
            await #expect(throws: JWTKRemoteError(.unexpectedContentEncoding)) { try await set.refresh() }
            #expect(set.statistics.lastError?.code == .unexpectedContentEncoding)
            await #expect(throws: JWTKRemoteError(.unexpectedContentEncoding)) {
                try await OIDCDiscovery(issuer: provider.base, configuration: .roomy).metadata()
            }
            await #expect(throws: JWTKRemoteError(.unexpectedContentEncoding)) {
                try await UserInfoClient(timeout: roomyTimeout).fetch(
                    endpoint: URL(string: provider.base + "/userinfo")!, accessToken: "access-token-1")
            }
            for path in ["/jwks", "/.well-known/openid-configuration", "/userinfo"] {
                #expect(provider.lastHeaders(path)["accept-encoding"] == "identity", "\(path)")
            }
        }
    }

    /// A followed same-origin redirect asks for `identity` too, and a gzip answer behind it is refused.
    @Test func redirectedRequestAsksForIdentityToo() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.jwksFault = Self.gzipped }
            let meter = BodyMeter()
            let request = HTTPFetchRequest(url: URL(string: provider.base + "/redirect-same")!, timeout: 30, maxResponseBytes: 1 << 20)
            await #expect(throws: JWTKRemoteError(.unexpectedContentEncoding)) { try await URLSessionFetcher(meter: meter).fetch(request) }
            #expect(provider.count("/redirect-same") == 1)
            #expect(provider.lastHeaders("/jwks")["accept-encoding"] == "identity")
            #expect(meter.peakBytes == 0)
        }
    }

    /// `Content-Encoding: identity` is what was asked for, and is accepted.
    @Test func identityEncodingIsAccepted() async throws {
        try await TestProvider.with { provider in
            let k1 = try TestIssuer(kid: "k1")
            provider.update {
                $0.jwksFault = .raw(
                    status: 200, headers: ["Content-Type": "application/json", "Content-Encoding": "identity"],
                    body: Array(jwksDocument([k1]).utf8))
            }
            #expect(try await jwks(provider).refresh() == .updated(keyCount: 1))
        }
    }

    // MARK: 5. strict parsing of remote documents

    static func discovery(_ issuer: String, extra: String = "") -> String {
        #"{"#
            + extra
            + #""issuer":"\#(issuer)","jwks_uri":"\#(issuer)/jwks","id_token_signing_alg_values_supported":["RS256"]}"#
    }

    /// Each document a lenient parser accepts and the strict one refuses, with the reason it gives.
    @Test(arguments: [
        (#"{"issuer":"http://evil.example","#, #"the member "issuer" twice"#),
        (#"{"x":"a\u0000b","#, "is refused"),
        (#"{"x":NaN,"#, "NaN, which is not a JSON number (RFC 8259 §6)"),
        (#"{"x":-Infinity,"#, "-Infinity, which is not a JSON number"),
        (#"{"x":[1,2,],"#, "is refused"),
        (#"{"x":"#, "nests deeper than 64 levels"),
    ])
    func discoveryDocumentIsParsedStrictly(prefix: String, reason: String) throws {
        let issuer = "https://issuer.test"
        var text = Self.discovery(issuer)
        if prefix == #"{"x":"# {
            text = Self.discovery(issuer, extra: #""x":"# + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + ",")
        } else {
            text = prefix + text.dropFirst()
        }
        #expect(throws: JWTKRemoteError(.invalidDocument)) { try OIDCProviderMetadata(json: Array(text.utf8), expectedIssuer: issuer) }
        do {
            _ = try OIDCProviderMetadata(json: Array(text.utf8), expectedIssuer: issuer)
        } catch {
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
        // The untouched document is accepted, and `document` holds what was parsed.
        let metadata = try OIDCProviderMetadata(json: Array(Self.discovery(issuer).utf8), expectedIssuer: issuer)
        #expect(metadata.document["issuer"]?.string == issuer)
    }

    /// The nesting limit of remote documents, 64 levels with the top-level object as 1: exactly 64 is
    /// accepted, 65 is refused (discovery and userinfo alike).
    @Test func remoteDocumentNestingLimitIsExact() throws {
        let issuer = "https://issuer.test"
        func nested(_ arrays: Int) -> String {
            #""x":"# + String(repeating: "[", count: arrays) + String(repeating: "]", count: arrays) + ","
        }
        _ = try OIDCProviderMetadata(json: Array(Self.discovery(issuer, extra: nested(63)).utf8), expectedIssuer: issuer)
        let error = #expect(throws: JWTKRemoteError(.invalidDocument)) {
            try OIDCProviderMetadata(json: Array(Self.discovery(issuer, extra: nested(64)).utf8), expectedIssuer: issuer)
        }
        #expect(error?.underlying?.code == .limitExceeded)
        _ = try UserInfo(json: Array(("{" + nested(63) + #""sub":"u"}"#).utf8))
        #expect(throws: JWTKRemoteError(.invalidDocument)) { try UserInfo(json: Array(("{" + nested(64) + #""sub":"u"}"#).utf8)) }
    }

    /// Over loopback: a duplicated `issuer` (last one equal to the configured issuer) is refused, not matched.
    @Test func discoveryWithADuplicateIssuerIsRefusedOverLoopback() async throws {
        try await TestProvider.with { provider in
            let body = #"{"issuer":"http://evil.example","# + Self.discovery(provider.base).dropFirst()
            provider.update {
                $0.discoveryFault = .raw(status: 200, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
            }
            let error = await #expect(throws: JWTKRemoteError(.invalidDocument)) {
                try await OIDCDiscovery(issuer: provider.base, configuration: .roomy).metadata()
            }
            #expect(error?.underlying?.code == .invalidJSON)
        }
    }

    /// Two `sub`s, the last equal to the expected one, are refused, not matched.
    @Test func userinfoWithADuplicateSubIsRefused() async throws {
        #expect(throws: JWTKRemoteError(.invalidDocument)) { try UserInfo(json: Array(#"{"sub":"user-2","sub":"user-1"}"#.utf8)) }
        try await TestProvider.with { provider in
            provider.update {
                $0.userinfoFault = .raw(
                    status: 200, headers: ["Content-Type": "application/json"], body: Array(#"{"sub":"user-2","sub":"user-1"}"#.utf8))
            }
            await #expect(throws: JWTKRemoteError(.invalidDocument)) {
                try await UserInfoClient(timeout: roomyTimeout).fetch(
                    endpoint: URL(string: provider.base + "/userinfo")!, accessToken: "access-token-1", expectedSubject: "user-1")
            }
        }
        let info = try UserInfo(json: Array(#"{"sub":"user-1","name":"Ada","n":1}"#.utf8))
        #expect(info.claimNames == ["n", "name", "sub"])
        #expect(info.string("name") == "Ada")
        #expect(info.string("n") == nil)
    }

    // MARK: 8. access tokens

    @Test(arguments: ["tok\ten", "tok\u{0}en", "tok\u{FFFD}en", "tök", "a b", "", "=abc", "ab=c", "tok\r\n"])
    func accessTokenOutsideB64TokenIsNeverSent(token: String) async throws {
        #expect(!UserInfoClient.isBearerToken(token))
        try await TestProvider.with { provider in
            let error = await #expect(throws: JWTKRemoteError(.invalidArgument)) {
                try await UserInfoClient(timeout: roomyTimeout).fetch(
                    endpoint: URL(string: provider.base + "/userinfo")!, accessToken: token)
            }
            #expect(error?.reason.contains(token.isEmpty ? "empty" : "b64token") == true)
            #expect(provider.count("/userinfo") == 0)
        }
    }

    @Test func b64TokenAlphabetIsAccepted() {
        #expect(UserInfoClient.isBearerToken("AZaz09-._~+/"))
        #expect(UserInfoClient.isBearerToken("abc=="))
        #expect(!UserInfoClient.isBearerToken("=="))
    }

    // MARK: 9. messages and URL normalisation

    @Test func notModifiedToAnUnconditionalRequestSaysSo() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.jwksFault = .raw(status: 304, headers: [:], body: []) }
            let error = await #expect(throws: JWTKRemoteError(.httpStatus)) { try await jwks(provider).refresh() }
            #expect(error?.reason.contains("304 (Not Modified) to a request that was not conditional") == true, "\(error?.reason ?? "")")
        }
    }

    @Test func redirectWithoutLocationSaysSo() async throws {
        try await TestProvider.with { provider in
            provider.update { $0.jwksFault = .raw(status: 302, headers: [:], body: []) }
            let error = await #expect(throws: JWTKRemoteError(.httpStatus)) { try await jwks(provider).refresh() }
            #expect(error?.reason == "the server answered HTTP 302, a redirect without a Location header", "\(error?.reason ?? "")")
        }
    }

    /// Schemes are case-insensitive (RFC 3986 §3.1): `HTTP://127.0.0.1` is fetched as `http://127.0.0.1`, and
    /// `HTTP://example.com` is refused by the policy like `http://example.com`.
    @Test func upperCaseSchemeIsNormalisedBeforeThePolicy() async throws {
        #expect(try RemoteURLPolicy.url("HTTPS://Example.com/a").absoluteString == "https://Example.com/a")
        #expect(throws: JWTKRemoteError(.insecureURL)) { try RemoteURLPolicy.url("HTTP://example.com/jwks") }
        let document = jwksDocument([try TestIssuer(kid: "k1")])
        try await TestProvider.with { provider in
            provider.update { $0.jwks = document }
            let upper = "HTTP://127.0.0.1:\(provider.port)/jwks"
            var configuration = RemoteJWKS.Configuration.roomy
            configuration.clock = clock.clock
            let checked = try RemoteJWKS(url: RemoteURLPolicy.url(upper), configuration: configuration)
            #expect(try await checked.refresh() == .updated(keyCount: 1))
            // A URL built elsewhere, handed to the library as is.
            let direct = try RemoteJWKS(url: URL(string: upper)!, configuration: configuration)
            #expect(try await direct.refresh() == .updated(keyCount: 1))
        }
    }

    // MARK: 13. published private keys

    @Test(arguments: ["d", "p", "q", "dp", "dq", "qi"])
    func publishedKeyWithAPrivateMemberIsSkipped(member: String) async throws {
        let leaked = try TestIssuer(kid: "leaked")
        let good = try TestIssuer(kid: "good")
        let leakedJWK = String(leaked.publicJWK.dropLast()) + #","\#(member)":"AQAB"}"#
        let document = #"{"keys":["# + leakedJWK + "," + good.publicJWK + "]}"
        // A local file is the caller's own: its private members are ignored, as before.
        #expect(try JWKSet(json: document).keys.count == 2)
        try await TestProvider.with { provider in
            provider.update { $0.jwks = document }
            let set = try jwks(provider)
            #expect(try await set.refresh() == .updated(keyCount: 1))
            #expect(set.keyring.keys.map(\.keyID) == ["good"])
            let skipped = set.statistics.skippedKeyDetails
            #expect(skipped.count == 1)
            #expect(skipped.first?.keyID == "leaked")
            #expect(skipped.first?.reason.code == .unsupportedKey)
            #expect(skipped.first?.reason.reason.contains("carries private members (\(member))") == true)
            #expect(skipped.first?.reason.reason.contains("AQAB") == false)
        }
    }
}
