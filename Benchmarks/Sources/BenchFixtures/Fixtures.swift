import Foundation
import JWTK

/// The repository's `testvectors/`, located from this source file (`#filePath`), so benchmarks read the
/// same files the tests use, whatever the working directory.
public enum BenchFixtures {
    /// `<repo>/testvectors`.
    public static let vectors: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // BenchFixtures
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()  // Benchmarks
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("testvectors")

    /// The bytes of `testvectors/<relativePath>`; stops the process with a clear message when missing.
    public static func data(_ relativePath: String) -> Data {
        let url = vectors.appendingPathComponent(relativePath)
        guard let data = try? Data(contentsOf: url) else { fatalError("benchmark fixture missing: \(url.path)") }
        return data
    }

    /// The UTF-8 text of `testvectors/<relativePath>`.
    public static func text(_ relativePath: String) -> String { String(decoding: data(relativePath), as: UTF8.self) }

    /// Parsed JSON of `testvectors/<relativePath>`.
    public static func json(_ relativePath: String) -> Any {
        guard let object = try? JSONSerialization.jsonObject(with: data(relativePath)) else {
            fatalError("benchmark fixture is not JSON: \(relativePath)")
        }
        return object
    }

    /// One generated OIDC-style token (testvectors/generated/tokens.json).
    public struct TokenCase: Sendable {
        public let algorithm: JWSAlgorithm
        public let token: String
        /// Name of the key under generated/keys/ (`rsa2048`, `p256`, `hs256`, ...).
        public let keyName: String
    }

    /// Every case of tokens.json, by algorithm name.
    public static let tokens: [String: TokenCase] = {
        guard let root = json("generated/tokens.json") as? [String: Any], let cases = root["cases"] as? [[String: Any]] else {
            fatalError("generated/tokens.json has no cases")
        }
        var out: [String: TokenCase] = [:]
        for c in cases {
            guard let alg = c["alg"] as? String, let algorithm = JWSAlgorithm(rawValue: alg), let token = c["token"] as? String,
                let key = c["key"] as? String
            else { continue }
            out[alg] = TokenCase(algorithm: algorithm, token: token, keyName: key)
        }
        return out
    }()

    /// The public JWK text of a generated key.
    public static func publicJWK(_ keyName: String) -> String { text("generated/keys/\(keyName).public.jwk.json") }

    /// The issuer and audience the generated tokens carry.
    public static let issuer = "https://auth.smarttask.example"
    public static let audience = "jwtk-demo-client"

    /// A verifier for one generated token: its key only, its algorithm only, issuer and audience checked.
    public static func verifier(for tokenCase: TokenCase) -> JWTVerifier {
        let key: VerificationKey
        do { key = try VerificationKey(jwk: publicJWK(tokenCase.keyName)) } catch { fatalError("key \(tokenCase.keyName): \(error)") }
        var policy = VerificationPolicy(issuer: issuer, audience: audience)
        policy.algorithms = [tokenCase.algorithm]
        return JWTVerifier(keys: [key], policy: policy)
    }

    /// One published RFC example that verifies (signature only: their `exp` is in 2011).
    public struct RFCCase: Sendable {
        public let id: String
        public let token: String
        public let verifier: JWTVerifier
    }

    /// The valid, non-detached published examples of testvectors/rfc, each with a verifier for its key and algorithm.
    public static func rfcValidCases() -> [RFCCase] {
        var out: [RFCCase] = []
        for file in ["rfc7515.json", "rfc7519.json", "rfc7520.json", "rfc8037.json"] {
            guard let root = json("rfc/\(file)") as? [String: Any], let cases = root["cases"] as? [[String: Any]] else {
                fatalError("rfc/\(file) has no cases")
            }
            for c in cases where (c["expect"] as? String) == "valid" && c["detached_payload"] == nil {
                guard let id = c["id"] as? String, let token = c["token"] as? String, let alg = c["alg"] as? String,
                    let algorithm = JWSAlgorithm(rawValue: alg), let jwk = c["key"] as? [String: Any],
                    let jwkData = try? JSONSerialization.data(withJSONObject: jwk),
                    let key = try? VerificationKey(jwk: String(decoding: jwkData, as: UTF8.self))
                else { fatalError("rfc/\(file): unusable case \(c["id"] ?? "?")") }
                var policy = VerificationPolicy()
                policy.algorithms = [algorithm]
                let verifier = JWTVerifier(keyring: Keyring(keys: [key], unidentifiedKeyMatching: .matchAnyKeyID), policy: policy)
                out.append(RFCCase(id: id, token: token, verifier: verifier))
            }
        }
        return out
    }
}
