import Foundation
import JWTK

/// An OpenID Provider's metadata (OpenID Connect Discovery 1.0 §3), validated against the issuer it was
/// fetched for.
public struct OIDCProviderMetadata: Sendable {
    /// `issuer`: equal, character for character, to the configured issuer (Discovery §4.3).
    public let issuer: String
    /// `jwks_uri`: https (or http to a loopback host).
    public let jwksURI: URL
    /// `authorization_endpoint`, when present.
    public let authorizationEndpoint: String?
    /// `token_endpoint`, when present.
    public let tokenEndpoint: String?
    /// `userinfo_endpoint`, when present (checked against ``RemoteURLPolicy`` when used).
    public let userinfoEndpoint: String?
    /// `end_session_endpoint`, when present.
    public let endSessionEndpoint: String?
    /// `id_token_signing_alg_values_supported`, as published (may include names jwtk does not implement).
    public let idTokenSigningAlgorithms: [String]
    /// `response_types_supported`.
    public let responseTypesSupported: [String]
    /// `subject_types_supported`.
    public let subjectTypesSupported: [String]
    /// `scopes_supported`, when present.
    public let scopesSupported: [String]?
    /// `claims_supported`, when present.
    public let claimsSupported: [String]?
    /// `grant_types_supported`, when present.
    public let grantTypesSupported: [String]?
    /// The document as received (UTF-8 JSON), for display.
    public let rawJSON: [UInt8]
    /// The document as parsed by the strict parser (the same values the members above were read from).
    public let document: JSONValue

    /// Parses and validates a discovery document.
    ///
    /// - Parameters:
    ///   - json: the discovery document's bytes, as fetched.
    ///   - expectedIssuer: the issuer the document was fetched for; the document's `issuer` must equal it
    ///     exactly.
    /// The document is read with jwtk's strict JSON parser (`JSONValue/parse(bytes:maxDepth:)`): a
    /// member given twice (`"issuer"` twice, of which a lenient parser keeps the last), invalid UTF-8, a NUL
    /// character, `NaN`, trailing commas and nesting deeper than 64 levels are refused.
    ///
    /// - Throws: ``JWTKRemoteError`` `invalidDocument` (not strict JSON, not a JSON object, a required member
    ///   missing or of the wrong type), `issuerMismatch`, `insecureURL` (a `jwks_uri` that is not https or
    ///   loopback http).
    public init(json: [UInt8], expectedIssuer: String) throws(JWTKRemoteError) {
        let object = try RemoteDocument.object(json, what: "the discovery document")
        func string(_ name: String, required: Bool) throws(JWTKRemoteError) -> String? {
            guard let value = object[name], !value.isNull else {
                if required { throw JWTKRemoteError(.invalidDocument, "the discovery document has no \"\(name)\"") }
                return nil
            }
            guard let text = value.string else {
                throw JWTKRemoteError(.invalidDocument, "\"\(name)\" in the discovery document must be a string")
            }
            return text
        }
        func strings(_ name: String, required: Bool) throws(JWTKRemoteError) -> [String]? {
            guard let value = object[name], !value.isNull else {
                if required { throw JWTKRemoteError(.invalidDocument, "the discovery document has no \"\(name)\"") }
                return nil
            }
            guard let texts = value.stringArray else {
                throw JWTKRemoteError(.invalidDocument, "\"\(name)\" in the discovery document must be an array of strings")
            }
            return texts
        }
        let issuer = try string("issuer", required: true)!
        // Identical (Discovery §4.3), byte for byte: Swift's `==` would accept a canonically equivalent spelling.
        guard Exact.equal(issuer, expectedIssuer) else {
            throw JWTKRemoteError(
                .issuerMismatch,
                "the discovery document's issuer \"\(issuer)\" is not the configured issuer \"\(expectedIssuer)\""
                    + (OIDCIssuerNearMiss(configured: expectedIssuer, served: issuer).map { ": \($0.explanation)" } ?? ""))
        }
        self.issuer = issuer
        let jwksText = try string("jwks_uri", required: true)!
        do throws(JWTKRemoteError) {
            self.jwksURI = try RemoteURLPolicy.url(jwksText)
        } catch {
            throw JWTKRemoteError(.insecureURL, "jwks_uri is refused: \(error.reason)", url: jwksText)
        }
        self.authorizationEndpoint = try string("authorization_endpoint", required: false)
        self.tokenEndpoint = try string("token_endpoint", required: false)
        self.userinfoEndpoint = try string("userinfo_endpoint", required: false)
        self.endSessionEndpoint = try string("end_session_endpoint", required: false)
        self.idTokenSigningAlgorithms = try strings("id_token_signing_alg_values_supported", required: true)!
        self.responseTypesSupported = try strings("response_types_supported", required: false) ?? []
        self.subjectTypesSupported = try strings("subject_types_supported", required: false) ?? []
        self.scopesSupported = try strings("scopes_supported", required: false)
        self.claimsSupported = try strings("claims_supported", required: false)
        self.grantTypesSupported = try strings("grant_types_supported", required: false)
        self.rawJSON = json
        self.document = object
    }

    /// The algorithms to accept for ID tokens: those the provider publishes, that jwtk implements, and that
    /// `allowed` contains. `none` is never included.
    ///
    /// - Throws: ``JWTKRemoteError`` `noCommonAlgorithm` when the intersection is empty.
    public func idTokenAlgorithms(allowedBy allowed: Set<JWSAlgorithm>) throws(JWTKRemoteError) -> Set<JWSAlgorithm> {
        let published = Set(idTokenSigningAlgorithms.filter { !JWSAlgorithm.isUnsecuredName($0) }.compactMap(JWSAlgorithm.init(rawValue:)))
        let common = published.intersection(allowed)
        guard !common.isEmpty else {
            throw JWTKRemoteError(
                .noCommonAlgorithm,
                "the provider signs ID tokens with [\(idTokenSigningAlgorithms.joined(separator: ", "))]; the allow-list is [\(allowed.map(\.rawValue).sorted().joined(separator: ", "))]"
            )
        }
        return common
    }

    /// The well-known discovery URL for `issuer`: `issuer + "/.well-known/openid-configuration"`, with one
    /// trailing `/` of the issuer removed first (Discovery §4.1).
    ///
    /// - Throws: ``JWTKRemoteError`` `insecureURL` when the issuer is not https (or http to a loopback host),
    ///   or carries a query or fragment (Discovery §3: the issuer has neither).
    public static func discoveryURL(forIssuer issuer: String) throws(JWTKRemoteError) -> URL {
        let issuerURL = try RemoteURLPolicy.url(issuer)
        guard let components = URLComponents(url: issuerURL, resolvingAgainstBaseURL: false), components.query == nil,
            components.fragment == nil
        else {
            throw JWTKRemoteError(.insecureURL, "an issuer must not have a query or fragment", url: issuer)
        }
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        return try RemoteURLPolicy.url(base + "/.well-known/openid-configuration")
    }
}
