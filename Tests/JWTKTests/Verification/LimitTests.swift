import Foundation
import JWTK
import Testing

/// Size, depth and count limits: refused with `limitExceeded`, before expensive work and without recursion.
@Suite("Limits")
struct LimitTests {
    static let verifier = JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: TestPolicy.fixed())

    static func token(claims: String, header: String = #"{"alg":"HS256","kid":"hs256"}"#) throws -> String {
        try TestTokens.sign(header: header, payload: claims, key: TestKeys.hs256, algorithm: .HS256)
    }

    @Test func tokenOverTheSizeLimitIsRefused() throws {
        let padding = String(repeating: "a", count: 16 * 1024)
        let big = try Self.token(claims: #"{"exp":4102444800,"pad":"\#(padding)"}"#)
        #expect(big.utf8.count > 16 * 1024)
        #expect(throws: JWTKError(.limitExceeded)) { try Self.verifier.verify(big) }
        #expect(throws: JWTKError(.limitExceeded)) { try Self.verifier.verifySignature(big) }
        #expect(throws: JWTKError(.limitExceeded)) { try UnverifiedJWT.decode(big) }
        var policy = TestPolicy.fixed()
        policy.limits.maxTokenBytes = 64 * 1024
        #expect(throws: Never.self) { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(big) }
        // Exactly at the limit is allowed.
        policy.limits.maxTokenBytes = big.utf8.count
        #expect(throws: Never.self) { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(big) }
        policy.limits.maxTokenBytes = big.utf8.count - 1
        #expect(throws: JWTKError(.limitExceeded)) { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(big) }
    }

    /// A 10 MB token (of dots, and of base64 characters) is refused by its size, before any parsing.
    @Test func tenMegabyteTokenIsRefusedBySize() throws {
        let dots = String(repeating: ".", count: 10_000_000)
        let letters = String(repeating: "A", count: 5_000_000) + "." + String(repeating: "A", count: 5_000_000) + ".AAAA"
        for token in [dots, letters] {
            let error = #expect(throws: JWTKError(.limitExceeded)) { try Self.verifier.verify(token) }
            #expect(error?.reason.contains("limit") == true)
        }
        // With the size limit lifted, ten million dots are still refused in one pass as malformed.
        var policy = TestPolicy.fixed()
        policy.limits.maxTokenBytes = Int.max
        #expect(throws: JWTKError(.malformedToken)) { try JWTVerifier(keys: [], policy: policy).verify(dots) }
    }

    @Test func headerOverTheSizeLimitIsRefused() throws {
        let padding = String(repeating: "h", count: 5000)
        let token = try Self.token(claims: #"{"exp":4102444800}"#, header: #"{"alg":"HS256","kid":"hs256","pad":"\#(padding)"}"#)
        #expect(throws: JWTKError(.limitExceeded)) { try Self.verifier.verify(token) }
        var policy = TestPolicy.fixed()
        policy.limits.maxHeaderBytes = 8 * 1024
        #expect(throws: Never.self) { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(token) }
    }

    static func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }

    /// The claims object is depth 1, so a claim holding 15 nested arrays reaches the default limit of 16 exactly.
    @Test func claimsNestingIsLimited() throws {
        #expect(throws: Never.self) { try Self.verifier.verify(try Self.token(claims: #"{"exp":4102444800,"a":\#(Self.nested(15))}"#)) }
        #expect(throws: JWTKError(.limitExceeded)) {
            try Self.verifier.verify(try Self.token(claims: #"{"exp":4102444800,"a":\#(Self.nested(16))}"#))
        }
        #expect(throws: JWTKError(.limitExceeded)) {
            try Self.verifier.verify(try Self.token(claims: #"{"exp":4102444800,"a":\#(Self.nested(17))}"#))
        }
        // Brackets inside strings do not count.
        let inString = #"{"exp":4102444800,"a":"\#(String(repeating: "[", count: 100))"}"#
        #expect(throws: Never.self) { try Self.verifier.verify(try Self.token(claims: inString)) }
        var policy = TestPolicy.fixed()
        policy.limits.maxJSONDepth = 18
        #expect(throws: Never.self) {
            try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(
                try Self.token(claims: #"{"exp":4102444800,"a":\#(Self.nested(17))}"#))
        }
    }

    @Test func headerNestingIsLimited() throws {
        let header = #"{"alg":"HS256","kid":"hs256","x":\#(Self.nested(16))}"#
        #expect(throws: JWTKError(.limitExceeded)) {
            try Self.verifier.verify(try Self.token(claims: #"{"exp":4102444800}"#, header: header))
        }
        // The header object is depth 1: 15 nested arrays reach the limit of 16 exactly.
        let atLimit = #"{"alg":"HS256","kid":"hs256","x":\#(Self.nested(15))}"#
        #expect(throws: Never.self) { try Self.verifier.verify(try Self.token(claims: #"{"exp":4102444800}"#, header: atLimit)) }
    }

    /// The documented defaults, so that the documentation (SECURITY.md, ARCHITECTURE.md) and the code agree.
    @Test func defaultsAreTheDocumentedOnes() {
        let limits = TokenLimits()
        #expect(limits.maxTokenBytes == 16 * 1024)
        #expect(limits.maxHeaderBytes == 4 * 1024)
        #expect(limits.maxJSONDepth == 16)
        let jwks = JWKSet.Limits()
        #expect(jwks.maxBytes == 1 << 20)
        #expect(jwks.maxKeys == 100)
        #expect(jwks.maxDepth == 16)
        let policy = VerificationPolicy()
        #expect(policy.limits == limits)
        #expect(policy.maxKeysTried == 1)
        #expect(policy.minimumRSAKeyBits == 2048)
        #expect(policy.requiresFullLengthHMACSecrets)
    }

    /// A header whose decoded size is exactly the limit passes; one byte more is refused, from the length of
    /// its base64url text, before it is decoded.
    @Test(arguments: [4096, 300])
    func headerSizeIsLimitedExactly(limit: Int) throws {
        func header(bytes: Int) -> String {
            let base = #"{"alg":"HS256","kid":"hs256","pad":""}"#
            return #"{"alg":"HS256","kid":"hs256","pad":"\#(String(repeating: "h", count: bytes - base.utf8.count))"}"#
        }
        var policy = TestPolicy.fixed()
        if limit != TokenLimits().maxHeaderBytes { policy.limits.maxHeaderBytes = limit }
        let verifier = JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy)
        let atLimit = try Self.token(claims: #"{"exp":4102444800}"#, header: header(bytes: limit))
        #expect(throws: Never.self) { try verifier.verify(atLimit) }
        let past = try Self.token(claims: #"{"exp":4102444800}"#, header: header(bytes: limit + 1))
        let error = #expect(throws: JWTKError(.limitExceeded)) { try verifier.verify(past) }
        #expect(error?.reason == "the header is larger than \(limit) bytes")
    }

    /// The default 16 KiB token limit, exactly and one byte past it.
    @Test func tokenSizeDefaultIsExact() throws {
        // base64url never yields a length of 4m + 1, so pad the header too until the token is exactly 16 KiB.
        func token(header: Int, claims: Int) throws -> String {
            try Self.token(
                claims: #"{"exp":4102444800,"pad":"\#(String(repeating: "a", count: claims))"}"#,
                header: #"{"alg":"HS256","kid":"hs256","p":"\#(String(repeating: "h", count: header))"}"#)
        }
        let base = try token(header: 0, claims: 0).utf8.count
        var exact: String?
        search: for header in 0..<3 {
            for claims in max(0, (16 * 1024 - base) * 3 / 4 - 4)..<((16 * 1024 - base) * 3 / 4 + 4) {
                let candidate = try token(header: header, claims: claims)
                if candidate.utf8.count == 16 * 1024 {
                    exact = candidate
                    break search
                }
            }
        }
        let atLimit = try #require(exact)
        #expect(throws: Never.self) { try Self.verifier.verify(atLimit) }
        let error = #expect(throws: JWTKError(.limitExceeded)) { try Self.verifier.verify(atLimit + "A") }
        #expect(error?.reason == "token is 16385 bytes; the limit is 16384")
    }

    /// "Time proportional to the limit, not to the input", shown by code path: a 10 MB token is refused by its
    /// length alone (the reason names the size check, which runs before the first byte is read), and a
    /// million-deep nesting is refused by the depth pre-scan, which stops one level past the limit ("reached
    /// 17"), before jansson — or, for a header, before any key or signature work.
    @Test func hugeAndDeepInputsAreRefusedByTheirLimitBeforeParsing() throws {
        let huge = "eyJ" + String(repeating: "A", count: 10_000_000 - 3)
        let error = #expect(throws: JWTKError(.limitExceeded)) { try Self.verifier.verify(huge) }
        #expect(error?.reason == "token is 10000000 bytes; the limit is 16384")

        var policy = TestPolicy.fixed()
        policy.limits.maxTokenBytes = 4 << 20
        policy.limits.maxHeaderBytes = 2 << 20
        let lifted = JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy)
        let deepClaims = try Self.token(claims: #"{"exp":4102444800,"a":\#(Self.nested(1_000_000))}"#)
        let claimsError = #expect(throws: JWTKError(.limitExceeded)) { try lifted.verify(deepClaims) }
        #expect(claimsError?.reason == "claims JSON nests deeper than 16 levels (reached 17)")
        // The header is checked first: with a signature that would not verify, the depth limit still answers.
        let deepHeader = TestTokens.b64(#"{"alg":"HS256","kid":"hs256","a":\#(Self.nested(1_000_000))}"#) + ".e30.AAAA"
        let headerError = #expect(throws: JWTKError(.limitExceeded)) { try lifted.verify(deepHeader) }
        #expect(headerError?.reason == "header JSON nests deeper than 16 levels (reached 17)")
        // A 10 MiB JWK Set is refused by its size before it is parsed.
        let bigSet = String(repeating: "[", count: 10 << 20)
        let setError = #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: bigSet) }
        #expect(setError?.reason == "JWK Set is \(10 << 20) bytes; the limit is \(1 << 20)")
    }

    @Test func jwkSetDepthAndDefaultSizesAreExact() throws {
        // The set object is depth 1: a member holding 15 nested arrays reaches the default limit of 16.
        #expect(try JWKSet(json: #"{"keys":[],"x":\#(Self.nested(15))}"#).keys.isEmpty)
        #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: #"{"keys":[],"x":\#(Self.nested(16))}"#) }
        #expect(try JWKSet(json: #"{"keys":[],"x":\#(Self.nested(3))}"#, limits: .init(maxDepth: 4)).keys.isEmpty)
        #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: #"{"keys":[],"x":\#(Self.nested(4))}"#, limits: .init(maxDepth: 4)) }
        // Exactly 100 keys (here all unusable, so all skipped) are read; 101 are refused (above).
        let hundred = #"{"keys":[\#(Array(repeating: #"{"kty":"none"}"#, count: 100).joined(separator: ","))]}"#
        #expect(try JWKSet(json: hundred).skipped.count == 100)
        // Exactly 1 MiB is read; one byte more is refused.
        let shell = #"{"keys":[],"pad":""}"#
        let mebibyte = #"{"keys":[],"pad":"\#(String(repeating: "x", count: (1 << 20) - shell.utf8.count))"}"#
        try #require(mebibyte.utf8.count == 1 << 20)
        #expect(try JWKSet(json: mebibyte).keys.isEmpty)
        #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: mebibyte + " ") }
    }

    /// `maxKeysTried`: with N candidate keys (the signer last) the token verifies; with N + 1 it is ambiguous.
    @Test(arguments: [1, 2, 5])
    func keysTriedIsExact(limit: Int) throws {
        let signer = try SigningKey.generate(for: .ES256)
        let others = try (0..<limit).map { _ in try SigningKey.generate(for: .ES256).verificationKey }
        let token = try JWTSigner(key: signer, algorithm: .ES256).sign(claims: #"{"exp":4102444800}"#)
        var policy = TestPolicy.fixed()
        policy.maxKeysTried = limit
        let atLimit = Array(others.prefix(limit - 1)) + [signer.verificationKey]
        #expect(try JWTVerifier(keys: atLimit, policy: policy).verify(token).key.thumbprint == signer.verificationKey.thumbprint)
        #expect(throws: JWTKError(.ambiguousKey)) { try JWTVerifier(keys: others + [signer.verificationKey], policy: policy).verify(token) }
    }

    /// RSA bounds: the policy minimum (2048 bits by default) and the import bounds (a modulus of 64 to 2048 bytes,
    /// an exponent of at most 64 bits).
    @Test func rsaSizeBoundsAreExact() throws {
        let token = try JWTSigner(key: TestKeys.rsa, algorithm: .RS256).sign(claims: #"{"exp":4102444800}"#)
        var policy = TestPolicy.fixed()
        #expect(throws: Never.self) { try JWTVerifier(keys: [TestKeys.rsa.verificationKey], policy: policy).verify(token) }
        policy.minimumRSAKeyBits = 2049
        #expect(throws: JWTKError(.weakKey)) { try JWTVerifier(keys: [TestKeys.rsa.verificationKey], policy: policy).verify(token) }

        func jwk(modulusBytes: Int, exponent: [UInt8] = [1, 0, 1]) -> String {
            var n = [UInt8](repeating: 0xA5, count: modulusBytes)
            n[0] = 0xC3
            n[modulusBytes - 1] = 0x01
            return #"{"kty":"RSA","n":"\#(TestTokens.b64(n))","e":"\#(TestTokens.b64(exponent))"}"#
        }
        #expect(try VerificationKey(jwk: jwk(modulusBytes: 2048)).type == .rsa(bits: 16384))
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: jwk(modulusBytes: 2049)) }
        #expect(try VerificationKey(jwk: jwk(modulusBytes: 64)).type == .rsa(bits: 512))
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: jwk(modulusBytes: 63)) }
        let wide: [UInt8] = [0x80, 0, 0, 0, 0, 0, 0, 1]
        #expect(try VerificationKey(jwk: jwk(modulusBytes: 256, exponent: wide)).type == .rsa(bits: 2048))
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: jwk(modulusBytes: 256, exponent: [1] + wide)) }
    }

    /// HMAC secrets: exactly the hash length passes, one byte shorter is weak (RFC 7518 §3.2).
    @Test(arguments: [(JWSAlgorithm.HS256, 32), (.HS384, 48), (.HS512, 64)])
    func hmacSecretLengthIsExact(algorithm: JWSAlgorithm, bytes: Int) throws {
        for (length, weak) in [(bytes, false), (bytes - 1, true)] {
            let key = try SigningKey(hmacSecret: Array(repeating: 0x5A, count: length))
            let token = try JWTSigner(key: key, algorithm: algorithm).sign(claims: #"{"exp":4102444800}"#)
            let verifier = JWTVerifier(keys: [key.verificationKey], policy: TestPolicy.fixed())
            if weak {
                #expect(throws: JWTKError(.weakKey), "\(algorithm) \(length)") { try verifier.verify(token) }
            } else {
                #expect(throws: Never.self, "\(algorithm) \(length)") { try verifier.verify(token) }
            }
        }
    }

    /// 100 000 levels of nesting are refused by the pre-scan, never by recursion (no stack overflow).
    @Test func deepNestingIsRefusedWithoutRecursion() throws {
        var policy = TestPolicy.fixed()
        policy.limits.maxTokenBytes = 1 << 20
        let verifier = JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy)
        let deep = try Self.token(claims: #"{"exp":4102444800,"a":\#(Self.nested(100_000))}"#)
        #expect(throws: JWTKError(.limitExceeded)) { try verifier.verify(deep) }
        let unbalanced = try Self.token(claims: String(repeating: "{\"a\":", count: 100_000))
        #expect(throws: JWTKError(.limitExceeded)) { try verifier.verify(unbalanced) }
        // Even with the depth limit lifted, jansson's own depth bound answers cleanly.
        policy.limits.maxJSONDepth = 1_000_000
        let error = errorCode { try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(deep) }
        #expect(error == .invalidJSON || error == .limitExceeded)
        // A deep JWK Set is refused the same way.
        #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: #"{"keys":\#(Self.nested(100_000))}"#) }
    }

    @Test func jwkSetOverItsLimitsIsRefused() throws {
        let text = try Fixtures.text("generated/jwks-25.json")
        #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: text, limits: .init(maxKeys: 24)) }
        #expect(try JWKSet(json: text, limits: .init(maxKeys: 25)).keys.count == 25)
        #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: text, limits: .init(maxBytes: text.utf8.count - 1)) }
        #expect(try JWKSet(json: text, limits: .init(maxBytes: text.utf8.count)).keys.count == 25)
        // Default: 100 keys. 101 (even unusable ones) is refused.
        let many = #"{"keys":[\#(Array(repeating: #"{"kty":"none"}"#, count: 101).joined(separator: ","))]}"#
        #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: many) }
        // Default 1 MiB.
        let huge = #"{"keys":[],"pad":"\#(String(repeating: "x", count: 1 << 20))"}"#
        #expect(throws: JWTKError(.limitExceeded)) { try JWKSet(json: huge) }
        #expect(throws: JWTKError(.limitExceeded)) { try VerificationKey(jwk: huge) }
    }
}
