import Foundation
import JWTK

/// Stops the fuzzer with a message naming the broken property. libFuzzer reports the abort as a crash and
/// writes the input to the artifact directory.
public func propertyFailure(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("fuzz property violated: \(message)", file: file, line: line)
}

/// The fuzzer's input as an array (libFuzzer may pass a null pointer for an empty input).
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Reads fixed-size values off the front of the fuzzer's input, so one input can choose an algorithm, a bit
/// position and a payload. Reading past the end yields zeros.
public struct FuzzReader {
    private let bytes: [UInt8]
    private var position = 0

    /// Starts reading at the first byte of `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next byte, or 0 when the input is exhausted.
    public mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// The next two bytes as a little-endian number.
    public mutating func uint16() -> Int { Int(byte()) | Int(byte()) << 8 }

    /// Everything not read yet.
    public var rest: [UInt8] { position < bytes.count ? Array(bytes[position...]) : [] }
}

/// The committed test keys (`testvectors/`), loaded once, on first use.
public enum FuzzKeys {
    /// The repository root, four levels above this file (`Fuzz/Sources/FuzzSupport/FuzzSupport.swift`).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The instant the fixed-clock policies use: 2026-01-01T00:30:00Z, inside the validity of every bundled token.
    public static let now: Double = 1_767_227_400

    /// The contents of a file under `testvectors/`; a missing file stops the fuzzer (a set-up error, not a finding).
    public static func vector(_ relativePath: String) -> [UInt8] {
        let url = repositoryRoot.appendingPathComponent("testvectors").appendingPathComponent(relativePath)
        guard let data = try? Data(contentsOf: url) else { fatalError("fuzz set-up: cannot read \(url.path)") }
        return Array(data)
    }

    /// The public keys of the fixed keyring: every generated algorithm family plus the demo issuer's JWK Set.
    public static let verificationKeys: [VerificationKey] = {
        var keys: [VerificationKey] = []
        for name in ["hs256", "hs384", "hs512", "rsa2048", "rsa3072", "p256", "p384", "p521", "ed25519"] {
            keys.append(load { () throws(JWTKError) in try VerificationKey(jwkBytes: vector("generated/keys/\(name).public.jwk.json")) })
        }
        keys += load { () throws(JWTKError) in try JWKSet(bytes: vector("example/jwks.json")).keys }
        return keys
    }()

    /// Deliberately weak keys (RSA-1024, a 16-byte HMAC secret), for the paths that refuse them.
    public static let weakKeys: [VerificationKey] = ["rsa1024", "hs256-short"].map { name in
        load { () throws(JWTKError) in try VerificationKey(jwkBytes: vector("generated/keys/\(name).public.jwk.json")) }
    }

    /// One signing key per algorithm that the fixed keyring can verify (the RSA key serves RS* and PS*).
    public static let signers: [JWTSigner] = {
        func key(_ name: String) -> SigningKey {
            load { () throws(JWTKError) in
                try SigningKey(jwk: String(decoding: vector("generated/keys/\(name).private.jwk.json"), as: UTF8.self))
            }
        }
        let rsa = key("rsa2048")
        let pairs: [(JWSAlgorithm, SigningKey)] = [
            (.HS256, key("hs256")), (.HS384, key("hs384")), (.HS512, key("hs512")),
            (.RS256, rsa), (.RS384, rsa), (.RS512, rsa), (.PS256, rsa), (.PS384, rsa), (.PS512, rsa),
            (.ES256, key("p256")), (.ES384, key("p384")), (.ES512, key("p521")),
            (.EdDSA, key("ed25519")), (.Ed25519, key("ed25519")),
        ]
        return pairs.map { JWTSigner(key: $0.1, algorithm: $0.0) }
    }()

    private static func load<T>(_ body: () throws(JWTKError) -> T) -> T {
        do { return try body() } catch { fatalError("fuzz set-up: cannot load a test key: \(error)") }
    }
}
