import ArgumentParser
import Foundation
import JWTK

/// `jwtk sign`: produce a token.
struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign claims into a compact JWS/JWT (test fixtures, reproducing a provider's tokens).",
        discussion: """
            The header is {"alg","typ","kid"} (kid from --kid or the key) plus --header members. Claims come from \
            --claims (a JSON object; "-" reads stdin), then --set, then --iat/--nbf/--exp, later ones replacing \
            earlier members of the same name. A --set value is JSON when it parses as JSON (sub=42 is the number \
            42, sub='"42"' the string), else a string. ECDSA signatures are raw R||S (RFC 7518 §3.4).

            EXAMPLE
              jwtk sign --key testvectors/generated/keys/p256.private.jwk.json --alg ES256 \\
                --set iss=https://issuer.example --set 'sub="42"' --set 'roles=["admin"]' --iat --exp 1h

            \(exitStatusHelp)
            """)

    @Option(
        name: .customLong("key"),
        help: ArgumentHelp("The private key: a JWK (RSA, EC, OKP or oct) or PEM (PKCS#8, RSA/EC PRIVATE KEY).", valueName: "PATH"))
    var key: String?

    @Option(
        name: .customLong("secret-file"),
        help: ArgumentHelp("HMAC secret: the file's bytes, minus one trailing newline.", valueName: "PATH"))
    var secretFile: String?

    @Option(name: .customLong("secret-env"), help: ArgumentHelp("HMAC secret: this environment variable's value.", valueName: "VAR"))
    var secretEnv: String?

    @Option(help: ArgumentHelp("The algorithm (required; never inferred).", valueName: "ALG"))
    var alg: String

    @Option(help: ArgumentHelp("The kid header (default: the JWK's kid, if any).", valueName: "ID"))
    var kid: String?

    @Option(help: ArgumentHelp("The typ header.", valueName: "VALUE"))
    var typ: String = "JWT"

    @Flag(name: .customLong("no-typ"), help: "Omit the typ header.")
    var noTyp = false

    @Option(
        name: .customLong("header"),
        help: ArgumentHelp("An extra header member; VALUE as JSON when valid JSON, else a string. Repeatable.", valueName: "name=value"))
    var headers: [String] = []

    @Option(help: ArgumentHelp("A JSON object file with the claims (\"-\" for stdin).", valueName: "FILE"))
    var claims: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("A claim; VALUE as JSON when valid JSON, else a string. Repeatable.", valueName: "name=value"))
    var sets: [String] = []

    @Flag(help: "Set iat to now.")
    var iat = false

    @Option(
        help: ArgumentHelp(
            "Set exp: a duration from now (90s, 15m, 1h, 2d; --exp=-1h for an expired token) or an RFC 3339 time.", valueName: "WHEN"))
    var exp: String?

    @Option(help: ArgumentHelp("Set nbf: a duration from now (0, 5m, --nbf=-1m) or an RFC 3339 time.", valueName: "WHEN"))
    var nbf: String?

    @Option(help: ArgumentHelp("Use this time as now for iat/exp/nbf (Unix seconds or RFC 3339).", valueName: "TIME"))
    var now: String?

    func run() throws {
        let algorithm = try parseAlgorithm()
        if claims == "-" && (key == "-" || secretFile == "-") {
            throw CLIFailure.usage("stdin can supply the claims or the key, not both")
        }
        let signingKey = try loadKey()
        let now = try Input.now(self.now)

        var members: [(String, String)] = []
        func put(_ name: String, _ json: String) {
            if let index = members.firstIndex(where: { $0.0 == name }) { members[index].1 = json } else { members.append((name, json)) }
        }
        if let claims {
            let bytes = try Input.file(claims)
            let value: JSONValue
            do throws(JWTKError) { value = try JSONValue.parse(bytes: bytes) } catch { throw CLIFailure.input(claims, error) }
            guard let pairs = value.members else { throw CLIFailure.usage("\(claims): the claims must be a JSON object") }
            for (name, member) in pairs { put(name, member.serialized()) }
        }
        for assignment in sets {
            let (name, value) = try Self.split(assignment, option: "--set")
            put(name, value)
        }
        if iat { put("iat", Self.number(now)) }
        if let nbf { put("nbf", Self.number(try Input.instant(nbf, now: now, option: "--nbf"))) }
        if let exp { put("exp", Self.number(try Input.instant(exp, now: now, option: "--exp"))) }

        var header: [(String, String)] = [("alg", JSONOut.quote(algorithm.rawValue))]
        if !noTyp { header.append(("typ", JSONOut.quote(typ))) }
        if let id = kid ?? signingKey.keyID { header.append(("kid", JSONOut.quote(id))) }
        for assignment in headers {
            let (name, value) = try Self.split(assignment, option: "--header")
            guard name != "alg" else { throw CLIFailure.usage("--header alg: the algorithm is set by --alg") }
            if let index = header.firstIndex(where: { $0.0 == name }) { header[index].1 = value } else { header.append((name, value)) }
        }
        func object(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { "\(JSONOut.quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
        }
        let signingInput = Base64URL.encode(Array(object(header).utf8)) + "." + Base64URL.encode(Array(object(members).utf8))
        let signature: [UInt8]
        do throws(JWTKError) {
            signature = try signingKey.sign(Array(signingInput.utf8), algorithm: algorithm)
        } catch {
            throw CLIFailure.input("cannot sign", error)
        }
        print(signingInput + "." + Base64URL.encode(signature))
    }

    private func parseAlgorithm() throws(CLIFailure) -> JWSAlgorithm {
        if JWSAlgorithm.isUnsecuredName(alg) { throw .usage("--alg \(alg): jwtk does not produce unsecured tokens") }
        guard let algorithm = JWSAlgorithm(rawValue: alg) else {
            throw .usage(
                "--alg: unknown algorithm \"\(alg)\" (supported: \(JWSAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return algorithm
    }

    private func loadKey() throws(CLIFailure) -> SigningKey {
        let sources = [key, secretFile, secretEnv].compactMap { $0 }
        guard sources.count == 1 else { throw .usage("give exactly one of --key PATH, --secret-file PATH, --secret-env VAR") }
        let source = key ?? secretFile ?? "--secret-env \(secretEnv ?? "")"
        var secret: [UInt8]?
        if let secretFile { secret = try Input.hmacSecret(Array(Input.strippingOneNewline(try Input.file(secretFile))), source: source) }
        if let secretEnv {
            // The variable's raw bytes, not a UTF-8 decoding of them.
            guard let raw = Input.environmentBytes(secretEnv) else {
                throw .input(source, JWTKError(.invalidArgument, "the environment variable \(secretEnv) is not set"))
            }
            secret = try Input.hmacSecret(raw, source: source)
        }
        let bytes = try key.map { path throws(CLIFailure) in try Input.file(path) }
        do throws(JWTKError) {
            if let secret { return try SigningKey(hmacSecret: secret, keyID: kid) }
            return try SigningKey.load(contents: bytes ?? [], keyID: kid)
        } catch {
            throw .input(source, error)
        }
    }

    /// `name=value`: the value as JSON when it parses as JSON, else as a string.
    static func split(_ assignment: String, option: String) throws(CLIFailure) -> (String, String) {
        guard let eq = assignment.firstIndex(of: "="), eq != assignment.startIndex else {
            throw .usage("\(option) \"\(assignment)\": expected name=value")
        }
        let name = String(assignment[..<eq])
        let raw = String(assignment[assignment.index(after: eq)...])
        if let value = try? JSONValue.parse(raw) { return (name, value.serialized()) }
        return (name, JSONOut.quote(raw))
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 9e15 ? String(Int64(value)) : String(value)
    }
}
