import Foundation
import JWTK
import Testing

/// `jwtk keygen` (issue 12 item 9): a private JWK and its public JWK Set for every algorithm, usable by
/// `sign` and `verify`.
@Suite("jwtk keygen")
struct KeygenTests {
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("jwtk-keygen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test("keygen, sign, verify round-trip", arguments: JWSAlgorithm.allCases)
    func roundTrip(_ algorithm: JWSAlgorithm) throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("k.jwk").path
        let jwks = dir.appendingPathComponent("jwks.json").path
        let made = try CLI.run(["keygen", "--alg", algorithm.rawValue, "--kid", "k1", "--out", key, "--jwks", jwks])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.hasPrefix("wrote \(key) (private JWK, mode 0600) and \(jwks) (JWK Set"))
        #expect(try Self.mode(key) == 0o600)
        #expect(try Self.mode(jwks) == (algorithm.family == .hmac ? 0o600 : 0o644))
        let privateText = try String(contentsOfFile: key, encoding: .utf8)
        let signing = try SigningKey(jwk: privateText)  // the library reads it back, pairwise check included
        #expect(signing.keyID == "k1")
        let set = try JWKSet(json: try String(contentsOfFile: jwks, encoding: .utf8))
        #expect(set.keys.count == 1)
        #expect(set.keys.first?.thumbprint == signing.verificationKey.thumbprint)
        if algorithm.family != .hmac {
            #expect(!(try String(contentsOfFile: jwks, encoding: .utf8)).contains("\"d\""), "the public set carries d")
        }
        let token = try CLI.run(["sign", "--key", key, "--sub", "42", "--aud", "api", "--exp", "+1h"])
        #expect(token.status == 0, "\(token.stderr)")
        let verified = try CLI.run(["verify", "--jwks", jwks, "--aud", "api", "-"], stdin: Array(token.stdout.utf8))
        #expect(verified.status == 0, "\(algorithm): \(verified.stderr)")
        #expect(verified.stdout.hasPrefix("VALID: \(algorithm.rawValue) signature verified by key kid \"k1\""))
    }

    @Test func theDefaultKidIsTheThumbprintAndJSONNamesNoKey() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("k.jwk").path
        let result = try CLI.run(["keygen", "--json", "--alg", "ES256", "--out", key])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let signing = try SigningKey(jwk: try String(contentsOfFile: key, encoding: .utf8))
        #expect(json["kid"] as? String == signing.verificationKey.thumbprint)
        #expect(json["thumbprint"] as? String == signing.verificationKey.thumbprint)
        #expect(json["jwks"] is NSNull)
        #expect(!result.stdout.contains("\"d\""))
    }

    @Test func existingFilesAreNeverOverwrittenAndWeakRSAIsRefused() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("k.jwk").path
        try Data("keep".utf8).write(to: URL(fileURLWithPath: key))
        let existing = try CLI.run(["keygen", "--alg", "ES256", "--out", key])
        #expect(existing.status == 2)
        #expect(existing.stderr == "jwtk: cannot create \(key): the file exists; jwtk keygen never overwrites a key\n")
        #expect(try String(contentsOfFile: key, encoding: .utf8) == "keep")
        let other = dir.appendingPathComponent("r.jwk").path
        let weak = try CLI.run(["keygen", "--alg", "RS256", "--rsa-bits", "2047", "--out", other])
        #expect(weak.status == 2)
        #expect(weak.stderr.hasPrefix("jwtk: --rsa-bits 2047: RSA keys must have 2048 to 16384 bits"))
        let enough = try CLI.run(["keygen", "--alg", "RS256", "--rsa-bits", "2048", "--out", other])
        #expect(enough.status == 0, "\(enough.stderr)")
        let none = try CLI.run(["keygen", "--alg", "none", "--out", dir.appendingPathComponent("n.jwk").path])
        #expect(none.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("n.jwk").path))
    }
}
