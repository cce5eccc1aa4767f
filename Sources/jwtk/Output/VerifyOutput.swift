import JWTK
import JWTKInspection

extension VerificationKey.KeyType {
    /// An HMAC (`oct`) key.
    var isSymmetric: Bool {
        if case .oct = self { return true }
        return false
    }
}

/// Renders a ``VerificationTrace`` for `jwtk verify`.
enum VerifyOutput {
    static func title(of error: JWTKError, policy: VerificationPolicy) -> (id: String, title: String) {
        guard let step = error.step else { return ("", "verification") }
        return (step.id, checkName(step))
    }

    /// The check's name in the `INVALID:` line.
    private static func checkName(_ step: VerificationStep) -> String {
        switch step {
        case .shape: "token shape"
        case .header: "header"
        case .unsecuredAlgorithm: "alg none"
        case .algorithm: "algorithm"
        case .criticalHeaders: "crit"
        case .keySelection: "key selection"
        case .keyStrength: "key strength"
        case .signature: "signature"
        case .payload: "payload"
        case .type: "typ"
        case .claimTypes: "claim types"
        case .requiredClaims: "required claims"
        case .expiration, .notBefore, .issuedAt, .issuer, .audience, .subject, .nonce, .authorizedParty, .authenticationTime,
            .accessTokenHash, .codeHash:
            step.id
        }
    }

    /// The one stderr line of a rejection: the check, the values, the stable code.
    static func failureLine(
        _ error: JWTKError, policy: VerificationPolicy, style: Style = .plain, token: String? = nil, hints: [String] = []
    ) -> String {
        var line = invalidLine(error, policy: policy, style: style)
        if token == nil, hints.isEmpty { return line }
        if let fix = fix(error, policy: policy, token: token, hints: hints) { line += "; hint: \(Terminal.line(fix))" }
        return line
    }

    /// The hint under the `INVALID:` line: what is wrong with the input, and the flag that changes the
    /// outcome when one exists. nil when there is nothing useful to add.
    static func fix(_ error: JWTKError, policy: VerificationPolicy, token: String?, hints: [String]) -> String? {
        if error.code.category == .malformed, let token, let diagnosis = PastedToken.diagnosis(token) { return diagnosis }
        let base = hints.first
        func joined(_ flag: String) -> String { base.map { "\($0); \(flag)" } ?? flag }
        switch error.code {
        case .weakKey where error.reason.hasPrefix("HMAC"):
            return joined("--allow-short-secret checks it anyway (legacy tokens only; RFC 7518 §3.2 forbids short secrets)")
        case .weakKey where error.reason.hasPrefix("RSA"):
            return joined("--min-rsa-bits N accepts a smaller RSA key (RFC 8725 §3.5 advises against it)")
        case .missingClaim where error.claim == "exp":
            return joined("--allow-missing-exp accepts a token without exp (it never expires)")
        case .expired, .notYetValid, .issuedInFuture:
            return joined("--leeway SECONDS allows clock skew; --now TIME checks as of another time")
        case .audienceMismatch where policy.audiences.isEmpty:
            return base.map { "\($0), or --ignore-audience to skip the check" }
                ?? "pass the audience you are with --aud, or --ignore-audience to skip the check"
        case .audienceMismatch:
            return joined("--aud names the audience this service accepts")
        case .issuerMismatch:
            return joined("--iss names the expected issuer")
        default:
            return base
        }
    }

    private static func invalidLine(_ error: JWTKError, policy: VerificationPolicy, style: Style) -> String {
        let check = title(of: error, policy: policy).title
        return
            "\(style.red("INVALID:")) \(check) check failed: \(Terminal.line(error.reason.isEmpty ? error.code.rawValue : error.reason)) [\(error.code.rawValue)]"
    }

    static func keyJSON(_ key: VerificationKey, algorithm: JWSAlgorithm) -> JSONOut {
        .object([
            ("kid", .optional(key.keyID)), ("thumbprint", key.type.isSymmetric ? .null : .string(key.thumbprint)),
            ("kty", .string(key.type.jwkKeyType)),
            ("alg", .string((key.algorithm ?? algorithm).rawValue)),
        ])
    }

    static func skippedJSON(_ skipped: [JWKSet.SkippedKey]) -> JSONOut {
        .array(
            skipped.map {
                .object([
                    ("index", .integer(Int64($0.index))), ("kid", .optional($0.keyID)), ("kty", .optional($0.keyType)),
                    ("code", .string($0.reason.code.rawValue)), ("reason", .string($0.reason.reason)),
                ])
            })
    }

    static func json(
        _ trace: VerificationTrace, skipped: [JWKSet.SkippedKey], explain: Bool, signatureOnly: Bool, policy: VerificationPolicy,
        token: String
    ) -> JSONOut {
        let valid = trace.error == nil
        var error: JSONOut = .null
        if let e = trace.error {
            error = e.json(
                check: trace.steps.first { $0.outcome == .failed }?.id ?? "",
                hint: fix(e, policy: policy, token: token, hints: trace.hints))
        }
        let jws = valid ? trace.verifiedSignature : nil
        var members: [(String, JSONOut)] = [
            ("valid", .bool(valid)),
            ("error", error),
            ("header", jws.map { JSONOut($0.header.json) } ?? .null),
            ("claims", valid ? trace.verified.map { JSONOut($0.claims.json) } ?? .null : .null),
        ]
        if signatureOnly {
            members.append(("payload", jws.map { .string(Base64URL.encode($0.payload)) } ?? .null))
        }
        members += [
            ("key", jws.map { keyJSON($0.key, algorithm: $0.algorithm) } ?? .null),
            ("skipped_keys", skippedJSON(skipped)),
            ("hints", .array(trace.hints.map { .string($0) })),
        ]
        if explain {
            members.append(
                (
                    "checks",
                    .array(
                        trace.steps.map {
                            .object([
                                ("id", .string($0.id)), ("title", .string($0.title)), ("outcome", .string($0.outcome.rawValue)),
                                ("detail", .string($0.detail)), ("reference", .string($0.reference)),
                            ])
                        })
                ))
        }
        return .object(members)
    }

    static func explanation(_ trace: VerificationTrace, skipped: [JWKSet.SkippedKey], policy: VerificationPolicy, style: Style) -> String {
        var out = style.bold("Checks") + " (as of \(DateTextBridge.utc(policy.clock.now) ?? "\(policy.clock.now)"))\n"
        for step in trace.steps {
            out += "  \(style.outcome(step.outcome.rawValue))  \(step.title) (\(step.reference))\n"
            out += "        \(style.dim(Terminal.line(step.detail)))\n"
        }
        if !trace.hints.isEmpty {
            out += style.bold("Hints") + "\n"
            for hint in trace.hints { out += "  - \(Terminal.line(hint))\n" }
        }
        if !skipped.isEmpty {
            out += style.bold("Skipped keys") + "\n"
            for key in skipped {
                let kid = key.keyID.map { " kid \(Terminal.line(JSONOut.quote($0)))" } ?? ""
                let kty = key.keyType.map { " (\(Terminal.line($0)))" } ?? ""
                out += "  - key #\(key.index)\(kid)\(kty): \(Terminal.line(key.reason.reason)) [\(key.reason.code.rawValue)]\n"
            }
        }
        return out + "\n"
    }

    static func success(_ trace: VerificationTrace, policy: VerificationPolicy, style: Style) -> String {
        let now = policy.clock.now
        guard let jws = trace.verifiedSignature else { return "" }
        let key = jws.key
        var out = style.green("VALID") + ": \(jws.algorithm) signature verified by key "
        out += key.keyID.map { "kid \(Terminal.line(JSONOut.quote($0)))" } ?? "(no kid)"
        out += " (\(key.type))\n"
        // An HMAC key's thumbprint is a hash of the secret (SECURITY.md): never printed.
        if !key.type.isSymmetric { out += "  thumbprint  \(key.thumbprint) (RFC 7638, SHA-256)\n" }
        let passed = trace.steps.filter { $0.outcome == .passed && VerificationTrace.claimStepIDs.contains($0.id) }.map(\.id).map { id in
            id == "required" ? "required claims (\(policy.requiredClaims.joined(separator: ", ")))" : id
        }
        if let verified = trace.verified {
            if let exp = try? verified.claims.expiration {
                out += "  expires     \(DateTextBridge.utc(exp) ?? "\(exp)") (\(TimeText.relative(claim: "", secondsFromNow: exp - now)))\n"
            }
            out += "  checked     \(passed.filter { $0 != "payload" && $0 != "claim_types" }.joined(separator: ", "))\n"
            out += "\n" + style.bold("Claims") + "\n" + JSONOut(verified.claims.json).rendered(style: style) + "\n"
        } else {
            out += "\n" + style.bold("Payload") + " (\(jws.payload.count) bytes; no claim was checked)\n"
            if let text = String(validating: jws.payload, as: UTF8.self) {
                out += Terminal.text(text) + "\n"
            } else {
                out += "base64url: \(Base64URL.encode(jws.payload))\n"
            }
        }
        return out
    }
}
