import Testing

@testable import JWTK

/// `Exact.equal` is the comparison behind `kid` lookup and `iss`/`aud`/`typ` checks: UTF-8 bytes, never
/// Unicode canonical equivalence (which Swift's `==` applies).
@Suite("Byte-exact string equality")
struct ByteExactEqualityTests {
    @Test(arguments: [
        ("https://auth.smarttask.example", "https://auth.smarttask.example", true),
        ("", "", true),
        ("kid-1", "kid-2", false),
        ("ab", "ba", false),
        ("abc", "abcd", false),
        // U+00E9 vs "e" + U+0301: equal under ==, different bytes.
        ("caf\u{E9}", "cafe\u{301}", false),
        // U+212A KELVIN SIGN vs "K": canonically equivalent.
        ("\u{212A}id", "Kid", false),
        // Same byte count, one byte apart in the last position.
        (String(repeating: "a", count: 64) + "x", String(repeating: "a", count: 64) + "y", false),
    ])
    func comparesUTF8Bytes(a: String, b: String, equal: Bool) {
        #expect(Exact.equal(a, b) == equal)
        #expect(Exact.equal(b, a) == equal)
    }

    @Test func canonicallyEquivalentStringsAreEqualUnderSwiftButNotHere() {
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(composed == decomposed)
        #expect(!Exact.equal(composed, decomposed))
        #expect(!Exact.contains(["caf\u{E9}"], decomposed))
        #expect(Exact.contains(["caf\u{E9}"], composed))
    }

    @Test func stringsBuiltFromSubstringsAndScalarsCompareByBytes() {
        let long = "https://auth.smarttask.example/tenant/42"
        let slice = String(long.dropLast(10))
        #expect(Exact.equal(slice, "https://auth.smarttask.example"))
        let fromScalars = String(String.UnicodeScalarView("kid".unicodeScalars))
        #expect(Exact.equal(fromScalars, "kid"))
    }

    /// JWT strings compare byte for byte: canonically equivalent Unicode spellings are different values.
    @Test func issuerAudienceAndKidCompareByteForByte() throws {
        let nfc = "https://ex\u{E4}mple.com"
        let nfd = "https://exa\u{308}mple.com"
        #expect(nfc == nfd)  // Swift's String equality is canonical equivalence…
        let key = try SigningKey.generate(for: .HS256, keyID: "k\u{E9}")
        var policy = VerificationPolicy(issuer: nfc, audience: "client-\u{E9}")
        policy.clock = .fixed(1_767_225_600)
        let verifier = JWTVerifier(keys: [key.verificationKey], policy: policy)
        let good = try JWTSigner(key: key, algorithm: .HS256).sign(claims: #"{"iss":"\#(nfc)","aud":"client-\#u{E9}","exp":4102444800}"#)
        _ = try verifier.verify(good)
        let badIssuer = try JWTSigner(key: key, algorithm: .HS256).sign(
            claims: #"{"iss":"\#(nfd)","aud":"client-\#u{E9}","exp":4102444800}"#)
        #expect(throws: JWTKError(.issuerMismatch)) { try verifier.verify(badIssuer) }
        let badAudience = try JWTSigner(key: key, algorithm: .HS256).sign(
            claims: #"{"iss":"\#(nfc)","aud":"client-e\#u{301}","exp":4102444800}"#)
        #expect(throws: JWTKError(.audienceMismatch)) { try verifier.verify(badAudience) }
        let kidSpelledDifferently = try JWTSigner(
            key: try SigningKey(hmacSecret: [UInt8](repeating: 7, count: 32), keyID: "ke\u{301}"), algorithm: .HS256
        )
        .sign(claims: #"{"iss":"\#(nfc)","aud":"client-\#u{E9}","exp":4102444800}"#)
        #expect(throws: JWTKError(.keyNotFound)) { try verifier.verify(kidSpelledDifferently) }
    }

    /// `at_hash`/`c_hash` compared with Swift's `==` (canonical equivalence): U+212A KELVIN SIGN is canonically
    /// equivalent to "K", so a claim that is not the base64url value passed. Hashes compare byte for byte.
    @Test func tokenHashComparesByteForByte() throws {
        // OpenID Connect Core Appendix A.3: this access token's at_hash is 77QmUPtjPfzWtF2AnpK9RQ.
        var policy = VerificationPolicy.openIDConnect(
            issuer: "https://i", clientID: "c", accessToken: "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y")
        policy.clock = .fixed(TestPolicy.now)
        let verifier = JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy)
        func claims(_ atHash: String) -> String {
            #"{"iss":"https://i","aud":"c","sub":"s","iat":\#(Int(TestPolicy.now)),"exp":\#(TestPolicy.farExp),"at_hash":"\#(atHash)"}"#
        }
        _ = try verifier.verify(try TestTokens.hs256(claims("77QmUPtjPfzWtF2AnpK9RQ")))
        #expect("77QmUPtjPfzWtF2Anp\u{212A}9RQ" == "77QmUPtjPfzWtF2AnpK9RQ")  // Swift `==`…
        #expect(throws: JWTKError(.tokenHashMismatch)) {
            try verifier.verify(try TestTokens.hs256(claims("77QmUPtjPfzWtF2Anp\u{212A}9RQ")))
        }
    }

    /// A `crit` name is understood only when it is byte for byte one the caller declared: the caller reads the
    /// member by its exact name, so a canonically equivalent spelling ("\u{212A}ext" for "Kext") would pass the
    /// check while the extension the caller processes is absent.
    @Test func criticalExtensionNamesCompareByteForByte() throws {
        let claims = #"{"exp":\#(TestPolicy.farExp)}"#
        let verifier = TestPolicy.verifier { $0.understoodCriticalHeaders = ["Kext"] }
        _ = try verifier.verify(try TestTokens.hs256(claims, header: #"{"alg":"HS256","kid":"hs256","crit":["Kext"],"Kext":1}"#))
        let lookalike = try TestTokens.hs256(claims, header: #"{"alg":"HS256","kid":"hs256","crit":["\#u{212A}ext"],"\#u{212A}ext":1}"#)
        #expect(throws: JWTKError(.unsupportedCriticalHeader)) { try verifier.verify(lookalike) }
    }
}
