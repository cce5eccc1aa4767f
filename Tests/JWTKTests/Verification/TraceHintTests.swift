import JWTK
import JWTKInspection
import Testing

/// `verify --explain`'s hints (`VerificationTrace`) over hostile claim values.
@Suite("Verification trace hints")
struct TraceHintTests {
    /// `verify --explain` hints converted `now - exp` and `nbf - now` to Int64: a signed token with an extreme
    /// NumericDate trapped the process.
    @Test(arguments: [#"{"exp":-1e300}"#, #"{"exp":4102444800,"nbf":1e300}"#])
    func explainingAnExtremeNumericDateDoesNotTrap(_ claims: String) throws {
        let token = try TestTokens.hs256(claims)
        let trace = VerificationTrace(verifying: token, with: TestPolicy.verifier())
        #expect(trace.error != nil)
        #expect(!trace.hints.isEmpty)
    }
}
