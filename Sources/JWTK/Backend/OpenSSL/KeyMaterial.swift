/// The OpenSSL object behind a verification key: an `EVP_PKEY` for RSA, EC and OKP keys, or the keyed
/// MAC templates of an HMAC secret.
enum KeyMaterial: Sendable {
    case asymmetric(EVPKey)
    case hmac(HMACSecret)
}
