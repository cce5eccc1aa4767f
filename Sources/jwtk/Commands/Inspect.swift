import ArgumentParser
import Foundation
import JWTK
import JWTKInspection

/// Reading what was pasted into `inspect`: a file named as the token is read, and the wrapping people copy
/// along with a token is removed, with a note on stderr saying what was.
enum InspectInput {
    static func read(_ argument: String?) throws(CLIFailure) -> String {
        var raw = try Input.token(argument)
        if let argument, argument != "-", !PastedToken.looksLikeToken(PastedToken.clean(argument).token) {
            var isDirectory: ObjCBool = false
            if unsafe FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), !isDirectory.boolValue {
                raw = String(decoding: Input.strippingOneNewline(try Input.file(argument)), as: UTF8.self)
                StandardError.write("jwtk: note: reading the token from the file \(Terminal.line(argument))")
            }
        }
        let cleaned = PastedToken.clean(raw)
        if let note = PastedToken.note(cleaned) { StandardError.write("jwtk: \(note)") }
        return cleaned.token
    }

    /// For an argument that looks like a file name but names no file: how to pass a file.
    static func pathHint(_ argument: String?) -> String {
        guard let argument, argument != "-", !PastedToken.looksLikeToken(PastedToken.clean(argument).token),
            !FileManager.default.fileExists(atPath: argument)
        else { return "" }
        let segments = argument.split(separator: ".", omittingEmptySubsequences: false)
        guard argument.contains("/") || (segments.count == 2 && !segments[1].isEmpty && segments[1].count <= 5) else { return "" }
        return "; no file is named \(Terminal.line(argument)) (to decode a token kept in a file: jwtk inspect - < FILE)"
    }
}

/// `jwtk inspect`: decode without verifying, and lint.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode a token WITHOUT verifying it (clearly labelled NOT VERIFIED) and lint it.",
        discussion: """
            Shows the header and payload, every NumericDate as UTC plus a relative time, what the signature's \
            length implies, the key id, and findings: a lint of the token itself, each with the RFC it comes from \
            (alg none, symmetric alg, missing exp, very long lifetime, iat in the future, jku/x5u/jwk/x5c headers, \
            crit, nested JWT or JWE shape, unknown typ, duplicate members). A five-segment token is recognised as a \
            JWE and its protected header is shown. Exit 0 when the token decodes (whatever the findings), 1 when it \
            cannot be decoded.

            \(exitStatusHelp)
            """)

    @Argument(help: ArgumentHelp("The token; \"-\" or absent reads stdin.", valueName: "TOKEN"))
    var token: String?

    @Option(
        help: ArgumentHelp(
            "Compute relative times and time findings as of this time (Unix seconds, RFC 3339, a date, or relative: --now=-1h).",
            valueName: "TIME"))
    var now: String?

    @OptionGroup(title: "Output")
    var output: OutputOptions

    func run() throws {
        let now = try Input.now(self.now)
        let token = try InspectInput.read(self.token)
        let inspection: TokenInspection
        do throws(JWTKError) {
            inspection = try TokenInspection.inspect(token, now: now)
        } catch {
            if output.json {
                JSONDocumentOut.emit(
                    JSONOut.object([("verified", .bool(false)), ("decoded", .bool(false)), ("error", error.json(check: "shape"))]))
                throw CLIFailure(ExitStatus(for: error.code), nil)
            }
            throw CLIFailure(
                ExitStatus(for: error.code),
                "cannot decode the token: \(Terminal.line(error.reason)) [\(error.code.rawValue)]"
                    + InspectInput.pathHint(self.token))
        }
        if output.json {
            JSONDocumentOut.emit(InspectOutput.json(inspection))
        } else {
            print(InspectOutput.text(inspection, style: output.style), terminator: "")
        }
    }
}
