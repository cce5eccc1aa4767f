import ArgumentParser
import JWTK

/// `jwtk jwks`: list and lint the keys of a JWK Set.
struct JWKSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwks",
        abstract: "List the keys of a JWK Set with their RFC 7638 thumbprints, and lint them.",
        discussion: """
            For each key: kid, kty, crv or modulus bits, alg, use, key_ops, thumbprint, and findings: private \
            members published, symmetric keys published, duplicate kid, RSA below 2048 bits, missing kid/alg/use, \
            and keys a verifier will skip, with the reason. A file holding a single JWK is accepted. Exit 0 when \
            the set could be read (whatever the findings), 2 when the file is unreadable or not a JWK Set.

            \(exitStatusHelp)
            """)

    @Argument(help: ArgumentHelp("The JWK Set file (\"-\" for stdin).", valueName: "PATH"))
    var path: String

    @OptionGroup(title: "Output")
    var output: OutputOptions

    func run() throws {
        let bytes = try Input.file(path)
        let report: JWKSLint
        do throws(JWTKError) { report = try JWKSLint.lint(bytes: bytes) } catch { throw CLIFailure.input(path, error) }
        if output.json {
            print(JWKSOutput.json(report).rendered())
        } else {
            print(JWKSOutput.text(report, path: path, style: output.style), terminator: "")
        }
    }
}

/// `jwtk thumbprint`: RFC 7638 thumbprints.
struct Thumbprint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the RFC 7638 JWK thumbprint (SHA-256, base64url) of a JWK or a PEM/DER public key.",
        discussion: """
            Accepts a JWK (public or private: only the public members count), a JWK Set (one line per key: \
            thumbprint, then kid), a PEM public key, certificate or private key, or DER.

            \(exitStatusHelp)
            """)

    @Argument(help: ArgumentHelp("The key file (\"-\" for stdin).", valueName: "PATH"))
    var path: String

    @Flag(help: "Print the RFC 9278 URI form (urn:ietf:params:oauth:jwk-thumbprint:sha-256:...).")
    var uri = false

    func run() throws {
        let bytes = try Input.file(path)
        let keys: [VerificationKey]
        do throws(JWTKError) { keys = try VerificationKey.load(contents: bytes) } catch { throw CLIFailure.input(path, error) }
        guard !keys.isEmpty else { throw CLIFailure.usage("\(path): no usable key") }
        for key in keys {
            let value = uri ? "urn:ietf:params:oauth:jwk-thumbprint:sha-256:\(key.thumbprint)" : key.thumbprint
            print(keys.count == 1 ? value : "\(value)  \(key.keyID ?? "-")")
        }
    }
}
