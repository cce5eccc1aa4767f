import Foundation
import JWTKInspection
import Testing

@testable import JWTK

/// Regressions and pinned rules from the adversarial review of the verification core (December 2026).
@Suite("Security review (verification core)")
struct SecurityReviewTests {
    static let now = TestPolicy.now
    static let farExp = 4_102_444_800

    static func hs256(_ claims: String, header: String? = nil) throws -> String {
        let key = TestKeys.hs256
        return try TestTokens.sign(
            header: header ?? TestTokens.header("HS256", kid: key.keyID), payload: claims, key: key, algorithm: .HS256)
    }

    static func verifier(_ change: (inout VerificationPolicy) -> Void = { _ in }) -> JWTVerifier {
        var policy = TestPolicy.fixed()
        change(&policy)
        return JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy)
    }

    // MARK: policy values that would switch a check off

    /// A NaN maximum age made `now - iat > NaN` false, so a token of any age passed: refuse the policy instead.
    @Test func nanMaximumTokenAgeIsAnInvalidPolicyNotNoLimit() throws {
        let token = try Self.hs256(#"{"exp":\#(Self.farExp),"iat":1}"#)
        #expect(throws: JWTKError(.invalidArgument)) { try Self.verifier { $0.maxTokenAge = .nan }.verify(token) }
        #expect(throws: JWTKError(.invalidArgument)) { try Self.verifier { $0.maxTokenAge = -1 }.verify(token) }
        #expect(throws: JWTKError(.tokenTooOld)) { try Self.verifier { $0.maxTokenAge = 60 }.verify(token) }
    }

    @Test func nanMaximumAuthenticationAgeIsAnInvalidPolicyNotNoLimit() throws {
        let token = try Self.hs256(#"{"exp":\#(Self.farExp),"auth_time":1}"#)
        #expect(throws: JWTKError(.invalidArgument)) { try Self.verifier { $0.maxAuthenticationAge = .nan }.verify(token) }
        #expect(throws: JWTKError(.invalidArgument)) { try Self.verifier { $0.maxAuthenticationAge = -1 }.verify(token) }
        #expect(throws: JWTKError(.authenticationTooOld)) { try Self.verifier { $0.maxAuthenticationAge = 60 }.verify(token) }
    }

    // MARK: byte-exact comparisons

    /// `at_hash`/`c_hash` compared with Swift's `==` (canonical equivalence): U+212A KELVIN SIGN is canonically
    /// equivalent to "K", so a claim that is not the base64url value passed. Hashes compare byte for byte.
    @Test func tokenHashComparesByteForByte() throws {
        // OpenID Connect Core Appendix A.3: this access token's at_hash is 77QmUPtjPfzWtF2AnpK9RQ.
        var policy = VerificationPolicy.openIDConnect(
            issuer: "https://i", clientID: "c", accessToken: "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y")
        policy.clock = .fixed(Self.now)
        let verifier = JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy)
        func claims(_ atHash: String) -> String {
            #"{"iss":"https://i","aud":"c","sub":"s","iat":\#(Int(Self.now)),"exp":\#(Self.farExp),"at_hash":"\#(atHash)"}"#
        }
        _ = try verifier.verify(try Self.hs256(claims("77QmUPtjPfzWtF2AnpK9RQ")))
        #expect("77QmUPtjPfzWtF2Anp\u{212A}9RQ" == "77QmUPtjPfzWtF2AnpK9RQ")  // Swift `==`…
        #expect(throws: JWTKError(.tokenHashMismatch)) {
            try verifier.verify(try Self.hs256(claims("77QmUPtjPfzWtF2Anp\u{212A}9RQ")))
        }
    }

    /// The same for a JWK's `x5t#S256` against its `x5c` leaf.
    @Test func certificateThumbprintComparesByteForByte() throws {
        var jwk = try #require(try Fixtures.json("generated/keys/p256.public.jwk.json") as? [String: Any])
        jwk["x5c"] = [try Fixtures.data("generated/keys/p256.cert.der").base64EncodedString()]
        jwk["x5t#S256"] = "EyhK0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw"
        #expect(try VerificationKey(jwk: Fixtures.jsonText(jwk)).certificateChainLength == 1)
        jwk["x5t#S256"] = "Eyh\u{212A}0Z5AIvDFAz1mtBHWB2oeAEsTwKHyqmpmZtu7dEw"
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: Fixtures.jsonText(jwk)) }
    }

    // MARK: header rules

    /// RFC 7797 §6 requires `crit` only for `"b64": false`; `"b64": true` alone is an ordinary JWS. Listed in
    /// `crit`, `b64` is an extension the policy must understand (opt-in), whatever its value.
    @Test func b64TrueIsAnOrdinaryJWSButListingItInCritNeedsTheOptIn() throws {
        let claims = #"{"exp":\#(Self.farExp)}"#
        let plain = try Self.hs256(claims, header: #"{"alg":"HS256","kid":"hs256","b64":true}"#)
        #expect(try Self.verifier().verify(plain).header.base64URLEncodePayload == true)
        let critical = try Self.hs256(claims, header: #"{"alg":"HS256","kid":"hs256","b64":true,"crit":["b64"]}"#)
        #expect(throws: JWTKError(.unsupportedCriticalHeader)) { try Self.verifier().verify(critical) }
        #expect(throws: Never.self) { try Self.verifier { $0.allowsUnencodedPayload = true }.verify(critical) }
    }

    /// A `crit` name is understood only when it is byte for byte one the caller declared: the caller reads the
    /// member by its exact name, so a canonically equivalent spelling ("\u{212A}ext" for "Kext") would pass the
    /// check while the extension the caller processes is absent.
    @Test func criticalExtensionNamesCompareByteForByte() throws {
        let claims = #"{"exp":\#(Self.farExp)}"#
        let verifier = Self.verifier { $0.understoodCriticalHeaders = ["Kext"] }
        _ = try verifier.verify(try Self.hs256(claims, header: #"{"alg":"HS256","kid":"hs256","crit":["Kext"],"Kext":1}"#))
        let lookalike = try Self.hs256(claims, header: #"{"alg":"HS256","kid":"hs256","crit":["\#u{212A}ext"],"\#u{212A}ext":1}"#)
        #expect(throws: JWTKError(.unsupportedCriticalHeader)) { try verifier.verify(lookalike) }
    }

    // MARK: keys

    /// An RSA modulus is a product of odd primes: an even `n` is not an RSA key. Refused at import rather than
    /// producing `signature_invalid` for every token.
    @Test func evenRSAModulusIsAnInvalidKey() throws {
        var jwk = try #require(try Fixtures.json("generated/keys/rsa2048.public.jwk.json") as? [String: Any])
        var n = Array(try Base64URLTestCodec.decode(jwk["n"] as! String))
        n[n.count - 1] &-= 1
        jwk["n"] = try Base64URLTestCodec.encode(n)
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: Fixtures.jsonText(jwk)) }
    }

    /// In a bounded try-all, a key that is too weak is never tried, even when it is the one that signed.
    @Test func weakKeyIsNeverTriedAlongsideAStrongOne() throws {
        let weak = try Fixtures.signingKey("rsa1024")
        let token = try TestTokens.sign(
            header: #"{"alg":"RS256"}"#, payload: #"{"exp":\#(Self.farExp)}"#, key: weak, algorithm: .RS256)
        var policy = TestPolicy.fixed()
        policy.maxKeysTried = 2
        let keys = [weak.verificationKey, try Fixtures.verificationKey("rsa2048")]
        #expect(throws: JWTKError(.signatureInvalid)) { try JWTVerifier(keys: keys, policy: policy).verify(token) }
        #expect(throws: JWTKError(.weakKey)) { try JWTVerifier(keys: [keys[0]], policy: policy).verify(token) }
    }

    // MARK: error messages

    /// Values from the token are quoted in reasons so they cannot forge log lines: that includes U+0085 (NEL),
    /// U+2028 and U+2029, which many log viewers break lines on, and the other C1 controls.
    @Test func lineBreakingScalarsFromTheTokenAreEscapedInReasons() throws {
        for kid in ["x\u{2028}forged", "x\u{2029}forged", "x\u{85}forged", "x\u{9B}31m", "x\u{7F}"] {
            let token = try TestTokens.sign(
                header: #"{"alg":"HS256","kid":"\#(kid)"}"#, payload: #"{"exp":\#(Self.farExp)}"#, key: TestKeys.hs256,
                algorithm: .HS256)
            do {
                _ = try Self.verifier().verify(token)
                Issue.record("a token with an unknown kid verified")
            } catch {
                #expect(error.code == .keyNotFound)
                #expect(
                    !error.reason.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029 })
                #expect(error.keyID == kid)  // the structured field keeps the exact value
            }
        }
    }

    // MARK: OpenSSL error queue

    /// Importing a public-only key must leave nothing on the thread's OpenSSL error queue, or the next
    /// failure's diagnosis reports a stale, unrelated OpenSSL error.
    @Test(arguments: ["ed25519", "p256", "rsa2048"])
    func importingAPublicKeyLeavesNoOpenSSLError(_ name: String) throws {
        OpenSSLErrors.clear()
        _ = try Fixtures.verificationKey(name)
        #expect(OpenSSLErrors.take() == [])
    }
}

@Suite("Security review (diagnostics)")
struct SecurityReviewTraceTests {
    /// `verify --explain` hints converted `now - exp` and `nbf - now` to Int64: a signed token with an extreme
    /// NumericDate trapped the process.
    @Test(arguments: [#"{"exp":-1e300}"#, #"{"exp":4102444800,"nbf":1e300}"#])
    func explainingAnExtremeNumericDateDoesNotTrap(_ claims: String) throws {
        let token = try SecurityReviewTests.hs256(claims)
        let trace = VerificationTrace(verifying: token, with: SecurityReviewTests.verifier())
        #expect(trace.error != nil)
        #expect(!trace.hints.isEmpty)
    }
}

@Suite("Security review (published JWK Sets)")
struct SecurityReviewPublishedSetTests {
    /// The parser for fetched sets skips `oct` keys with a reason and keeps every other key; a local set keeps them.
    @Test func publishedSetSkipsSymmetricKeys() throws {
        let text = #"{"keys":[\#(try Fixtures.key("hs256", "public.jwk.json")),\#(try Fixtures.key("p256", "public.jwk.json"))]}"#
        let published = try JWKSet(publishedBytes: Array(text.utf8))
        #expect(published.keys.map(\.type) == [.ec(curve: "P-256")])
        #expect(published.skipped.map(\.index) == [0])
        #expect(published.skipped.first?.reason.code == .unsupportedKey)
        #expect(try JWKSet(json: text).keys.count == 2)
    }
}
