import Foundation

/// `localizedDescription` (and SwiftUI, `NSError` bridging, loggers that call it) shows the CLI's message
/// rather than "The operation could not be completed".
extension JWTKError: LocalizedError {
    /// ``message``.
    public var errorDescription: String? { message }
    /// The reason alone, without the code.
    public var failureReason: String? { reason.isEmpty ? nil : reason }
}
