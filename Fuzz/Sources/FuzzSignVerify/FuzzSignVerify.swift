// Property fuzz target: sign, verify, and flip bits. The input chooses the algorithm (one of the fixed keyring's
// 14 signer set-ups), a bit position and the content; the claims are built from the content so that they always
// pass the policy.
//
// Properties:
// - a token we sign always verifies, as a JWT (`verify`) and as a JWS (`verifySignature`), with our algorithm
//   and our payload;
// - flipping any one bit of it never verifies: every flipped token is rejected, at several positions per input
//   (the chosen one, and one in each of the header, payload and signature segments).
import FuzzSupport
import JWTK

private let policy: VerificationPolicy = {
    var policy = VerificationPolicy(issuer: "https://issuer.example", audience: "api")
    policy.clock = .fixed(FuzzKeys.now)
    // One keyring with a key of every family, HMAC included (mixed sets are refused by default, RFC 8725
    // §3.1, §3.5, and tested as such): the round-trip property is per algorithm, so opt in here.
    policy.allowsMixedKeyTypes = true
    return policy
}()
private let verifier = JWTVerifier(keyring: Keyring(keys: FuzzKeys.verificationKeys), policy: policy)

/// Claims that satisfy `policy`, carrying the fuzzer's content as a string and as raw extra members.
private func claims(_ content: [UInt8]) -> String {
    // jwtk refuses U+0000 inside JSON strings (as jansson does by default), so it is left out of the subject.
    let text = String(String(decoding: content, as: UTF8.self).unicodeScalars.filter { $0 != "\0" })
    return #"{"iss":"https://issuer.example","aud":"api","exp":4102444800,"iat":1767225600,"sub":\#(JSONText.quote(text))}"#
}

private func rejectFlipped(_ token: [UInt8], bit: Int, algorithm: JWSAlgorithm) {
    var flipped = token
    flipped[bit / 8] ^= 1 << UInt8(bit % 8)
    if (try? verifier.verify(bytes: flipped)) != nil {
        propertyFailure("\(algorithm): the token verifies with bit \(bit) flipped: \(String(decoding: flipped, as: UTF8.self))")
    }
    if (try? verifier.verifySignature(String(decoding: flipped, as: UTF8.self))) != nil {
        propertyFailure("\(algorithm): the JWS signature verifies with bit \(bit) flipped")
    }
}

/// libFuzzer calls this once per input (`size` bytes at `data`); a property failure or a sanitizer report ends the run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignVerify(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(fuzzBytes(data, size))
    let signer = FuzzKeys.signers[Int(reader.byte()) % FuzzKeys.signers.count]
    let position = reader.uint16()
    let asJWS = reader.byte() & 1 != 0
    let content = Array(reader.rest.prefix(2048))

    let token: String
    let payload: [UInt8]
    do throws(JWTKError) {
        if asJWS {
            payload = content
            token = try signer.sign(payload: payload)
        } else {
            let text = claims(content)
            payload = Array(text.utf8)
            token = try signer.sign(claims: text)
        }
    } catch {
        propertyFailure("\(signer.algorithm): signing failed (\(error.code): \(error.reason))")
    }

    do throws(JWTKError) {
        let jws = try verifier.verifySignature(token)
        guard jws.algorithm == signer.algorithm, jws.payload == payload else {
            propertyFailure("\(signer.algorithm): verifySignature returned another algorithm or payload")
        }
        if !asJWS {
            let jwt = try verifier.verify(token)
            guard jwt.claims.payload == payload else { propertyFailure("\(signer.algorithm): verify returned another payload") }
        }
    } catch {
        propertyFailure("\(signer.algorithm): a token we signed does not verify (\(error.code): \(error.reason)): \(token)")
    }

    let bytes = Array(token.utf8)
    let bits = bytes.count * 8
    var positions = [position % bits]
    // One more flip inside each segment, at the same relative offset.
    var start = 0
    for segment in token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
        if !segment.isEmpty { positions.append(start * 8 + position % (segment.count * 8)) }
        start += segment.count + 1
    }
    for bit in positions { rejectFlipped(bytes, bit: bit, algorithm: signer.algorithm) }
    return 0
}
