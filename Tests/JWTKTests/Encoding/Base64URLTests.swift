import Foundation
import JWTK
import Testing

/// Strict base64url (RFC 7515 §2, RFC 4648 §5): one accepted encoding per byte string.
@Suite("Base64URL")
struct Base64URLTests {
    @Test func encodesWithoutPaddingInTheURLAlphabet() {
        #expect(Base64URL.encode([]) == "")
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode(Array("f".utf8)) == "Zg")
        #expect(Base64URL.encode(Array("fo".utf8)) == "Zm8")
        #expect(Base64URL.encode(Array("foo".utf8)) == "Zm9v")
        #expect(Base64URL.encode(Array("foobar".utf8)) == "Zm9vYmFy")
    }

    /// Every length 0...64 of pseudo-random bytes round-trips and matches Foundation's encoder.
    @Test func roundTripsEveryLength() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0...64 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64URL.encode(bytes)
            #expect(encoded == (try Base64URLTestCodec.encode(bytes)))
            #expect(try Base64URL.decode(encoded) == bytes)
        }
    }

    /// Every length 0...200 (the vector blocks, every tail after them, several blocks in a row) round-trips.
    @Test func roundTripsAcrossTheVectorBlocks() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0...200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(try Base64URL.decode(Base64URL.encode(bytes)) == bytes, "length \(length)")
        }
    }

    /// Every byte value at every position of the three 16-character vector blocks of a 54-character input
    /// (and the first positions of its scalar tail): accepted exactly when it is in the alphabet, and then
    /// decoded to the bytes whose canonical encoding is that input (the encoder is separate, scalar code).
    @Test func everyByteAtEveryBlockPositionIsClassifiedLikeTheAlphabet() throws {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let base = Array(Base64URL.encode((0..<40).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).utf8)
        #expect(base.count == 54)
        var wrong: [String] = []
        for position in 0..<52 {
            for value in 0...255 {
                var text = base
                text[position] = UInt8(value)
                let decoded = try? text.withUnsafeBufferPointer { try Base64URL.decode($0) }
                if alphabet.contains(UInt8(value)) {
                    if decoded.map({ Array(Base64URL.encode($0).utf8) }) != text { wrong.append("\(position):\(value)") }
                } else if decoded != nil {
                    wrong.append("\(position):\(value) accepted")
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(10))")
    }

    @Test(arguments: [
        "Zg==", "Zg=", "Zm9v+", "Zm9v/", "Zm 9v", "Zm9v\n", " Zm9v", "Zm9v\t", "Z", "Zm9vY", "Zh", "Zm9", "Zm+v", "Zm9v%", "Zm9vYm\u{0}",
    ])
    func nonCanonicalInputIsRefused(_ text: String) {
        // "Zh" and "Zm9" would decode to "f"/"fo" but carry non-zero unused bits ("Zg"/"Zm8" are canonical).
        #expect(throws: JWTKError(.invalidBase64URL), "\(text.debugDescription)") { try Base64URL.decode(text) }
    }

    /// Empty input from 4 threads at once: empty output, and (under `make test-tsan`) no write to the shared
    /// empty-array storage. A capacity-0 `Array(unsafeUninitializedCapacity:)` made that write; CI's TSan
    /// stage caught it through two verifications of an empty signature running in parallel.
    @Test func emptyInputDecodesAndEncodesToEmptyFromManyThreads() {
        let mismatches = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<500 {
                let decoded = try? Base64URL.decode("")
                let encoded = Base64URL.encode([UInt8]())
                if decoded != [] || encoded != "" { mismatches.withLock { $0 += 1 } }
            }
        }
        #expect(mismatches.withLock { $0 } == 0)
    }

    @Test func nonASCIIInputIsRefused() {
        #expect(throws: JWTKError(.invalidBase64URL)) { try Base64URL.decode("Zm9vé") }
        #expect(throws: JWTKError(.invalidBase64URL)) { try Base64URL.decode("ＺＭ９ｖ") }
    }
}

/// Token shape and segment encoding (RFC 7515 §7.1).
@Suite("Token shape and encoding")
struct ShapeTests {
    static let verifier = JWTVerifier(keys: [TestKeys.hs256.verificationKey], policy: TestPolicy.fixed())
    static var good: String { try! JWTSigner(key: TestKeys.hs256, algorithm: .HS256).sign(claims: #"{"exp":4102444800}"#) }

    @Test func validTokenVerifies() { #expect(throws: Never.self) { try Self.verifier.verify(Self.good) } }

    @Test func wrongSegmentCountIsMalformed() {
        let p = TestTokens.segments(Self.good)
        for token in [
            "", p[0], "\(p[0]).\(p[1])", "\(p[0]).\(p[1]).\(p[2]).", "\(p[0]).\(p[1]).\(p[2]).\(p[2]).\(p[2]).\(p[2])", "..", "....",
        ] {
            let code = errorCode { try Self.verifier.verify(token) }
            if token.filter({ $0 == "." }).count == 4 {
                #expect(code == .encryptedTokenUnsupported, "\(token.prefix(20))")
            } else {
                #expect(code == .malformedToken, "\(token.prefix(20))")
            }
        }
    }

    @Test func fiveSegmentsAreReportedAsEncrypted() throws {
        let header = TestTokens.b64(#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#)
        let jwe = "\(header).AAAA.AAAA.AAAA.AAAA"
        #expect(throws: JWTKError(.encryptedTokenUnsupported)) { try Self.verifier.verify(jwe) }
        #expect(throws: JWTKError(.encryptedTokenUnsupported)) { try UnverifiedJWT.decode(jwe) }
        #expect(try UnverifiedJWT.decodeEncryptedHeader(jwe)["enc"]?.string == "A256GCM")
    }

    @Test func emptyHeaderSegmentIsMalformed() {
        let p = TestTokens.segments(Self.good)
        #expect(throws: JWTKError(.malformedToken)) { try Self.verifier.verify(".\(p[1]).\(p[2])") }
    }

    @Test func emptyPayloadIsSignedContentNotAbsentContent() throws {
        // An empty payload with a valid signature is a JWS with empty content: verifySignature accepts it,
        // verify refuses it as claims (not JSON).
        let token = try TestTokens.sign(
            encodedHeader: TestTokens.b64(#"{"alg":"HS256"}"#), encodedPayload: "", key: TestKeys.hs256, algorithm: .HS256)
        #expect(try Self.verifier.verifySignature(token).payload.isEmpty)
        let code = errorCode { try Self.verifier.verify(token) }
        #expect(code == .invalidJSON || code == .invalidPayload)
    }

    /// Each non-canonical form, in each segment, is refused: padding, `+`, `/`, whitespace, trailing bits.
    /// Header and payload variants are re-signed over their exact bytes, so the encoding is the only defect
    /// (a correctly signed token with a non-canonical payload is still refused).
    @Test(arguments: [0, 1, 2])
    func nonCanonicalSegmentIsInvalidBase64URL(_ segment: Int) throws {
        // Segment lengths 39, 38 and 43 characters: none a multiple of 4, so padding and trailing bits apply.
        let token = try TestTokens.sign(
            header: #"{"alg":"HS256","kid":"hs256"}"#, payload: #"{"exp":4102444800,"x":"abc"}"#, key: TestKeys.hs256, algorithm: .HS256)
        let parts = TestTokens.segments(token)
        func with(_ replacement: String) throws -> String {
            var p = parts
            p[segment] = replacement
            if segment == 2 { return p.joined(separator: ".") }
            return try TestTokens.sign(encodedHeader: p[0], encodedPayload: p[1], key: TestKeys.hs256, algorithm: .HS256)
        }
        let s = parts[segment]
        #expect(s.count % 4 != 0, "the test needs a segment with unused bits")
        var variants = [
            s + "=", s + "==", " " + s, s + " ", s + "\n", String(s.dropLast()) + "\n" + String(s.suffix(1)), "+" + s.dropFirst(),
            "/" + s.dropFirst(),
        ]
        // Change the last character so that its unused low bits become non-zero.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let last = alphabet.firstIndex(of: s.last!)!
        variants.append(String(s.dropLast()) + String(alphabet[last | 1]))
        var checked = 0
        for variant in variants where variant != s {
            let code = errorCode { try Self.verifier.verify(try with(variant)) }
            #expect(code == .invalidBase64URL, "segment \(segment): \(variant.debugDescription.prefix(30)) -> \(String(describing: code))")
            checked += 1
        }
        #expect(checked == variants.count)
    }

    @Test func whitespaceAroundTheTokenIsRefused() {
        for token in [Self.good + "\n", " " + Self.good, Self.good + " ", "\t" + Self.good] {
            #expect(throws: JWTKError(.invalidBase64URL)) { try Self.verifier.verify(token) }
        }
    }

    @Test(arguments: ["[]", #""x""#, "1", "null", "true", #"[{"alg":"HS256"}]"#])
    func headerThatIsNotAnObjectIsInvalidHeader(_ header: String) throws {
        let token = try TestTokens.sign(header: header, payload: #"{"exp":4102444800}"#, key: TestKeys.hs256, algorithm: .HS256)
        #expect(throws: JWTKError(.invalidHeader)) { try Self.verifier.verify(token) }
    }

    @Test func headerThatIsNotUTF8IsInvalidJSON() throws {
        for bytes in [
            [0x7B, 0x22, 0x61, 0x6C, 0x67, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D],
            Array(#"{"alg":"HS256","x":""#.utf8) + [0xC3, 0x28, 0x22, 0x7D],
        ] as [[UInt8]] {
            let token = try TestTokens.sign(
                encodedHeader: TestTokens.b64(bytes), encodedPayload: TestTokens.b64("{}"), key: TestKeys.hs256, algorithm: .HS256)
            #expect(throws: JWTKError(.invalidJSON)) { try Self.verifier.verify(token) }
        }
        for text in ["{", #"{"alg":"HS256",}"#, #"{'alg':'HS256'}"#, #"{"alg":"HS256"} x"#] {
            let token = try TestTokens.sign(header: text, payload: "{}", key: TestKeys.hs256, algorithm: .HS256)
            #expect(throws: JWTKError(.invalidJSON), "\(text)") { try Self.verifier.verify(token) }
        }
    }

    /// A payload that is not a JSON object fails `verify` (claims required) but `verifySignature` returns it.
    @Test(arguments: ["[1,2]", #""text""#, "42", "null", "plain bytes", "{not json"])
    func nonObjectPayloadIsInvalidForVerifyButFineForVerifySignature(_ payload: String) throws {
        let token = try TestTokens.sign(header: #"{"alg":"HS256"}"#, payload: payload, key: TestKeys.hs256, algorithm: .HS256)
        #expect(try Self.verifier.verifySignature(token).payload == Array(payload.utf8))
        let code = errorCode { try Self.verifier.verify(token) }
        let expected: JWTKError.Code = payload.hasPrefix("plain") || payload.hasPrefix("{not") ? .invalidJSON : .invalidPayload
        #expect(code == expected, "\(payload)")
    }

    @Test func unverifiedDecodeShowsEverythingAndTrustsNothing() throws {
        let decoded = try UnverifiedJWT.decode(Self.good)
        #expect(decoded.header?.algorithmName == "HS256")
        #expect(decoded.payloadJSON?["exp"]?.integer == 4_102_444_800)
        #expect(decoded.signature.count == 32)
        // A header with a wrong-typed member still decodes, with the error reported.
        let odd = TestTokens.b64(#"{"kid":1}"#) + "." + TestTokens.b64("x") + "."
        let oddDecoded = try UnverifiedJWT.decode(odd)
        #expect(oddDecoded.header == nil && oddDecoded.headerError?.code == .invalidHeader)
        #expect(oddDecoded.payloadError?.code == .invalidJSON)
    }
}
