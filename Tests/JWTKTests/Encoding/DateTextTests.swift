import Foundation
import JWTK
import Testing

/// RFC 3339 rendering and parsing of NumericDates (used in error messages and the CLI's `--now`).
@Suite("RFC 3339 dates")
struct DateTextTests {
    @Test func rendersKnownInstants() {
        #expect(DateText.rfc3339(0) == "1970-01-01T00:00:00Z")
        #expect(DateText.rfc3339(1_767_225_600) == "2026-01-01T00:00:00Z")
        #expect(DateText.rfc3339(4_102_444_800) == "2100-01-01T00:00:00Z")
        #expect(DateText.rfc3339(951_782_400) == "2000-02-29T00:00:00Z")
        #expect(DateText.rfc3339(1_767_225_600.999) == "2026-01-01T00:00:00Z")  // fraction dropped
        #expect(DateText.rfc3339(-0.5) == "1969-12-31T23:59:59Z")  // rounded down, not toward zero
        #expect(DateText.rfc3339(-1) == "1969-12-31T23:59:59Z")
    }

    @Test func rendersOnlyYearsOneToNineThousandNineHundredNinetyNine() {
        #expect(DateText.rfc3339(-62_135_596_800) == "0001-01-01T00:00:00Z")
        #expect(DateText.rfc3339(-62_135_596_801) == nil)
        #expect(DateText.rfc3339(253_402_300_799) == "9999-12-31T23:59:59Z")
        #expect(DateText.rfc3339(253_402_300_800) == nil)
        #expect(DateText.rfc3339(.nan) == nil)
        #expect(DateText.rfc3339(.infinity) == nil)
        #expect(DateText.rfc3339(1e300) == nil && DateText.rfc3339(-1e300) == nil)
    }

    /// Independent oracle: Foundation's ISO 8601 formatter, on 2000 pseudo-random instants from 1601 to 9999
    /// (before 1582 Foundation's calendar is Julian, jwtk's proleptic Gregorian).
    @Test func agreesWithFoundationAndRoundTrips() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var checked = 0
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let seconds = Double(Int64(-11_644_473_600) + Int64(state >> 30) % 265_046_774_400)
            guard let text = DateText.rfc3339(seconds) else {
                Issue.record("no rendering for \(seconds)")
                continue
            }
            #expect(text == formatter.string(from: Date(timeIntervalSince1970: seconds)), "\(seconds)")
            #expect(DateText.parseRFC3339(text) == seconds, "\(text)")
            checked += 1
        }
        #expect(checked == 2000)
    }

    @Test func parsesOffsetsFractionsAndSeparators() {
        #expect(DateText.parseRFC3339("2026-01-01T00:00:00Z") == 1_767_225_600)
        #expect(DateText.parseRFC3339("2026-01-01t00:00:00z") == 1_767_225_600)
        #expect(DateText.parseRFC3339("2026-01-01 00:00:00Z") == 1_767_225_600)
        #expect(DateText.parseRFC3339("2026-01-01T01:30:00+01:30") == 1_767_225_600)
        #expect(DateText.parseRFC3339("2025-12-31T23:00:00-01:00") == 1_767_225_600)
        #expect(DateText.parseRFC3339("2026-01-01T00:00:00.5Z") == 1_767_225_600.5)
        #expect(DateText.parseRFC3339("2000-02-29T00:00:00Z") == 951_782_400)
        #expect(DateText.parseRFC3339("2024-02-29T12:00:00Z") != nil)
    }

    @Test(arguments: [
        "", "2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00Z", "2026-1-01T00:00:00Z", "2026-01-01T24:00:00Z",
        "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "0000-01-01T00:00:00Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00Zjunk",
        "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+0100", "2026-01-01X00:00:00Z", "２０２６-01-01T00:00:00Z",
        "2026-01-01T00:00:00+01:60",
    ])
    func refusesMalformedTimestamps(_ text: String) {
        #expect(DateText.parseRFC3339(text) == nil, "\(text)")
    }
}
