/// A token decoded WITHOUT verifying anything: for inspection, debugging and routing only.
///
/// Nothing in an `UnverifiedJWT` can be trusted: anyone can produce any header and claims. This is the only
/// API that accepts unsecured (`alg: none`) tokens, and it does so only to show them.
///
/// ```swift
/// let unverified = try UnverifiedJWT.decode(token)      // NOT VERIFIED
/// print(unverified.headerJSON["kid"]?.string ?? "-")
/// ```
public struct UnverifiedJWT: Sendable {
    /// The protected header as JSON (an object).
    public let headerJSON: JSONValue
    /// The header type-checked, or nil when `alg` is missing or a member has the wrong type (see ``headerError``).
    public let header: JOSEHeader?
    /// Why ``header`` is nil.
    public let headerError: JWTKError?
    /// The payload bytes (base64url-decoded).
    public let payload: [UInt8]
    /// The payload as JSON, when it parses as JSON.
    public let payloadJSON: JSONValue?
    /// Why the payload is not JSON, when it is not.
    public let payloadError: JWTKError?
    /// The signature bytes (empty for an unsecured token).
    public let signature: [UInt8]
    /// The encoded segments as they appear in the token.
    public let encodedHeader: String, encodedPayload: String, encodedSignature: String

    /// Decodes a compact JWS without verifying it.
    /// - Throws: `malformedToken`, `encryptedTokenUnsupported` (use ``decodeEncryptedHeader(_:limits:)``),
    ///   `invalidBase64URL`, `invalidJSON` (header), `limitExceeded`.
    public static func decode(_ token: String, limits: TokenLimits = TokenLimits()) throws(JWTKError) -> UnverifiedJWT {
        try unsafe withUTF8Bytes(of: token) { bytes throws(JWTKError) in
            let parts = try unsafe CompactJWS.split(bytes, limits: limits)
            let headerBytes = try unsafe decodeSegment(bytes, parts.header, "header")
            let headerDocument = try JSONDocument.parse(headerBytes, maxDepth: limits.maxJSONDepth, what: "header")
            let headerJSON = headerDocument.rootValue
            guard headerJSON.kind == .object else { throw JWTKError(.invalidHeader, "the JOSE header must be a JSON object") }
            var header: JOSEHeader?
            var headerError: JWTKError?
            do throws(JWTKError) { header = try JOSEHeader(json: headerJSON) } catch { headerError = error }
            let payload = try unsafe decodeSegment(bytes, parts.payload, "payload")
            var payloadJSON: JSONValue?
            var payloadError: JWTKError?
            do throws(JWTKError) {
                payloadJSON = try JSONDocument.parse(payload, maxDepth: limits.maxJSONDepth, what: "payload").rootValue
            } catch {
                payloadError = error
            }
            let signature = try unsafe decodeSegment(bytes, parts.signature, "signature")
            func text(_ r: Range<Int>) -> String { unsafe String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self) }
            return UnverifiedJWT(
                headerJSON: headerJSON, header: header, headerError: headerError, payload: payload, payloadJSON: payloadJSON,
                payloadError: payloadError, signature: signature, encodedHeader: text(parts.header),
                encodedPayload: text(parts.payload), encodedSignature: text(parts.signature))
        }
    }

    /// What ``decode(_:limits:)`` followed by a read of the payload's `iss` would give, without building an
    /// `UnverifiedJWT`: for an issuer router, which reads the unverified `iss` only to choose a verifier.
    ///
    /// The same checks run in the same order, so the same tokens are refused with the same codes: the segments,
    /// the header's base64url, JSON and object shape, the payload's base64url, the signature's base64url, then
    /// the payload's JSON. The work a router does not need is left out: the typed header (whose failure
    /// ``decode(_:limits:)`` records without throwing), the encoded segments as strings, and the nodes' own
    /// allocations (both documents are parsed in the jansson arena and freed before this returns).
    ///
    /// - Returns: the `iss` member when it is a string, nil when the payload has none.
    /// - Throws: ``decode(_:limits:)``'s errors; `invalidPayload` when the payload is not a JSON object;
    ///   `invalidClaim` when `iss` is not a string.
    package static func issuer(of token: String, limits: TokenLimits) throws(JWTKError) -> String? {
        try unsafe withUTF8Bytes(of: token) { bytes throws(JWTKError) -> String? in
            let parts = try unsafe CompactJWS.split(bytes, limits: limits)
            let headerBytes = try unsafe decodeSegment(bytes, parts.header, "header")
            let header = try JSONDocument.parse(headerBytes, maxDepth: limits.maxJSONDepth, what: "header", arena: true)
            guard header.rootValue.kind == .object else { throw JWTKError(.invalidHeader, "the JOSE header must be a JSON object") }
            let payload = try unsafe decodeSegment(bytes, parts.payload, "payload")
            let claims = try? JSONDocument.parse(payload, maxDepth: limits.maxJSONDepth, what: "payload", arena: true)
            _ = try unsafe decodeSegment(bytes, parts.signature, "signature")
            guard let root = claims?.rootValue, root.kind == .object else {
                throw JWTKError(.invalidPayload, "the payload is not a JSON object")
            }
            guard let value = root["iss"] else { return nil }
            guard let issuer = value.string else { throw JWTKError(.invalidClaim, "iss is not a string", claim: "iss") }
            return issuer
        }
    }

    /// Decodes the protected header of a five-segment compact JWE (RFC 7516), which jwtk recognises but does
    /// not decrypt.
    /// - Throws: `malformedToken` when the token is not five segments; encoding and JSON errors.
    public static func decodeEncryptedHeader(_ token: String, limits: TokenLimits = TokenLimits()) throws(JWTKError) -> JSONValue {
        guard token.utf8.count <= limits.maxTokenBytes else {
            throw JWTKError(.limitExceeded, "token is \(token.utf8.count) bytes; the limit is \(limits.maxTokenBytes)")
        }
        let segments = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 5, let first = segments.first, !first.isEmpty else {
            throw JWTKError(.malformedToken, "a compact JWE has five segments")
        }
        let headerBytes = try unsafe Array(first).withUnsafeBufferPointer { buffer throws(JWTKError) in try unsafe Base64URL.decode(buffer)
        }
        let document = try JSONDocument.parse(headerBytes, maxDepth: limits.maxJSONDepth, what: "JWE header")
        guard document.rootValue.kind == .object else { throw JWTKError(.invalidHeader, "the JWE header must be a JSON object") }
        return document.rootValue
    }
}
