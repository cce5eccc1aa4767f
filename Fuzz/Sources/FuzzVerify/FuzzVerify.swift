// Fuzz target: compact token verification against the fixed keyring (HS, RS, PS, ES, EdDSA keys).
//
// Properties, besides "no crash, no leak, no sanitizer report":
// - an accepted token decodes through `UnverifiedJWT` to the same algorithm, payload and signature;
// - the accepting key can verify the algorithm, and the algorithm is in the policy's allow-list;
// - verification is deterministic: a second run gives the same outcome (the same error code on failure);
// - a token that passes `verify` also passes `verifySignature` (the claims checks only narrow the result);
// - the plain `verify` (per-thread header cache, claims read in place) and the observed `verify(_:observer:)`
//   (the reference path: every step in order, the full claim validator) give the same code, step and message,
//   before and after the token's header is in the cache.
import FuzzSupport
import JWTK

private let policy: VerificationPolicy = {
    var policy = VerificationPolicy()
    policy.clock = .fixed(FuzzKeys.now)
    policy.ignoresAudience = true
    // The fuzz keyring holds a key of every family, HMAC included, so that every algorithm's path is reached;
    // a mixed set is refused by default (RFC 8725 §3.1, §3.5; its own tests pin that), so opt in here.
    policy.allowsMixedKeyTypes = true
    return policy
}()

private let verifier = JWTVerifier(keyring: Keyring(keys: FuzzKeys.verificationKeys), policy: policy)

/// A second verifier that tries keys without a `kid`, understands `b64` and keeps the weak keys, so the
/// fuzzer also reaches the unencoded-payload, multi-key and weak-key paths.
private let lenientVerifier: JWTVerifier = {
    var lenient = policy
    lenient.allowsUnencodedPayload = true
    lenient.understoodCriticalHeaders = ["exp"]
    lenient.maxKeysTried = 3
    lenient.requiresExpiration = false
    let keyring = Keyring(keys: FuzzKeys.verificationKeys + FuzzKeys.weakKeys, unidentifiedKeyMatching: .matchAnyKeyID)
    return JWTVerifier(keyring: keyring, policy: lenient)
}()

/// Records nothing: `verify(_:observer:)` with it runs the reference path.
private struct Unobserved: VerificationObserver {
    mutating func verificationStep(_ step: VerificationStep, _ outcome: VerificationOutcome) {}
}

/// The full verdict: nil when accepted, else the code, step and message.
private func verdict(_ body: () throws(JWTKError) -> VerifiedJWT) -> String? {
    do throws(JWTKError) {
        let jwt = try body()
        _ = jwt
        return nil
    } catch {
        return "\(error.code.rawValue) at \(error.step.map(\.rawValue) ?? "-"): \(error.message)"
    }
}

private func outcome(_ body: () throws(JWTKError) -> Void) -> JWTKError.Code? {
    do throws(JWTKError) {
        try body()
        return nil
    } catch {
        return error.code
    }
}

/// libFuzzer calls this once per input (`size` bytes at `data`); a property failure or a sanitizer report ends the run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVerify(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let token = String(decoding: bytes, as: UTF8.self)

    let first = outcome { () throws(JWTKError) in
        let verified = try verifier.verify(bytes: bytes)
        guard verified.key.canVerify(verified.algorithm), policy.algorithms.contains(verified.algorithm) else {
            propertyFailure("accepted with \(verified.algorithm) by a key that cannot verify it: \(verified.key)")
        }
        let decoded: UnverifiedJWT
        do throws(JWTKError) {
            decoded = try UnverifiedJWT.decode(token)
        } catch {
            propertyFailure("verify accepted a token that UnverifiedJWT.decode rejects (\(error.code))")
        }
        guard decoded.header?.algorithmName == verified.algorithm.rawValue, decoded.payload == verified.claims.payload else {
            propertyFailure("verify and UnverifiedJWT.decode disagree on the algorithm or the payload")
        }
        do throws(JWTKError) {
            let jws = try verifier.verifySignature(token)
            guard jws.payload == verified.claims.payload, jws.algorithm == verified.algorithm else {
                propertyFailure("verifySignature and verify disagree on the payload or the algorithm")
            }
        } catch {
            propertyFailure("verify accepted a token whose signature verifySignature rejects (\(error.code))")
        }
    }
    let second = outcome { () throws(JWTKError) in _ = try verifier.verify(bytes: bytes) }
    guard first == second else {
        propertyFailure("verification is not deterministic: \(String(describing: first)) then \(String(describing: second))")
    }

    for candidate in [verifier, lenientVerifier] {
        var unobserved = Unobserved()
        let reference = verdict { () throws(JWTKError) in try candidate.verify(token, observer: &unobserved) }
        // Twice: the first may fill the header cache, the second then takes the hit path.
        for round in 0..<2 {
            let fast = verdict { () throws(JWTKError) in try candidate.verify(token) }
            guard fast == reference else {
                propertyFailure(
                    "the fast path and the reference path disagree (round \(round)): \(fast ?? "accepted") vs \(reference ?? "accepted")")
            }
        }
    }
    _ = try? lenientVerifier.verifySignature(token)
    // Detached content (RFC 7515 Appendix F): the token's own bytes serve as the separately sent payload.
    _ = try? lenientVerifier.verifySignature(token, detachedPayload: Array(bytes.prefix(64)))
    return 0
}
