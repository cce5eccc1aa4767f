import Foundation
import Hummingbird
import JWTK
import JWTKExampleService
import JWTKHummingbird
import Logging
import ServiceLifecycle
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real HTTP request over loopback with any method, headers (repeatable) and body.
func send(
    _ port: Int, _ path: String, method: String = "GET", headers: [(String, String)] = [], body: Data? = nil
) async throws -> HTTPResult {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
    request.httpMethod = method
    for (name, value) in headers { request.addValue(value, forHTTPHeaderField: name) }
    request.httpBody = body
    request.cachePolicy = .reloadIgnoringLocalCacheData
    let (data, response) = try await URLSession.shared.data(for: request)
    guard let http = response as? HTTPURLResponse else { throw TestFailure("not an HTTP response") }
    var fields: [String: String] = [:]
    for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
    return HTTPResult(status: http.statusCode, headers: fields, body: String(decoding: data, as: UTF8.self))
}

/// A DPoP client: its key, and proofs for requests to the service on `port`.
struct ProofSigner {
    let key = try! SigningKey.generate(for: .ES256)
    var jkt: String { key.verificationKey.thumbprint }

    func proof(
        port: Int, path: String = "/me", method: String = "GET", token: String, jti: String = UUID().uuidString, iat: Double = testNow,
        htu: String? = nil
    ) throws -> String {
        let target = htu ?? "http://127.0.0.1:\(port)\(path)"
        let claims =
            #"{"jti":"\#(jti)","htm":"\#(method)","htu":"\#(target)","iat":\#(Int(iat)),"ath":"\#(DPoPVerifier.accessTokenHash(token))"}"#
        return try JWTSigner(key: key, algorithm: .ES256)
            .sign(claims: claims, type: "dpop+jwt", extraHeader: #"{"jwk":\#(key.verificationKey.publicJWK)}"#)
    }
}

@Suite("DPoP, form bodies and the token cache over HTTP")
struct DPoPServiceTests {
    func withService<T: Sendable>(
        keys: [SigningKey], tokenCache: Int? = nil, _ body: (_ issuer: String, _ port: Int) async throws -> T
    ) async throws -> T {
        let provider = LoopbackProvider(keys: keys)
        return try await withRunning({ provider.application(onRunning: $0) }) { providerPort in
            let issuer = "http://127.0.0.1:\(providerPort)"
            var configuration = ExampleService.Configuration()
            configuration.issuers = [ExampleService.Issuer(issuer: issuer, audience: "api")]
            configuration.clock = JWTClock { testNow }
            configuration.dpop = true
            configuration.tokenCacheCapacity = tokenCache
            return try await withRunning({ try ExampleService.build(configuration, onServerRunning: $0).application }) { port in
                try await body(issuer, port)
            }
        }
    }

    @Test func dpopGoodReplayedAndEveryBindingFailure() async throws {
        let key = try SigningKey.generate(for: .ES256, keyID: "d1")
        let client = ProofSigner()
        try await withService(keys: [key]) { issuer, port in
            let bound = try sign(
                key, #"{"iss":"\#(issuer)","aud":"api","sub":"dpop-user","cnf":{"jkt":"\#(client.jkt)"},"exp":\#(testNow + 600)}"#)
            let algs = DPoPVerifier.asymmetricAlgorithms.map(\.rawValue).sorted().joined(separator: " ")

            // No token: both schemes are offered (RFC 9449 §7.2).
            let none = try await send(port, "/me")
            #expect(none.status == 401)
            #expect(none.header("WWW-Authenticate") == #"Bearer realm="jwtk-example", DPoP realm="jwtk-example", algs="\#(algs)""#)

            let proof = try client.proof(port: port, token: bound)
            let good = try await send(port, "/me", headers: [("Authorization", "DPoP \(bound)"), ("DPoP", proof)])
            #expect(good.status == 200)
            #expect(good.body.contains(#""sub":"dpop-user""#))

            func refused(_ headers: [(String, String)], _ code: String, error: String = "invalid_dpop_proof") async throws {
                let answer = try await send(port, "/me", headers: headers)
                #expect(answer.status == 401, "\(code)")
                #expect(
                    answer.header("WWW-Authenticate")
                        == #"DPoP realm="jwtk-example", error="\#(error)", error_description="\#(code)", algs="\#(algs)""#)
                #expect(!(answer.header("WWW-Authenticate") ?? "").contains(bound))
            }
            // The same proof again is a replay.
            try await refused([("Authorization", "DPoP \(bound)"), ("DPoP", proof)], "dpop_replayed")
            // A proof for another URI, for another token (ath), with no proof, with two proofs (URLSession joins the two
            // fields with a comma, as HTTP allows: no longer one JWT).
            try await refused(
                [("Authorization", "DPoP \(bound)"), ("DPoP", try client.proof(port: port, path: "/admin", token: bound))],
                "dpop_uri_mismatch")
            try await refused(
                [("Authorization", "DPoP \(bound)"), ("DPoP", try client.proof(port: port, token: bound + "x"))], "dpop_token_hash_mismatch"
            )
            try await refused([("Authorization", "DPoP \(bound)")], "dpop_proof_missing")
            try await refused(
                [
                    ("Authorization", "DPoP \(bound)"), ("DPoP", try client.proof(port: port, token: bound)),
                    ("DPoP", try client.proof(port: port, token: bound)),
                ], "dpop_malformed_proof")
            // A proof signed by another key than the one the token is bound to (cnf.jkt): invalid_token.
            let intruder = ProofSigner()
            try await refused(
                [("Authorization", "DPoP \(bound)"), ("DPoP", try intruder.proof(port: port, token: bound))], "dpop_key_binding_mismatch",
                error: "invalid_token")
            // A plain token presented with the DPoP scheme is not bound to any key.
            let plain = try sign(key, #"{"iss":"\#(issuer)","aud":"api","exp":\#(testNow + 600)}"#)
            try await refused(
                [("Authorization", "DPoP \(plain)"), ("DPoP", try client.proof(port: port, token: plain))], "dpop_key_binding_mismatch",
                error: "invalid_token")
            // An expired DPoP token fails as a token, under the DPoP scheme.
            let expired = try sign(key, #"{"iss":"\#(issuer)","aud":"api","cnf":{"jkt":"\#(client.jkt)"},"exp":\#(testNow - 1)}"#)
            let expiredAnswer = try await send(
                port, "/me", headers: [("Authorization", "DPoP \(expired)"), ("DPoP", try client.proof(port: port, token: expired))])
            #expect(expiredAnswer.status == 401)
            #expect(
                expiredAnswer.header("WWW-Authenticate")
                    == #"DPoP realm="jwtk-example", error="invalid_token", error_description="expired", algs="\#(algs)""#)
            // The bound token is still refused as a plain bearer token.
            let asBearer = try await send(port, "/me", headers: [("Authorization", "Bearer \(bound)")])
            #expect(asBearer.status == 401)
            #expect(asBearer.header("WWW-Authenticate")?.contains(#"error_description="sender_constrained_token""#) == true)

            let metrics = try await send(port, "/metrics").body
            #expect(value(metrics, "jwtk_verifications_total", [#"outcome="ok""#]) == 1)
            #expect(value(metrics, "jwtk_verifications_total", [#"outcome="dpop_replayed""#]) == 1)
            #expect(value(metrics, "jwtk_verifications_total", [#"outcome="dpop_key_binding_mismatch""#]) == 2)
            #expect(!metrics.contains(bound))
        }
    }

    @Test func tokenCacheHitsAndMissesInMetricsAfterAKnownSequence() async throws {
        let key = try SigningKey.generate(for: .ES256, keyID: "c1")
        try await withService(keys: [key], tokenCache: 64) { issuer, port in
            let token = try sign(key, #"{"iss":"\#(issuer)","aud":"api","exp":\#(testNow + 600)}"#)
            let expired = try sign(key, #"{"iss":"\#(issuer)","aud":"api","exp":\#(testNow - 1)}"#)
            // Each thread keeps its own table, so each thread that serves the token misses once. The service
            // runs on at most the cooperative pool and the NIO event loops: 2 x cores threads.
            let threads = 2 * ProcessInfo.processInfo.activeProcessorCount
            let requests = 2 * threads + 4
            for _ in 0..<requests { #expect(try await get(port, "/me", headers: ["Authorization": "Bearer \(token)"]).status == 200) }
            for _ in 0..<2 { #expect(try await get(port, "/me", headers: ["Authorization": "Bearer \(expired)"]).status == 401) }
            let text = try await get(port, "/metrics").body
            let hits = value(text, "jwtk_token_cache_lookups_total", [#"result="hit""#, #"issuer="\#(issuer)""#]) ?? 0
            let misses = value(text, "jwtk_token_cache_lookups_total", [#"result="miss""#, #"issuer="\#(issuer)""#]) ?? 0
            // The expired token is never stored: both of its lookups miss.
            #expect(hits + misses == Double(requests + 2))
            #expect(misses >= 3 && misses <= Double(threads + 2))
            #expect(hits >= Double(requests - threads))
            #expect(value(text, "jwtk_verifications_total", [#"outcome="ok""#]) == Double(requests))
            #expect(value(text, "jwtk_verifications_total", [#"outcome="expired""#]) == 2)
        }
    }

    func formApp(maxFormBodyBytes: Int) -> (@escaping @Sendable (Int) async -> Void) -> any Service {
        let key = self.formKey
        return { onRunning in
            var policy = VerificationPolicy(issuer: "https://i", audience: "api")
            policy.clock = JWTClock { testNow }
            let router = Router(context: JWTRequestContext.self)
            router.group().add(
                middleware: JWTAuthenticator<JWTRequestContext>(
                    verifier: LocalTokenVerifier(JWTVerifier(keys: [key.verificationKey], policy: policy)), realm: "t",
                    locations: [.authorizationHeader, .formBody], maxFormBodyBytes: maxFormBodyBytes)
            ).post("me") { request, context -> String in
                // The route still reads the whole body the middleware collected.
                var request = request
                let body = try await request.collectBody(upTo: 1 << 20)
                return "\((try? context.identity?.claims.subject) ?? "-") \(body.readableBytes)"
            }
            return Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await onRunning($0.localAddress?.port ?? 0) }, logger: Logger(label: "form"))
        }
    }
    let formKey = try! SigningKey.generate(for: .ES256, keyID: "form")

    @Test func formBodyTokensUnderRFC6750Section2_2() async throws {
        let token = try sign(formKey, #"{"iss":"https://i","aud":"api","sub":"f","exp":\#(testNow + 60)}"#)
        let form = "a=1&access_token=\(token)&b=%41"
        let size = form.utf8.count
        let formType = ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        try await withRunning(formApp(maxFormBodyBytes: size)) { port in
            let ok = try await send(port, "/me", method: "POST", headers: [formType], body: Data(form.utf8))
            #expect(ok.status == 200)
            #expect(ok.body == "f \(size)")
            // Not a form (JSON), and a GET: the body is not read.
            let json = try await send(port, "/me", method: "POST", headers: [("Content-Type", "application/json")], body: Data(form.utf8))
            #expect(json.status == 401)
            #expect(json.header("WWW-Authenticate") == #"Bearer realm="t""#)
            // One byte past the limit.
            let long = try await send(port, "/me", method: "POST", headers: [formType], body: Data((form + "c").utf8))
            #expect(long.status == 400)
            #expect(long.header("WWW-Authenticate")?.contains(#"error_description="limit_exceeded""#) == true)
            // The token in the form and in the header: two methods.
            let both = try await send(
                port, "/me", method: "POST", headers: [formType, ("Authorization", "Bearer \(token)")], body: Data(form.utf8))
            #expect(both.status == 400)
            #expect(both.header("WWW-Authenticate")?.contains(#"error_description="multiple_tokens""#) == true)
            // Twice in the form, and a malformed escape.
            #expect(
                try await send(port, "/me", method: "POST", headers: [formType], body: Data("access_token=a&access_token=b".utf8)).status
                    == 400)
            #expect(try await send(port, "/me", method: "POST", headers: [formType], body: Data("access_token=%zz".utf8)).status == 400)
        }
    }

    /// The value of the sample of `name` whose labels include all of `labels`.
    func value(_ text: String, _ name: String, _ labels: [String]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") {
            guard labels.allSatisfy({ line.contains($0) }), let space = line.lastIndex(of: " ") else { continue }
            return Double(line[line.index(after: space)...])
        }
        return nil
    }
}
