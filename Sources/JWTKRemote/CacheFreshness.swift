import Foundation
import JWTK

/// How long a fetched document stays fresh, and the bounds applied to what the server says.
public struct CacheFreshness: Sendable, Hashable {
    /// The shortest freshness accepted, in seconds; a smaller `max-age` (including `no-cache`, `no-store`,
    /// `max-age=0` and an `Expires` in the past) is raised to it. Default 60 s.
    public var minimumTTL: Double
    /// The longest freshness accepted, in seconds; a larger `max-age` is lowered to it. Default 24 h.
    public var maximumTTL: Double
    /// The freshness used when the response has neither `Cache-Control: max-age` nor `Expires`. Default 10 min.
    public var defaultTTL: Double

    /// Creates the bounds.
    public init(minimumTTL: Double = 60, maximumTTL: Double = 86_400, defaultTTL: Double = 600) {
        self.minimumTTL = minimumTTL
        self.maximumTTL = max(maximumTTL, minimumTTL)
        self.defaultTTL = defaultTTL
    }

    /// The freshness lifetime, in seconds, of a response with these headers (names lower-cased), clamped to
    /// ``minimumTTL`` … ``maximumTTL``.
    ///
    /// `Cache-Control: max-age` wins over `Expires` (RFC 9111 §5.3); `no-store` and `no-cache` mean "revalidate
    /// as soon as allowed"; `Age` is subtracted; `Expires` is measured against the response's `Date` when
    /// present, else against `now`; an unparseable `Expires` counts as already expired (RFC 9111 §5.3).
    public func lifetime(headers: [String: String], now: Double) -> Double {
        clamp(serverLifetime(headers: headers, now: now) ?? defaultTTL)
    }

    /// What the server asked for, before clamping; nil when it said nothing.
    func serverLifetime(headers: [String: String], now: Double) -> Double? {
        let age = headers["age"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }.map { max(0, $0) } ?? 0
        if let cacheControl = headers["cache-control"] {
            let directives = Self.directives(cacheControl)
            if directives["no-store"] != nil || directives["no-cache"] != nil { return 0 }
            if let value = directives["max-age"], let seconds = Double(value), seconds.isFinite, seconds >= 0 {
                return max(0, seconds - age)
            }
        }
        if let expires = headers["expires"] {
            guard let expiry = HTTPDate.parse(expires) else { return 0 }
            let base = headers["date"].flatMap(HTTPDate.parse) ?? now
            return max(0, expiry - base - age)
        }
        return nil
    }

    func clamp(_ seconds: Double) -> Double { min(max(seconds, minimumTTL), maximumTTL) }

    /// `Cache-Control` directives, names lower-cased, quoted values unquoted.
    static func directives(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in header.split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { continue }
            if let eq = item.firstIndex(of: "=") {
                let name = item[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
                var value = item[item.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                if result[name] == nil { result[name] = value }
            } else {
                result[item.lowercased()] = result[item.lowercased()] ?? ""
            }
        }
        return result
    }
}

/// HTTP-date parsing (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Seconds since the epoch, or nil when the text is not an HTTP-date.
    static func parse(_ text: String) -> Double? {
        let fields = text.replacingOccurrences(of: ",", with: " ").replacingOccurrences(of: "-", with: " ")
            .split(separator: " ").map(String.init)
        var day: Int?
        var month: Int?
        var year: Int?
        var time: (Int, Int, Int)?
        for field in fields.dropFirst() {  // the first field is the weekday
            if let index = months.firstIndex(of: field.lowercased()) {
                month = index + 1
            } else if field.contains(":") {
                let parts = field.split(separator: ":").compactMap { Int($0) }
                guard parts.count == 3 else { return nil }
                time = (parts[0], parts[1], parts[2])
            } else if field == "GMT" || field == "UTC" {
                continue
            } else if let number = Int(field) {
                if day == nil && field.count <= 2 {
                    day = number
                } else if year == nil {
                    year = field.count == 2 ? (number < 70 ? 2000 + number : 1900 + number) : number
                } else {
                    return nil
                }
            } else {
                return nil
            }
        }
        // The core's calendar: a day that does not exist (31 Feb) or a year outside 1–9999 is not an HTTP-date.
        guard let day, let month, let year, let time else { return nil }
        return DateText.epochSeconds(year: year, month: month, day: day, hour: time.0, minute: time.1, second: time.2)
    }
}
