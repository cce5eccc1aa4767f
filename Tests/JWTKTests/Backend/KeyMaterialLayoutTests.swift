import Testing

@testable import JWTK

/// A key's OpenSSL object is referenced by a plain pointer word, whatever its kind.
///
/// LeakSanitizer (the fuzz smoke run in CI, `make test-asan`) follows only words that hold an object's address.
/// When `KeyMaterial` was an enum with two class payloads, Swift stored the `.hmac` case tag in the pointer's
/// spare high bits, and a live HMAC key held at exit (the fuzz fixture's keys, a thread's header-cache slot) was
/// reported as leaked. These tests fail if the reference is stored tagged again.
@Suite("KeyMaterial: an untagged reference LeakSanitizer can follow")
struct KeyMaterialLayoutTests {
    /// The words of `material` as stored.
    static func words(_ material: KeyMaterial) -> [UInt] {
        withUnsafeBytes(of: material) { raw in
            (0..<(raw.count / MemoryLayout<UInt>.size)).map { raw.load(fromByteOffset: $0 * MemoryLayout<UInt>.size, as: UInt.self) }
        }
    }

    @Test func anHMACSecretIsHeldByItsPlainAddress() throws {
        let key = try VerificationKey(hmacSecret: Array(repeating: 7, count: 32), algorithm: .HS256)
        let secret = try #require(key.material.secret)
        #expect(key.material.evp == nil)
        let address = UInt(bitPattern: Unmanaged.passUnretained(secret).toOpaque())
        #expect(Self.words(key.material).contains(address))
    }

    @Test(arguments: ["rsa2048", "p256", "ed25519"])
    func anAsymmetricKeyIsHeldByItsPlainAddress(_ name: String) throws {
        let key = try Fixtures.verificationKey(name)
        let evp = try #require(key.material.evp)
        #expect(key.material.secret == nil)
        let address = UInt(bitPattern: Unmanaged.passUnretained(evp).toOpaque())
        #expect(Self.words(key.material).contains(address))
    }
}
