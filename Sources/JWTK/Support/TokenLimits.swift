/// Size and depth limits applied to a token before and while it is parsed.
public struct TokenLimits: Sendable, Hashable {
    /// Maximum length of the compact token in bytes. Default 16 KiB.
    public var maxTokenBytes: Int
    /// Maximum length of the decoded protected header in bytes. Default 4 KiB.
    public var maxHeaderBytes: Int
    /// Maximum JSON nesting depth of the header and of the claims. Default 16.
    public var maxJSONDepth: Int

    public init(maxTokenBytes: Int = 16 * 1024, maxHeaderBytes: Int = 4 * 1024, maxJSONDepth: Int = 16) {
        self.maxTokenBytes = maxTokenBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxJSONDepth = maxJSONDepth
    }
}
