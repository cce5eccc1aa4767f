import Foundation
import JWTK
import Testing

/// Locates the repository's `testvectors/` and the Wycheproof files, relative to this source file.
enum Fixtures {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let vectors = repositoryRoot.appendingPathComponent("testvectors")

    /// The Project Wycheproof vectors vendored in `testvectors/wycheproof/` (licence and upstream commit in
    /// `testvectors/README.md`). Always present in a clone, so the Wycheproof suite never skips.
    static let wycheproofDirectory: URL = vectors.appendingPathComponent("wycheproof")

    static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: vectors.appendingPathComponent(relativePath))
    }

    static func text(_ relativePath: String) throws -> String {
        String(decoding: try data(relativePath), as: UTF8.self)
    }

    static func json(_ relativePath: String) throws -> Any {
        try JSONSerialization.jsonObject(with: try data(relativePath))
    }

    /// JSON text of a Foundation JSON object (for handing JWKs to jwtk).
    static func jsonText(_ object: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A generated key's file under `testvectors/generated/keys/`.
    static func key(_ name: String, _ suffix: String) throws -> String { try text("generated/keys/\(name).\(suffix)") }

    static func verificationKey(_ name: String) throws -> VerificationKey {
        try VerificationKey(jwk: try key(name, "public.jwk.json"))
    }

    static func signingKey(_ name: String) throws -> SigningKey {
        try SigningKey(jwk: try key(name, "private.jwk.json"))
    }
}

/// One case of our `jwtk-vectors/1` files.
struct VectorCase: CustomTestStringConvertible, Sendable {
    let file: String
    let id: String
    let alg: String
    let token: String
    let keyJSON: String?
    let expectValid: Bool
    let rejectReason: String?
    let payloadIsJSONObject: Bool
    let privateKeyJSON: String?
    let deterministic: Bool
    let detachedPayload: String?

    var testDescription: String { id }

    static func load(_ files: [String]) -> [VectorCase] {
        files.flatMap { file -> [VectorCase] in
            guard let root = try? Fixtures.json("rfc/\(file)") as? [String: Any], let cases = root["cases"] as? [[String: Any]] else {
                return []
            }
            return cases.map { c in
                VectorCase(
                    file: file, id: c["id"] as! String, alg: c["alg"] as! String, token: c["token"] as! String,
                    keyJSON: (c["key"] as? [String: Any]).map(Fixtures.jsonText), expectValid: (c["expect"] as! String) == "valid",
                    rejectReason: c["reject_reason"] as? String, payloadIsJSONObject: c["payload_is_json_object"] as? Bool ?? false,
                    privateKeyJSON: (c["private_key"] as? [String: Any]).map(Fixtures.jsonText),
                    deterministic: c["deterministic_signature"] as? Bool ?? false, detachedPayload: c["detached_payload"] as? String)
            }
        }
    }

    static let all = load(["rfc7515.json", "rfc7519.json", "rfc7520.json", "rfc8037.json"])
}
