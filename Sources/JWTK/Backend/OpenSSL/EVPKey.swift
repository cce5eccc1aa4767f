internal import CJWTKOpenSSL
internal import CJWTKShims

/// Owner of one OpenSSL `EVP_PKEY` (+1 reference, freed in `deinit`).
///
/// Immutable after construction. openssl-threads(7) allows one `EVP_PKEY` to be used from many threads at
/// once as long as nothing modifies it; jwtk only passes it to verification, signing and export calls,
/// which read it. So one instance is shared by every verification on every thread.
///
/// Verification reuses OpenSSL contexts kept per thread and keyed by this key's ``handle`` (a unique id;
/// see `CJWTKShims_verify_cached`); `deinit` retires the handle so no thread reuses a context for a freed key.
///
/// `@safe` (SE-0458): the key and handle pointers are private, owned by the instance and freed only in
/// `deinit`, so no use of an `EVPKey` can outlive them; the unsafe operations are marked inside.
@safe final class EVPKey: @unchecked Sendable {
    /// The key's type; the shims number it with `CJWTK_KIND_*` (CJWTKShims.h), imported here, never retyped.
    enum Kind {
        case unknown, rsa, ec, ed25519, ed448, rsaPSS

        init(cValue: Int32) {
            switch Int(cValue) {
            case CJWTK_KIND_RSA: self = .rsa
            case CJWTK_KIND_EC: self = .ec
            case CJWTK_KIND_ED25519: self = .ed25519
            case CJWTK_KIND_ED448: self = .ed448
            case CJWTK_KIND_RSA_PSS: self = .rsaPSS
            default: self = .unknown
            }
        }

        var cValue: Int32 {
            switch self {
            case .unknown: Int32(CJWTK_KIND_UNKNOWN)
            case .rsa: Int32(CJWTK_KIND_RSA)
            case .ec: Int32(CJWTK_KIND_EC)
            case .ed25519: Int32(CJWTK_KIND_ED25519)
            case .ed448: Int32(CJWTK_KIND_ED448)
            case .rsaPSS: Int32(CJWTK_KIND_RSA_PSS)
            }
        }
    }

    fileprivate let pkey: OpaquePointer  // EVP_PKEY *, +1
    /// CJWTKShims_key_handle *, +1: this key's identity in the per-thread context caches (nil: out of memory,
    /// then every verification uses fresh contexts).
    private let handle: OpaquePointer?
    let kind: Kind
    let bits: Int
    /// 256, 384 or 521 for EC keys; 0 otherwise.
    let curve: Int
    let hasPrivate: Bool

    private init(takingOwnershipOf pkey: OpaquePointer) {
        unsafe self.pkey = pkey
        self.kind = unsafe Kind(cValue: CJWTKShims_key_kind(pkey))
        self.bits = unsafe Int(CJWTKShims_key_bits(pkey))
        self.curve = unsafe self.kind == .ec ? Int(CJWTKShims_ec_curve(pkey)) : 0
        self.hasPrivate = unsafe CJWTKShims_has_private(pkey) == 1
        unsafe self.handle = CJWTKShims_handle_new()
    }

    deinit {
        unsafe CJWTKShims_handle_retire(handle)
        unsafe EVP_PKEY_free(pkey)
    }

    /// Wraps a freshly created key or turns OpenSSL's error queue into an `invalidKey` error.
    private static func wrap(_ pkey: OpaquePointer?, _ what: @autoclosure () -> String) throws(JWTKError) -> EVPKey {
        guard let pkey = unsafe pkey else {
            throw JWTKError(.invalidKey, what(), openSSLErrors: OpenSSLErrors.take())
        }
        OpenSSLErrors.clear()
        return unsafe EVPKey(takingOwnershipOf: pkey)
    }

    // MARK: construction

    static func rsaPublic(n: [UInt8], e: [UInt8]) throws(JWTKError) -> EVPKey {
        try unsafe wrap(CJWTKShims_rsa_public(n, n.count, e, e.count), "RSA public key (n, e) rejected by OpenSSL")
    }

    static func rsaPrivate(
        n: [UInt8], e: [UInt8], d: [UInt8], primes: (p: [UInt8], q: [UInt8], dp: [UInt8], dq: [UInt8], qi: [UInt8])?
    ) throws(JWTKError) -> EVPKey {
        let key: OpaquePointer?
        if let primes {
            unsafe key = CJWTKShims_rsa_private(
                n, n.count, e, e.count, d, d.count, primes.p, primes.p.count, primes.q, primes.q.count,
                primes.dp, primes.dp.count, primes.dq, primes.dq.count, primes.qi, primes.qi.count)
        } else {
            unsafe key = CJWTKShims_rsa_private(n, n.count, e, e.count, d, d.count, nil, 0, nil, 0, nil, 0, nil, 0, nil, 0)
        }
        return try unsafe wrap(key, "RSA private key rejected by OpenSSL")
    }

    static func ecPublic(curve: Int, x: [UInt8], y: [UInt8]) throws(JWTKError) -> EVPKey {
        let point = [0x04] + x + y
        return try unsafe wrap(
            CJWTKShims_ec_public(Int32(curve), point, point.count), "EC point is not a valid P-\(curve) public key (not on the curve?)")
    }

    static func ecPrivate(curve: Int, x: [UInt8], y: [UInt8], d: [UInt8]) throws(JWTKError) -> EVPKey {
        let point = [0x04] + x + y
        return try unsafe wrap(CJWTKShims_ec_private(Int32(curve), point, point.count, d, d.count), "EC private key rejected by OpenSSL")
    }

    static func okpPublic(_ kind: Kind, raw: [UInt8]) throws(JWTKError) -> EVPKey {
        try unsafe wrap(CJWTKShims_okp_public(kind.cValue, raw, raw.count), "OKP public key rejected by OpenSSL")
    }

    static func okpPrivate(_ kind: Kind, raw: [UInt8]) throws(JWTKError) -> EVPKey {
        try unsafe wrap(CJWTKShims_okp_private(kind.cValue, raw, raw.count), "OKP private key rejected by OpenSSL")
    }

    static func publicFromSPKI(der: [UInt8]) throws(JWTKError) -> EVPKey {
        try unsafe wrap(CJWTKShims_public_from_spki_der(der, der.count), "not a DER SubjectPublicKeyInfo")
    }

    static func publicFromPKCS1(der: [UInt8]) throws(JWTKError) -> EVPKey {
        try unsafe wrap(CJWTKShims_public_from_pkcs1_der(der, der.count), "not a DER PKCS#1 RSAPublicKey")
    }

    static func publicFromCertificate(der: [UInt8]) throws(JWTKError) -> EVPKey {
        try unsafe wrap(CJWTKShims_public_from_certificate_der(der, der.count), "not a DER X.509 certificate")
    }

    static func privateFromDER(der: [UInt8]) throws(JWTKError) -> EVPKey {
        try unsafe wrap(CJWTKShims_private_from_der(der, der.count), "not a DER private key (PKCS#8, PKCS#1 or SEC1)")
    }

    static func generateRSA(bits: Int) throws(JWTKError) -> EVPKey {
        try unsafe wrap(CJWTKShims_generate_rsa(UInt32(bits)), "RSA key generation failed")
    }

    static func generateEC(curve: Int) throws(JWTKError) -> EVPKey {
        try unsafe wrap(CJWTKShims_generate_ec(Int32(curve)), "EC key generation failed")
    }

    static func generateOKP(_ kind: Kind) throws(JWTKError) -> EVPKey {
        try unsafe wrap(CJWTKShims_generate_okp(kind.cValue), "OKP key generation failed")
    }

    // MARK: export

    func rsaComponents() -> (n: [UInt8], e: [UInt8])? {
        var n = [UInt8](repeating: 0, count: Int(CJWTK_RSA_MODULUS_MAX))
        var e = [UInt8](repeating: 0, count: Int(CJWTK_RSA_EXPONENT_MAX))
        var nlen = 0
        var elen = 0
        guard unsafe CJWTKShims_rsa_export(pkey, &n, n.count, &nlen, &e, e.count, &elen) == 1 else {
            OpenSSLErrors.clear()
            return nil
        }
        return (Array(n[..<nlen]), Array(e[..<elen]))
    }

    func ecCoordinates() -> (x: [UInt8], y: [UInt8])? {
        let size = (curve + 7) / 8
        guard size > 0 else { return nil }
        var x = [UInt8](repeating: 0, count: size)
        var y = [UInt8](repeating: 0, count: size)
        guard unsafe CJWTKShims_ec_export(pkey, &x, &y, size) == 1 else {
            OpenSSLErrors.clear()
            return nil
        }
        return (x, y)
    }

    func rawPublic() -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: Int(CJWTK_RAW_PUBLIC_MAX))
        var len = 0
        guard unsafe CJWTKShims_raw_public(pkey, &out, out.count, &len) == 1 else {
            OpenSSLErrors.clear()
            return nil
        }
        return Array(out[..<len])
    }

    /// A private BIGNUM parameter (`"d"`, `"rsa-factor1"`, `"priv"`, ...), left-padded to `pad` bytes when
    /// `pad` > 0; nil when the key has no such parameter. The scratch buffer is zeroed.
    func privateParameter(_ name: String, pad: Int = 0) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 2048)
        defer { _ = unsafe out.withUnsafeMutableBytes { unsafe $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        var len = 0
        guard unsafe CJWTKShims_private_bn_export(pkey, name, &out, out.count, pad, &len) == 1 else {
            OpenSSLErrors.clear()
            return nil
        }
        return Array(out[..<len])
    }

    /// The raw private key of an OKP key; nil otherwise.
    func rawPrivate() -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 64)
        defer { _ = unsafe out.withUnsafeMutableBytes { unsafe $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        var len = 0
        guard unsafe CJWTKShims_raw_private(pkey, &out, out.count, &len) == 1 else {
            OpenSSLErrors.clear()
            return nil
        }
        return Array(out[..<len])
    }

    func spkiDER() -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: Int(CJWTK_SPKI_DER_MAX))
        let len = unsafe CJWTKShims_public_to_spki_der(pkey, &out, out.count)
        guard len > 0 else {
            OpenSSLErrors.clear()
            return nil
        }
        return Array(out[..<Int(len)])
    }

    func pkcs8DER() -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: Int(CJWTK_PKCS8_DER_MAX))
        let len = unsafe CJWTKShims_private_to_pkcs8_der(pkey, &out, out.count)
        guard len > 0 else {
            OpenSSLErrors.clear()
            return nil
        }
        return Array(out[..<Int(len)])
    }

    /// Whether both keys have the same public component (EVP_PKEY_eq).
    func samePublicKey(as other: EVPKey) -> Bool {
        let result = unsafe EVP_PKEY_eq(pkey, other.pkey) == 1
        OpenSSLErrors.clear()
        return result
    }

    // MARK: signatures

    /// The RSA padding (or none, for ECDSA and EdDSA); `CJWTK_PAD_*` in CJWTKShims.h.
    enum Padding {
        case none, pkcs1, pss

        var cValue: Int32 {
            switch self {
            case .none: Int32(CJWTK_PAD_DEFAULT)
            case .pkcs1: Int32(CJWTK_PAD_PKCS1)
            case .pss: Int32(CJWTK_PAD_PSS)
            }
        }
    }

    /// Verifies `signature` over `message`. `hashBits` 0 means the algorithm hashes internally (EdDSA).
    /// Returns false for a signature that does not verify; throws only when OpenSSL itself fails.
    func verify(
        signature: UnsafeBufferPointer<UInt8>, message: UnsafeBufferPointer<UInt8>, hashBits: Int, padding: Padding
    ) throws(JWTKError) -> Bool {
        // The shim clears OpenSSL's error queue itself on every non-valid outcome.
        let result = unsafe CJWTKShims_verify_cached(
            handle, pkey, Int32(hashBits), padding.cValue, signature.baseAddress, signature.count, message.baseAddress,
            message.count)
        switch result {
        case 1: return true
        case 0: return false
        default: throw JWTKError(.cryptoFailure, "OpenSSL could not set up signature verification")
        }
    }

    /// Verifies a raw R||S ECDSA signature: exact length, 1 <= r, s < n, then DER for OpenSSL.
    func verifyECDSA(rawSignature: UnsafeBufferPointer<UInt8>, message: UnsafeBufferPointer<UInt8>, hashBits: Int) throws(JWTKError) -> Bool
    {
        let coordinate = (curve + 7) / 8
        guard rawSignature.count == 2 * coordinate, let raw = rawSignature.baseAddress else { return false }
        return try unsafe withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(CJWTK_ECDSA_DER_MAX)) {
            der throws(JWTKError) -> Bool in
            let length = unsafe CJWTKShims_ecdsa_raw_to_der(Int32(curve), raw, rawSignature.count, der.baseAddress, der.count)
            if length == -2 { return false }  // r or s out of range (includes r = s = 0)
            guard length > 0 else {
                OpenSSLErrors.clear()
                throw JWTKError(.cryptoFailure, "OpenSSL could not encode the ECDSA signature")
            }
            return try unsafe verify(
                signature: UnsafeBufferPointer(rebasing: der[..<Int(length)]), message: message, hashBits: hashBits,
                padding: .none)
        }
    }

    func sign(message: [UInt8], hashBits: Int, padding: Padding) throws(JWTKError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(CJWTK_SIGNATURE_MAX))
        let len = unsafe CJWTKShims_sign(pkey, Int32(hashBits), padding.cValue, message, message.count, &out, out.count)
        guard len > 0 else {
            throw JWTKError(.cryptoFailure, "OpenSSL signing failed", openSSLErrors: OpenSSLErrors.take())
        }
        return Array(out[..<Int(len)])
    }

    /// Signs with ECDSA and returns raw R||S (RFC 7518 §3.4).
    func signECDSA(message: [UInt8], hashBits: Int) throws(JWTKError) -> [UInt8] {
        let der = try sign(message: message, hashBits: hashBits, padding: .none)
        let coordinate = (curve + 7) / 8
        var raw = [UInt8](repeating: 0, count: 2 * coordinate)
        guard unsafe CJWTKShims_ecdsa_der_to_raw(der, der.count, coordinate, &raw) == Int32(2 * coordinate) else {
            throw JWTKError(.cryptoFailure, "OpenSSL returned an unreadable ECDSA signature", openSSLErrors: OpenSSLErrors.take())
        }
        return raw
    }
}
