import ArgumentParser
import Foundation
import JWTK

/// `jwtk keygen`: a fresh private JWK and the JWK Set that verifies it (fixtures, tests, demos).
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a key: a private JWK and its public JWK Set, for sign and verify.",
        usage: "jwtk keygen --alg <ALG> --out <PATH> [--jwks <PATH>] [--kid <KID>]",
        discussion: """
            Generates a key for ALG with OpenSSL: RSA (--rsa-bits, at least 2048, default 2048) for RS*/PS*, \
            P-256/P-384/P-521 for ES256/ES384/ES512, Ed25519 or Ed448 for EdDSA/Ed25519/Ed448, and a random \
            secret as long as the hash for HS256/384/512. --out gets the private JWK (with kid and alg), \
            --jwks the JWK Set of its public part (with kid, alg and use "sig"). Neither file may exist \
            already. The private JWK is written with mode 0600; so is the set of an HMAC key, which is the \
            secret itself. kid defaults to the key's RFC 7638 thumbprint (none for HMAC keys).

            EXAMPLE
              jwtk keygen --alg ES256 --kid k1 --out k1.jwk --jwks jwks.json
              jwtk sign --key k1.jwk --sub 42 --aud api --exp +1h > token.jwt
              jwtk verify --jwks jwks.json --aud api - < token.jwt

            --json prints {ok, alg, kid, kty, thumbprint, private_jwk, jwks}: the file names, never the key.

            \(exitStatusHelp)
            """)

    @Option(help: ArgumentHelp("The algorithm the key is for (RS256, PS256, ES256, EdDSA, HS256, ...).", valueName: "ALG"))
    var alg: String

    @Option(help: ArgumentHelp("The key id. Default: the RFC 7638 thumbprint (none for HMAC keys).", valueName: "KID"))
    var kid: String?

    @Option(name: .customLong("rsa-bits"), help: ArgumentHelp("RSA modulus size in bits (2048 to 16384).", valueName: "N"))
    var rsaBits = 2048

    @Option(help: ArgumentHelp("Where to write the private JWK (mode 0600; must not exist).", valueName: "PATH"), completion: .file())
    var out: String

    @Option(help: ArgumentHelp("Where to write the public JWK Set (must not exist).", valueName: "PATH"), completion: .file())
    var jwks: String?

    @OptionGroup(title: "Output")
    var output: OutputOptions

    func run() throws {
        guard let algorithm = JWSAlgorithm(rawValue: alg), !JWSAlgorithm.isUnsecuredName(alg) else {
            throw CLIFailure.usage(
                "--alg \(Terminal.line(alg)): not an algorithm jwtk signs with (\(JWSAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        if algorithm.family == .rsaPKCS1 || algorithm.family == .rsaPSS {
            guard (2048...16384).contains(rsaBits) else {
                throw CLIFailure.usage(
                    "--rsa-bits \(rsaBits): RSA keys must have 2048 to 16384 bits (RFC 7518 §3.3 requires at least 2048)")
            }
        } else if rsaBits != 2048 {
            throw CLIFailure.usage("--rsa-bits applies to RSA algorithms only")
        }
        if let jwks, jwks == out { throw CLIFailure.usage("--out and --jwks must be different files") }
        let symmetric = algorithm.family == .hmac
        var generated: SigningKey
        do throws(JWTKError) {
            generated = try SigningKey.generate(for: algorithm, keyID: kid, rsaBits: rsaBits)
            // The default kid is the public key's thumbprint (an HMAC thumbprint would be a hash of the secret).
            if kid == nil, !symmetric, let jwk = generated.privateJWK() {
                generated = try SigningKey(jwk: String(jwk.dropLast()) + ",\"kid\":\(JSONOut.quote(generated.verificationKey.thumbprint))}")
            }
        } catch {
            throw CLIFailure(.usage, "cannot generate a \(algorithm.rawValue) key: \(error.reason)")
        }
        guard let privateJWK = generated.privateJWK(algorithm: algorithm) else {
            throw CLIFailure(.usage, "OpenSSL does not export this key's private members")
        }
        try Self.write(privateJWK + "\n", to: out, mode: 0o600)
        if let jwks {
            let set = #"{"keys":["# + publicJWK(generated, algorithm: algorithm, privateJWK: privateJWK) + "]}\n"
            do {
                try Self.write(set, to: jwks, mode: symmetric ? 0o600 : 0o644)
            } catch {
                unsafe unlink(out)
                throw error
            }
        }
        let verification = generated.verificationKey
        if output.json {
            JSONDocumentOut.emit(
                .object([
                    ("ok", .bool(true)), ("alg", .string(algorithm.rawValue)), ("kid", .optional(generated.keyID)),
                    ("kty", .string(Self.kty(verification.type))),
                    ("thumbprint", symmetric ? .null : .string(verification.thumbprint)), ("private_jwk", .string(out)),
                    ("jwks", .optional(jwks)),
                ]))
        } else {
            var text = "wrote \(Terminal.line(out)) (private JWK, mode 0600)"
            if let jwks { text += " and \(Terminal.line(jwks)) (JWK Set\(symmetric ? " holding the secret, mode 0600" : ""))" }
            text += "\n  alg         \(algorithm.rawValue)\n  key         \(verification.type)"
            if let keyID = generated.keyID { text += "\n  kid         \(Terminal.line(keyID))" }
            if !symmetric { text += "\n  thumbprint  \(verification.thumbprint) (RFC 7638, SHA-256)" }
            print(text)
        }
    }

    /// The public JWK with `alg` and `use`; for an HMAC key the set holds the secret (`k`).
    private func publicJWK(_ key: SigningKey, algorithm: JWSAlgorithm, privateJWK: String) -> String {
        if algorithm.family == .hmac { return String(privateJWK.dropLast()) + #","use":"sig"}"# }
        let members = key.verificationKey.publicJWK
        let extra = (members.contains("\"alg\"") ? "" : ",\"alg\":\"\(algorithm.rawValue)\"") + #","use":"sig""#
        return String(members.dropLast()) + extra + "}"
    }

    static func kty(_ type: VerificationKey.KeyType) -> String {
        switch type {
        case .rsa: "RSA"
        case .ec: "EC"
        case .okp: "OKP"
        case .oct: "oct"
        }
    }

    /// Creates `path` (it must not exist) with `mode` and writes `text`.
    static func write(_ text: String, to path: String, mode: mode_t) throws(CLIFailure) {
        let fd = unsafe open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "the file exists; jwtk keygen never overwrites a key" : unsafe String(cString: strerror(errno))
            throw CLIFailure.usage("cannot create \(Terminal.line(path)): \(reason)")
        }
        defer { close(fd) }
        _ = fchmod(fd, mode)  // the umask must not widen nor narrow what was asked
        let bytes = Array(text.utf8)
        let written = unsafe bytes.withUnsafeBytes { unsafe Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            unsafe unlink(path)
            throw CLIFailure.usage(unsafe "cannot write \(Terminal.line(path)): \(String(cString: strerror(errno)))")
        }
    }
}
