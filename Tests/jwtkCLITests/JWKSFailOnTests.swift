import Foundation
import Testing

/// `jwtk jwks --fail-on error|warning` for CI (issue 12 item 9): the listing is printed as always, and the
/// exit status is 1 when a finding reaches the threshold.
@Suite("jwtk jwks --fail-on")
struct JWKSFailOnTests {
    static let lint = "Tests/jwtkCLITests/Fixtures/lint-jwks.json"
    static let warningOnly = "Tests/jwtkCLITests/Fixtures/warning-only-jwks.json"

    @Test func thresholds() throws {
        let clean = try CLI.run(["jwks", "--fail-on", "warning", "\(Craft.example)/jwks.json"])
        #expect(clean.status == 0)
        #expect(clean.stderr == "")

        let warningUnderError = try CLI.run(["jwks", "--fail-on", "error", JWKSFailOnTests.warningOnly])
        #expect(warningUnderError.status == 0)
        let warning = try CLI.run(["jwks", "--fail-on", "warning", JWKSFailOnTests.warningOnly])
        #expect(warning.status == 1)
        #expect(warning.stdout == warningUnderError.stdout)  // the listing is unchanged
        #expect(warning.stderr == "jwtk: --fail-on warning: 1 finding at or above warning (missing_alg)\n")

        let errors = try CLI.run(["jwks", "--fail-on", "error", JWKSFailOnTests.lint])
        #expect(errors.status == 1)
        #expect(
            errors.stderr
                == "jwtk: --fail-on error: 5 findings at or above error (private_members, rsa_key_small, skipped, symmetric_key)\n")
        let json = try CLI.run(["jwks", "--json", "--fail-on", "error", JWKSFailOnTests.lint])
        #expect(json.status == 1)
        #expect(try json.json()["schema_version"] as? Int == 1)

        let without = try CLI.run(["jwks", JWKSFailOnTests.lint])
        #expect(without.status == 0)
        let bad = try CLI.run(["jwks", "--fail-on", "info", JWKSFailOnTests.lint])
        #expect(bad.status == 2)
    }
}
