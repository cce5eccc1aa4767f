import Foundation

/// `localizedDescription` shows the CLI's message rather than "The operation could not be completed".
extension JWTKRemoteError: LocalizedError {
    /// ``message``.
    public var errorDescription: String? { message }
    /// The reason alone, without the URL and code.
    public var failureReason: String? { reason.isEmpty ? nil : reason }
}
