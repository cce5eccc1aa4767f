import Foundation

/// The rules every URL jwtk fetches must pass, checked before any connection is made.
///
/// - `https` for every host;
/// - plain `http` only for loopback hosts: `localhost`, an IPv4 address in `127.0.0.0/8` written as four decimal
///   octets, or the IPv6 address `::1` — for tests and providers running on the same machine;
/// - no other scheme, a host present, and no user name or password in the URL.
public enum RemoteURLPolicy {
    /// Checks `url` against the rules above.
    ///
    /// - Throws: ``JWTKRemoteError`` with code ``JWTKRemoteError/Code/insecureURL``.
    public static func check(_ url: URL) throws(JWTKRemoteError) {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            throw JWTKRemoteError(.insecureURL, "not a valid URL", url: url.absoluteString)
        }
        let scheme = components.scheme?.lowercased() ?? ""
        guard let host = components.host, !host.isEmpty else {
            throw JWTKRemoteError(.insecureURL, "the URL has no host", url: url.absoluteString)
        }
        guard components.user == nil, components.password == nil else {
            throw JWTKRemoteError(.insecureURL, "the URL must not carry a user name or password", url: redacted(url))
        }
        switch scheme {
        case "https":
            return
        case "http":
            guard isLoopback(host: host) else {
                throw JWTKRemoteError(
                    .insecureURL, "plain http is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost); use https",
                    url: url.absoluteString)
            }
        default:
            throw JWTKRemoteError(.insecureURL, "scheme \"\(scheme)\" is not allowed; use https", url: url.absoluteString)
        }
    }

    /// Parses and checks a URL given as text; see ``check(_:)``.
    ///
    /// - Throws: ``JWTKRemoteError`` with code ``JWTKRemoteError/Code/insecureURL``.
    public static func url(_ text: String) throws(JWTKRemoteError) -> URL {
        guard let parsed = URL(string: text), parsed.scheme != nil else {
            throw JWTKRemoteError(.insecureURL, "not an absolute URL", url: text)
        }
        let url = normalized(parsed)
        try check(url)
        return url
    }

    /// `url` with its scheme lower-cased (schemes are case-insensitive, RFC 3986 §3.1: `HTTPS://` is `https://`),
    /// so that the policy and the transport see the same scheme. Anything else is kept as written.
    public static func normalized(_ url: URL) -> URL {
        guard let scheme = url.scheme, scheme != scheme.lowercased(),
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        else { return url }
        components.scheme = scheme.lowercased()
        return components.url ?? url
    }

    /// Whether `host` (as it appears in a URL, IPv6 with or without brackets) is a loopback host.
    public static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "localhost." { return true }
        if name.contains(":") { return isIPv6Loopback(name) }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return false }
        var values: [Int] = []
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy({ $0 >= "0" && $0 <= "9" }), let value = Int(octet), value <= 255
            else { return false }
            if octet.count > 1 && octet.first == "0" { return false }  // no octal-looking forms
            values.append(value)
        }
        return values[0] == 127
    }

    /// Whether `text` is the IPv6 address `::1` in any valid spelling (`::1`, `0:0:0:0:0:0:0:1`, `::0:1`, ...).
    /// Zone ids and embedded IPv4 forms are not accepted (fail closed).
    static func isIPv6Loopback(_ text: String) -> Bool {
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var values: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(group.count), group.allSatisfy(\.isHexDigit), let value = UInt16(group, radix: 16) else {
                    return nil
                }
                values.append(value)
            }
            return values
        }
        let halves = text.components(separatedBy: "::")
        let all: [UInt16]
        switch halves.count {
        case 1:
            guard let full = groups(Substring(text)), full.count == 8 else { return false }
            all = full
        case 2:
            guard let head = groups(Substring(halves[0])), let tail = groups(Substring(halves[1])), head.count + tail.count <= 7 else {
                return false
            }
            all = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        default:
            return false
        }
        return all.dropLast().allSatisfy { $0 == 0 } && all.last == 1
    }

    /// Whether two URLs have the same origin (scheme, host and effective port; RFC 6454).
    public static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        guard let ca = URLComponents(url: a, resolvingAgainstBaseURL: false),
            let cb = URLComponents(url: b, resolvingAgainstBaseURL: false)
        else { return false }
        let schemeA = ca.scheme?.lowercased() ?? ""
        let schemeB = cb.scheme?.lowercased() ?? ""
        return schemeA == schemeB && (ca.host?.lowercased() ?? "") == (cb.host?.lowercased() ?? "")
            && effectivePort(ca.port, schemeA) == effectivePort(cb.port, schemeB)
    }

    private static func effectivePort(_ port: Int?, _ scheme: String) -> Int {
        port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : -1)
    }

    private static func redacted(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "(invalid URL)" }
        components.user = nil
        components.password = nil
        return components.string ?? "(invalid URL)"
    }
}
