import ArgumentParser
import Foundation
import JWTK

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The exit-status table, shown in `jwtk --help` and every subcommand's help.
let exitStatusHelp = """
    EXIT STATUS
      0  valid / success
      1  the token was rejected (malformed, signature, key, claim, policy)
      2  usage error or unusable local input (bad flag, unreadable file, a key file with no usable key)
      3  remote failure (a JWK Set, discovery document or userinfo could not be fetched or used)
    """

/// `jwtk --version`: the version on the first line (what scripts read), then the OpenSSL and jansson in use,
/// which decide what a bug report is about.
let versionText = "\(JWTKLibrary.version)\n\(JWTKLibrary.openSSLVersion)\njansson \(JWTKLibrary.janssonVersion)"

@main
struct JWTKCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwtk",
        abstract: "Inspect, verify and sign JSON Web Tokens. Secure by default (RFC 8725).",
        discussion: """
            Every decision is the JWTK library's: the key decides the algorithm family, alg none is refused, exp is \
            required, leeway is 0, RSA keys below 2048 bits are refused, and header jku/x5u/jwk/x5c never supply a key.

            Token input: TOKEN is used byte for byte; "-" or no TOKEN reads stdin, removing exactly one trailing \
            newline (\\n or \\r\\n). Secrets never need to be in argv: use --secret-file or --secret-env.

            \(exitStatusHelp)
            """,
        version: versionText,
        subcommands: [
            Inspect.self, Verify.self, JWKSCommand.self, Thumbprint.self, Sign.self, Bench.self, Discover.self, UserInfoCommand.self,
            Keygen.self, Completion.self,
        ]
    )

    static func main() async {
        let status: Int32
        do {
            let arguments = Shortcut.rewrite(Array(CommandLine.arguments.dropFirst()), stdinIsPipeOrFile: stdinIsPipeOrFile())
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            status = ExitStatus.success.rawValue
        } catch let failure as CLIFailure {
            if let message = failure.message {
                if JSONDocumentOut.requested(CommandLine.arguments), unsafe !JSONDocumentOut.printed {
                    JSONDocumentOut.emit(JSONDocumentOut.failure(status: failure.status, message: message))
                }
                StandardError.write("jwtk: \(Terminal.text(message))")
            }
            status = failure.status.rawValue
        } catch let code as ExitCode {
            status = code.rawValue
        } catch {
            let code = exitCode(for: error)
            let text = fullMessage(for: error)
            let message =
                code == .success
                ? text : PastedToken.redacting(Suggestion.improving(text, arguments: Array(CommandLine.arguments.dropFirst())))
            if code == .success {
                if !message.isEmpty { print(message) }
                status = 0
            } else {
                if JSONDocumentOut.requested(CommandLine.arguments), unsafe !JSONDocumentOut.printed {
                    JSONDocumentOut.emit(JSONDocumentOut.failure(status: .usage, message: message))
                }
                // The parser's message quotes the arguments; they are outside text like any other.
                StandardError.write(Terminal.text(message))
                status = ExitStatus.usage.rawValue
            }
        }
        fflush(nil)
        terminate(status)
    }
}

/// True when stdin is a pipe or a regular file (`… | jwtk`, `jwtk < file`), not a terminal or /dev/null.
func stdinIsPipeOrFile() -> Bool {
    var info = stat()
    guard unsafe fstat(STDIN_FILENO, &info) == 0 else { return false }
    let kind = info.st_mode & S_IFMT
    return kind == S_IFIFO || kind == S_IFREG
}

/// Ends the process (C `exit`, which flushes stdio).
func terminate(_ status: Int32) -> Never {
    #if canImport(Glibc)
        Glibc.exit(status)
    #elseif canImport(Musl)
        Musl.exit(status)
    #else
        Darwin.exit(status)
    #endif
}
