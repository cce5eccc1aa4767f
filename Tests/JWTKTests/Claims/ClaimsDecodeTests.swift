import Foundation
import JWTK
import Testing

/// `claims.decode(T.self)` (issue 12 item 10): `Date` members are NumericDates, and a member that does not fit
/// names its claim.
@Suite("Claims decode into Decodable types")
struct ClaimsDecodeTests {
    struct Session: Decodable {
        let sub: String
        let exp: Date
        let iat: Date
        let login: Date?
        let tenant: String?
        let roles: [String]
        let address: Address?
    }

    struct Address: Decodable { let city: String }

    static func claims(_ payload: String) throws -> JWTClaims {
        var policy = TestPolicy.fixed()
        policy.ignoresAudience = true
        policy.requiresExpiration = false
        let token = try TestTokens.sign(header: #"{"alg":"HS256"}"#, payload: payload, key: TestKeys.hs256, algorithm: .HS256)
        return try JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: policy).verify(token).claims
    }

    @Test func dateMembersAreNumericDates() throws {
        let c = try Self.claims(#"{"sub":"42","exp":4102444800,"iat":1767225000.5,"login":1767224000,"roles":["admin"]}"#)
        let session = try c.decode(Session.self)
        #expect(session.exp == Date(timeIntervalSince1970: 4_102_444_800))
        #expect(session.iat.timeIntervalSince1970 == 1_767_225_000.5)
        #expect(session.login == Date(timeIntervalSince1970: 1_767_224_000))
        #expect(session.exp == (try c.date("exp")))
        #expect(session.roles == ["admin"])
        // A caller's own decoder is used as given.
        let reference = JSONDecoder()
        reference.dateDecodingStrategy = .deferredToDate
        let legacy = try c.decode(Session.self, using: reference)
        #expect(legacy.exp == Date(timeIntervalSinceReferenceDate: 4_102_444_800))
    }

    @Test func aMissingMemberNamesTheClaim() throws {
        let c = try Self.claims(#"{"sub":"42","iat":1767225600,"roles":[]}"#)
        let error = #expect(throws: JWTKError(.missingClaim)) { try c.decode(Session.self) }
        #expect(error?.claim == "exp")
        #expect(error?.reason == "claims do not decode as Session: claim \"exp\" is missing")
    }

    @Test func aMistypedMemberNamesTheClaim() throws {
        let wrongDate = try Self.claims(#"{"sub":"42","exp":4102444800,"iat":1,"login":"yesterday","roles":[]}"#)
        let date = #expect(throws: JWTKError(.invalidClaim)) { try wrongDate.decode(Session.self) }
        #expect(date?.claim == "login")
        #expect(date?.reason == "claims do not decode as Session: claim \"login\" is not a number")

        let wrongSub = try Self.claims(#"{"sub":"42","tenant":42,"exp":4102444800,"iat":1,"roles":[]}"#)
        let sub = #expect(throws: JWTKError(.invalidClaim)) { try wrongSub.decode(Session.self) }
        #expect(sub?.claim == "tenant")
        #expect(sub?.reason == "claims do not decode as Session: claim \"tenant\" is not a string")

        let nested = try Self.claims(#"{"sub":"42","exp":4102444800,"iat":1,"roles":["a",7],"address":{"city":null}}"#)
        let role = #expect(throws: JWTKError(.invalidClaim)) { try nested.decode(Session.self) }
        #expect(role?.claim == "roles")
        #expect(role?.reason == "claims do not decode as Session: claim \"roles[1]\" is not a string")

        let city = try Self.claims(#"{"sub":"42","exp":4102444800,"iat":1,"roles":[],"address":{"city":null}}"#)
        let cityError = #expect(throws: JWTKError(.invalidClaim)) { try city.decode(Session.self) }
        #expect(cityError?.claim == "address")
        #expect(cityError?.reason == "claims do not decode as Session: claim \"address.city\" is null")
    }
}

/// `JWTKError` through Foundation (issue 12 item 11): `localizedDescription` is the CLI's message;
/// `description` keeps the log form `code: reason`.
@Suite("Errors speak Foundation")
struct ErrorMessageTests {
    @Test func localizedDescriptionIsTheMessage() throws {
        let error = JWTKError(.expired, "the token expired at 1970-01-01T00:00:01Z", claim: "exp")
        #expect(error.message == "the token expired at 1970-01-01T00:00:01Z [expired]")
        #expect(error.localizedDescription == error.message)
        #expect(error.description == "expired: the token expired at 1970-01-01T00:00:01Z")  // log form, unchanged
        #expect((error as any Error).localizedDescription == error.message)
        #expect(!(error as any Error).localizedDescription.contains("could not be completed"))
        #expect(error.failureReason == "the token expired at 1970-01-01T00:00:01Z")
        let bare = JWTKError(.signatureInvalid)
        #expect(bare.localizedDescription == "signature_invalid [signature_invalid]")
        #expect(bare.failureReason == nil)
        let ns = error as NSError
        #expect(ns.localizedDescription == error.message)
    }

    @Test func everyCodeHasAMeaningfulLocalizedDescription() {
        for code in JWTKError.Code.allCases {
            let text = (JWTKError(code, "why") as any Error).localizedDescription
            #expect(text == "why [\(code.rawValue)]")
        }
    }

    @Test func openSSLTextStaysInTheDescriptionOnly() {
        let error = JWTKError(.invalidKey, "bad key", openSSLErrors: ["error:1E08010C:DECODER routines::unsupported"])
        #expect(error.message == "bad key [invalid_key]")
        #expect(error.localizedDescription == "bad key [invalid_key]")
        #expect(error.description == "invalid_key: bad key (OpenSSL: error:1E08010C:DECODER routines::unsupported)")
    }
}
