import ArgumentParser
import Foundation
import JWTK

/// `jwtk sign`: produce a token.
struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign claims into a compact JWS/JWT (test fixtures, reproducing a provider's tokens).",
        discussion: """
            The header is {"alg","typ","kid"} (kid from --kid or the key) plus --header members. Claims come from \
            --claims (a JSON object; "-" reads stdin), then --set, then --iss/--sub/--aud/--jti, then \
            --iat/--nbf/--exp, later ones replacing earlier members of the same name. A --set value is JSON when it \
            parses as JSON (sub=42 is the number 42, sub='"42"' the string), else a string. NumericDates are whole \
            seconds. A time is now, Unix seconds (1767225600), relative (+1h, 15m, 2d, --exp=-1h) or an RFC 3339 \
            time or date. The algorithm is the JWK's alg unless --alg is given (a PEM key or a secret needs --alg); \
            --jwks FILE --kid K signs with one key of a private JWK Set. ECDSA signatures are raw R||S (RFC 7518 §3.4).

            EXAMPLE
              jwtk sign --key testvectors/generated/keys/p256.private.jwk.json \\
                --alg ES256 --iss https://issuer.example --sub 42 --aud api \\
                --set 'roles=["admin"]' --iat --exp 1h

            \(exitStatusHelp)
            """)

    @Option(
        name: .customLong("key"),
        help: ArgumentHelp("The private key: a JWK (RSA, EC, OKP or oct) or PEM (PKCS#8, RSA/EC PRIVATE KEY).", valueName: "PATH"),
        completion: .file())
    var key: String?

    @Option(
        name: .customLong("secret-file"),
        help: ArgumentHelp("HMAC secret: the file's bytes, minus one trailing newline.", valueName: "PATH"), completion: .file())
    var secretFile: String?

    @Option(name: .customLong("secret-env"), help: ArgumentHelp("HMAC secret: this environment variable's value.", valueName: "VAR"))
    var secretEnv: String?

    @Option(
        name: .customLong("jwks"),
        help: ArgumentHelp("A JWK Set file with private keys; --kid picks the one to sign with.", valueName: "PATH"), completion: .file())
    var jwks: String?

    @OptionGroup
    var secret: SecretOptions

    @Option(
        help: ArgumentHelp(
            "The algorithm. Default: the JWK's alg; required for PEM keys, secrets and JWKs without alg (never guessed).",
            valueName: "ALG"))
    var alg: String?

    @Option(help: ArgumentHelp("The kid header (default: the JWK's kid, if any).", valueName: "ID"))
    var kid: String?

    @Flag(help: "Print one JSON document on stdout: {schema_version, token, header, claims} instead of the bare token.")
    var json = false

    @Option(help: ArgumentHelp("The typ header.", valueName: "VALUE"))
    var typ: String = "JWT"

    @Flag(name: .customLong("no-typ"), help: "Omit the typ header.")
    var noTyp = false

    @Option(
        name: .customLong("header"),
        help: ArgumentHelp("An extra header member; VALUE as JSON when valid JSON, else a string. Repeatable.", valueName: "name=value"))
    var headers: [String] = []

    @Option(help: ArgumentHelp("A JSON object file with the claims (\"-\" for stdin).", valueName: "FILE"), completion: .file())
    var claims: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("A claim; VALUE as JSON when valid JSON, else a string. Repeatable.", valueName: "name=value"))
    var sets: [String] = []

    @Option(name: .customLong("iss"), help: ArgumentHelp("The iss claim.", valueName: "VALUE"))
    var issuer: String?

    @Option(name: .customLong("sub"), help: ArgumentHelp("The sub claim.", valueName: "VALUE"))
    var subject: String?

    @Option(
        name: .customLong("aud"),
        help: ArgumentHelp("The aud claim; repeat it for an array of audiences.", valueName: "VALUE"))
    var audiences: [String] = []

    @Option(help: ArgumentHelp("The jti claim; --jti alone writes a random 128-bit id.", valueName: "VALUE"))
    var jti: String?

    @Flag(name: .customLong("random-jti"), help: ArgumentHelp("A random 128-bit jti (what --jti alone means).", visibility: .hidden))
    var randomJTI = false

    @Option(
        help: ArgumentHelp(
            "Set iat: --iat alone is now; else Unix seconds, a relative time (-5m) or an RFC 3339 time or date.",
            valueName: "WHEN"))
    var iat: String?

    @Option(
        help: ArgumentHelp(
            "Set exp: relative (+90s, 15m, 1h, 2d; --exp=-1h for an expired token), Unix seconds, or an RFC 3339 time or date.",
            valueName: "WHEN"))
    var exp: String?

    @Option(
        help: ArgumentHelp("Set nbf: now, relative (5m, --nbf=-1m), Unix seconds, or an RFC 3339 time or date.", valueName: "WHEN"))
    var nbf: String?

    @Option(
        help: ArgumentHelp("Use this time as now for iat/exp/nbf (Unix seconds, relative, or an RFC 3339 time or date).", valueName: "TIME")
    )
    var now: String?

    func run() throws {
        if claims == "-" && (key == "-" || secretFile == "-" || jwks == "-") {
            throw CLIFailure.usage("stdin can supply the claims or the key, not both")
        }
        let (signingKey, jwkAlgorithm) = try loadKey()
        let algorithm = try parseAlgorithm(jwkAlgorithm: jwkAlgorithm)
        if case .oct(let bytes) = signingKey.verificationKey.type {
            try secret.checkSigning(secretBytes: bytes, algorithm: algorithm)
        }
        // NumericDates are whole seconds (RFC 7519 §2 allows fractions, but many verifiers and jwtk inspect's
        // readers expect integers): now is truncated before anything is derived from it.
        let now = (try Input.now(self.now)).rounded(.down)

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
        if let issuer { put("iss", JSONOut.quote(issuer)) }
        if let subject { put("sub", JSONOut.quote(subject)) }
        if audiences.count == 1 { put("aud", JSONOut.quote(audiences[0])) }
        if audiences.count > 1 { put("aud", "[" + audiences.map(JSONOut.quote).joined(separator: ",") + "]") }
        if jti != nil && randomJTI { throw CLIFailure.usage("give --jti VALUE or --jti alone (random), not both") }
        if let jti { put("jti", JSONOut.quote(jti)) }
        if randomJTI { put("jti", JSONOut.quote(Self.randomID())) }
        func time(_ text: String, _ option: String) throws(CLIFailure) -> String {
            let value = (try Input.instant(text, now: now, option: option)).rounded(.down)
            if let bare = Double(text), text.first?.isNumber == true, bare < 1_000_000_000 {
                // Before 2001: almost certainly a duration written the old way (--exp 90).
                StandardError.write(
                    "jwtk: warning: \(option) \(text) is the Unix time \(DateText.rfc3339(value) ?? text); for \(text) seconds from now write +\(text)s"
                )
            }
            return Self.number(value)
        }
        if let iat { put("iat", try time(iat, "--iat")) }
        if let nbf { put("nbf", try time(nbf, "--nbf")) }
        if let exp { put("exp", try time(exp, "--exp")) }

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
        let token = signingInput + "." + Base64URL.encode(signature)
        if json {
            let headerJSON = (try? JSONValue.parse(object(header))).map { JSONOut($0) } ?? .null
            let claimsJSON = (try? JSONValue.parse(object(members))).map { JSONOut($0) } ?? .null
            JSONDocumentOut.emit(.object([("token", .string(token)), ("header", headerJSON), ("claims", claimsJSON)]))
        } else {
            print(token)
        }
    }

    private func parseAlgorithm(jwkAlgorithm: String?) throws(CLIFailure) -> JWSAlgorithm {
        guard let alg = alg ?? jwkAlgorithm else {
            throw .usage("--alg is required: the key does not name its algorithm (a JWK's \"alg\"), and jwtk never guesses one")
        }
        if let jwkAlgorithm, jwkAlgorithm != alg {
            throw .usage(
                "--alg \(alg) differs from the JWK's alg \(Terminal.line(jwkAlgorithm)); the key is bound to its alg (RFC 7517 §4.4)")
        }
        if JWSAlgorithm.isUnsecuredName(alg) { throw .usage("--alg \(alg): jwtk does not produce unsecured tokens") }
        guard let algorithm = JWSAlgorithm(rawValue: alg) else {
            throw .usage(
                "--alg: unknown algorithm \"\(alg)\" (supported: \(JWSAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return algorithm
    }

    /// The signing key and, for a JWK, its `alg` member.
    private func loadKey() throws(CLIFailure) -> (SigningKey, String?) {
        let sources = [key, secretFile, secretEnv, jwks].compactMap { $0 }
        guard sources.count == 1 else {
            throw .usage("give exactly one of --key PATH, --jwks PATH (with --kid), --secret-file PATH, --secret-env VAR")
        }
        if let jwks { return try SignKeySet.pick(path: jwks, kid: kid) }
        let source = key ?? secretFile ?? "--secret-env \(secretEnv ?? "")"
        if let key {
            let bytes = try Input.file(key)
            do throws(JWTKError) {
                return (try SigningKey.load(contents: bytes, keyID: kid), SignKeySet.algorithm(ofJWK: bytes))
            } catch {
                throw .input(source, error)
            }
        }
        var secretBytes: [UInt8]
        if let secretFile {
            secretBytes = try secret.decode(Array(Input.strippingOneNewline(try Input.file(secretFile))), source: source)
        } else {
            // The variable's raw bytes, not a UTF-8 decoding of them.
            guard let secretEnv, let raw = Input.environmentBytes(secretEnv) else {
                throw .input(source, JWTKError(.invalidArgument, "the environment variable \(secretEnv ?? "") is not set"))
            }
            secretBytes = try secret.decode(raw, source: source)
        }
        secretBytes = try Input.hmacSecret(secretBytes, source: source)
        do throws(JWTKError) {
            return (try SigningKey(hmacSecret: secretBytes, keyID: kid), nil)
        } catch {
            throw .input(source, error)
        }
    }

    /// 16 random bytes from the system's CSPRNG (getrandom on Linux), base64url: a jti no two tokens share.
    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
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
