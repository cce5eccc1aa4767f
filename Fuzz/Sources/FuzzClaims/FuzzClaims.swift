// Fuzz target: claims validation. The input (after two control bytes) is the payload of a token that we sign
// with a fixed HS256 key, so the signature always verifies and only the claim rules decide.
//
// Properties:
// - accepted ⇒ the claims satisfy the policy, re-checked independently through the typed accessors
//   (`exp`, `nbf`, `iat` and the age, `iss`, `aud`, `sub`, `azp`, required claims, header `typ`);
// - rejected ⇒ the error is a claims, payload, header-type or limit error: a token we signed ourselves is
//   never refused for its signature, its key or its algorithm.
import FuzzSupport
import JWTK

private let issuer = "https://issuer.example"
private let audiences: Set<String> = ["api", "other-api"]
private let signer = FuzzKeys.signers.first { $0.algorithm == .HS256 }!
private let headerTypes: [String?] = [nil, "JWT", "jwt", "application/JWT", "at+jwt", "application/at+JWT", "JOSE"]

/// The policy, chosen by the first control byte: leeway, maximum age, expected subject, expected `typ` or
/// refused `typ`, and the OIDC `azp` rule.
private func policy(_ choice: UInt8) -> VerificationPolicy {
    var policy = VerificationPolicy(issuer: issuer, audience: nil)
    policy.audiences = audiences
    policy.clock = .fixed(FuzzKeys.now)
    policy.requiresIssuedAt = true
    policy.requiredClaims = ["sub"]
    policy.leeway = choice & 1 != 0 ? 30 : 0
    if choice & 2 != 0 { policy.maxTokenAge = 3600 }
    if choice & 4 != 0 { policy.subject = "alice" }
    if choice & 8 != 0 { policy.expectedType = "JWT" } else { policy.rejectedTypes = ["at+jwt"] }
    if choice & 16 != 0 { policy.authorizedParty = "api" }
    return policy
}

/// ASCII-only case folding after dropping `application/`: stricter than the library's, on purpose.
private func normalizedType(_ type: String) -> [UInt8] {
    var bytes = type.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
    let prefix = Array("application/".utf8)
    if bytes.starts(with: prefix) { bytes.removeFirst(prefix.count) }
    return bytes
}

private func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

private func recheck(_ verified: VerifiedJWT, policy: VerificationPolicy, payload: [UInt8]) throws(JWTKError) {
    let claims = verified.claims
    let now = FuzzKeys.now
    let leeway = policy.leeway
    guard claims.payload == payload else { propertyFailure("the verified payload is not the signed payload") }

    guard let exp = try claims.expiration else { propertyFailure("accepted without exp") }
    guard now < exp + leeway else { propertyFailure("accepted an expired token: exp \(exp)") }
    if let nbf = try claims.notBefore, now + leeway < nbf { propertyFailure("accepted before nbf \(nbf)") }
    guard let iat = try claims.issuedAt else { propertyFailure("accepted without iat") }
    guard iat <= now + leeway else { propertyFailure("accepted a token issued in the future: iat \(iat)") }
    if let maxAge = policy.maxTokenAge, now - iat > maxAge + leeway { propertyFailure("accepted a token older than the maximum age") }

    guard let iss = try claims.issuer, same(iss, issuer) else { propertyFailure("accepted another issuer") }
    guard let aud = try claims.audience, aud.contains(where: { a in audiences.contains { same($0, a) } }) else {
        propertyFailure("accepted a token for another audience")
    }
    guard let sub = claims["sub"], !sub.isNull else { propertyFailure("accepted without the required sub") }
    if let expected = policy.subject {
        guard let subject = try claims.subject, same(subject, expected) else { propertyFailure("accepted another subject") }
    }
    if let clientID = policy.authorizedParty {
        let azp = try claims.string("azp")
        if let azp, !same(azp, clientID) { propertyFailure("accepted azp \(azp)") }
        if azp == nil, aud.count > 1 { propertyFailure("accepted several audiences without azp") }
    }

    let type = verified.header.type
    if let expected = policy.expectedType {
        guard let type, normalizedType(type) == normalizedType(expected) else {
            propertyFailure("accepted typ \(String(describing: type))")
        }
    }
    if let type, policy.rejectedTypes.contains(where: { normalizedType($0) == normalizedType(type) }) {
        propertyFailure("accepted the refused typ \(type)")
    }
}

/// One verifier per policy choice (five bits), built once.
private let verifiers: [(JWTVerifier, VerificationPolicy)] = (0..<32).map { choice in
    let policy = policy(UInt8(choice))
    return (JWTVerifier(keys: [signer.key.verificationKey], policy: policy), policy)
}

private let acceptableRejections: Set<JWTKError.Category> = [.claims, .malformed, .limits, .header]

/// libFuzzer calls this once per input (`size` bytes at `data`); a property failure or a sanitizer report ends the run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClaims(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(fuzzBytes(data, size))
    let (verifier, policy) = verifiers[Int(reader.byte() & 31)]
    let type = headerTypes[Int(reader.byte()) % headerTypes.count]
    let payload = reader.rest

    let token: String
    do throws(JWTKError) {
        token = try signer.sign(payload: payload, type: type)
    } catch {
        propertyFailure("signing \(payload.count) payload bytes failed (\(error.code))")
    }

    do throws(JWTKError) {
        let verified = try verifier.verify(token)
        do throws(JWTKError) {
            try recheck(verified, policy: policy, payload: payload)
        } catch {
            propertyFailure("a typed accessor throws (\(error.code)) on claims the validator accepted")
        }
    } catch {
        guard acceptableRejections.contains(error.code.category) else {
            propertyFailure("a token we signed was rejected with \(error.code) (\(error.reason))")
        }
    }
    return 0
}
