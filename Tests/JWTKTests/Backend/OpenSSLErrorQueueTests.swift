import Testing

@testable import JWTK

/// OpenSSL's per-thread error queue is left empty, so one failure's leftovers never colour the next diagnosis.
@Suite("OpenSSL error queue")
struct OpenSSLErrorQueueTests {
    /// Importing a public-only key must leave nothing on the thread's OpenSSL error queue, or the next
    /// failure's diagnosis reports a stale, unrelated OpenSSL error.
    @Test(arguments: ["ed25519", "p256", "rsa2048"])
    func importingAPublicKeyLeavesNoOpenSSLError(_ name: String) throws {
        OpenSSLErrors.clear()
        _ = try Fixtures.verificationKey(name)
        #expect(OpenSSLErrors.take() == [])
    }
}
