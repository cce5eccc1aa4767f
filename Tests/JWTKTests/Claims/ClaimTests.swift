import Foundation
import JWTK
import Testing

/// Every claim rule at and around its boundary, with a fixed clock.
@Suite("Claims")
struct ClaimTests {
    static let now = TestPolicy.now

    /// Signs `claims` (JSON text, exactly as written) with HS256 and verifies it with `policy`.
    static func check(
        _ claims: String, _ policy: VerificationPolicy, header: String? = nil, algorithm: JWSAlgorithm = .HS256
    ) throws(JWTKError)
        -> VerifiedJWT
    {
        let key = TestKeys.signing(for: algorithm)
        let token: String
        do {
            token = try TestTokens.sign(
                header: header ?? TestTokens.header(algorithm.rawValue, kid: key.keyID), payload: claims, key: key, algorithm: algorithm)
        } catch {
            throw JWTKError(.cryptoFailure, "test could not sign: \(error)")
        }
        return try JWTVerifier(keys: [key.verificationKey], policy: policy).verify(token)
    }

    static func policy(leeway: Double = 0, _ change: (inout VerificationPolicy) -> Void = { _ in }) -> VerificationPolicy {
        var policy = TestPolicy.fixed(now)
        policy.leeway = leeway
        change(&policy)
        return policy
    }

    static func code(_ claims: String, _ policy: VerificationPolicy = ClaimTests.policy(), header: String? = nil) -> JWTKError.Code? {
        errorCode { try check(claims, policy, header: header) }
    }

    static func int(_ v: Double) -> String { String(Int64(v)) }

    // MARK: exp

    @Test func expirationBoundary() {
        #expect(Self.code(#"{"exp":\#(Self.int(Self.now))}"#) == .expired)  // exp == now
        #expect(Self.code(#"{"exp":\#(Self.int(Self.now - 1))}"#) == .expired)
        #expect(Self.code(#"{"exp":\#(Self.int(Self.now + 1))}"#) == nil)
        #expect(Self.code(#"{"exp":\#(Self.now + 0.5)}"#) == nil)  // fractional NumericDate
        #expect(Self.code(#"{"exp":\#(Self.now - 0.5)}"#) == .expired)
    }

    @Test(arguments: [1.0, 30, 300])
    func expirationWithLeeway(_ leeway: Double) {
        let policy = Self.policy(leeway: leeway)
        #expect(Self.code(#"{"exp":\#(Self.int(Self.now - leeway))}"#, policy) == .expired)
        #expect(Self.code(#"{"exp":\#(Self.int(Self.now - leeway + 1))}"#, policy) == nil)
    }

    @Test func missingExpirationIsRequiredByDefault() {
        #expect(Self.code(#"{"sub":"1"}"#) == .missingClaim)
        #expect(Self.code("{}") == .missingClaim)
        #expect(Self.code(#"{"exp":null}"#) == .invalidClaim)  // null is a wrong type, not absent
        #expect(Self.code(#"{"sub":"1"}"#, Self.policy { $0.requiresExpiration = false }) == nil)
    }

    // MARK: nbf

    @Test func notBeforeBoundary() {
        let exp = #""exp":4102444800"#
        #expect(Self.code(#"{\#(exp),"nbf":\#(Self.int(Self.now + 1))}"#) == .notYetValid)
        #expect(Self.code(#"{\#(exp),"nbf":\#(Self.int(Self.now))}"#) == nil)
        #expect(Self.code(#"{\#(exp),"nbf":\#(Self.int(Self.now - 1))}"#) == nil)
        let policy = Self.policy(leeway: 60)
        #expect(Self.code(#"{\#(exp),"nbf":\#(Self.int(Self.now + 60))}"#, policy) == nil)
        #expect(Self.code(#"{\#(exp),"nbf":\#(Self.int(Self.now + 61))}"#, policy) == .notYetValid)
    }

    // MARK: iat and age

    @Test func issuedAtInTheFutureBoundary() {
        let exp = #""exp":4102444800"#
        #expect(Self.code(#"{\#(exp),"iat":\#(Self.int(Self.now + 1))}"#) == .issuedInFuture)
        #expect(Self.code(#"{\#(exp),"iat":\#(Self.int(Self.now))}"#) == nil)
        let policy = Self.policy(leeway: 10)
        #expect(Self.code(#"{\#(exp),"iat":\#(Self.int(Self.now + 10))}"#, policy) == nil)
        #expect(Self.code(#"{\#(exp),"iat":\#(Self.int(Self.now + 11))}"#, policy) == .issuedInFuture)
    }

    @Test func maximumTokenAgeBoundary() {
        let exp = #""exp":4102444800"#
        var policy = Self.policy { $0.maxTokenAge = 3600 }
        #expect(Self.code(#"{\#(exp),"iat":\#(Self.int(Self.now - 3600))}"#, policy) == nil)
        #expect(Self.code(#"{\#(exp),"iat":\#(Self.int(Self.now - 3601))}"#, policy) == .tokenTooOld)
        #expect(Self.code(#"{\#(exp)}"#, policy) == .missingClaim)  // the age needs iat
        policy.leeway = 5
        #expect(Self.code(#"{\#(exp),"iat":\#(Self.int(Self.now - 3605))}"#, policy) == nil)
        #expect(Self.code(#"{\#(exp),"iat":\#(Self.int(Self.now - 3606))}"#, policy) == .tokenTooOld)
    }

    @Test func requiredIssuedAtIsMissing() {
        #expect(Self.code(#"{"exp":4102444800}"#, Self.policy { $0.requiresIssuedAt = true }) == .missingClaim)
    }

    // MARK: types

    @Test(arguments: ["exp", "nbf", "iat"])
    func numericDateOfTheWrongTypeIsInvalidNeverAbsent(_ claim: String) {
        for value in [#""123""#, "true", "false", "null", "[123]", #"{"t":123}"#, #""""#] {
            let exp = claim == "exp" ? "" : #""exp":4102444800,"#
            let claims = "{\(exp)\"\(claim)\":\(value)}"
            // Also with exp not required: a wrong-typed exp must not pass as absent.
            #expect(Self.code(claims) == .invalidClaim, "\(claims)")
            #expect(Self.code(claims, Self.policy { $0.requiresExpiration = false }) == .invalidClaim, "\(claims)")
        }
    }

    @Test func audienceOfTheWrongTypeIsInvalid() {
        for aud in ["1", "[]", #"["a",1]"#, "null", "true", #"{"a":1}"#, #"[["a"]]"#] {
            let claims = #"{"exp":4102444800,"aud":\#(aud)}"#
            #expect(Self.code(claims, Self.policy { $0.audiences = ["a"] }) == .invalidClaim, "\(claims)")
            #expect(Self.code(claims, Self.policy { $0.ignoresAudience = true }) == .invalidClaim, "\(claims)")
        }
    }

    @Test func stringClaimsOfTheWrongTypeAreInvalid() {
        for (claim, value) in [("iss", "1"), ("iss", "null"), ("sub", "42"), ("jti", "[]"), ("iss", #"["https://issuer"]"#)] {
            let claims = #"{"exp":4102444800,"\#(claim)":\#(value)}"#
            // Type-checked even when the policy does not check the claim's value.
            #expect(Self.code(claims) == .invalidClaim, "\(claims)")
        }
        #expect(Self.code(#"{"exp":4102444800,"iss":1}"#, Self.policy { $0.issuers = ["1"] }) == .invalidClaim)
    }

    @Test func hugeNumbersNeverTrap() {
        #expect(Self.code(#"{"exp":1e300}"#) == nil)
        #expect(Self.code(#"{"exp":-1e300}"#) == .expired)
        #expect(Self.code(#"{"exp":1.7976931348623157e308}"#) == nil)
        #expect(Self.code(#"{"exp":9223372036854775807}"#) == nil)
        #expect(Self.code(#"{"exp":-9223372036854775808}"#) == .expired)
        #expect(Self.code(#"{"exp":4102444800,"nbf":-1e300,"iat":-1e300}"#) == nil)
        #expect(Self.code(#"{"exp":4102444800,"nbf":1e300}"#) == .notYetValid)
        #expect(Self.code(#"{"exp":4102444800,"iat":1e300}"#) == .issuedInFuture)
        #expect(Self.code(#"{"exp":4102444800,"iat":-1e300}"#, Self.policy { $0.maxTokenAge = 60 }) == .tokenTooOld)
        #expect(Self.code(#"{"exp":1e300,"auth_time":-1e300}"#, Self.policy { $0.maxAuthenticationAge = 60 }) == .authenticationTooOld)
    }

    /// jansson refuses integer literals that overflow its 64-bit integer: a clean `invalidJSON`.
    @Test func integerTooBigForInt64IsInvalidJSON() {
        #expect(Self.code(#"{"exp":99999999999999999999}"#) == .invalidJSON)
        #expect(Self.code(#"{"exp":4102444800,"n":-99999999999999999999}"#) == .invalidJSON)
        #expect(Self.code(#"{"exp":1e400}"#) == .invalidJSON)  // real overflow
    }

    // MARK: iss, aud, sub

    @Test func issuerIsComparedExactly() {
        let policy = Self.policy { $0.issuers = ["https://auth.example.com"] }
        #expect(Self.code(#"{"exp":4102444800,"iss":"https://auth.example.com"}"#, policy) == nil)
        #expect(Self.code(#"{"exp":4102444800,"iss":"https://auth.example.com/"}"#, policy) == .issuerMismatch)
        #expect(Self.code(#"{"exp":4102444800,"iss":"https://Auth.example.com"}"#, policy) == .issuerMismatch)
        #expect(Self.code(#"{"exp":4102444800,"iss":"https://auth.example.co"}"#, policy) == .issuerMismatch)
        #expect(Self.code(#"{"exp":4102444800}"#, policy) == .missingClaim)
        let several = Self.policy { $0.issuers = ["https://a.example", "https://b.example"] }
        #expect(Self.code(#"{"exp":4102444800,"iss":"https://b.example"}"#, several) == nil)
        #expect(Self.code(#"{"exp":4102444800,"iss":"https://c.example"}"#, several) == .issuerMismatch)
    }

    @Test func audienceMustContainAnExpectedValue() {
        let policy = Self.policy { $0.audiences = ["api", "other-api"] }
        #expect(Self.code(#"{"exp":4102444800,"aud":"api"}"#, policy) == nil)
        #expect(Self.code(#"{"exp":4102444800,"aud":["x","other-api"]}"#, policy) == nil)
        #expect(Self.code(#"{"exp":4102444800,"aud":["x","y"]}"#, policy) == .audienceMismatch)
        #expect(Self.code(#"{"exp":4102444800,"aud":"API"}"#, policy) == .audienceMismatch)
        #expect(Self.code(#"{"exp":4102444800}"#, policy) == .missingClaim)
    }

    @Test func audienceWithoutConfiguredAudienceIsRefusedUnlessIgnored() {
        #expect(Self.code(#"{"exp":4102444800,"aud":"api"}"#) == .audienceMismatch)
        #expect(Self.code(#"{"exp":4102444800,"aud":["api"]}"#) == .audienceMismatch)
        #expect(Self.code(#"{"exp":4102444800,"aud":"api"}"#, Self.policy { $0.ignoresAudience = true }) == nil)
        #expect(Self.code(#"{"exp":4102444800}"#) == nil)
    }

    @Test func subjectIsComparedExactly() {
        let policy = Self.policy { $0.subject = "248289761001" }
        #expect(Self.code(#"{"exp":4102444800,"sub":"248289761001"}"#, policy) == nil)
        #expect(Self.code(#"{"exp":4102444800,"sub":"248289761002"}"#, policy) == .subjectMismatch)
        #expect(Self.code(#"{"exp":4102444800}"#, policy) == .missingClaim)
    }

    @Test func requiredClaimsMustBePresentAndNotNull() {
        let policy = Self.policy { $0.requiredClaims = ["tenant", "roles"] }
        #expect(Self.code(#"{"exp":4102444800,"tenant":"t","roles":[]}"#, policy) == nil)
        #expect(Self.code(#"{"exp":4102444800,"tenant":"t"}"#, policy) == .missingClaim)
        #expect(Self.code(#"{"exp":4102444800,"tenant":null,"roles":[]}"#, policy) == .missingClaim)
    }

    /// A forged token never reports a claim error: the signature is checked first.
    @Test func signatureErrorWinsOverClaimErrors() throws {
        let token = try JWTSigner(key: TestKeys.hs256, algorithm: .HS256).sign(claims: #"{"exp":1,"nbf":9999999999,"aud":"x","iss":7}"#)
        var signature = TestTokens.signature(token)
        signature[0] ^= 0x01
        let policy = Self.policy {
            $0.issuers = ["a"]; $0.expectedType = "at+jwt"
        }
        #expect(throws: JWTKError(.signatureInvalid)) {
            try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(TestTokens.withSignature(token, signature))
        }
        // And with the right signature it is the claim error that is reported.
        #expect(throws: JWTKError(.typeMismatch)) { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(token) }
    }

    // MARK: OpenID Connect

    static let issuer = "https://auth.smarttask.example"
    static let client = "jwtk-demo-client"

    static func oidc(_ extra: String, aud: String = #""jwtk-demo-client""#) -> String {
        #"{"iss":"\#(issuer)","sub":"248289761001","aud":\#(aud),"exp":4102444800,"iat":\#(int(now - 60))\#(extra)}"#
    }

    @Test func openIDConnectPresetAcceptsAValidToken() {
        #expect(Self.code(Self.oidc(""), .openIDConnect(issuer: Self.issuer, clientID: Self.client).fixed()) == nil)
    }

    @Test(arguments: ["iss", "sub", "aud", "exp", "iat"])
    func openIDConnectPresetRequiresItsClaims(_ missing: String) {
        let policy = VerificationPolicy.openIDConnect(issuer: Self.issuer, clientID: Self.client).fixed()
        let members = [
            ("iss", "\"\(Self.issuer)\""), ("sub", "\"1\""), ("aud", "\"\(Self.client)\""), ("exp", "4102444800"), ("iat", "1"),
        ]
        let claims = "{" + members.filter { $0.0 != missing }.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        let error = #expect(throws: JWTKError(.missingClaim)) { try Self.check(claims, policy) }
        #expect(error?.claim == missing)
    }

    @Test func openIDConnectPresetRefusesAnotherAudience() {
        let policy = VerificationPolicy.openIDConnect(issuer: Self.issuer, clientID: Self.client).fixed()
        #expect(Self.code(Self.oidc("", aud: #""someone-else""#), policy) == .audienceMismatch)
    }

    @Test func nonceMustMatch() {
        let policy = VerificationPolicy.openIDConnect(issuer: Self.issuer, clientID: Self.client, nonce: "n-0S6_WzA2Mj").fixed()
        #expect(Self.code(Self.oidc(#","nonce":"n-0S6_WzA2Mj""#), policy) == nil)
        #expect(Self.code(Self.oidc(#","nonce":"n-0S6_WzA2Mk""#), policy) == .nonceMismatch)
        #expect(Self.code(Self.oidc(#","nonce":"n-0S6_WzA2M""#), policy) == .nonceMismatch)
        #expect(Self.code(Self.oidc(""), policy) == .missingClaim)
        #expect(Self.code(Self.oidc(#","nonce":1"#), policy) == .invalidClaim)
    }

    @Test func authorizedPartyRules() {
        let policy = VerificationPolicy.openIDConnect(issuer: Self.issuer, clientID: Self.client).fixed()
        let several = #"["jwtk-demo-client","resource-server"]"#
        #expect(Self.code(Self.oidc(#","azp":"jwtk-demo-client""#), policy) == nil)
        #expect(Self.code(Self.oidc(#","azp":"other""#), policy) == .authorizedPartyMismatch)
        #expect(Self.code(Self.oidc(#","azp":"jwtk-demo-client""#, aud: several), policy) == nil)
        #expect(Self.code(Self.oidc(#","azp":"resource-server""#, aud: several), policy) == .authorizedPartyMismatch)
        #expect(Self.code(Self.oidc("", aud: several), policy) == .authorizedPartyMismatch)  // several audiences need azp
        #expect(Self.code(Self.oidc("", aud: #"["jwtk-demo-client"]"#), policy) == nil)  // one audience: azp optional
        #expect(Self.code(Self.oidc(#","azp":5"#), policy) == .invalidClaim)
    }

    @Test func authenticationAgeBoundary() {
        let policy = VerificationPolicy.openIDConnect(issuer: Self.issuer, clientID: Self.client, maxAuthenticationAge: 600).fixed()
        #expect(Self.code(Self.oidc(#","auth_time":\#(Self.int(Self.now - 600))"#), policy) == nil)
        #expect(Self.code(Self.oidc(#","auth_time":\#(Self.int(Self.now - 601))"#), policy) == .authenticationTooOld)
        #expect(Self.code(Self.oidc(""), policy) == .missingClaim)
        #expect(Self.code(Self.oidc(#","auth_time":"1""#), policy) == .invalidClaim)
    }

    /// OpenID Connect Core 1.0 Appendix A.3 publishes access token
    /// `jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y` with at_hash `77QmUPtjPfzWtF2AnpK9RQ` (RS256), and A.4 the
    /// code `Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk` with c_hash `LDktKdoQak3Pk0cnXxCltA`.
    @Test(arguments: [JWSAlgorithm.RS256, .HS256, .ES256, .PS256])
    func accessTokenAndCodeHashesMatchPublishedExamples(_ algorithm: JWSAlgorithm) {
        let accessToken = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
        let code = "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk"
        let policy = VerificationPolicy.openIDConnect(
            issuer: Self.issuer, clientID: Self.client, accessToken: accessToken, authorizationCode: code
        )
        .fixed()
        func run(_ extra: String) -> JWTKError.Code? { errorCode { try Self.check(Self.oidc(extra), policy, algorithm: algorithm) } }
        #expect(run(#","at_hash":"77QmUPtjPfzWtF2AnpK9RQ","c_hash":"LDktKdoQak3Pk0cnXxCltA""#) == nil)
        #expect(run(#","at_hash":"77QmUPtjPfzWtF2AnpK9RR","c_hash":"LDktKdoQak3Pk0cnXxCltA""#) == .tokenHashMismatch)
        #expect(run(#","at_hash":"77QmUPtjPfzWtF2AnpK9RQ","c_hash":"77QmUPtjPfzWtF2AnpK9RQ""#) == .tokenHashMismatch)
        #expect(run(#","c_hash":"LDktKdoQak3Pk0cnXxCltA""#) == .missingClaim)
        #expect(run(#","at_hash":"77QmUPtjPfzWtF2AnpK9RQ""#) == .missingClaim)
    }

    /// at_hash and c_hash are compared byte for byte (and in constant time): U+212A KELVIN SIGN is canonically
    /// equivalent to "K", so Swift's `==` would accept it in place of the published value's "K".
    @Test func tokenHashesAreComparedByteForByte() {
        let policy = VerificationPolicy.openIDConnect(
            issuer: Self.issuer, clientID: Self.client, accessToken: "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y",
            authorizationCode: "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk"
        )
        .fixed()
        func run(_ atHash: String, _ cHash: String) -> JWTKError.Code? {
            errorCode { try Self.check(Self.oidc(#","at_hash":"\#(atHash)","c_hash":"\#(cHash)""#), policy, algorithm: .RS256) }
        }
        let atHash = "77QmUPtjPfzWtF2AnpK9RQ", cHash = "LDktKdoQak3Pk0cnXxCltA"
        #expect(run(atHash, cHash) == nil)
        let kelvin = "\u{212A}"
        #expect(atHash.replacingOccurrences(of: "K", with: kelvin) == atHash)  // what `==` would have accepted
        #expect(run(atHash.replacingOccurrences(of: "K", with: kelvin), cHash) == .tokenHashMismatch)
        #expect(run(atHash, cHash.replacingOccurrences(of: "K", with: kelvin)) == .tokenHashMismatch)
    }

    /// The hash follows the algorithm: SHA-384 for ES384 and SHA-512 for EdDSA (Ed25519). Values computed
    /// once with Python's hashlib: base64url(left half of SHA-x("jwtk-access-token")).
    @Test func accessTokenHashUsesTheAlgorithmsHash() {
        let policy = VerificationPolicy.openIDConnect(issuer: Self.issuer, clientID: Self.client, accessToken: "jwtk-access-token").fixed()
        let sha256 = "qCD2aExIFGLXqYJKnqmdwQ"
        let sha384 = "cWOSC_95Qk_rq21Iq171uEHSAeYvoH2L"
        let sha512 = "_lLrfaqkvFAPa822KMuvw26OmbReSt4LjFg2wV5MtgE"
        func run(_ hash: String, _ algorithm: JWSAlgorithm) -> JWTKError.Code? {
            errorCode { try Self.check(Self.oidc(#","at_hash":"\#(hash)""#), policy, algorithm: algorithm) }
        }
        #expect(run(sha256, .ES256) == nil)
        #expect(run(sha384, .ES384) == nil)
        #expect(run(sha512, .ES512) == nil)
        #expect(run(sha512, .EdDSA) == nil)
        #expect(run(sha256, .ES384) == .tokenHashMismatch)
        #expect(run(sha256, .EdDSA) == .tokenHashMismatch)
    }

    /// Ed448 hashes with SHAKE256, for which OpenID Connect defines no at_hash: refused, never skipped.
    @Test func accessTokenHashCannotBeCheckedForEd448() throws {
        let key = try SigningKey.generate(for: .Ed448, keyID: "ed448")
        let policy = VerificationPolicy.openIDConnect(issuer: Self.issuer, clientID: Self.client, accessToken: "jwtk-access-token").fixed()
        let token = try JWTSigner(key: key, algorithm: .EdDSA).sign(
            claims: Self.oidc(#","at_hash":"_lLrfaqkvFAPa822KMuvw26OmbReSt4LjFg2wV5MtgE""#))
        #expect(throws: JWTKError(.tokenHashMismatch)) { try JWTVerifier(keys: [key.verificationKey], policy: policy).verify(token) }
    }

    // MARK: RFC 9068 access tokens

    static let accessTokenClaims: [(String, String)] = [
        ("iss", #""https://auth.example""#), ("exp", "4102444800"), ("aud", #""api""#), ("sub", #""user""#),
        ("client_id", #""client""#), ("iat", int(now - 10)), ("jti", #""id-1""#),
    ]

    @Test func accessTokenPresetAcceptsAValidToken() {
        let claims = "{" + Self.accessTokenClaims.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        let policy = VerificationPolicy.accessToken(issuer: "https://auth.example", audience: "api").fixed()
        #expect(Self.code(claims, policy, header: #"{"alg":"HS256","typ":"at+jwt","kid":"hs256"}"#) == nil)
        #expect(Self.code(claims, policy, header: #"{"alg":"HS256","typ":"application/at+jwt","kid":"hs256"}"#) == nil)
        #expect(Self.code(claims, policy, header: #"{"alg":"HS256","typ":"JWT","kid":"hs256"}"#) == .typeMismatch)
        #expect(Self.code(claims, policy, header: #"{"alg":"HS256","kid":"hs256"}"#) == .typeMismatch)
    }

    @Test(arguments: ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"])
    func accessTokenPresetRequiresEachClaim(_ missing: String) {
        let claims = "{" + Self.accessTokenClaims.filter { $0.0 != missing }.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        let policy = VerificationPolicy.accessToken(issuer: "https://auth.example", audience: "api").fixed()
        let error = #expect(throws: JWTKError(.missingClaim)) {
            try Self.check(claims, policy, header: #"{"alg":"HS256","typ":"at+jwt","kid":"hs256"}"#)
        }
        #expect(error?.claim == missing)
    }

    /// `iat > exp` and `nbf > exp` are not compared with each other (jose and jwx do not either); each claim
    /// is checked against the clock, and without leeway no moment accepts such a token.
    @Test func inconsistentTimeClaimsAreJudgedAgainstTheClockOnly() throws {
        let t = Int(TestPolicy.now)
        let iatAfterExp = try TestTokens.hs256(#"{"iat":\#(t + 20),"exp":\#(t + 10)}"#)
        let nbfAfterExp = try TestTokens.hs256(#"{"nbf":\#(t + 20),"exp":\#(t + 10)}"#)
        for offset in stride(from: -30, through: 40, by: 5) {
            let at = TestPolicy.now + Double(offset)
            #expect(throws: JWTKError.self, "iat > exp at \(offset)") { try TestPolicy.verifier(now: at).verify(iatAfterExp) }
            #expect(throws: JWTKError.self, "nbf > exp at \(offset)") { try TestPolicy.verifier(now: at).verify(nbfAfterExp) }
        }
        #expect(throws: JWTKError(.issuedInFuture)) { try TestPolicy.verifier().verify(iatAfterExp) }
        #expect(throws: JWTKError(.notYetValid)) { try TestPolicy.verifier().verify(nbfAfterExp) }
        #expect(throws: JWTKError(.expired)) { try TestPolicy.verifier(now: TestPolicy.now + 15).verify(nbfAfterExp) }
        // Leeway widens each window on its own, so both pass inside it.
        _ = try TestPolicy.verifier(now: TestPolicy.now + 15) { $0.leeway = 10 }.verify(iatAfterExp)
        _ = try TestPolicy.verifier(now: TestPolicy.now + 15) { $0.leeway = 10 }.verify(nbfAfterExp)
    }
}

extension VerificationPolicy {
    /// The same policy at the tests' fixed clock.
    func fixed(_ now: Double = TestPolicy.now) -> VerificationPolicy {
        var copy = self
        copy.clock = .fixed(now)
        return copy
    }
}
