import Foundation
import Testing

@testable import JWTK

/// arena.c's per-thread spare block: a freed claims arena serves the same thread's next parse (no malloc for
/// the claims), a document still held is never reused, and the block kept is bounded (64 KiB, tested at the
/// value and one past it).
@Suite struct ArenaSpareTests {
    /// A JSON object of exactly `length` bytes; its arena asks for `length * 8 + 512` bytes at first.
    static func document(_ length: Int) throws -> JSONDocument {
        let prefix = Array(#"{"a":""#.utf8)
        let suffix = Array(#""}"#.utf8)
        let bytes = prefix + [UInt8](repeating: UInt8(ascii: "x"), count: length - prefix.count - suffix.count) + suffix
        #expect(bytes.count == length)
        return try unsafe bytes.withUnsafeBufferPointer { buffer in
            try unsafe JSONDocument.parse(buffer, maxDepth: 8, what: "test", arena: true)
        }
    }

    @Test func aFreedArenaServesTheNextParseOnTheThread() throws {
        JSONDocument.dropThreadSpareArena()
        let holder = try Self.document(64)
        #expect(holder.inArena)
        #expect(!JSONDocument.threadHasSpareArena)
        do { _ = try Self.document(200) }
        #expect(JSONDocument.threadHasSpareArena)
        let reused = try Self.document(100)
        #expect(!JSONDocument.threadHasSpareArena)
        #expect(reused.rootValue["a"]?.string?.count == 100 - 8)
        // A document still held is never handed to another parse.
        do { _ = try Self.document(150) }
        let next = try Self.document(120)
        #expect(reused.rootValue["a"]?.string?.count == 100 - 8)
        #expect(next.rootValue["a"]?.string?.count == 120 - 8)
        #expect(holder.rootValue["a"]?.string?.count == 64 - 8)
    }

    @Test func theSpareIsAtMost64KiB() throws {
        let atLimit = (64 * 1024 - 512) / 8  // an initial block of exactly 64 KiB
        JSONDocument.dropThreadSpareArena()
        let holder = try Self.document(64)
        #expect(!JSONDocument.threadHasSpareArena)
        do { _ = try Self.document(atLimit) }
        #expect(JSONDocument.threadHasSpareArena)
        let taken = try Self.document(64)
        #expect(!JSONDocument.threadHasSpareArena)
        do { _ = try Self.document(atLimit + 1) }
        #expect(!JSONDocument.threadHasSpareArena)
        _ = (holder, taken)
    }

    /// Verifications whose results are dropped hand their claims' block to the next one (make perf-check
    /// pins the allocation count: 3 per verification); results still held are intact.
    @Test func verificationsReuseTheBlockOfDroppedResults() throws {
        let verifier = TestPolicy.verifier()
        let token = try TestTokens.hs256(#"{"sub":"alice","exp":\#(TestPolicy.farExp),"groups":["a","b","c"]}"#)
        let other = try TestTokens.hs256(#"{"sub":"bob","exp":\#(TestPolicy.farExp)}"#)
        JSONDocument.dropThreadSpareArena()
        do { _ = try verifier.verify(token) }
        #expect(JSONDocument.threadHasSpareArena)
        let held = try verifier.verify(token)
        for round in 0..<50 {
            let jwt = try verifier.verify(round % 2 == 0 ? other : token)
            #expect(try jwt.claims.subject == (round % 2 == 0 ? "bob" : "alice"))
        }
        #expect(try held.claims.stringArray("groups") == ["a", "b", "c"])
        #expect(try held.claims.subject == "alice")
    }
}
