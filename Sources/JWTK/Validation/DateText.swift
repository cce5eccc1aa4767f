/// RFC 3339 timestamps for NumericDates, computed with integer civil-calendar arithmetic (no locale, no
/// time zone database; always UTC).
package enum DateText {
    /// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (fraction dropped), or nil outside years 0001–9999.
    package static func rfc3339(_ seconds: Double) -> String? {
        guard seconds.isFinite, seconds >= -62_135_596_800, seconds < 253_402_300_800 else { return nil }
        let whole = Int64(seconds.rounded(.down))
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondsOfDay = whole - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return
            "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondsOfDay / 3600, 2)):\(pad(secondsOfDay % 3600 / 60, 2)):\(pad(secondsOfDay % 60, 2))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (RFC 3339 §5.6) into seconds since the epoch.
    package static func parseRFC3339(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= chars.count else { return nil }
            var v: Int64 = 0
            for c in chars[from..<(from + count)] {
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            return v
        }
        guard chars.count >= 20, chars[4] == 0x2D, chars[7] == 0x2D, chars[10] == 0x54 || chars[10] == 0x74 || chars[10] == 0x20,
            chars[13] == 0x3A, chars[16] == 0x3A,
            let y = number(0, 4), let mo = number(5, 2), let d = number(8, 2), let h = number(11, 2), let mi = number(14, 2),
            let s = number(17, 2), y >= 1, (1...12).contains(mo), (1...daysInMonth(y, mo)).contains(d), h < 24, mi < 60, s < 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < chars.count, chars[index] == 0x2E {
            index += 1
            var scale = 0.1
            let start = index
            while index < chars.count, chars[index] >= 0x30, chars[index] <= 0x39 {
                fraction += Double(chars[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < chars.count else { return nil }
        var offset: Int64 = 0
        switch chars[index] {
        case 0x5A, 0x7A:
            guard index + 1 == chars.count else { return nil }
        case 0x2B, 0x2D:
            guard index + 6 == chars.count, chars[index + 3] == 0x3A, let oh = number(index + 1, 2), let om = number(index + 4, 2), oh < 24,
                om < 60
            else {
                return nil
            }
            offset = (oh * 3600 + om * 60) * (chars[index] == 0x2B ? 1 : -1)
        default:
            return nil
        }
        let days = daysFromCivil(y, mo, d)
        return Double(days * 86_400 + h * 3600 + mi * 60 + s - offset) + fraction
    }

    /// Seconds since the epoch of a UTC civil date and time, or nil when it is not one (month 1–12, a day that
    /// exists in that month, hour < 24, minute < 60, second ≤ 60, year 1–9999). Shared by the RFC 3339 reader
    /// above and JWTKRemote's HTTP-date reader (one calendar for the whole package).
    package static func epochSeconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Double? {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= daysInMonth(Int64(year), Int64(month)),
            (0..<24).contains(hour), (0..<60).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = daysFromCivil(Int64(year), Int64(month), Int64(day))
        return Double(days * 86_400 + Int64(hour * 3600 + minute * 60 + second))
    }

    /// A duration in seconds as text, without a unit: a whole number as an integer (`5`, `3600`, `-1`), anything
    /// else as Swift prints a `Double` (`0.25`, `1e+300`, `inf`, `-inf`, `nan`). Never traps, whatever the value
    /// (configuration and server headers supply them). The core's messages append `s`, JWTKRemote's ` s`.
    package static func seconds(_ value: Double) -> String {
        // Int64(_:) traps on infinities, NaN and values beyond its range: only convert what fits exactly.
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    private static func daysInMonth(_ year: Int64, _ month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    private static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
