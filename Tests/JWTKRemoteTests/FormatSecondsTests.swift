import JWTK
import Testing

/// Durations in JWTKRemote's error messages and logs come from configuration (timeouts, staleness) and server
/// headers: rendering one must never trap, whatever its value. JWTKRemote renders them with the core's
/// `DateText.seconds` (the formatter the claim messages use too), not a copy of its own.
@Suite struct FormatSecondsTests {
    @Test(arguments: [
        (5.0, "5"), (0.25, "0.25"), (3600.0, "3600"), (-1.0, "-1"),
        (Double.infinity, "inf"), (-Double.infinity, "-inf"), (1e300, "1e+300"),
    ])
    func rendersWithoutTrapping(seconds: Double, text: String) {
        #expect(DateText.seconds(seconds) == text)
    }

    @Test func notANumberIsRenderedNotTrapped() {
        #expect(DateText.seconds(.nan) == "nan")
    }
}
