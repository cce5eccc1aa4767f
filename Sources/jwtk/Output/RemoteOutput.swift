import Foundation
import JWTK
import JWTKInspection
import JWTKRemote

/// How a fetched document may be cached: its caching headers, what the server asked for and what jwtk will do.
struct CacheReport {
    let url: String
    let status: Int
    let bytes: Int
    let contentType: String?
    let cacheControl: String?
    let etag: String?
    let lastModified: String?
    let expires: String?
    let date: String?
    let age: String?
    /// The freshness the server asked for, in seconds (Age subtracted), or nil when it said nothing.
    let serverLifetime: Double?
    /// The freshness jwtk's cache gives it (clamped to the bounds, or the default).
    let lifetime: Double
    let bounds: CacheFreshness
    let findings: [LintFinding]

    /// The report for one response, with the bounds jwtk's cache applies to that kind of document.
    init(_ response: HTTPFetchResponse, bounds: CacheFreshness, now: Double, document: String) {
        url = response.url.absoluteString
        status = response.status
        bytes = response.body.count
        contentType = response.header("content-type")
        cacheControl = response.header("cache-control")
        etag = response.header("etag")
        lastModified = response.header("last-modified")
        expires = response.header("expires")
        date = response.header("date")
        age = response.header("age")
        // With a floor below zero and no ceiling, the library's computation returns what the server asked for;
        // the default (-1) marks "nothing said".
        let asked = CacheFreshness(minimumTTL: -1, maximumTTL: .infinity, defaultTTL: -1).lifetime(headers: response.headers, now: now)
        serverLifetime = asked < 0 ? nil : asked
        lifetime = bounds.lifetime(headers: response.headers, now: now)
        self.bounds = bounds

        var findings: [LintFinding] = []
        let reference = "RFC 9111 §5.2"
        if cacheControl == nil && expires == nil {
            findings.append(
                LintFinding(
                    id: "no_cache_headers", severity: .info,
                    message: "no Cache-Control or Expires: jwtk caches the \(document) for its default \(TimeText.span(bounds.defaultTTL))",
                    reference: reference))
        } else if let asked = serverLifetime, asked < bounds.minimumTTL {
            let what = asked == 0 ? "no caching (no-store, no-cache, max-age=0 or an expired Expires)" : "\(TimeText.span(asked))"
            findings.append(
                LintFinding(
                    id: "short_cache_lifetime", severity: .warning,
                    message:
                        "the server asks for \(what); jwtk raises it to \(TimeText.span(bounds.minimumTTL)), but clients that obey it refetch the \(document) on every use",
                    reference: reference))
        } else if let asked = serverLifetime, asked > bounds.maximumTTL {
            findings.append(
                LintFinding(
                    id: "long_cache_lifetime", severity: .info,
                    message:
                        "the server allows caching for \(TimeText.span(asked)); jwtk caps it at \(TimeText.span(bounds.maximumTTL)) so that key rotation is noticed",
                    reference: reference))
        }
        if etag == nil && lastModified == nil {
            findings.append(
                LintFinding(
                    id: "no_validator", severity: .info,
                    message: "no ETag or Last-Modified: refreshes cannot be conditional, every refresh downloads the whole \(document)",
                    reference: "RFC 9110 §8.8"))
        }
        self.findings = findings
    }

    var json: JSONOut {
        .object([
            ("url", .string(url)), ("status", .integer(Int64(status))), ("bytes", .integer(Int64(bytes))),
            ("content_type", .optional(contentType)), ("cache_control", .optional(cacheControl)), ("etag", .optional(etag)),
            ("last_modified", .optional(lastModified)), ("expires", .optional(expires)), ("date", .optional(date)),
            ("age", .optional(age)), ("server_lifetime", serverLifetime.map(JSONOut.numeric) ?? .null),
            ("jwtk_lifetime", JSONOut.numeric(lifetime)), ("findings", .array(findings.map(\.json))),
        ])
    }

    /// Indented lines: the headers, the lifetimes and the findings.
    func text(style: Style, indent: String = "    ", findings showFindings: Bool = true) -> String {
        var out = "\(indent)HTTP \(status), \(bytes) bytes, \(Terminal.line(contentType ?? "no Content-Type"))\n"
        func row(_ name: String, _ value: String?) { out += "\(indent)\(name.padding(15)) \(Terminal.line(value ?? "-"))\n" }
        row("Cache-Control", cacheControl)
        row("Expires", expires)
        row("ETag", etag)
        row("Last-Modified", lastModified)
        row("Date", date)
        row("Age", age)
        let asked = serverLifetime.map { "\(TimeText.span($0)) asked" } ?? "nothing asked"
        row(
            "Freshness",
            "\(asked); jwtk caches it for \(TimeText.span(lifetime)) (bounds \(TimeText.span(bounds.minimumTTL)) to \(TimeText.span(bounds.maximumTTL)))"
        )
        for finding in findings where showFindings {
            out +=
                "\(indent)\(style.severity(finding.severity.rawValue.padding(7)))  \(Terminal.line(finding.message)) (\(finding.reference))\n"
        }
        return out
    }
}
