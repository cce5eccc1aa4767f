import Foundation
import Testing

@testable import JWTK

/// Regressions from the second adversarial review (issue 9): header rules, key-set rules, ROCA, and the
/// choices SECURITY.md documents.
@Suite("Security review round 2 (verification core)")
struct SecurityRound2Tests {
    static let farExp = 4_102_444_800

    static func es256(_ header: String, claims: String = #"{"sub":"1","exp":4102444800}"#) throws -> String {
        try TestTokens.sign(header: header, payload: claims, key: TestKeys.p256, algorithm: .ES256)
    }

    static func verifier(
        _ keys: [VerificationKey] = [TestKeys.p256.verificationKey], _ change: (inout VerificationPolicy) -> Void = { _ in }
    )
        -> JWTVerifier
    {
        var policy = TestPolicy.fixed()
        change(&policy)
        return JWTVerifier(keys: keys, policy: policy)
    }

    // MARK: item 7: media types fold ASCII only

    /// `"\u212Ab+jwt"` (KELVIN SIGN) lower-cases to `kb+jwt` under Unicode rules; RFC 2045 §5.1 folds ASCII only.
    @Test func typeComparisonFoldsASCIIOnly() throws {
        let kelvin = try Self.es256(#"{"alg":"ES256","typ":"\u212Ab+jwt"}"#)
        #expect(throws: JWTKError(.typeMismatch)) { try Self.verifier { $0.expectedType = "kb+jwt" }.verify(kelvin) }
        // ASCII case still folds, and the application/ prefix still drops.
        let ascii = try Self.es256(#"{"alg":"ES256","typ":"APPLICATION/KB+JWT"}"#)
        _ = try Self.verifier { $0.expectedType = "kb+jwt" }.verify(ascii)
        // A rejected type is not evaded or matched through Unicode folding either.
        #expect(throws: JWTKError(.typeMismatch)) {
            try Self.verifier { $0.rejectedTypes = ["at+jwt"] }.verify(try Self.es256(#"{"alg":"ES256","typ":"AT+JWT"}"#))
        }
        _ = try Self.verifier { $0.rejectedTypes = ["kb+jwt"] }.verify(kelvin)
        #expect(JOSEHeader.normalizedType("\u{212A}B+JWT") == "\u{212A}b+jwt")
    }

    /// `cty` goes through the same rule: a Unicode look-alike of `JWT` is not the nested-token marker, ASCII
    /// `Jwt` is.
    @Test func contentTypeComparisonFoldsASCIIOnly() throws {
        #expect(throws: JWTKError(.invalidPayload)) { try Self.verifier().verify(try Self.es256(#"{"alg":"ES256","cty":"Jwt"}"#)) }
        _ = try Self.verifier().verify(try Self.es256(#"{"alg":"ES256","cty":"JW\u0165"}"#))
    }

    // MARK: item 15: header and thumbprint rules

    /// RFC 7516 §9: a header with `enc` is a JWE header, even in a three-segment token.
    @Test func headerWithEncIsAJWEHeaderAndRefused() throws {
        let token = try Self.es256(#"{"alg":"ES256","enc":"A128GCM"}"#)
        #expect(throws: JWTKError(.invalidHeader)) { try Self.verifier().verify(token) }
        #expect(throws: JWTKError(.invalidHeader)) { try Self.verifier().verifySignature(token) }
        let error = try #require(throws: JWTKError.self) { try Self.verifier().verify(token) }
        #expect(error.reason.contains("JWE"))
    }

    static func p256JWK() throws -> [String: Any] {
        var jwk = try #require(try Fixtures.json("generated/keys/p256.public.jwk.json") as? [String: Any])
        jwk["x5c"] = [try Fixtures.data("generated/keys/p256.cert.der").base64EncodedString()]
        return jwk
    }

    /// `x5t` (SHA-1 of the leaf) is checked against `x5c` like `x5t#S256`.
    @Test func sha1ThumbprintContradictingTheLeafIsRefused() throws {
        var jwk = try Self.p256JWK()
        jwk["x5t"] = "6ZjXuMtgDRBYd_0bs5aDFr6TgI4"
        #expect(try VerificationKey(jwk: Fixtures.jsonText(jwk)).certificateChainLength == 1)
        jwk["x5t"] = "7ZjXuMtgDRBYd_0bs5aDFr6TgI4"
        let error = try #require(throws: JWTKError.self) { try VerificationKey(jwk: Fixtures.jsonText(jwk)) }
        #expect(error.code == .invalidKey && error.claim == "x5t")
    }

    /// A thumbprint that is not a string, not base64url, or not the digest's length is a broken key, with or
    /// without `x5c`.
    @Test(arguments: ["x5t", "x5t#S256"])
    func mistypedThumbprintIsRefused(_ member: String) throws {
        let good: [String: String] = ["x5t": "6ZjXuMtgDRBYd_0bs5aDFr6TgI4", "x5t#S256": "EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw"]
        let bad: [Any] = [
            7, ["EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw"], "EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw=",
            "Eyh+0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw", "AAAA", "6ZjXuMtgDRBYd_0bs5aDFr6TgI4A",
        ]
        for withChain in [true, false] {
            var jwk = try Self.p256JWK()
            if !withChain { jwk["x5c"] = nil }
            jwk[member] = good[member]
            #expect(try VerificationKey(jwk: Fixtures.jsonText(jwk)).certificateChainLength == (withChain ? 1 : 0))
            for value in bad {
                jwk[member] = value
                let error = try #require(throws: JWTKError.self, "\(member)=\(value)") { try VerificationKey(jwk: Fixtures.jsonText(jwk)) }
                #expect(error.code == .invalidKey && error.claim == member, "\(member)=\(value)")
            }
        }
    }
}
