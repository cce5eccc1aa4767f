import ArgumentParser
import JWTK

/// How the bytes of `--secret-file` / `--secret-env` are written, and the explicit override for HMAC
/// secrets shorter than the hash (RFC 7518 §3.2), shared by `verify`, `bench` and `sign`.
struct SecretOptions: ParsableArguments {
    @Flag(
        name: .customLong("secret-base64"),
        help: "The --secret-file/--secret-env value is standard base64 (RFC 4648 §4, padded); the secret is the decoded bytes.")
    var base64 = false

    @Flag(
        name: .customLong("secret-base64url"),
        help: "The --secret-file/--secret-env value is base64url without padding (a JWK's \"k\"); the secret is the decoded bytes.")
    var base64url = false

    @Flag(
        name: .customLong("allow-short-secret"),
        help: "Accept an HMAC secret shorter than the hash (legacy tokens; RFC 7518 §3.2 forbids it). Prints a warning.")
    var allowShort = false

    /// The secret bytes from what the file or variable holds.
    func decode(_ bytes: [UInt8], source: String) throws(CLIFailure) -> [UInt8] {
        if base64 && base64url { throw .usage("give --secret-base64 or --secret-base64url, not both") }
        if base64 {
            guard let decoded = Base64.decode(bytes), !decoded.isEmpty else {
                throw .usage("\(source): not standard padded base64 (--secret-base64)")
            }
            return decoded
        }
        if base64url {
            do throws(JWTKError) {
                let decoded = try Base64URL.decode(String(decoding: bytes, as: UTF8.self))
                guard !decoded.isEmpty else { throw JWTKError(.invalidBase64URL) }
                return decoded
            } catch {
                throw .usage("\(source): not unpadded base64url (--secret-base64url)")
            }
        }
        return bytes
    }

    /// The loud line printed whenever the override is in effect.
    static let warning =
        "jwtk: WARNING: --allow-short-secret: HMAC secrets shorter than the hash are accepted; "
        + "such a secret can be brute-forced (RFC 7518 §3.2). Use it only to check legacy tokens."

    /// For `sign`: refuses a secret shorter than `algorithm`'s hash unless the override is given.
    func checkSigning(secretBytes: Int, algorithm: JWSAlgorithm) throws(CLIFailure) {
        guard algorithm.family == .hmac, secretBytes * 8 < algorithm.hashBits else { return }
        guard allowShort else {
            throw .usage(
                "the HMAC secret has \(secretBytes * 8) bits; \(algorithm) requires at least \(algorithm.hashBits) (RFC 7518 §3.2), "
                    + "and verify would refuse the token [weak_key]; --allow-short-secret signs anyway")
        }
        StandardError.write(Self.warning)
    }
}
