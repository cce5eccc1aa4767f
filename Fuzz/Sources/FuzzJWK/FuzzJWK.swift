// Fuzz target: JWK and JWK Set parsing (`VerificationKey(jwkBytes:)`, `JWKSet(bytes:)`, `JWKSLint.lint`).
//
// Properties, for every key that imports:
// - its public JWK (`publicJWK`) imports again, to a key with the same RFC 7638 thumbprint and type;
// - a JWK Set never holds more keys than its limit, and every member is either a key or a skipped entry.
import FuzzSupport
import JWTK
import JWTKInspection

private let limits = JWKSet.Limits(maxBytes: 64 * 1024, maxKeys: 8, maxDepth: 16)

private func checkRoundTrip(_ key: VerificationKey) {
    do throws(JWTKError) {
        let again = try VerificationKey(jwk: key.publicJWK)
        guard again.thumbprint == key.thumbprint, again.type == key.type else {
            propertyFailure("publicJWK of \(key) re-imports as \(again) with thumbprint \(again.thumbprint), not \(key.thumbprint)")
        }
    } catch {
        propertyFailure("publicJWK of an imported key does not import again (\(error.code)): \(key.publicJWK)")
    }
    _ = key.publicKeyPEM
    _ = key.compatibleAlgorithms
}

/// libFuzzer calls this once per input (`size` bytes at `data`); a property failure or a sanitizer report ends the run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWK(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)

    if let key = try? VerificationKey(jwkBytes: bytes, limits: limits) { checkRoundTrip(key) }

    for acceptSingleKey in [false, true] {
        guard let set = try? JWKSet(bytes: bytes, limits: limits, acceptSingleKey: acceptSingleKey) else { continue }
        guard set.keys.count <= limits.maxKeys else {
            propertyFailure("JWK Set holds \(set.keys.count) keys; the limit is \(limits.maxKeys)")
        }
        for key in set.keys { checkRoundTrip(key) }
        _ = set.skipped.map(\.description)
    }

    if let lint = try? JWKSLint.lint(bytes: bytes, limits: limits) {
        _ = lint.allFindings.map(\.description)
        for entry in lint.entries {
            guard (entry.key == nil) != (entry.skipReason == nil) else {
                propertyFailure("JWKSLint entry \(entry.index) has both or neither of a key and a skip reason")
            }
        }
    }
    return 0
}
