import JWTK

/// The exit statuses of every jwtk command. Scripts rely on them; `jwtk --help` and docs/CLI.md list them.
enum ExitStatus: Int32 {
    /// The token is valid / the command succeeded.
    case success = 0
    /// The token was rejected: malformed, signature, key, claim or policy.
    case rejected = 1
    /// Usage error or unusable local input (bad flag, unreadable file, a key file with no usable key).
    case usage = 2
    /// Remote failure: a JWK Set, discovery document or userinfo response could not be fetched or used.
    case remote = 3

    /// The status for a library error about the token. Usage-category errors are local-input problems.
    init(for code: JWTKError.Code) {
        switch code.category {
        case .usage: self = .usage
        case .malformed, .limits, .algorithm, .header, .key, .signature, .claims, .internal: self = .rejected
        }
    }
}

/// A failure that ends a command: the message goes to stderr (unless already printed) and the process exits
/// with `status`.
struct CLIFailure: Error {
    let status: ExitStatus
    /// The line printed on stderr, or nil when the command has printed its own output.
    let message: String?

    init(_ status: ExitStatus, _ message: String?) {
        self.status = status
        self.message = message
    }

    /// A usage or local-input error (exit 2).
    static func usage(_ message: String) -> CLIFailure { CLIFailure(.usage, message) }

    /// A local input (key file, claims file) the library could not use (exit 2).
    static func input(_ what: String, _ error: JWTKError) -> CLIFailure {
        CLIFailure(.usage, "\(what): \(error.reason.isEmpty ? error.code.rawValue : error.reason) [\(error.code.rawValue)]")
    }
}
