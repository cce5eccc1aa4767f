import ArgumentParser
import Foundation
import JWTK
import JWTKRemote
import Logging

/// `--timeout` and `--verbose`: shared by every command that fetches.
struct RemoteOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Seconds allowed for each HTTP request, connection included. Default 5.", valueName: "SECONDS"))
    var timeout: Double?

    @Flag(help: "Log every fetch, cache decision and failure of the remote sources to stderr.")
    var verbose = false

    /// Installs the logging backend while the arguments are parsed, before any configuration (and its
    /// loggers) is created.
    func validate() throws {
        RemoteLogging.bootstrapOnce(verbose: verbose)
    }

    /// The timeout to use: `--timeout`, else the library's default of 5 s.
    func seconds() throws(CLIFailure) -> Double {
        guard let timeout else { return 5 }
        guard timeout > 0, timeout.isFinite, timeout <= 3600 else {
            throw .usage("--timeout must be a number of seconds above 0 and at most 3600")
        }
        return timeout
    }

    /// Refuses `--timeout` / `--verbose` where nothing is fetched.
    func refuseWithoutRemoteSource() throws(CLIFailure) {
        if timeout != nil { throw .usage("--timeout applies to remote sources only (--jwks URL or --issuer URL)") }
        if verbose { throw .usage("--verbose applies to remote sources only (--jwks URL or --issuer URL)") }
    }

    /// The logger given to the remote sources: stderr with `--verbose`, else nothing (stdout stays clean).
    func logger(_ label: String) -> Logger {
        RemoteLogging.bootstrapOnce(verbose: verbose)
        var logger = Logger(label: label)
        logger.logLevel = verbose ? .debug : .critical
        return logger
    }
}

/// Installs the swift-log backend once per process.
enum RemoteLogging {
    private static let done = Locked(false)

    static func bootstrapOnce(verbose: Bool) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            verbose ? StreamLogHandler.standardError(label: label) as any LogHandler : SwiftLogNoOpLogHandler()
        }
    }
}

/// What the remote commands share: URL checks and error mapping.
enum Remote {
    /// Whether a `--jwks` value is a URL (`http://` or `https://`, any case) rather than a path.
    static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    /// Parses and checks a URL the user gave; refused before any connection (exit 2).
    static func url(_ text: String, option: String) throws(CLIFailure) -> URL {
        do throws(JWTKRemoteError) {
            return try RemoteURLPolicy.url(text)
        } catch {
            throw CLIFailure(.usage, "\(option) \(Terminal.line(text)): \(Terminal.line(error.reason)) [\(error.code.rawValue)]")
        }
    }

    /// The failure for an error raised while setting up (before any traffic): `insecure_url` and
    /// `invalid_argument` are usage errors (exit 2), anything else is remote (exit 3).
    static func setupFailure(_ error: JWTKRemoteError) -> CLIFailure {
        let usage = error.code == .insecureURL || error.code == .invalidArgument
        return CLIFailure(usage ? .usage : .remote, message(error))
    }

    /// The failure for an error raised by a fetch: remote (exit 3), except `invalid_argument` (a bad input of
    /// ours, exit 2). An `insecure_url` here comes from the provider's documents (an http `jwks_uri`), so it
    /// is remote too.
    static func fetchFailure(_ error: JWTKRemoteError) -> CLIFailure {
        CLIFailure(error.code == .invalidArgument ? .usage : .remote, message(error))
    }

    /// `reason (url) [code]`, control characters escaped.
    static func message(_ error: JWTKRemoteError) -> String {
        var text = error.reason.isEmpty ? error.code.rawValue : error.reason
        if let url = error.url { text += " (\(url))" }
        return "\(Terminal.line(text)) [\(error.code.rawValue)]"
    }

    /// `{code, message, check, claim, hint, url, status}`.
    static func errorJSON(_ error: JWTKRemoteError) -> JSONOut {
        JSONDocumentOut.error(
            code: error.code.rawValue, message: error.reason, extra: [("url", .optional(error.url)), ("status", .optional(error.status))])
    }

    /// Runs set-up code, mapping its error with ``setupFailure(_:)``.
    static func setup<T>(_ body: () throws(JWTKRemoteError) -> T) throws(CLIFailure) -> T {
        do throws(JWTKRemoteError) { return try body() } catch { throw setupFailure(error) }
    }

    /// Runs a fetch that was given `timeout` seconds per request, mapping its error with ``fetchFailure(_:)``
    /// after ``PlainHTTPDiagnosis`` (which probes within the same timeout) has explained it.
    @discardableResult
    static func fetch<T>(timeout: Double, _ body: () async throws(JWTKRemoteError) -> T) async throws(CLIFailure) -> T {
        do throws(JWTKRemoteError) { return try await body() } catch {
            throw fetchFailure(await PlainHTTPDiagnosis.explain(error, timeout: timeout))
        }
    }
}
