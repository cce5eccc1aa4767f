import Foundation
import JWTK
import Testing

/// Signing then verifying, with fresh keys and with the repository's keys and tokens.
@Suite("Signing round trips")
struct RoundTripTests {
    static let claims = #"{"iss":"https://issuer.example","sub":"42","exp":4102444800,"iat":1767225600,"n":[1,2,{"k":"v"}]}"#

    @Test(arguments: JWSAlgorithm.allCases)
    func freshKeySignsAndVerifies(_ algorithm: JWSAlgorithm) throws {
        let key = try SigningKey.generate(for: algorithm, keyID: "fresh")
        let token = try JWTSigner(key: key, algorithm: algorithm).sign(claims: Self.claims)
        var policy = TestPolicy.fixed()
        policy.issuers = ["https://issuer.example"]
        let verified = try JWTVerifier(keys: [key.verificationKey], policy: policy).verify(token)
        #expect(verified.algorithm == algorithm)
        #expect(verified.header.type == "JWT" && verified.header.keyID == "fresh")
        #expect(try verified.claims.subject == "42")
        #expect(verified.claims.payload == Array(Self.claims.utf8))
        // The public key survives export and re-import, and the private key survives PEM export.
        let reimported = try VerificationKey(jwk: key.verificationKey.publicJWK)
        #expect(throws: Never.self) { try JWTVerifier(keys: [reimported], policy: policy).verify(token) }
        if let pem = key.privateKeyPEM {
            let again = try SigningKey(pem: pem, keyID: "fresh")
            let token2 = try JWTSigner(key: again, algorithm: algorithm).sign(claims: Self.claims)
            #expect(throws: Never.self) { try JWTVerifier(keys: [key.verificationKey], policy: policy).verify(token2) }
        }
    }

    @Test func ed448KeyIsGeneratedAndVerifiesWithBothNames() throws {
        let key = try SigningKey.generate(for: .Ed448, keyID: "ed448")
        #expect(key.verificationKey.type == .okp(curve: "Ed448"))
        for algorithm in [JWSAlgorithm.Ed448, .EdDSA] {
            let token = try JWTSigner(key: key, algorithm: algorithm).sign(claims: Self.claims)
            #expect(TestTokens.signature(token).count == 114)
            #expect(throws: Never.self) { try JWTVerifier(keys: [key.verificationKey], policy: TestPolicy.fixed()).verify(token) }
        }
        #expect(throws: JWTKError(.algorithmKeyMismatch)) { try JWTSigner(key: key, algorithm: .Ed25519).sign(claims: Self.claims) }
    }

    static let fixtureKeys: [(String, JWSAlgorithm)] = [
        ("hs256", .HS256), ("hs384", .HS384), ("hs512", .HS512), ("rsa2048", .RS256), ("rsa3072", .RS384), ("rsa4096", .RS512),
        ("rsa2048", .PS256), ("rsa3072", .PS384), ("rsa4096", .PS512), ("p256", .ES256), ("p384", .ES384), ("p521", .ES512),
        ("ed25519", .EdDSA), ("ed25519", .Ed25519),
    ]

    @Test(arguments: fixtureKeys.map { "\($0.0):\($0.1)" })
    func repositoryKeySignsAndVerifies(_ pair: String) throws {
        let name = String(pair.split(separator: ":")[0])
        let algorithm = JWSAlgorithm(rawValue: String(pair.split(separator: ":")[1]))!
        let signers =
            [try Fixtures.signingKey(name)]
            + (name.hasPrefix("hs") ? [] : [try SigningKey(pem: try Fixtures.key(name, "private.pem"), keyID: name)])
        for signer in signers {
            let token = try JWTSigner(key: signer, algorithm: algorithm).sign(claims: Self.claims)
            let verified = try JWTVerifier(keys: [try Fixtures.verificationKey(name)], policy: TestPolicy.fixed()).verify(token)
            #expect(verified.key.keyID == name)
        }
    }

    @Test func signerRefusesKeyOfTheWrongFamily() throws {
        #expect(throws: JWTKError(.algorithmKeyMismatch)) { try JWTSigner(key: TestKeys.p256, algorithm: .ES384).sign(claims: "{}") }
        #expect(throws: JWTKError(.algorithmKeyMismatch)) { try JWTSigner(key: TestKeys.hs256, algorithm: .RS256).sign(claims: "{}") }
        #expect(throws: JWTKError(.invalidJSON)) { try JWTSigner(key: TestKeys.hs256, algorithm: .HS256).sign(claims: "[]") }
        #expect(throws: JWTKError(.invalidKey)) { try SigningKey(jwk: try Fixtures.key("p256", "public.jwk.json")) }
    }

    @Test func extraHeaderMembersAreSignedButCannotOverrideAlg() throws {
        let token = try JWTSigner(key: TestKeys.p256, algorithm: .ES256).sign(claims: Self.claims, extraHeader: #"{"alg":"none","x":[1]}"#)
        let verified = try JWTVerifier(keys: [TestKeys.p256.verificationKey], policy: TestPolicy.fixed()).verify(token)
        #expect(verified.header.algorithmName == "ES256")
        #expect(verified.header.json["x"]?.array?.count == 1)
    }

    // MARK: generated tokens

    struct GeneratedToken: Sendable, CustomTestStringConvertible {
        let id: String, alg: String, key: String, token: String, now: Double
        var testDescription: String { id }

        static let all: [GeneratedToken] = {
            guard let root = try? Fixtures.json("generated/tokens.json") as? [String: Any], let cases = root["cases"] as? [[String: Any]]
            else { return [] }
            return cases.map {
                GeneratedToken(
                    id: $0["id"] as! String, alg: $0["alg"] as! String, key: $0["key"] as! String, token: $0["token"] as! String,
                    now: ($0["now"] as! NSNumber).doubleValue)
            }
        }()
    }

    static func verifier(for token: GeneratedToken) throws -> JWTVerifier {
        let keys: [VerificationKey] =
            token.alg.hasPrefix("HS")
            ? [try Fixtures.verificationKey(token.key)] : try JWKSet(json: try Fixtures.text("generated/jwks.json")).keys
        var policy = VerificationPolicy.openIDConnect(
            issuer: "https://auth.smarttask.example", clientID: "jwtk-demo-client", nonce: "n-0S6_WzA2Mj")
        policy.clock = .fixed(token.now)
        return JWTVerifier(keys: keys, policy: policy)
    }

    @Test func allGeneratedTokensAreLoaded() {
        #expect(GeneratedToken.all.count == 13)
        #expect(Set(GeneratedToken.all.map(\.alg)).count == 13)
    }

    @Test(arguments: GeneratedToken.all)
    func generatedTokenVerifies(_ token: GeneratedToken) throws {
        let verified = try Self.verifier(for: token).verify(token.token)
        #expect(verified.algorithm.rawValue == token.alg)
        #expect(verified.key.keyID == token.key)
        #expect(try verified.claims.string("email") == "jane.doe@example.com")
    }

    /// Flipping one bit anywhere (every 7th bit of the token) never yields an accepted token.
    @Test(arguments: GeneratedToken.all)
    func oneBitFlipIsNeverAccepted(_ token: GeneratedToken) throws {
        let verifier = try Self.verifier(for: token)
        let bytes = Array(token.token.utf8)
        var flips = 0
        var bit = 0
        while bit < bytes.count * 8 {
            var mutated = bytes
            mutated[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
            if let accepted = try? verifier.verify(bytes: mutated) {
                Issue.record("\(token.id): flipping bit \(bit) was accepted (alg \(accepted.algorithm))")
            }
            flips += 1
            bit += 7
        }
        #expect(flips >= bytes.count * 8 / 7)
    }

    // MARK: the bundled example

    static func exampleVerifier(at now: Double) throws -> JWTVerifier {
        var policy = VerificationPolicy.openIDConnect(
            issuer: "https://auth.smarttask.example", clientID: "jwtk-demo-client", nonce: "n-0S6_WzA2Mj")
        policy.clock = .fixed(now)
        return JWTVerifier(keyring: Keyring(jwks: try JWKSet(json: try Fixtures.text("example/jwks.json"))), policy: policy)
    }

    static var exampleToken: String {
        get throws { try Fixtures.text("example/id_token.jwt").trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    @Test func exampleTokenVerifiesInsideItsWindow() throws {
        let verified = try Self.exampleVerifier(at: 1_767_227_400).verify(try Self.exampleToken)
        #expect(verified.key.keyID == "smarttask-2026-01")
        #expect(try verified.claims.string("name") == "Jane Doe")
    }

    @Test func exampleTokenIsExpiredAtItsExpiry() throws {
        #expect(throws: JWTKError(.expired)) { try Self.exampleVerifier(at: 1_767_229_200).verify(try Self.exampleToken) }
        #expect(throws: JWTKError(.nonceMismatch)) {
            var policy = try Self.exampleVerifier(at: 1_767_227_400).policy
            policy.nonce = "other"
            try JWTVerifier(keyring: try Self.exampleVerifier(at: 0).keyring, policy: policy).verify(try Self.exampleToken)
        }
    }

    @Test func exampleTokenIsReproducedFromThePrivateKey() throws {
        // RS256 is deterministic: re-signing the same header and payload gives the same token.
        let token = try Self.exampleToken
        let parts = TestTokens.segments(token)
        let key = try SigningKey(jwk: try Fixtures.text("example/private/smarttask-2026-01.private.jwk.json"))
        let signature = try key.sign(Array("\(parts[0]).\(parts[1])".utf8), algorithm: .RS256)
        #expect(TestTokens.b64(signature) == parts[2])
    }
}
