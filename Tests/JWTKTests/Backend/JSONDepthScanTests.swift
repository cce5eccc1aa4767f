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
