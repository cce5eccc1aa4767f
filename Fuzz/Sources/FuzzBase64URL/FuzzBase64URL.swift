// Fuzz target: the strict base64url codec of JWS segments (RFC 7515 §2), reached through the public API: the
// decoder is the one `UnverifiedJWT.decode` applies to the payload segment, the encoder the one `JWTSigner`
// applies to the payload. (The padded base64 of PEM bodies and `x5c` is fuzzed through FuzzKeyImport and FuzzJWK.)
//
// Properties:
// - round trip: decode(encode(x)) == x, and encode(x) has the length (4n + 2 or 3 for a 1 or 2 byte tail) and the
//   alphabet of unpadded base64url;
// - canonical decoding: when the strict decoder accepts s, encode(decode(s)) == s, so every byte string has
//   exactly one accepted spelling (no padding, no `+` or `/`, no whitespace, no non-zero trailing bits).
import FuzzSupport
import JWTK

/// `{}`: a header that decodes, so that the payload segment is the one under test.
private let header = "e30"
/// The HS256 signer; its key only matters for producing the encoded payload segment.
private let signer = FuzzKeys.signers.first { $0.algorithm == .HS256 }!
private let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

/// The strict decoding of `segment`, or nil when the decoder refuses it.
private func decode(_ segment: [UInt8]) -> [UInt8]? {
    let token = header + "." + String(decoding: segment, as: UTF8.self) + ".AA"
    guard let decoded = try? UnverifiedJWT.decode(token) else { return nil }
    guard decoded.encodedPayload.utf8.elementsEqual(segment) else {
        propertyFailure("the decoded token's payload segment is not the segment given")
    }
    return decoded.payload
}

/// The payload segment the signer writes for `bytes`.
private func encode(_ bytes: [UInt8]) -> [UInt8] {
    do throws(JWTKError) {
        let token = try signer.sign(payload: bytes)
        let segments = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3 else { propertyFailure("a signed token has \(segments.count) segments") }
        return Array(segments[1])
    } catch {
        propertyFailure("signing \(bytes.count) bytes failed (\(error.code))")
    }
}

/// libFuzzer calls this once per input (`size` bytes at `data`); a property failure or a sanitizer report ends the run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBase64URL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(fuzzBytes(data, size).prefix(4096))

    // The input as an encoding: what the strict decoder accepts must be the one canonical spelling.
    if let decoded = decode(bytes) {
        guard encode(decoded) == bytes else {
            propertyFailure("strict base64url accepted a non-canonical spelling: encode(decode(s)) != s")
        }
    }

    // The input as data: the encoding must have the expected shape and round-trip.
    let encoded = encode(bytes)
    let expectedLength = bytes.count / 3 * 4 + [0, 2, 3][bytes.count % 3]
    guard encoded.count == expectedLength, encoded.allSatisfy(alphabet.contains) else {
        propertyFailure("encode(\(bytes.count) bytes) is \(encoded.count) characters or leaves the alphabet")
    }
    // The empty payload is the detached-content form and has nothing to decode.
    if !bytes.isEmpty {
        guard let again = decode(encoded) else { propertyFailure("the strict decoder rejects our own encoding") }
        guard again == bytes else { propertyFailure("decode(encode(x)) != x") }
    }
    return 0
}
