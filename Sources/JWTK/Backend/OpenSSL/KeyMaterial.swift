/// The OpenSSL object behind a verification key: an `EVP_PKEY` for RSA, EC and OKP keys, or the keyed
/// MAC templates of an HMAC secret. Exactly one of ``evp`` and ``secret`` is non-nil; ``asymmetric(_:)`` and
/// ``hmac(_:)`` are the only ways to make one.
///
/// One plain class reference and a separate flag rather than an enum with two class payloads: Swift stores such
/// an enum's case tag in the spare high bits of the class pointer, so the word a key holds would not look like a
/// pointer to LeakSanitizer's scan. A key alive at exit that was referenced only that way (a thread's header
/// cache slot, a process-lifetime keyring) was then reported as leaked, intermittently, depending on which key
/// the last verification used. Copying this struct still retains one object, as the enum did.
@safe struct KeyMaterial: Sendable {
    /// An `EVPKey` when `isHMAC` is false, an `HMACSecret` when it is true; set only by the two factories, so the
    /// downcasts below always hold.
    private let object: any AnyObject & Sendable
    private let isHMAC: Bool

    private init(object: any AnyObject & Sendable, isHMAC: Bool) {
        self.object = object
        self.isHMAC = isHMAC
    }

    /// An RSA, EC or OKP key.
    static func asymmetric(_ key: EVPKey) -> KeyMaterial { KeyMaterial(object: key, isHMAC: false) }

    /// An HMAC secret.
    static func hmac(_ secret: HMACSecret) -> KeyMaterial { KeyMaterial(object: secret, isHMAC: true) }

    /// The public or private `EVP_PKEY` of an RSA, EC or OKP key; `nil` for an HMAC secret.
    @inline(__always)
    var evp: EVPKey? { isHMAC ? nil : unsafe unsafeDowncast(object, to: EVPKey.self) }

    /// The HMAC secret; `nil` for an asymmetric key.
    @inline(__always)
    var secret: HMACSecret? { isHMAC ? unsafe unsafeDowncast(object, to: HMACSecret.self) : nil }
}
