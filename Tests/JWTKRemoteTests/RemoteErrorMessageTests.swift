import Foundation
import JWTK
import JWTKRemote
import Testing

/// `JWTKRemoteError` through Foundation (issue 12 item 11): `localizedDescription` is the message `jwtk`
/// prints, `reason (url) [code]`; `description` keeps the log form `code: reason (url)`.
@Suite("Remote errors speak Foundation")
struct RemoteErrorMessageTests {
    @Test func localizedDescriptionIsTheCLIMessage() {
        let error = JWTKRemoteError(.httpStatus, "the server answered 503", url: "https://issuer.example/jwks", status: 503)
        #expect(error.message == "the server answered 503 (https://issuer.example/jwks) [http_status]")
        #expect(error.localizedDescription == error.message)
        #expect((error as any Error).localizedDescription == error.message)
        #expect(error.description == "http_status: the server answered 503 (https://issuer.example/jwks)")  // log form, unchanged
        #expect(error.failureReason == "the server answered 503")
        for code in JWTKRemoteError.Code.allCases {
            #expect((JWTKRemoteError(code) as any Error).localizedDescription == "\(code.rawValue) [\(code.rawValue)]")
        }
    }

    /// The one error model: a rejected token is a `JWTKRemoteError` carrying the core error, which keeps its
    /// code, reason and message; rejections compare by the core code, so a test can tell `expired` from
    /// `signature_invalid`, and no rejection equals a key-source failure.
    @Test func aRejectionCarriesTheCoreErrorUnchanged() {
        let core = JWTKError(.expired, "the token expired at 2026-01-01T00:00:00Z", claim: "exp")
        let error = JWTKRemoteError.rejected(core)
        #expect(error.code == .tokenRejected)
        #expect(error.rejection?.code == .expired)
        #expect(error.rejection?.claim == "exp")
        #expect(error.message == core.message)
        #expect(error.description == core.description)
        #expect(error.localizedDescription == core.message)
        #expect(error == JWTKRemoteError.rejected(JWTKError(.expired)))
        #expect(error != JWTKRemoteError.rejected(JWTKError(.signatureInvalid)))
        #expect(error != JWTKRemoteError(.staleKeys))
        #expect(JWTKRemoteError(.staleKeys).rejection == nil)
        // `underlying` on another code (a JWK Set that failed to parse) is not a rejection.
        #expect(JWTKRemoteError(.invalidDocument, "bad", underlying: JWTKError(.invalidJSON)).rejection == nil)
        #expect(Set([error, JWTKRemoteError.rejected(JWTKError(.expired))]).count == 1)
    }
}
