import Testing

@testable import JWTK

/// `Exact.equal` is the comparison behind `kid` lookup and `iss`/`aud`/`typ` checks: UTF-8 bytes, never
/// Unicode canonical equivalence (which Swift's `==` applies).
@Suite("Byte-exact string equality")
struct ByteExactEqualityTests {
    @Test(arguments: [
        ("https://auth.smarttask.example", "https://auth.smarttask.example", true),
        ("", "", true),
        ("kid-1", "kid-2", false),
        ("ab", "ba", false),
        ("abc", "abcd", false),
        // U+00E9 vs "e" + U+0301: equal under ==, different bytes.
        ("caf\u{E9}", "cafe\u{301}", false),
        // U+212A KELVIN SIGN vs "K": canonically equivalent.
        ("\u{212A}id", "Kid", false),
        // Same byte count, one byte apart in the last position.
        (String(repeating: "a", count: 64) + "x", String(repeating: "a", count: 64) + "y", false),
    ])
    func comparesUTF8Bytes(a: String, b: String, equal: Bool) {
        #expect(Exact.equal(a, b) == equal)
        #expect(Exact.equal(b, a) == equal)
    }

    @Test func canonicallyEquivalentStringsAreEqualUnderSwiftButNotHere() {
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(composed == decomposed)
        #expect(!Exact.equal(composed, decomposed))
        #expect(!Exact.contains(["caf\u{E9}"], decomposed))
        #expect(Exact.contains(["caf\u{E9}"], composed))
    }

    @Test func stringsBuiltFromSubstringsAndScalarsCompareByBytes() {
        let long = "https://auth.smarttask.example/tenant/42"
        let slice = String(long.dropLast(10))
        #expect(Exact.equal(slice, "https://auth.smarttask.example"))
        let fromScalars = String(String.UnicodeScalarView("kid".unicodeScalars))
        #expect(Exact.equal(fromScalars, "kid"))
    }
}
