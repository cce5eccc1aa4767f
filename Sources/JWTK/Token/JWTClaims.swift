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

    /// Decodes the payload into the caller's `Decodable` type with Foundation's `JSONDecoder`.
    /// - Throws: `invalidClaim` with the decoder's message when the payload does not fit the type.
    public func decode<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = JSONDecoder()) throws(JWTKError) -> T {
        do {
            return try decoder.decode(T.self, from: Data(payload))
        } catch {
            throw JWTKError(.invalidClaim, "claims do not decode as \(T.self): \(error)")
        }
    }

    static func wrongType(_ name: String, _ expected: String, _ value: JSONValue) -> JWTKError {
        JWTKError(.invalidClaim, "claim \(Shown.value(name)) must be \(expected), found \(value.kind.rawValue)", claim: name)
    }
}

/// A JWT whose signature verified and whose claims passed the policy.
public struct VerifiedJWT: Sendable {
    /// The protected header.
    public let header: JOSEHeader
    /// The claims.
    public let claims: JWTClaims
    /// The algorithm that was verified.
    public let algorithm: JWSAlgorithm
    /// The key that verified the signature.
    public let key: VerificationKey
}

/// A JWS whose signature verified; the payload is arbitrary bytes and no claim was checked.
public struct VerifiedJWS: Sendable {
    /// The protected header.
    public let header: JOSEHeader
    /// The payload bytes (decoded from base64url, or as sent for `b64: false` / detached payloads).
    public let payload: [UInt8]
    /// The algorithm that was verified.
    public let algorithm: JWSAlgorithm
    /// The key that verified the signature.
    public let key: VerificationKey
}
