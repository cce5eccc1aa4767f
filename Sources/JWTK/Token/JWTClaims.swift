import Foundation

/// The claims of a JWT (its payload, a JSON object), with typed, lazy accessors.
///
/// Accessors distinguish "absent" (nil) from "present with the wrong type" (a thrown `invalidClaim`), so a
/// wrong-typed claim is never mistaken for a missing one (CVE-2026-25537 class).
///
/// ```swift
/// let verified = try verifier.verify(token)
/// let email = try verified.claims.string("email")          // String?
/// let groups = try verified.claims.stringArray("groups")   // [String]?
/// struct Profile: Decodable { let sub: String; let name: String? }
/// let profile = try verified.claims.decode(Profile.self)
/// ```
public struct JWTClaims: Sendable {
    /// The payload as a JSON object.
    public let json: JSONValue
    /// The payload bytes exactly as signed (decoded from base64url).
    public let payload: [UInt8]

    init(json: JSONValue, payload: [UInt8]) {
        self.json = json
        self.payload = payload
    }

    /// The raw JSON value of a claim, or nil when absent.
    public subscript(name: String) -> JSONValue? { json[name] }

    /// Names of all claims, in document order.
    public var names: [String] { json.members?.map(\.key) ?? [] }

    /// A string claim. - Throws: `invalidClaim` when present but not a string.
    public func string(_ name: String) throws(JWTKError) -> String? {
        guard let value = json[name] else { return nil }
        guard let s = value.string else { throw Self.wrongType(name, "a string", value) }
        return s
    }

    /// A numeric claim. - Throws: `invalidClaim` when present but not a number.
    public func number(_ name: String) throws(JWTKError) -> Double? {
        guard let value = json[name] else { return nil }
        guard let n = value.number else { throw Self.wrongType(name, "a number", value) }
        return n
    }

    /// A boolean claim. - Throws: `invalidClaim` when present but not `true`/`false`.
    public func bool(_ name: String) throws(JWTKError) -> Bool? {
        guard let value = json[name] else { return nil }
        guard let b = value.bool else { throw Self.wrongType(name, "a boolean", value) }
        return b
    }

    /// A NumericDate claim (seconds since the epoch, RFC 7519 §2). - Throws: `invalidClaim` when present but
    /// not a JSON number.
    public func numericDate(_ name: String) throws(JWTKError) -> Double? { try number(name) }

    /// A NumericDate claim as a `Date`. - Throws: `invalidClaim` when present but not a JSON number.
    public func date(_ name: String) throws(JWTKError) -> Date? {
        try number(name).map { Date(timeIntervalSince1970: $0) }
    }

    /// An array-of-strings claim. - Throws: `invalidClaim` when present but not an array of strings.
    public func stringArray(_ name: String) throws(JWTKError) -> [String]? {
        guard let value = json[name] else { return nil }
        guard let list = value.stringArray else { throw Self.wrongType(name, "an array of strings", value) }
        return list
    }

    /// A claim that is a nested object. - Throws: `invalidClaim` when present but not an object.
    public func object(_ name: String) throws(JWTKError) -> JSONValue? {
        guard let value = json[name] else { return nil }
        guard value.kind == .object else { throw Self.wrongType(name, "an object", value) }
        return value
    }

    /// A claim serialised as compact JSON, whatever its type.
    public func rawJSON(_ name: String) -> String? { json[name]?.serialized() }

    /// `iss`. - Throws: `invalidClaim` when not a string.
    public var issuer: String? { get throws(JWTKError) { try string("iss") } }
    /// `sub`. - Throws: `invalidClaim` when not a string.
    public var subject: String? { get throws(JWTKError) { try string("sub") } }
    /// `jti`. - Throws: `invalidClaim` when not a string.
    public var jwtID: String? { get throws(JWTKError) { try string("jti") } }
    /// `exp` in seconds since the epoch.
    public var expiration: Double? { get throws(JWTKError) { try number("exp") } }
    /// `nbf` in seconds since the epoch.
    public var notBefore: Double? { get throws(JWTKError) { try number("nbf") } }
    /// `iat` in seconds since the epoch.
    public var issuedAt: Double? { get throws(JWTKError) { try number("iat") } }

    /// `aud` as a list: a single string becomes a list of one. - Throws: `invalidClaim` when `aud` is neither
    /// a string nor a non-empty array of strings.
    public var audience: [String]? {
        get throws(JWTKError) {
            guard let value = json["aud"] else { return nil }
            if let s = value.string { return [s] }
            guard let list = value.stringArray, !list.isEmpty else {
                throw Self.wrongType("aud", "a string or a non-empty array of strings", value)
            }
            return list
        }
    }

    /// A `JSONDecoder` for claims: `Date` members are NumericDates (seconds since 1970, RFC 7519 §2), so a
    /// `let exp: Date` holds the token's expiry rather than a time 31 years off (Foundation's default counts
    /// from 2001).
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }

    /// Decodes the payload into the caller's `Decodable` type; by default with ``makeDecoder()``, so `Date`
    /// members are NumericDates.
    /// - Throws: `missingClaim` when a non-optional member is absent, `invalidClaim` when a member has the wrong
    ///   type or value; ``JWTKError/claim`` names the top-level claim and the reason its whole path
    ///   (`address.city`).
    public func decode<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = JWTClaims.makeDecoder()) throws(JWTKError) -> T {
        do {
            return try decoder.decode(T.self, from: Data(payload))
        } catch let error as DecodingError {
            throw Self.decodingFailure(error, type: T.self)
        } catch {
            throw JWTKError(.invalidClaim, "claims do not decode as \(T.self): \(error)")
        }
    }

    static func decodingFailure<T>(_ error: DecodingError, type: T.Type) -> JWTKError {
        func path(_ keys: [any CodingKey]) -> [String] {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        }
        func joined(_ parts: [String]) -> String {
            parts.enumerated().map { $0.offset > 0 && !$0.element.hasPrefix("[") ? ".\($0.element)" : $0.element }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parts = path(context.codingPath) + [key.stringValue]
            let name = joined(parts)
            return JWTKError(
                .missingClaim, "claims do not decode as \(T.self): claim \(Shown.value(name)) is missing", claim: parts.first)
        case .typeMismatch(let expected, let context), .valueNotFound(let expected, let context):
            let parts = path(context.codingPath)
            let name = joined(parts)
            let what = error.isValueNotFound ? "is null" : "is not \(Self.article(for: expected))"
            return JWTKError(
                .invalidClaim, "claims do not decode as \(T.self): claim \(Shown.value(name)) \(what)", claim: parts.first)
        case .dataCorrupted(let context):
            let parts = path(context.codingPath)
            guard !parts.isEmpty else {
                return JWTKError(.invalidClaim, "claims do not decode as \(T.self): \(context.debugDescription)")
            }
            return JWTKError(
                .invalidClaim,
                "claims do not decode as \(T.self): claim \(Shown.value(joined(parts))) is invalid: \(context.debugDescription)",
                claim: parts.first)
        @unknown default:
            return JWTKError(.invalidClaim, "claims do not decode as \(T.self): \(error)")
        }
    }

    private static func article(for type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Date.Type, is Double.Type, is Float.Type: return "a number"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type: return "an integer"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a \(name)"
        }
    }

    static func wrongType(_ name: String, _ expected: String, _ value: JSONValue) -> JWTKError {
        JWTKError(.invalidClaim, "claim \(Shown.value(name)) must be \(expected), found \(value.kind.rawValue)", claim: name)
    }
}

extension DecodingError {
    fileprivate var isValueNotFound: Bool {
        if case .valueNotFound = self { return true }
        return false
    }
}
