#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The source of "now" for claim validation, in seconds since the Unix epoch.
///
/// ```swift
/// var policy = VerificationPolicy()
/// policy.clock = .fixed(1_767_225_600)   // verify as of 2026-01-01T00:00:00Z
/// ```
public struct JWTClock: Sendable {
    private let read: @Sendable () -> Double

    /// A clock that returns `now()`.
    public init(_ now: @escaping @Sendable () -> Double) { self.read = now }

    /// The current time.
    public var now: Double { read() }

    /// The system's real-time clock.
    public static let system = JWTClock {
        var ts = timespec()
        unsafe clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// A clock frozen at `seconds` since the epoch (tests, forensic replay).
    public static func fixed(_ seconds: Double) -> JWTClock { JWTClock { seconds } }
}
