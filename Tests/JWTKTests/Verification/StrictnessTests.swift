import Foundation
import JWTK
import Testing

/// Inputs that have tripped other JOSE libraries: JSON escapes that rename members, parameter variants of
/// RSASSA-PSS, detached-payload misuse, depth-scanner edge cases.
@Suite("Strictness probes")
struct StrictnessTests {
    static let claims = #"{"sub":"1","exp":4102444800}"#
    static var p256Verifier: JWTVerifier { JWTVerifier(keys: [TestKeys.p256.verificationKey], policy: TestPolicy.fixed()) }

    func es256(_ header: String, _ payload: String = StrictnessTests.claims) throws -> String {
        try TestTokens.sign(header: header, payload: payload, key: TestKeys.p256, algorithm: .ES256)
    }

    /// `"\u0061lg"` is the member name `alg`: a duplicate, refused like a literal duplicate.
    @Test func escapedDuplicateMemberIsInvalidJSON() throws {
        #expect(throws: JWTKError(.invalidJSON)) { try Self.p256Verifier.verify(try es256(#"{"alg":"ES256","\u0061lg":"none"}"#)) }
        #expect(throws: JWTKError(.invalidJSON)) {
            try Self.p256Verifier.verify(try es256(#"{"alg":"ES256"}"#, #"{"exp":4102444800,"\u0065xp":1}"#))
        }
    }

    /// JSON escapes are decoded before names are compared: `\u006eone` is `none`, `\u0045S256` is `ES256`.
    @Test func escapedAlgorithmNamesAreDecodedFirst() throws {
        #expect(throws: JWTKError(.unsecuredTokenRefused)) { try Self.p256Verifier.verify(try es256(#"{"alg":"\u006eone"}"#)) }
        #expect(throws: JWTKError(.unsecuredTokenRefused)) { try Self.p256Verifier.verify(try es256(#"{"alg":"\u004EONE"}"#)) }
        #expect(throws: Never.self) { try Self.p256Verifier.verify(try es256(#"{"alg":"\u0045S256","kid":"\u0070256"}"#)) }
        // Look-alikes are not `none`, and not any supported algorithm either.
        for alg in ["ｎｏｎｅ", "nonе", "none\u{200B}"] {
            #expect(throws: JWTKError(.unsupportedAlgorithm), "\(alg.debugDescription)") {
                try Self.p256Verifier.verify(try es256("{\"alg\":\(JSONText.quote(alg))}"))
            }
        }
    }

    @Test func byteOrderMarkAndNULAreInvalidJSON() throws {
        let bom = try TestTokens.sign(
            encodedHeader: TestTokens.b64([0xEF, 0xBB, 0xBF] + Array(#"{"alg":"ES256"}"#.utf8)),
            encodedPayload: TestTokens.b64(Self.claims),
            key: TestKeys.p256, algorithm: .ES256)
        #expect(throws: JWTKError(.invalidJSON)) { try Self.p256Verifier.verify(bom) }
        #expect(throws: JWTKError(.invalidJSON)) {
            try Self.p256Verifier.verify(try es256(#"{"alg":"ES256"}"#, #"{"exp":4102444800,"sub":"a\u0000b"}"#))
        }
        let rawNUL = try TestTokens.sign(
            encodedHeader: TestTokens.b64(#"{"alg":"ES256"}"#), encodedPayload: TestTokens.b64(Array(#"{"exp":4102444800}"#.utf8) + [0]),
            key: TestKeys.p256, algorithm: .ES256)
        #expect(throws: JWTKError(.invalidJSON)) { try Self.p256Verifier.verify(rawNUL) }
    }

    /// The depth pre-scan must follow string escapes exactly: a string ending in an escaped backslash
    /// closes, so the brackets after it count.
    @Test func depthScanFollowsStringEscapes() throws {
        let deep = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        #expect(throws: JWTKError(.limitExceeded)) {
            try Self.p256Verifier.verify(try es256(#"{"alg":"ES256"}"#, #"{"exp":4102444800,"a":"\\","b":\#(deep)}"#))
        }
        #expect(throws: JWTKError(.limitExceeded)) {
            try Self.p256Verifier.verify(try es256(#"{"alg":"ES256"}"#, #"{"exp":4102444800,"a":"\\\"","b":\#(deep)}"#))
        }
        let inString = #"{"exp":4102444800,"a":"\"\#(String(repeating: "[", count: 40))\\"}"#
        #expect(throws: Never.self) { try Self.p256Verifier.verify(try es256(#"{"alg":"ES256"}"#, inString)) }
    }

    // MARK: RSASSA-PSS parameters (RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash)

    /// Tokens made with `openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:<n>
    /// -sigopt rsa_mgf1_md:<md> -sign testvectors/generated/keys/rsa2048.private.pem` over the signing input
    /// below (header {"alg":"PS256","kid":"rsa2048"}, payload {"exp":4102444800}).
    static let pssInput = "eyJhbGciOiJQUzI1NiIsImtpZCI6InJzYTIwNDgifQ.eyJleHAiOjQxMDI0NDQ4MDB9"
    static let pssSignatures: [(String, String, Bool)] = [
        (
            "salt 32, MGF1-SHA256",
            "bwmOzUHHZLSll8hUZ6AZaOAEBDTBKU7W_tfJUZKdi0G-NZ7A9ysSvLNoZQ1XaWU2mKlb91OTUXeO8Lm8EIWTBvyKovQ9SAfVyj3aJATkDZR25OLrRmvUT037bt0UahbeUgd7MCWIx1zl9sjj254nJ5MEp6o4uLZtd1a8nHXhO2gX2XYlnJuGZIRQmBOJMyPzc6Hqj7E9UalMsfpS3Q0hmBEsNiB1IyG4NIyoIOnluCM8cG47yKntaVBLV3FqqGtQyVj6odBzbYIAnJ1m-mpEZcExhicbRBuXgCEzhEeJghusVAyk6QlkvY8TvL6FUS_iV_yopPl1znjrY8W__0Wv0g",
            true
        ),
        (
            "salt 0",
            "oOSbKbaaFz9lZuG9DYr9kmBuo9_jvmcp3IPZdwenQ_ALLVeEiQffOChgj2GzRtDYcBiFnJduDXkdhfD8CjxfbXO5O0WKpGDBHGzhELffhMa6dN--EmYWtJ6fchRSZdpHVCZd2cu7x_8Yy7yET4KNNCREnSH39lRM6UhtZchKu-92d24jKfCjzyqNDLm_Gc8L7frd_Fr7TTpCirg64iDP2W-O1z9rTjtmdcDw5YuoPZ5DkQuo73iFOends_pPzkyfkB9JRuxbpZlhcic7-aRbcfalIqVtXqa4G0MXr3xE4uodaVDUz4YLpJZtdPI1p14Wx6rFk1c_Yda6rW5z-ofElg",
            false
        ),
        (
            "salt 20",
            "by6l97OswSSYlIjdwMDr45n9mT7MNFN3W9SnFsigGPlQD5k-X2K7iTXGWSZUoHN9WChglfD5Cwxz-tZ-1R4x2-ugMKsCTJSZlug4yz3M-UZz8Bv_yLth7Z2hof5XCJhsfKR-hq_7MZPV0QcfysrNGjaSUr4CIsk6xdG7nDksEKG9wqE_3j5vOZju-d53xTUfLMdlSuewME-P4EdVb91hJPYzX_qPlqGFlGhQD1T9Krel15IytT3onvr0tZVnNQQMCY9cPR4h3ma_jDvKf6GIAeY2u7K0oz7sWx88xFNRKqb7KNMli_wvgN5OGFFzhKqimZKigano9okdQ2kzS9RdHA",
            false
        ),
        (
            "salt 64",
            "vyDXlrOkl8dNb94blk_pBQISXlomWqAJA4T91ITXmKv9MjTaOj3Ab9fAu6Ecve5yTOMwE1lbHCBC11S9emYgChmgIFsNfVPjydHEwUWqvIw1AFsGamm6wVwHq_faiYSTq8sLysi9G_KPYvOm88S7NN1ccXNLwUJk7MzX5iYd5Q5xQu4JipszMlbn1LYp08p4sKhaT_9doqsRQIj1DSHSnLxINE8IysmlQby9EJiqjVTgRNIc48D2zmeGfg6h7H4-6lVj7mKn6vNiY7NiEpCa00Zh86HTz8eiManLqRt0jH5C3g0sUgsbSaUtDu67Rb0kud-dYkGIWueVeagvvfkh9w",
            false
        ),
        (
            "salt max",
            "y40YVT92uZefZ9qeqd8PUyhgDBjTEw7CeeUMzAIu_akiugEiaV607z82RZ5L27THeNa06KxhqiBHMDSxWGylLgKL81gX1jU_qT4pRERbYN9045OZPSmBDYpqsyvGWMQaknMKEKp7NVrIvGSDA2CMbLuOakYnlqe4Z0NIZWXtb7LoXKI93rgcm_l5tbYwL2FCgFAvNNQ9EnqCPlPNFNN-SuF4nWXSJ9D_vI7Rtyl0H8DCnoChtvHzuSMxXsa055PJ4cOAKq-HDoaYqo5E9Z7oBFYrCfpviEMlZZOrwH7iKNESPvlPSr97xiCWF4ybSP77ffIJuXgIuLO7bkg4rJgoVg",
            false
        ),
        (
            "salt 32, MGF1-SHA1",
            "yaHgCqp3LYuS5rnN3WlMsqGAJY-02NDM4_81wJk5uCBg2b2yxznEuakAYmpgLLVdcgjZXnmEZsvH1-8xA8mnCVTJJSrWHlto7e2IGXLSWQ61m-hQ1v_FP2kSgpQ6424FcnM18yNqsKOQ76F_UMsIQQkLcdaCSrfxZlwxDllcRoIEbw-wS2cCOGHSKvC7O9HbT6ui95Ras_dp7Y7V2zYxgRK0WgmwqH1AvYk8dWs_3jEIRx_XtCMKwzH3wu1NEN-xw-ZY50hBflm3wXneC7MQP4z-Ey9h14Y2gXDERJZNK1BRUUl1TVYcCf8m2dk2y3kW3heEPcIYzhybtG4BkTjivQ",
            false
        ),
    ]

    @Test(arguments: pssSignatures.map(\.0))
    func pssVerifiesOnlyWithTheRFC7518Parameters(_ label: String) throws {
        let (_, signature, valid) = Self.pssSignatures.first { $0.0 == label }!
        let verifier = JWTVerifier(keys: [try Fixtures.verificationKey("rsa2048")], policy: TestPolicy.fixed())
        let token = Self.pssInput + "." + signature
        if valid {
            #expect(throws: Never.self) { try verifier.verify(token) }
        } else {
            #expect(throws: JWTKError(.signatureInvalid), "\(label)") { try verifier.verify(token) }
        }
    }

    // MARK: detached and unencoded payloads

    @Test func detachedPayloadRequiresAnEmptyPayloadSegment() throws {
        let token = try JWTSigner(key: TestKeys.p256, algorithm: .ES256).sign(claims: Self.claims)
        #expect(throws: JWTKError(.malformedToken)) {
            try Self.p256Verifier.verifySignature(token, detachedPayload: Array(Self.claims.utf8))
        }
        let parts = TestTokens.segments(token)
        let detached = parts[0] + ".." + parts[2]
        #expect(
            try Self.p256Verifier.verifySignature(detached, detachedPayload: Array(Self.claims.utf8)).payload == Array(Self.claims.utf8))
        #expect(throws: JWTKError(.signatureInvalid)) { try Self.p256Verifier.verifySignature(detached, detachedPayload: Array("{}".utf8)) }
        // Without the payload, the detached token is a JWS over empty content: its signature does not verify.
        #expect(throws: JWTKError(.signatureInvalid)) { try Self.p256Verifier.verifySignature(detached) }
    }

    @Test func unencodedCompactPayloadMustNotContainADot() throws {
        var policy = TestPolicy.fixed()
        policy.allowsUnencodedPayload = true
        let header = TestTokens.b64(#"{"alg":"HS256","b64":false,"crit":["b64"]}"#)
        let input = header + ".a.b"
        let token = input + "." + TestTokens.b64(try TestKeys.hs256.sign(Array(input.utf8), algorithm: .HS256))
        let code = errorCode { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verifySignature(token) }
        #expect(code == .malformedToken)
    }

    @Test func unencodedPayloadCanCarryJWTClaimsWhenOptedIn() throws {
        var policy = TestPolicy.fixed()
        policy.allowsUnencodedPayload = true
        let header = TestTokens.b64(#"{"alg":"HS256","b64":false,"crit":["b64"]}"#)
        let input = header + "." + #"{"exp":1}"#
        let token = input + "." + TestTokens.b64(try TestKeys.hs256.sign(Array(input.utf8), algorithm: .HS256))
        // The claims are still validated: this one expired in 1970.
        #expect(throws: JWTKError(.expired)) { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(token) }
    }
}
