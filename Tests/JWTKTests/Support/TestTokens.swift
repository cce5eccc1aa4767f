import Foundation
import JWTK
import Testing

/// Test-side helpers that build tokens byte by byte, independent of the library's encoder, so tests can
/// produce exactly the malformed or hostile inputs they need.
enum TestTokens {
    /// base64url (unpadded) of UTF-8 text.
    static func b64(_ text: String) -> String { try! Base64URLTestCodec.encode(Array(text.utf8)) }
    /// base64url (unpadded) of bytes.
    static func b64(_ bytes: [UInt8]) -> String { try! Base64URLTestCodec.encode(bytes) }

    /// A compact JWS whose header and payload are the given JSON texts exactly as written, signed by `key`.
    static func sign(header: String, payload: String, key: SigningKey, algorithm: JWSAlgorithm) throws -> String {
        try sign(encodedHeader: b64(header), encodedPayload: b64(payload), key: key, algorithm: algorithm)
    }

    /// A compact JWS over already-encoded segments.
    static func sign(encodedHeader: String, encodedPayload: String, key: SigningKey, algorithm: JWSAlgorithm) throws -> String {
        let input = encodedHeader + "." + encodedPayload
        let signature = try key.sign(Array(input.utf8), algorithm: algorithm)
        return input + "." + b64(signature)
    }

    /// A header `{"alg":…,"kid":…}` plus extra members (JSON text without braces).
    static func header(_ algorithm: String, kid: String? = nil, extra: String? = nil) -> String {
        var members = ["\"alg\":\"\(algorithm)\""]
        if let kid { members.append("\"kid\":\"\(kid)\"") }
        if let extra { members.append(extra) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// The segments of a token.
    static func segments(_ token: String) -> [String] { token.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }

    /// Replaces the signature segment with the given bytes.
    static func withSignature(_ token: String, _ signature: [UInt8]) -> String {
        let parts = segments(token)
        return parts[0] + "." + parts[1] + "." + b64(signature)
    }

    /// The decoded signature bytes of a token.
    static func signature(_ token: String) -> [UInt8] { Array(try! Base64URLTestCodec.decode(segments(token)[2])) }

    /// `claims` signed with `TestKeys.hs256`, under `header` as written or `{"alg":"HS256","kid":"hs256"}`.
    static func hs256(_ claims: String, header: String? = nil) throws -> String {
        let key = TestKeys.hs256
        return try sign(header: header ?? TestTokens.header("HS256", kid: key.keyID), payload: claims, key: key, algorithm: .HS256)
    }

    /// `claims` signed with `TestKeys.p256` under `header` exactly as written.
    static func es256(_ header: String, claims: String = #"{"sub":"1","exp":4102444800}"#) throws -> String {
        try sign(header: header, payload: claims, key: TestKeys.p256, algorithm: .ES256)
    }
}

/// Shared keys: generated once per test run (RSA generation is slow), plus the repository's fixed keys.
enum TestKeys {
    static let hs256 = try! SigningKey.generate(for: .HS256, keyID: "hs256")
    static let hs384 = try! SigningKey.generate(for: .HS384, keyID: "hs384")
    static let hs512 = try! SigningKey.generate(for: .HS512, keyID: "hs512")
    static let rsa = try! SigningKey.generate(for: .RS256, keyID: "rsa")
    static let p256 = try! SigningKey.generate(for: .ES256, keyID: "p256")
    static let p384 = try! SigningKey.generate(for: .ES384, keyID: "p384")
    static let p521 = try! SigningKey.generate(for: .ES512, keyID: "p521")
    static let ed25519 = try! SigningKey.generate(for: .EdDSA, keyID: "ed25519")

    /// The per-run key for an algorithm (RSA keys serve RS* and PS*).
    static func signing(for algorithm: JWSAlgorithm) -> SigningKey {
        switch algorithm {
        case .HS256: return hs256
        case .HS384: return hs384
        case .HS512: return hs512
        case .RS256, .RS384, .RS512, .PS256, .PS384, .PS512: return rsa
        case .ES256: return p256
        case .ES384: return p384
        case .ES512: return p521
        case .EdDSA, .Ed25519: return ed25519
        case .Ed448: return try! SigningKey.generate(for: .Ed448, keyID: "ed448")
        }
    }

    /// Every algorithm that has a per-run key here (all but Ed448, which is tested separately).
    static let algorithms: [JWSAlgorithm] = JWSAlgorithm.allCases.filter { $0 != .Ed448 }

    /// A verifier over all per-run public keys.
    static var allPublicKeys: [VerificationKey] {
        [hs256, hs384, hs512, rsa, p256, p384, p521, ed25519].map(\.verificationKey)
    }
}

/// Policies used throughout the tests.
enum TestPolicy {
    /// The fixed "now" of most claim tests: 2026-01-01T00:00:00Z.
    static let now: Double = 1_767_225_600

    /// An `exp` far after ``now``: 2100-01-01T00:00:00Z.
    static let farExp = 4_102_444_800

    /// Default rules at a fixed clock, no audience configured.
    static func fixed(_ now: Double = TestPolicy.now) -> VerificationPolicy {
        var policy = VerificationPolicy()
        policy.clock = .fixed(now)
        return policy
    }

    /// ``fixed(_:)`` that also accepts a keyring mixing HMAC secrets and public keys (such as
    /// `TestKeys.allPublicKeys`), which the default policy refuses.
    static func fixedMixed(_ now: Double = TestPolicy.now) -> VerificationPolicy {
        var policy = fixed(now)
        policy.allowsMixedKeyTypes = true
        return policy
    }

    /// A verifier over `keys` with ``fixed(_:)`` at `now`, the policy then changed by `change`.
    static func verifier(
        _ keys: [VerificationKey] = [TestKeys.hs256.verificationKey], now: Double = TestPolicy.now,
        _ change: (inout VerificationPolicy) -> Void = { _ in }
    ) -> JWTVerifier {
        var policy = fixed(now)
        change(&policy)
        return JWTVerifier(keys: keys, policy: policy)
    }
}

/// Hex helpers for vector files.
enum Hex {
    static func decode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count / 2)
        var iterator = text.utf8.makeIterator()
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: fatalError("bad hex")
            }
        }
        while let high = iterator.next(), let low = iterator.next() { out.append(nibble(high) << 4 | nibble(low)) }
        return out
    }
}

extension JWTKError.Code {
    /// For messages: the code's stable name.
    var name: String { rawValue }
}

/// The code a throwing expression failed with, or nil when it succeeded. Lets tests assert the exact code and
/// print it when it differs. A non-JWTK error maps to `cryptoFailure`, which no test expects.
func errorCode<T>(_ body: () throws -> T) -> JWTKError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as JWTKError {
        return error.code
    } catch {
        return .cryptoFailure
    }
}
