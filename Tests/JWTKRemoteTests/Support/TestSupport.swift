import Foundation
import JWTK
import JWTKRemote
import JWTKTestSupport
import Logging

/// A clock the test moves by hand (the only fake the suite uses).
final class ManualClock: Sendable {
    private let seconds: Locked<Double>

    init(start: Double = Double(Int(Date().timeIntervalSince1970))) { seconds = Locked(start) }

    var now: Double { seconds.withLock { $0 } }
    var clock: JWTClock { JWTClock { [self] in now } }
    func advance(_ delta: Double) { seconds.withLock { $0 += delta } }
}

/// The remote tests' name for the shared test key.
typealias TestIssuer = TestKey

/// A JWK Set document holding these keys.
func jwksDocument(_ issuers: [TestIssuer], extra: [String] = []) -> String {
    #"{"keys":["# + (issuers.map(\.publicJWK) + extra).joined(separator: ",") + "]}"
}

/// Collects log messages so tests can assert that failures are reported.
final class LogCapture: Sendable {
    private let lines = Locked<[(Logger.Level, String)]>([])

    var logger: Logger {
        var logger = Logger(label: "jwtk.remote.test") { _ in CapturingHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    func append(_ level: Logger.Level, _ message: String) { lines.withLock { $0.append((level, message)) } }

    func messages(atLeast level: Logger.Level) -> [String] { lines.withLock { $0.filter { $0.0 >= level }.map(\.1) } }

    func contains(_ fragment: String, atLeast level: Logger.Level = .trace) -> Bool {
        messages(atLeast: level).contains { $0.contains(fragment) }
    }

    struct CapturingHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append(event.level, event.message.description)
        }
    }
}

/// Waits (polling, at most `seconds`) until `condition` holds; returns whether it did. The default outlasts the
/// fetcher's default 5 s timeout, so a background fetch that is merely slow (a sanitizer build on a loaded
/// machine: 3 s was too short once) is waited for; a passing check returns as soon as it holds.
func eventually(within seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// The request timeout of every test that is not about timeouts.
///
/// The library's default (5 s) is right for a service but not for this suite: the test process shares Swift's
/// cooperative pool (two threads here) with the CLI tests, which block a thread while a `jwtk` child runs, and
/// with CPU-bound differential tests. The loopback servers run on that pool too (FlyingFox starts its accept
/// loop in an unstructured task, outside `LoopbackExecutor`), so under a sanitizer a request can wait seconds
/// for a thread. A fetch failed as `timeout` after 5 s in CI that way (stop 17). The CLI tests already pass
/// `--timeout 60` for the same reason; the timeout tests set their own small values.
let roomyTimeout: Double = 60

extension RemoteJWKS.Configuration {
    /// The defaults with ``roomyTimeout``.
    static var roomy: Self {
        var configuration = Self()
        configuration.timeout = roomyTimeout
        return configuration
    }
}

extension OIDCDiscovery.Configuration {
    /// The defaults with ``roomyTimeout``.
    static var roomy: Self {
        var configuration = Self()
        configuration.timeout = roomyTimeout
        return configuration
    }
}

extension OIDCVerifier.Configuration {
    /// The defaults with ``roomyTimeout`` for discovery and the JWK Set.
    static var roomy: Self {
        var configuration = Self()
        configuration.discovery.timeout = roomyTimeout
        configuration.jwks.timeout = roomyTimeout
        return configuration
    }
}
