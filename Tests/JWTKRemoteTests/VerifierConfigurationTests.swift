import Foundation
import JWTK
import JWTKRemote
import JWTKTestSupport
import Testing

/// The policy file: the strict loader, its paths in error messages, its limits, the published JSON Schema
/// agreeing with it on good and bad examples, and the router it builds (over real loopback HTTP).
@Suite("Policy file (VerifierConfiguration)")
struct VerifierConfigurationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    static let policies = "testvectors/policies"

    let now: Double = 1_800_000_000

    func load(
        _ text: String, base: String? = nil, limits: VerifierConfiguration.Limits = .init()
    ) throws(VerifierConfigurationError)
        -> VerifierConfiguration
    {
        try VerifierConfiguration(json: Array(text.utf8), baseDirectory: base, limits: limits)
    }

    func refusal(_ text: String, base: String? = nil, limits: VerifierConfiguration.Limits = .init()) -> String? {
        do {
            _ = try load(text, base: base, limits: limits)
            return nil
        } catch {
            return error.description
        }
    }

    static let jwksIssuer = #"{"issuer":"https://a.example","jwks":"https://a.example/jwks","audiences":["api"]}"#

    // MARK: The examples and the schema

    static func files(_ folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path("\(policies)/\(folder)"))) ?? []
        return names.filter { $0.hasSuffix(".json") && $0 != "expected.json" }.sorted()
    }

    /// Runs python3's `jsonschema` (Draft 2020-12) over `files`; returns the names it refuses.
    static func schemaRefusals(_ files: [String]) throws -> Set<String> {
        let script = """
            import json, sys, jsonschema
            validator = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
            for name in sys.argv[2:]:
                if not validator.is_valid(json.load(open(name))): print(name)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path("docs/schemas/policy.schema.json")] + files
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python3 jsonschema failed (make deps installs it)")
        return Set(text.split(separator: "\n").map(String.init))
    }

    @Test func goodExamplesLoadAndMatchTheSchema() throws {
        let good = Self.files("good").map { Self.path("\(Self.policies)/good/\($0)") } + [Self.path("\(Self.policies)/example.policy.json")]
        #expect(good.count >= 4)
        for file in good {
            #expect(throws: Never.self, "\(file)") { try VerifierConfiguration.load(contentsOf: file) }
        }
        #expect(try Self.schemaRefusals(good).isEmpty)
    }

    @Test func badExamplesAreRefusedByBothWithTheirPath() throws {
        let expected =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: Self.path("\(Self.policies)/bad/expected.json")))) as! [String: String]
        let names = Self.files("bad")
        #expect(Set(names) == Set(expected.keys), "every bad example has its expected message")
        for name in names {
            let file = Self.path("\(Self.policies)/bad/\(name)")
            do {
                _ = try VerifierConfiguration.load(contentsOf: file)
                Issue.record("\(name) was accepted")
            } catch {
                #expect(error.description.hasPrefix(expected[name] ?? "?"), "\(name): \(error.description)")
            }
        }
        let refused = try Self.schemaRefusals(names.map { Self.path("\(Self.policies)/bad/\($0)") })
        #expect(
            refused.count == names.count,
            "the schema accepts: \(Set(names.map { Self.path("\(Self.policies)/bad/\($0)") }).subtracting(refused))")
    }

    @Test func schemaAlgorithmsAreTheLibrarys() throws {
        let schema = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: Self.path("docs/schemas/policy.schema.json"))))
        let defs = (schema as? [String: Any])?["$defs"] as? [String: Any]
        let items = (defs?["algorithms"] as? [String: Any])?["items"] as? [String: Any]
        #expect(Set(items?["enum"] as? [String] ?? []) == Set(JWSAlgorithm.allCases.map(\.rawValue)))
    }

    @Test func theExampleSaysWhatItMeans() throws {
        let configuration = try VerifierConfiguration.load(contentsOf: Self.path("\(Self.policies)/example.policy.json"))
        #expect(
            configuration.issuers.map(\.issuer) == [
                "https://auth.smarttask.example", "https://auth.smarttask.io", "https://partner.example",
            ])
        #expect(configuration.issuers.map(\.profile) == [.idToken, .jwtAccessToken, .accessToken])
        #expect(configuration.issuers[0].audiences == ["jwtk-demo-client"])  // the top-level default
        #expect(configuration.issuers[0].algorithms == [.RS256])
        #expect(configuration.issuers[1].algorithms == VerifierConfiguration.defaultAlgorithms)
        #expect(configuration.issuers[2].leeway == 30)
        guard case .keysFile(let keysPath, let keys) = configuration.issuers[0].keys else {
            Issue.record("issuers[0] should have local keys")
            return
        }
        #expect(keysPath.hasSuffix("testvectors/example/jwks.json") || keysPath.hasSuffix("testvectors/policies/../example/jwks.json"))
        #expect(!keys.isEmpty)
        #expect(configuration.scopes(forPath: "/admin") == ["admin"])
        #expect(configuration.scopes(forPath: "/admin/users") == ["admin"])
        #expect(configuration.scopes(forPath: "/administrator") == [])
        #expect(configuration.scopes(forPath: "/tasks/7") == ["tasks:read"])
        #expect(configuration.scopes(forPath: "/me") == [])
        #expect(configuration.cache.tokenCacheCapacity == 1024)
        #expect(configuration.realm == "smarttask-api")
        #expect(configuration.dpop == false)
        let policy = configuration.issuers[2].policy()
        #expect(policy.requiredClaims.contains("scope"))
        #expect(policy.issuers == ["https://partner.example"])
        #expect(configuration.issuers[1].policy().expectedType == "at+jwt")
    }

    // MARK: What only the loader can see

    @Test func duplicateMembersAreRefused() {
        let text =
            #"{"issuers":[{"issuer":"https://a.example","jwks":"https://a.example/jwks","jwks":"https://b.example/jwks","audiences":["api"]}]}"#
        #expect(refusal(text)?.contains(#"the member "jwks" twice"#) == true)
    }

    @Test func loaderOnlyMistakesNameTheirPath() throws {
        let cases: [(String, String)] = [
            (
                #"{"issuers":[\#(Self.jwksIssuer),{"issuer":"https://a.example","jwks":"https://c.example/jwks","audiences":["api"]}]}"#,
                #"issuers[1].issuer: "https://a.example" is already configured at issuers[0]"#
            ),
            (
                #"{"issuers":[{"issuer":"https://a.example","jwks":"https://a.example/jwks","audiences":["api"],"algorithms":["HS256"]}]}"#,
                "issuers[0].algorithms: HS256 needs a shared secret"
            ),
            (
                #"{"algorithms":["ES256","HS512"],"issuers":[\#(Self.jwksIssuer)]}"#,
                "algorithms: HS512 needs a shared secret"
            ),
            (
                #"{"issuers":[{"issuer":"https://a.example","jwks":"https://a.example/jwks","audiences":["x","y"],"profile":"id-token"}]}"#,
                "issuers[0].audiences: the id-token profile needs exactly one audience"
            ),
            (
                #"{"issuers":[\#(Self.jwksIssuer),{"issuer":"https://b.example","discovery":"https://b.example/openid","audiences":["api"]}]}"#,
                "issuers[1].discovery: must be the issuer's own discovery document, https://b.example/.well-known/openid-configuration"
            ),
            (
                #"{"issuers":[{"issuer":"https://a.example","jwks":"http://a.example/jwks","audiences":["api"]}]}"#,
                "issuers[0].jwks: is not usable"
            ),
            (
                #"{"issuers":[{"issuer":"https://a.example","keys":"missing.json","audiences":["api"]}]}"#,
                #"issuers[0].keys: cannot read the keys file "missing.json""#
            ),
            (#"{"issuers":[{"issuer":"https://a.example","jwks":"https://a.example/jwks"}]}"#, "issuers[0].audiences: is required"),
            (
                #"{"issuers":[\#(Self.jwksIssuer)],"cache":{"jwks_min_ttl":600,"jwks_max_ttl":60}}"#,
                "cache.jwks_max_ttl: must not be less than jwks_min_ttl (600)"
            ),
            (#"{"issuers":[\#(Self.jwksIssuer)],"cache":{"jwks_refresh_interval":0}}"#, "cache.jwks_refresh_interval: must be more than 0"),
            (
                #"{"issuers":[\#(Self.jwksIssuer)],"routes":[{"prefix":"/a","scopes":["x"]},{"prefix":"/a","scopes":["y"]}]}"#,
                #"routes[1].prefix: "/a" is already given"#
            ),
            (#"{"issuers":[\#(Self.jwksIssuer)],"realm":"a\"b"}"#, "realm: must be 1 to 256 printable ASCII"),
            (#"{"issuers":[\#(Self.jwksIssuer)],"audiences":["api","api"]}"#, #"audiences[1]: "api" is listed twice"#),
            (#"{"issuers":[\#(Self.jwksIssuer)], "leeway": "5"}"#, "leeway: must be a number of seconds from 0 to 600"),
            ("{", "the policy is refused: "),
        ]
        for (text, message) in cases {
            let description = refusal(text)
            #expect(description?.hasPrefix(message) == true, "expected \(message), got \(description ?? "acceptance")")
        }
    }

    @Test func aBadKeysFileIsNamedWithoutItsContents() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jwtk-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let secretish = "-----BEGIN PUBLIC KEY-----\nc2VjcmV0LWJvZHktbm90LWEta2V5\n-----END PUBLIC KEY-----\n"
        try secretish.write(to: directory.appendingPathComponent("bad.pem"), atomically: true, encoding: .utf8)
        let text = #"{"issuers":[{"issuer":"https://a.example","keys":"bad.pem","audiences":["api"]}]}"#
        let description = refusal(text, base: directory.path) ?? ""
        #expect(description.hasPrefix(#"issuers[0].keys: the keys file "bad.pem" holds no usable key"#))
        #expect(!description.contains("c2VjcmV0"))
    }

    // MARK: Limits, at their value and one past

    func padded(to size: Int) -> String {
        let base = #"{"issuers":[\#(Self.jwksIssuer)],"realm":"#
        let filler = size - base.utf8.count - 3
        return base + "\"" + String(repeating: "r", count: filler) + "\"}"
    }

    @Test func sizeLimit() {
        let limits = VerifierConfiguration.Limits(maxBytes: 200)
        let at = padded(to: 200)
        #expect(at.utf8.count == 200)
        #expect(refusal(at, limits: limits) == nil)
        let past = padded(to: 201)
        #expect(refusal(past, limits: limits) == "the policy is 201 bytes, more than the limit of 200")
    }

    @Test func depthLimit() {
        // The format's own depth is 4 (top, issuers, an issuer, its audiences).
        let text = #"{"issuers":[\#(Self.jwksIssuer)]}"#
        #expect(refusal(text, limits: .init(maxDepth: 4)) == nil)
        #expect(refusal(text, limits: .init(maxDepth: 3))?.hasPrefix("the policy is refused: ") == true)
        #expect(refusal(text, limits: .init(maxDepth: 3))?.contains("nests deeper than 3 levels") == true)
    }

    @Test func issuerAndRouteCountLimits() {
        func issuers(_ count: Int) -> String {
            let list = (0..<count).map { #"{"issuer":"https://i\#($0).example","jwks":"https://i\#($0).example/jwks"}"# }
            return #"{"audiences":["api"],"issuers":[\#(list.joined(separator: ","))]}"#
        }
        #expect(refusal(issuers(3), limits: .init(maxIssuers: 3)) == nil)
        #expect(refusal(issuers(4), limits: .init(maxIssuers: 3)) == "issuers: has 4 issuers, more than the limit of 3")
        #expect(refusal(issuers(64)) == nil)
        #expect(refusal(issuers(65))?.hasPrefix("issuers: has 65 issuers") == true)
        func routes(_ count: Int) -> String {
            let list = (0..<count).map { #"{"prefix":"/r\#($0)","scopes":["s"]}"# }
            return #"{"issuers":[\#(Self.jwksIssuer)],"routes":[\#(list.joined(separator: ","))]}"#
        }
        #expect(refusal(routes(2), limits: .init(maxRoutes: 2)) == nil)
        #expect(refusal(routes(3), limits: .init(maxRoutes: 2)) == "routes: has 3 rules, more than the limit of 2")
    }

    @Test func listLengthLimit() {
        func audiences(_ count: Int) -> String {
            let list = (0..<count).map { "\"a\($0)\"" }.joined(separator: ",")
            return #"{"audiences":[\#(list)],"issuers":[{"issuer":"https://a.example","jwks":"https://a.example/jwks"}]}"#
        }
        #expect(refusal(audiences(64)) == nil)
        #expect(refusal(audiences(65)) == "audiences: has 65 entries, more than the limit of 64")
    }

    @Test func aPolicyFileOverTheSizeLimitIsNotRead() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jwtk-policy-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(padded(to: 300).utf8).write(to: file)
        #expect(throws: Never.self) { try VerifierConfiguration.load(contentsOf: file.path, limits: .init(maxBytes: 300)) }
        #expect(throws: VerifierConfigurationError("", "the policy file is 300 bytes, more than the limit of 299")) {
            try VerifierConfiguration.load(contentsOf: file.path, limits: .init(maxBytes: 299))
        }
    }

    @Test func leewayAndCapacityBounds() {
        #expect(refusal(#"{"leeway":600,"issuers":[\#(Self.jwksIssuer)]}"#) == nil)
        #expect(refusal(#"{"leeway":600.5,"issuers":[\#(Self.jwksIssuer)]}"#) == "leeway: must be a number of seconds from 0 to 600")
        #expect(refusal(#"{"issuers":[\#(Self.jwksIssuer)],"cache":{"token_cache_capacity":1048576}}"#) == nil)
        #expect(refusal(#"{"issuers":[\#(Self.jwksIssuer)],"cache":{"token_cache_capacity":1048577}}"#) != nil)
    }

    // MARK: The verifiers it builds

    @Test func twoIssuersOverLoopbackAndLocalKeys() async throws {
        let remote = try TestIssuer(kid: "r1")
        let localKey = try TestIssuer(kid: "l1")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jwtk-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try jwksDocument([localKey]).write(to: directory.appendingPathComponent("local.json"), atomically: true, encoding: .utf8)
        try await TestProvider.with { provider in
            provider.update { $0.jwks = jwksDocument([remote]) }
            let text = #"""
                {"audiences":["api"],"issuers":[
                  {"issuer":"\#(provider.base)","discovery":"\#(provider.base)/.well-known/openid-configuration","algorithms":["ES256"]},
                  {"issuer":"https://local.example","keys":"local.json","profile":"at+jwt"}
                ]}
                """#
            let configuration = try load(text, base: directory.path)
            let verifiers = try configuration.makeVerifiers(clock: .fixed(now), timeout: roomyTimeout)
            #expect(provider.count("/.well-known/openid-configuration") == 0)  // nothing fetched up front

            // An unknown issuer: refused, no traffic.
            let unknown = try remote.basicToken(issuer: "\(provider.base)/", audience: "api", now: now)
            await #expect(throws: JWTKRemoteError.rejected(JWTKError(.issuerMismatch))) { try await verifiers.router.verify(unknown) }
            #expect(provider.count("/.well-known/openid-configuration") == 0 && provider.count("/jwks") == 0)

            // The remote issuer: discovery, then its JWK Set.
            let good = try remote.basicToken(issuer: provider.base, audience: "api", now: now)
            let routed = try await verifiers.router.verify(good)
            #expect(routed.issuer == provider.base)
            #expect(provider.count("/.well-known/openid-configuration") == 1 && provider.count("/jwks") == 1)
            #expect(verifiers.issuer(provider.base)?.jwks != nil)

            // The local issuer, RFC 9068 rules: a plain JWT is refused for its typ, an at+jwt accepted.
            let plain = try localKey.basicToken(issuer: "https://local.example", audience: "api", now: now)
            await #expect(throws: JWTKRemoteError.rejected(JWTKError(.typeMismatch))) { try await verifiers.router.verify(plain) }
            let access = try localKey.token(
                [
                    "iss": "https://local.example", "aud": "api", "sub": "u", "client_id": "c", "iat": Int(now), "jti": "j1",
                    "exp": Int(now) + 60,
                ],
                type: "at+jwt")
            #expect(try await verifiers.router.verify(access).issuer == "https://local.example")

            // Keys of one issuer never verify the other's tokens.
            let forged = try localKey.basicToken(issuer: provider.base, audience: "api", now: now)
            await #expect(throws: JWTKRemoteError.rejected(JWTKError(.keyNotFound))) { try await verifiers.router.verify(forged) }
            #expect(try verifiers.route(access).issuer == "https://local.example")
        }
    }

    @Test func prepareLoadsEveryRemoteIssuer() async throws {
        let key = try TestIssuer(kid: "p1")
        try await TestProvider.with { provider in
            provider.update { $0.jwks = jwksDocument([key]) }
            let text = #"{"audiences":["api"],"issuers":[{"issuer":"\#(provider.base)","jwks":"\#(provider.base)/jwks"}]}"#
            let verifiers = try load(text).makeVerifiers(clock: .fixed(now), timeout: roomyTimeout)
            try await verifiers.prepare()
            #expect(provider.count("/jwks") == 1)
            #expect(verifiers.issuers[0].jwks?.keyring.keys.count == 1)
        }
    }
}
