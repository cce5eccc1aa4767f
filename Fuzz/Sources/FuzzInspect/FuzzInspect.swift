// Fuzz target: the unverified decoders (`UnverifiedJWT.decode`, `decodeEncryptedHeader`) and the token linter
// (`TokenInspection.inspect`), which read attacker-controlled tokens without any key.
//
// Properties:
// - when `UnverifiedJWT.decode` succeeds, its three encoded segments joined by dots are exactly the input;
// - `TokenInspection.inspect` accepts every token `UnverifiedJWT.decode` accepts (it is the more lenient
//   reader: duplicate header members become findings), and agrees on the algorithm name and the payload.
import FuzzSupport
import JWTK
import JWTKInspection

/// libFuzzer calls this once per input (`size` bytes at `data`); a property failure or a sanitizer report ends the run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInspect(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let token = String(decoding: fuzzBytes(data, size), as: UTF8.self)

    let decoded = try? UnverifiedJWT.decode(token)
    if let decoded {
        let joined = decoded.encodedHeader + "." + decoded.encodedPayload + "." + decoded.encodedSignature
        guard joined.utf8.elementsEqual(token.utf8) else {
            propertyFailure("UnverifiedJWT segments do not rebuild the token")
        }
        _ = decoded.header?.ignoredKeyMembers
        _ = decoded.payloadJSON?.serialized(pretty: true, sortKeys: true)
    }

    do throws(JWTKError) {
        let inspection = try TokenInspection.inspect(token, now: FuzzKeys.now)
        _ = inspection.findings.map(\.description)
        _ = inspection.times.map(\.utc)
        _ = inspection.header?.serialized(pretty: true)
        if let decoded, inspection.form == .jws {
            guard inspection.payload == decoded.payload else {
                propertyFailure("TokenInspection and UnverifiedJWT disagree on the payload")
            }
            if let header = decoded.header, inspection.algorithmName != header.algorithmName {
                propertyFailure("TokenInspection and UnverifiedJWT disagree on alg")
            }
        }
    } catch {
        if decoded != nil { propertyFailure("TokenInspection.inspect rejects (\(error.code)) a token UnverifiedJWT.decode accepts") }
    }

    _ = try? UnverifiedJWT.decodeEncryptedHeader(token)
    return 0
}
