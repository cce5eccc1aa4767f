import Testing

@testable import JWTK

/// The JSON nesting limit is enforced before jansson runs; its fast path (counting opening brackets) must
/// never let a too-deep document through.
@Suite("JSON nesting limit")
struct JSONDepthScanTests {
    static func parse(_ text: String, maxDepth: Int) throws(JWTKError) -> JSONDocument {
        try JSONDocument.parse(Array(text.utf8), maxDepth: maxDepth, what: "test")
    }

    @Test(arguments: [1, 2, 16])
    func documentAtTheLimitParsesAndOneDeeperIsRefused(_ limit: Int) throws {
        let atLimit = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(try Self.parse(atLimit, maxDepth: limit).rootValue.kind == .array)
        let deeper = String(repeating: "{\"a\":", count: limit + 1) + "1" + String(repeating: "}", count: limit + 1)
        #expect(throws: JWTKError(.limitExceeded)) { try Self.parse(deeper, maxDepth: limit) }
        let mixed = String(repeating: "[{\"k\":", count: limit) + "0" + String(repeating: "}]", count: limit)
        #expect(throws: JWTKError(.limitExceeded)) { try Self.parse(mixed, maxDepth: limit) }
    }

    /// The vectorised count agrees with a byte-by-byte count on every byte value, at every length around the
    /// 16-byte steps, and at every alignment.
    @Test func openingBracketCountMatchesAByteByByteCount() {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0) }  // every byte value
        bytes += (0..<300).map { _ in [0x5B, 0x7B, 0x3B, 0x5D, 0xDB, 0xFB, 0x1B][Int.random(in: 0..<7, using: &generator)] }
        for start in 0..<17 {
            for length in [0, 1, 15, 16, 17, 31, 32, 33, 100, bytes.count - start] where start + length <= bytes.count {
                let expected = bytes[start..<(start + length)].filter { $0 == 0x5B || $0 == 0x7B }.count
                let counted = unsafe bytes.withUnsafeBufferPointer { all in
                    unsafe JSONDocument.openingBrackets(in: UnsafeBufferPointer(rebasing: all[start..<(start + length)]))
                }
                #expect(counted == expected, "start \(start), length \(length)")
            }
        }
    }

    @Test func manyBracketsSideBySideOrInStringsAreNotDepth() throws {
        let wide = "[" + Array(repeating: "[]", count: 40).joined(separator: ",") + "]"
        #expect(try Self.parse(wide, maxDepth: 2).rootValue.count == 40)
        let inString = #"{"s":"[[[[[[[[[[{{{{{{{{{{"}"#
        #expect(try Self.parse(inString, maxDepth: 1).rootValue["s"]?.string == "[[[[[[[[[[{{{{{{{{{{")
    }

    @Test func deeplyNestedHeaderIsRefusedByTheDecoder() {
        let header = Base64URL.encode(Array((String(repeating: "[", count: 40) + String(repeating: "]", count: 40)).utf8))
        #expect(throws: JWTKError(.limitExceeded)) { try UnverifiedJWT.decode("\(header).e30.") }
    }
}
