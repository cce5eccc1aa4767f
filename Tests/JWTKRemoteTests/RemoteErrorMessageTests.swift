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
}
