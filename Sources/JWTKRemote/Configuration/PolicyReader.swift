import Foundation
import JWTK

/// Reads a parsed policy document into a ``VerifierConfiguration``, naming the path of every mistake.
struct PolicyReader {
    let baseDirectory: String?
    let limits: VerifierConfiguration.Limits

    private typealias Failure = VerifierConfigurationError

    static let topMembers: Set<String> = [
        "$schema", "issuers", "audiences", "algorithms", "leeway", "required_claims", "profile", "routes", "cache", "dpop", "realm",
    ]
    static let issuerMembers: Set<String> = [
        "issuer", "discovery", "jwks", "keys", "audiences", "algorithms", "leeway", "required_claims", "profile",
    ]
    static let routeMembers: Set<String> = ["prefix", "scopes"]
    static let cacheMembers: Set<String> = [
        "jwks_refresh_interval", "jwks_unknown_key_cooldown", "jwks_max_staleness", "jwks_min_ttl", "jwks_max_ttl",
        "token_cache_capacity",
    ]

    /// The members an issuer inherits from the top level unless it sets them itself.
    private struct Defaults {
        var audiences: [String]?
        var algorithms: Set<JWSAlgorithm>?
        var leeway: Double?
        var requiredClaims: [String]?
        var profile: VerifierConfiguration.Profile?
    }

    func configuration(_ root: JSONValue) throws(VerifierConfigurationError) -> VerifierConfiguration {
        let members = try object(root, at: "", allowed: Self.topMembers, what: "the policy")
        if let schema = members["$schema"], schema.string == nil { throw Failure("$schema", "must be a string") }
        let defaults = Defaults(
            audiences: try members["audiences"].map { v throws(Failure) in try strings(v, at: "audiences", nonEmpty: true) },
            algorithms: try members["algorithms"].map { v throws(Failure) in try algorithms(v, at: "algorithms") },
            leeway: try members["leeway"].map { v throws(Failure) in try seconds(v, at: "leeway", max: VerifierConfiguration.maxLeeway) },
            requiredClaims: try members["required_claims"].map { v throws(Failure) in try strings(v, at: "required_claims", nonEmpty: false)
            },
            profile: try members["profile"].map { v throws(Failure) in try profile(v, at: "profile") })
        guard let issuersValue = members["issuers"] else { throw Failure("issuers", "is required: at least one issuer") }
        guard let list = issuersValue.array else { throw Failure("issuers", "must be an array of issuer objects") }
        guard !list.isEmpty else { throw Failure("issuers", "must name at least one issuer") }
        guard list.count <= limits.maxIssuers else {
            throw Failure("issuers", "has \(list.count) issuers, more than the limit of \(limits.maxIssuers)")
        }
        var issuers: [VerifierConfiguration.Issuer] = []
        for (index, value) in list.enumerated() {
            let entry = try issuer(value, at: "issuers[\(index)]", defaults: defaults)
            if let earlier = issuers.firstIndex(where: { $0.issuer.utf8.elementsEqual(entry.issuer.utf8) }) {
                throw Failure("issuers[\(index)].issuer", "\(Self.quoted(entry.issuer)) is already configured at issuers[\(earlier)]")
            }
            issuers.append(entry)
        }
        var configuration = VerifierConfiguration(issuers: issuers)
        if let routes = members["routes"] { configuration.routes = try self.routes(routes) }
        if let cache = members["cache"] { configuration.cache = try self.cache(cache) }
        if let dpop = members["dpop"] {
            guard let flag = dpop.bool else { throw Failure("dpop", "must be true or false") }
            configuration.dpop = flag
        }
        if let realm = members["realm"] {
            guard let text = realm.string, !text.isEmpty, text.utf8.count <= 256,
                text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" })
            else { throw Failure("realm", "must be 1 to 256 printable ASCII characters without quotes or backslashes") }
            configuration.realm = text
        }
        return configuration
    }

    // MARK: Sections

    private func issuer(
        _ value: JSONValue, at path: String, defaults: Defaults
    ) throws(VerifierConfigurationError) -> VerifierConfiguration.Issuer {
        let members = try object(value, at: path, allowed: Self.issuerMembers, what: "an issuer")
        guard let issuerValue = members["issuer"] else { throw Failure("\(path).issuer", "is required") }
        guard let issuer = issuerValue.string, !issuer.isEmpty else { throw Failure("\(path).issuer", "must be a non-empty string") }
        guard issuer.utf8.count <= 2048 else { throw Failure("\(path).issuer", "is longer than 2048 bytes") }
        let sources = ["discovery", "jwks", "keys"].filter { members[$0] != nil }
        guard sources.count == 1 else {
            throw Failure(
                path,
                sources.isEmpty
                    ? "needs exactly one of discovery, jwks or keys: where this issuer's keys come from"
                    : "has \(sources.joined(separator: " and ")); exactly one of discovery, jwks or keys is allowed")
        }
        let keys: VerifierConfiguration.KeySource
        switch sources[0] {
        case "discovery":
            let text = try string(members["discovery"]!, at: "\(path).discovery")
            let expected: URL
            do throws(JWTKRemoteError) {
                expected = try OIDCProviderMetadata.discoveryURL(forIssuer: issuer)
            } catch {
                throw Failure("\(path).issuer", "cannot be discovered: \(error.reason)")
            }
            guard text == expected.absoluteString else {
                throw Failure(
                    "\(path).discovery",
                    "must be the issuer's own discovery document, \(expected.absoluteString) (OpenID Connect Discovery §4)")
            }
            keys = .discovery(expected)
        case "jwks":
            let at = "\(path).jwks"
            let text = try string(members["jwks"]!, at: at)
            do throws(JWTKRemoteError) {
                keys = .jwks(try RemoteURLPolicy.url(text))
            } catch {
                throw Failure(at, "is not usable: \(error.reason)")
            }
        default:
            let at = "\(path).keys"
            let text = try string(members["keys"]!, at: at)
            keys = try keysFile(text, at: at)
        }
        let profile =
            try members["profile"].map { v throws(Failure) in try self.profile(v, at: "\(path).profile") } ?? defaults.profile
            ?? .accessToken
        let audiencePath = members["audiences"] != nil ? "\(path).audiences" : "audiences"
        guard
            let audiences = try members["audiences"].map({ v throws(Failure) in try strings(v, at: "\(path).audiences", nonEmpty: true) })
                ?? defaults.audiences
        else {
            throw Failure("\(path).audiences", "is required (here or at the top level): the audience tokens are meant for (RFC 8725 §3.9)")
        }
        if profile == .idToken, audiences.count != 1 {
            throw Failure(audiencePath, "the id-token profile needs exactly one audience: the client id")
        }
        let algorithmPath = members["algorithms"] != nil ? "\(path).algorithms" : "algorithms"
        let algorithms =
            try members["algorithms"].map { v throws(Failure) in try self.algorithms(v, at: "\(path).algorithms") }
            ?? defaults.algorithms ?? VerifierConfiguration.defaultAlgorithms
        if case .keysFile = keys {
        } else if let hmac = algorithms.filter({ $0.family == .hmac }).map(\.rawValue).sorted().first {
            throw Failure(algorithmPath, "\(hmac) needs a shared secret, which a JWK Set URL or discovery cannot supply (RFC 8725 §3.1)")
        }
        let leeway =
            try members["leeway"].map { v throws(Failure) in try seconds(v, at: "\(path).leeway", max: VerifierConfiguration.maxLeeway) }
            ?? defaults.leeway ?? 0
        let required =
            try members["required_claims"].map { v throws(Failure) in try strings(v, at: "\(path).required_claims", nonEmpty: false) }
            ?? defaults.requiredClaims ?? []
        return VerifierConfiguration.Issuer(
            issuer: issuer, keys: keys, audiences: audiences, algorithms: algorithms, leeway: leeway, requiredClaims: required,
            profile: profile)
    }

    private func keysFile(_ text: String, at path: String) throws(VerifierConfigurationError) -> VerifierConfiguration.KeySource {
        guard !text.isEmpty else { throw Failure(path, "must be a file path") }
        let resolved: String
        if text.hasPrefix("/") {
            resolved = text
        } else if let baseDirectory {
            resolved = URL(fileURLWithPath: baseDirectory).appendingPathComponent(text).path
        } else {
            resolved = text
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: resolved)[.size] as? Int) ?? nil
        guard let size, let data = FileManager.default.contents(atPath: resolved) else {
            throw Failure(path, "cannot read the keys file \(Self.quoted(text))")
        }
        let cap = JWKSet.Limits().maxBytes
        guard size <= cap, data.count <= cap else {
            throw Failure(path, "the keys file \(Self.quoted(text)) is larger than \(cap) bytes")
        }
        let keys: [VerificationKey]
        do throws(JWTKError) {
            keys = try VerificationKey.load(contents: Array(data))
        } catch {
            throw Failure(path, "the keys file \(Self.quoted(text)) holds no usable key: \(error.reason) [\(error.code.rawValue)]")
        }
        guard !keys.isEmpty else { throw Failure(path, "the keys file \(Self.quoted(text)) holds no usable key") }
        return .keysFile(path: resolved, keys: keys)
    }

    private func routes(_ value: JSONValue) throws(VerifierConfigurationError) -> [VerifierConfiguration.RouteScopes] {
        guard let list = value.array else { throw Failure("routes", "must be an array of {prefix, scopes} objects") }
        guard list.count <= limits.maxRoutes else {
            throw Failure("routes", "has \(list.count) rules, more than the limit of \(limits.maxRoutes)")
        }
        var rules: [VerifierConfiguration.RouteScopes] = []
        for (index, item) in list.enumerated() {
            let path = "routes[\(index)]"
            let members = try object(item, at: path, allowed: Self.routeMembers, what: "a route rule")
            guard let prefixValue = members["prefix"] else { throw Failure("\(path).prefix", "is required") }
            guard let prefix = prefixValue.string, prefix.hasPrefix("/"), prefix.utf8.count <= 1024,
                prefix.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
            else { throw Failure("\(path).prefix", "must be a path starting with \"/\" (printable ASCII, no spaces)") }
            if let earlier = rules.firstIndex(where: { $0.prefix == prefix }) {
                throw Failure("\(path).prefix", "\(Self.quoted(prefix)) is already given at routes[\(earlier)]")
            }
            guard let scopesValue = members["scopes"] else { throw Failure("\(path).scopes", "is required") }
            let scopes = try strings(scopesValue, at: "\(path).scopes", nonEmpty: true)
            for (position, scope) in scopes.enumerated() {
                // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
                guard
                    scope.unicodeScalars.allSatisfy({
                        $0.value == 0x21 || (0x23...0x5B).contains($0.value) || (0x5D...0x7E).contains($0.value)
                    })
                else {
                    throw Failure("\(path).scopes[\(position)]", "is not an RFC 6749 §3.3 scope token (no spaces, quotes or backslashes)")
                }
            }
            rules.append(VerifierConfiguration.RouteScopes(prefix: prefix, scopes: scopes))
        }
        return rules
    }

    private func cache(_ value: JSONValue) throws(VerifierConfigurationError) -> VerifierConfiguration.Cache {
        let members = try object(value, at: "cache", allowed: Self.cacheMembers, what: "the cache settings")
        var cache = VerifierConfiguration.Cache()
        if let v = members["jwks_refresh_interval"] {
            cache.refreshInterval = try seconds(v, at: "cache.jwks_refresh_interval", max: 86_400)
            guard cache.refreshInterval > 0 else { throw Failure("cache.jwks_refresh_interval", "must be more than 0 seconds") }
        }
        if let v = members["jwks_unknown_key_cooldown"] {
            cache.unknownKeyCooldown = try seconds(v, at: "cache.jwks_unknown_key_cooldown", max: 86_400)
        }
        if let v = members["jwks_max_staleness"] { cache.maxStaleness = try seconds(v, at: "cache.jwks_max_staleness", max: 604_800) }
        if let v = members["jwks_min_ttl"] { cache.minimumTTL = try seconds(v, at: "cache.jwks_min_ttl", max: 86_400) }
        if let v = members["jwks_max_ttl"] { cache.maximumTTL = try seconds(v, at: "cache.jwks_max_ttl", max: 604_800) }
        guard cache.minimumTTL <= cache.maximumTTL else {
            throw Failure("cache.jwks_max_ttl", "must not be less than jwks_min_ttl (\(Self.number(cache.minimumTTL)))")
        }
        if let v = members["token_cache_capacity"] {
            guard let count = v.integer, count >= 0, count <= Int64(VerifiedTokenCache.maxCapacity) else {
                throw Failure("cache.token_cache_capacity", "must be an integer from 0 (off) to \(VerifiedTokenCache.maxCapacity)")
            }
            cache.tokenCacheCapacity = Int(count)
        }
        return cache
    }

    // MARK: Values

    /// The members of an object, after refusing unknown ones.
    private func object(
        _ value: JSONValue, at path: String, allowed: Set<String>, what: String
    ) throws(VerifierConfigurationError)
        -> [String: JSONValue]
    {
        guard value.kind == .object, let list = value.members else {
            throw Failure(path, "\(what) must be a JSON object")
        }
        var members: [String: JSONValue] = [:]
        for (key, member) in list {
            guard allowed.contains(key) else {
                let location = path.isEmpty ? key : "\(path).\(key)"
                throw Failure(location, "is not a known member (known: \(allowed.sorted().joined(separator: ", ")))")
            }
            members[key] = member
        }
        return members
    }

    private func string(_ value: JSONValue, at path: String) throws(VerifierConfigurationError) -> String {
        guard let text = value.string, !text.isEmpty else { throw Failure(path, "must be a non-empty string") }
        return text
    }

    private func strings(_ value: JSONValue, at path: String, nonEmpty: Bool) throws(VerifierConfigurationError) -> [String] {
        guard let list = value.array else { throw Failure(path, "must be an array of strings") }
        if nonEmpty, list.isEmpty { throw Failure(path, "must not be empty") }
        guard list.count <= 64 else { throw Failure(path, "has \(list.count) entries, more than the limit of 64") }
        var result: [String] = []
        for (index, item) in list.enumerated() {
            guard let text = item.string, !text.isEmpty else { throw Failure("\(path)[\(index)]", "must be a non-empty string") }
            guard !result.contains(where: { $0.utf8.elementsEqual(text.utf8) }) else {
                throw Failure("\(path)[\(index)]", "\(Self.quoted(text)) is listed twice")
            }
            result.append(text)
        }
        return result
    }

    private func algorithms(_ value: JSONValue, at path: String) throws(VerifierConfigurationError) -> Set<JWSAlgorithm> {
        let names = try strings(value, at: path, nonEmpty: true)
        var result: Set<JWSAlgorithm> = []
        for (index, name) in names.enumerated() {
            if JWSAlgorithm.isUnsecuredName(name) {
                throw Failure("\(path)[\(index)]", "unsecured tokens (\(Self.quoted(name))) are never accepted (RFC 8725 §3.2)")
            }
            guard let algorithm = JWSAlgorithm(rawValue: name) else {
                throw Failure(
                    "\(path)[\(index)]",
                    "unknown algorithm \(Self.quoted(name)) (supported: \(JWSAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            result.insert(algorithm)
        }
        return result
    }

    private func seconds(_ value: JSONValue, at path: String, max: Double) throws(VerifierConfigurationError) -> Double {
        guard value.kind.isNumber, let number = value.number, number.isFinite, number >= 0, number <= max else {
            throw Failure(path, "must be a number of seconds from 0 to \(Self.number(max))")
        }
        return number
    }

    private func profile(_ value: JSONValue, at path: String) throws(VerifierConfigurationError) -> VerifierConfiguration.Profile {
        guard let text = value.string, let profile = VerifierConfiguration.Profile(rawValue: text) else {
            throw Failure(path, "must be one of \(VerifierConfiguration.Profile.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return profile
    }

    /// A configuration value shown in a message: quoted, at most 120 characters.
    static func quoted(_ text: String) -> String {
        let shown = text.count > 120 ? String(text.prefix(120)) + "..." : text
        return "\"\(shown)\""
    }

    static func number(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
}
