import Foundation
import JWTK

/// A signing key generated in the test, with the tokens and JWKs the provider tests publish (shared by
/// `JWTKRemoteTests`, where it is also called `TestIssuer`, and `jwtkCLITests`).
package struct TestKey {
    /// The private key.
    package let key: SigningKey
    /// The algorithm its tokens are signed with.
    package let algorithm: JWSAlgorithm

    /// A new key for `algorithm` with `kid`.
    package init(kid: String, algorithm: JWSAlgorithm = .ES256) throws {
        self.key = try SigningKey.generate(for: algorithm, keyID: kid)
        self.algorithm = algorithm
    }

    private init(key: SigningKey, algorithm: JWSAlgorithm) {
        self.key = key
        self.algorithm = algorithm
    }

    /// A copy of this key under another `kid` (same key material): a forged or renamed key id.
    package func renamed(_ kid: String) throws -> TestKey {
        try TestKey(key: SigningKey(pem: key.privateKeyPEM!, keyID: kid), algorithm: algorithm)
    }

    /// The public JWK, as jwtk writes it.
    package var publicJWK: String { key.verificationKey.publicJWK }

    /// The public JWK with `alg` and `use` added, as providers publish them.
    package var publishedJWK: String {
        var members = (try? JSONSerialization.jsonObject(with: Data(publicJWK.utf8))) as? [String: Any] ?? [:]
        members["alg"] = algorithm.rawValue
        members["use"] = "sig"
        let data = (try? JSONSerialization.data(withJSONObject: members, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// A JWK Set of these keys (``publishedJWK``).
    package static func jwks(_ keys: [TestKey]) -> String { #"{"keys":["# + keys.map(\.publishedJWK).joined(separator: ",") + "]}" }

    /// A token with these claims (sorted keys).
    package func token(_ claims: [String: Any], type: String? = "JWT") throws -> String {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]), as: UTF8.self)
        return try JWTSigner(key: key, algorithm: algorithm).sign(claims: json, type: type)
    }

    /// A token with `iss`, `sub`, `iat` and an `exp` two days ahead of `now`.
    package func basicToken(
        issuer: String = "https://issuer.test", audience: Any? = nil, now: Double, extra: [String: Any] = [:]
    ) throws -> String {
        var claims: [String: Any] = ["iss": issuer, "sub": "user-42", "iat": Int(now), "exp": Int(now) + 172_800]
        if let audience { claims["aud"] = audience }
        for (k, v) in extra { claims[k] = v }
        return try token(claims)
    }
}
