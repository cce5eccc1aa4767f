import Foundation
import JWTK
import Testing

/// A JWK's `x5t` and `x5t#S256` against its `x5c` leaf: type, encoding, length and value.
@Suite("Certificate thumbprints (x5t, x5t#S256)")
struct CertificateThumbprintTests {
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

    /// A JWK's `x5t#S256` compares byte for byte against its `x5c` leaf (U+212A KELVIN SIGN is not "K").
    @Test func certificateThumbprintComparesByteForByte() throws {
        var jwk = try Self.p256JWK()
        jwk["x5t#S256"] = "EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw"
        #expect(try VerificationKey(jwk: Fixtures.jsonText(jwk)).certificateChainLength == 1)
        jwk["x5t#S256"] = "Eyh\u{212A}0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw"
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: Fixtures.jsonText(jwk)) }
    }
}
