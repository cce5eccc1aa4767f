// Fuzz target: PEM and DER key import (`VerificationKey(pem:)`, `VerificationKey(der:)`,
// `VerificationKey.load(contents:)` and the private-key readers of `SigningKey`).
//
// Properties, for every key that imports:
// - its public PEM (`publicKeyPEM`) and its public JWK import again to a key with the same thumbprint;
// - a private key that loads signs a token that its own public half verifies.
import FuzzSupport
import JWTK

private func checkRoundTrip(_ key: VerificationKey) {
    if let pem = key.publicKeyPEM {
        do throws(JWTKError) {
            let again = try VerificationKey(pem: pem)
            guard again.thumbprint == key.thumbprint else { propertyFailure("publicKeyPEM of \(key) re-imports with another thumbprint") }
        } catch {
            propertyFailure("publicKeyPEM of an imported key does not import again (\(error.code))")
        }
    }
    do throws(JWTKError) {
        let again = try VerificationKey(jwk: key.publicJWK)
        guard again.thumbprint == key.thumbprint else { propertyFailure("publicJWK of \(key) re-imports with another thumbprint") }
    } catch {
        propertyFailure("publicJWK of an imported key does not import again (\(error.code))")
    }
}

/// Key strength is not this target's concern: a weak key that loads must still sign verifiable tokens.
private let anyStrength: VerificationPolicy = {
    var policy = VerificationPolicy()
    policy.minimumRSAKeyBits = 0
    policy.requiresFullLengthHMACSecrets = false
    policy.requiresExpiration = false
    return policy
}()

private func checkSignsAndVerifies(_ signing: SigningKey) {
    guard let algorithm = signing.verificationKey.compatibleAlgorithms.first else { return }
    do throws(JWTKError) {
        let token = try JWTSigner(key: signing, algorithm: algorithm).sign(claims: #"{"sub":"fuzz"}"#)
        _ = try JWTVerifier(keys: [signing.verificationKey], policy: anyStrength).verify(token)
    } catch {
        propertyFailure("a loaded \(signing.verificationKey) cannot sign a token its public key verifies (\(error.code): \(error.reason))")
    }
}

/// libFuzzer calls this once per input (`size` bytes at `data`); a property failure or a sanitizer report ends the run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeyImport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)

    if let key = try? VerificationKey(der: bytes) { checkRoundTrip(key) }
    if let key = try? VerificationKey(pem: text) { checkRoundTrip(key) }
    if let keys = try? VerificationKey.load(contents: bytes) { keys.forEach(checkRoundTrip) }

    if let signing = try? SigningKey.load(contents: bytes) {
        checkRoundTrip(signing.verificationKey)
        checkSignsAndVerifies(signing)
    }
    return 0
}
