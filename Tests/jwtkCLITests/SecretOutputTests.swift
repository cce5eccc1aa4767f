import Foundation
import Testing

/// No secret or private-key text in the CLI's output, each pinned through the real binary.
@Suite("jwtk: no key bodies or secret thumbprints in output")
struct SecretOutputTests {
    static let d = "ajqpkuz16Rl2aL3dSFKhglIsS4ldQguda1yUZqAF5fg"

    /// `sign --jwks` parses a private key set: a syntax error in `d` (its quotes lost, or a raw line break as
    /// a wrapped paste leaves) names line and column, never jansson's quote of the input (`near 'ajqpkuz'`,
    /// the start of `d`, before this was fixed).
    @Test(arguments: ["unquoted", "line break"])
    func signJWKSSyntaxErrorNeverQuotesThePrivateKey(_ damage: String) throws {
        let d = damage == "unquoted" ? Self.d : "\"\(Self.d.prefix(20))\n\(Self.d.dropFirst(20))\""
        let broken = "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"p256\",\"d\":\(d)}]}"
        let path = try CLI.tempFile(broken, name: "private-set.json")
        for args in [["sign", "--jwks", path, "--kid", "p256"], ["sign", "--jwks", path, "--kid", "p256", "--json"]] {
            let result = try CLI.run(args)
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("at line 1, column"), "\(result.stderr)")
            let output = result.stdout + result.stderr
            for start in 0...(Self.d.count - 6) {
                let run = Self.d.dropFirst(start).prefix(6)
                #expect(!output.contains(run), "\(run) of d appears in: \(output)")
            }
        }
    }

    /// The thumbprint of an `oct` key is a hash of the secret: `jwks` shows it neither in text nor in JSON.
    @Test func jwksNeverPrintsTheThumbprintOfASecret() throws {
        let set = try CLI.tempFile(
            "{\"keys\":[" + (try String(contentsOfFile: CLI.path("testvectors/generated/keys/hs256.public.jwk.json"), encoding: .utf8))
                + "]}", name: "oct-set.json")
        let thumbprint = try CLI.run(["thumbprint", CLI.path("testvectors/generated/keys/hs256.public.jwk.json")])
        let secretThumbprint = thumbprint.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).first.map(String.init) ?? "?"
        #expect(thumbprint.status == 0 && secretThumbprint.count == 43, "\(thumbprint.stdout)")

        let text = try CLI.run(["jwks", set])
        #expect(text.stdout.contains("thumbprint (symmetric key: not shown)"), "\(text.stdout)")
        #expect(!text.stdout.contains(secretThumbprint))
        let json = try CLI.run(["jwks", "--json", set])
        #expect(!json.stdout.contains(secretThumbprint))
        let keys = try #require(try json.json()["keys"] as? [[String: Any]])
        #expect(keys.count == 1)
        #expect(keys.first?["thumbprint"] is NSNull)
    }
}
