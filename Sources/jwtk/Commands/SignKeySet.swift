import JWTK

/// `sign --jwks FILE --kid K`: the private key chosen from a JWK Set, never guessed.
enum SignKeySet {
    /// The key whose `kid` is `kid` (the only one when the set holds exactly one key and no `--kid` is
    /// given), and its `alg`.
    static func pick(path: String, kid: String?) throws(CLIFailure) -> (SigningKey, String?) {
        let bytes = try Input.file(path)
        let document: JSONValue
        // A private key set: a syntax error names line and column only, never jansson's quote of the input
        // (which could be the start of a `d` or `k` value).
        do throws(JWTKError) {
            document = try JSONDocument.parse(bytes, maxDepth: 16, what: "JWK Set", quotesInput: false).rootValue
        } catch {
            throw CLIFailure.input(path, error)
        }
        guard let keys = document["keys"]?.array else { throw CLIFailure.usage("\(path): not a JWK Set: no \"keys\" array") }
        let chosen: JSONValue
        if let kid {
            let matching = keys.filter { $0["kid"]?.string == kid }
            guard !matching.isEmpty else {
                let ids = keys.compactMap { $0["kid"]?.string }.map { "\"\(Terminal.line($0))\"" }.joined(separator: ", ")
                throw CLIFailure.usage("\(path): no key has kid \"\(Terminal.line(kid))\" (the set has \(ids.isEmpty ? "no kids" : ids))")
            }
            guard matching.count == 1 else {
                throw CLIFailure.usage("\(path): \(matching.count) keys have kid \"\(Terminal.line(kid))\"; a kid must pick one key")
            }
            chosen = matching[0]
        } else {
            guard keys.count == 1 else {
                throw CLIFailure.usage("\(path) holds \(keys.count) keys: pick the signing key with --kid")
            }
            chosen = keys[0]
        }
        do throws(JWTKError) {
            return (try SigningKey(jwk: chosen.serialized()), chosen["alg"]?.string)
        } catch {
            throw CLIFailure.input(path, error)
        }
    }

    /// The `alg` member of a JWK file; nil for PEM, DER or a JWK without one.
    static func algorithm(ofJWK bytes: [UInt8]) -> String? {
        guard bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{"),
            let value = try? JSONValue.parse(bytes: bytes)
        else { return nil }
        return value["alg"]?.string
    }
}
