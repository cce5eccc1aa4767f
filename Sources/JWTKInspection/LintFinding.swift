import JWTK

/// One observation about a token or a key set, with the specification it comes from.
///
/// Findings are produced by ``TokenInspection`` (a lint of a token that has not been verified) and by
/// ``JWKSLint`` (a lint of a JWK Set). They never change what a `JWTVerifier` accepts: they explain.
public struct LintFinding: Sendable, Hashable, CustomStringConvertible {
    /// How serious a finding is.
    public enum Severity: String, Sendable, Hashable, Comparable {
        /// jwtk's verifier refuses the token (or cannot use the key) because of this.
        case error
        /// Accepted by the specifications but risky or likely a mistake.
        case warning
        /// Worth knowing; not a problem in itself.
        case info

        private var rank: Int {
            switch self {
            case .error: return 0
            case .warning: return 1
            case .info: return 2
            }
        }

        /// Errors sort before warnings, warnings before infos.
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// A stable identifier such as `"alg_none"` or `"private_members"`, for scripts and JSON output.
    public let id: String
    /// How serious it is.
    public let severity: Severity
    /// A sentence with the values involved.
    public let message: String
    /// The specification section the rule comes from, such as `"RFC 8725 §3.1"`.
    public let reference: String
    /// The header member, claim or JWK member concerned, when there is one.
    public let member: String?

    /// Creates a finding.
    public init(id: String, severity: Severity, message: String, reference: String, member: String? = nil) {
        self.id = id
        self.severity = severity
        self.message = message
        self.reference = reference
        self.member = member
    }

    public var description: String { "\(severity.rawValue): \(message) (\(reference))" }
}
