import Foundation
import JWTK
import Testing

/// The error type's stable contract and a few lifetime and size guarantees around it.
@Suite("Error contract")
struct ErrorContractTests {
    @Test func codesAreUniqueAndStable() {
        let names = JWTKError.Code.allCases.map(\.rawValue)
        #expect(Set(names).count == names.count)
        // A sample of the documented names, which scripts match on.
        for (code, name) in [
            (JWTKError.Code.expired, "expired"), (.signatureInvalid, "signature_invalid"),
            (.unsecuredTokenRefused, "unsecured_token_refused"),
            (.invalidBase64URL, "invalid_base64url"), (.limitExceeded, "limit_exceeded"), (.keyNotFound, "key_not_found"),
        ] {
            #expect(code.rawValue == name)
        }
        #expect(JWTKError.Code.expired.category == .claims)
        #expect(JWTKError.Code.signatureInvalid.category == .signature)
    }

    @Test func errorsCompareByCodeAndCarryContext() throws {
        #expect(JWTKError(.expired, "a") == JWTKError(.expired, "b", claim: "exp"))
        #expect(JWTKError(.expired) != JWTKError(.notYetValid))
        let token = try JWTSigner(key: TestKeys.hs256, algorithm: .HS256).sign(claims: #"{"exp":1}"#)
        let error = #expect(throws: JWTKError(.expired)) {
            try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: TestPolicy.fixed()).verify(token)
        }
        #expect(error?.claim == "exp")
        #expect(error?.reason.contains("1970-01-01T00:00:01Z") == true)
        #expect(error?.description.hasPrefix("expired: ") == true)
    }

    /// A JSON sub-value keeps its parsed document alive after the verified token is gone.
    @Test func claimValueOutlivesItsVerifiedToken() throws {
        func address() throws -> JSONValue? {
            let token = try JWTSigner(key: TestKeys.hs256, algorithm: .HS256).sign(
                claims: #"{"exp":4102444800,"address":{"city":"Delft"}}"#)
            return try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: TestPolicy.fixed()).verify(token).claims["address"]
        }
        let value = try #require(try address())
        #expect(value["city"]?.string == "Delft")
    }

    @Test func oversizedRSAModulusIsInvalid() throws {
        var n = [UInt8](repeating: 0xC5, count: 2049)
        n[n.count - 1] = 0x01
        #expect(throws: JWTKError(.invalidKey)) {
            try VerificationKey(jwk: #"{"kty":"RSA","e":"AQAB","n":"\#(try Base64URLTestCodec.encode(n))"}"#)
        }
    }

    @Test func symmetricKeyCannotCarryACertificate() throws {
        let cert = Data(try Fixtures.data("generated/keys/p256.cert.der")).base64EncodedString()
        #expect(throws: JWTKError(.invalidKey)) { try VerificationKey(jwk: #"{"kty":"oct","k":"c2VjcmV0","x5c":["\#(cert)"]}"#) }
    }

    @Test func attackerControlledValuesAreQuotedInErrorMessages() throws {
        let key = try SigningKey.generate(for: .HS256, keyID: "real")
        let forged = try JWTSigner(
            key: try SigningKey(hmacSecret: [UInt8](repeating: 1, count: 32), keyID: "x\n2026-01-01 ERROR admin login ok"),
            algorithm: .HS256
        )
        .sign(claims: #"{"exp":4102444800}"#)
        do {
            _ = try JWTVerifier(keys: [key.verificationKey]).verify(forged)
            Issue.record("a token with an unknown kid verified")
        } catch {
            #expect(error.code == .keyNotFound)
            #expect(!error.reason.contains("\n"))
            #expect(error.reason.contains(#"\n2026-01-01"#))
        }
    }

    /// Values from the token are quoted in reasons so they cannot forge log lines: that includes U+0085 (NEL),
    /// U+2028 and U+2029, which many log viewers break lines on, and the other C1 controls.
    @Test func lineBreakingScalarsFromTheTokenAreEscapedInReasons() throws {
        for kid in ["x\u{2028}forged", "x\u{2029}forged", "x\u{85}forged", "x\u{9B}31m", "x\u{7F}"] {
            let token = try TestTokens.sign(
                header: #"{"alg":"HS256","kid":"\#(kid)"}"#, payload: #"{"exp":\#(TestPolicy.farExp)}"#, key: TestKeys.hs256,
                algorithm: .HS256)
            do {
                _ = try TestPolicy.verifier().verify(token)
                Issue.record("a token with an unknown kid verified")
            } catch {
                #expect(error.code == .keyNotFound)
                #expect(
                    !error.reason.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029 })
                #expect(error.keyID == kid)  // the structured field keeps the exact value
            }
        }
    }
}
