import ArgumentParser
import Foundation
import JWTK

/// Where verification keys come from: shared by `verify` and `bench`.
struct KeySourceOptions: ParsableArguments {
    @Option(
        name: .customLong("jwks"),
        help: ArgumentHelp(
            "A JWK Set file, or a file with a single JWK. Keys the set cannot use are skipped and listed. "
                + "verify also takes an http:// or https:// URL: the set is fetched once.",
            valueName: "PATH|URL"), completion: .file())
    var jwks: String?

    @Option(
        name: .customLong("key"),
        help: ArgumentHelp(
            "A public key: PEM (SubjectPublicKeyInfo, PKCS#1 RSA PUBLIC KEY, X.509 CERTIFICATE), DER, or a JWK. Repeatable. "
                + "A key without kid also serves tokens that carry a kid.",
            valueName: "PATH"), completion: .file())
    var keys: [String] = []

    @Option(
        name: .customLong("secret-file"),
        help: ArgumentHelp("An HMAC secret: the file's bytes, minus one trailing newline.", valueName: "PATH"), completion: .file())
    var secretFile: String?

    @Option(
        name: .customLong("secret-env"),
        help: ArgumentHelp("An HMAC secret: the value of this environment variable (its raw bytes).", valueName: "VAR"))
    var secretEnv: String?

    @OptionGroup
    var secret: SecretOptions

    /// `policy` with the `--allow-short-secret` override applied (and its warning printed).
    func applyingSecretOverride(_ policy: VerificationPolicy) -> VerificationPolicy {
        guard secret.allowShort else { return policy }
        var policy = policy
        policy.requiresFullLengthHMACSecrets = false
        StandardError.write(SecretOptions.warning)
        return policy
    }

    /// Whether a key source reads stdin (`-`).
    var readsStandardInput: Bool { jwks == "-" || keys.contains("-") || secretFile == "-" }

    /// Refuses a second reader of stdin: the token and a key cannot both come from it.
    func checkStandardInput(token: String?) throws(CLIFailure) {
        if readsStandardInput && (token == nil || token == "-") {
            throw .usage("stdin can supply the token or a key, not both: pass TOKEN as an argument or the key as a file")
        }
    }

    /// The loaded keys.
    struct Loaded {
        let keys: [VerificationKey]
        let skipped: [JWKSet.SkippedKey]
        let keyring: Keyring
    }

    /// Reads every key source. Exit 2 for a missing source, an unreadable file or a file without a usable key.
    func load() throws(CLIFailure) -> Loaded {
        guard jwks != nil || !keys.isEmpty || secretFile != nil || secretEnv != nil else {
            throw .usage(
                "no key: give --jwks PATH, --key PATH, --secret-file PATH or --secret-env VAR (jwtk never takes a key from the token)")
        }
        var all: [VerificationKey] = []
        var skipped: [JWKSet.SkippedKey] = []
        if let jwks {
            if Remote.isURL(jwks) {
                throw .usage("--jwks URL is taken by verify only; here save the set to a file first (jwtk jwks URL --json lists it)")
            }
            let bytes = try Input.file(jwks)
            let set: JWKSet
            do throws(JWTKError) {
                set = try JWKSet(bytes: bytes, acceptSingleKey: true)
            } catch {
                throw .input(jwks, error)
            }
            guard !set.keys.isEmpty else {
                let reasons = set.skipped.map { "\n  \($0)" }.joined()
                throw .usage("\(jwks): no usable key in the JWK Set\(reasons)")
            }
            all += set.keys
            skipped += set.skipped
        }
        for path in keys {
            let bytes = try Input.file(path)
            do throws(JWTKError) {
                let loaded = try VerificationKey.load(contents: bytes)
                guard !loaded.isEmpty else { throw JWTKError(.invalidKey, "no key in the file") }
                all += loaded
            } catch {
                throw .input(path, error)
            }
        }
        if let secretFile {
            let bytes = try Input.hmacSecret(
                try secret.decode(Array(Input.strippingOneNewline(try Input.file(secretFile))), source: secretFile), source: secretFile)
            do throws(JWTKError) { all.append(try VerificationKey(hmacSecret: bytes)) } catch { throw .input(secretFile, error) }
        }
        if let secretEnv {
            // The variable's raw bytes: decoding them as UTF-8 would turn different binary secrets into one.
            guard let raw = Input.environmentBytes(secretEnv) else {
                throw .usage("--secret-env \(secretEnv): the environment variable is not set")
            }
            let bytes = try Input.hmacSecret(
                try secret.decode(raw, source: "--secret-env \(secretEnv)"), source: "--secret-env \(secretEnv)")
            do throws(JWTKError) { all.append(try VerificationKey(hmacSecret: bytes)) } catch {
                throw .input("--secret-env \(secretEnv)", error)
            }
        }
        for key in all where key.hadPrivateMembers {
            StandardError.write(
                "jwtk: warning: a private key was given to verify with (\(key.keyID.map { "kid \(JSONOut.quote($0))" } ?? "no kid"), "
                    + "\(key.type)); only its public part is used: give verifiers the public key and keep the private key off them")
        }
        // Keys named one by one on the command line carry no kid of their own: let them serve any kid.
        let matching: Keyring.UnidentifiedKeyMatching = jwks == nil ? .matchAnyKeyID : .strict
        return Loaded(
            keys: all, skipped: skipped,
            keyring: Keyring(keys: all, unidentifiedKeyMatching: matching, unusableKeyIDs: skipped.compactMap(\.keyID)))
    }
}
