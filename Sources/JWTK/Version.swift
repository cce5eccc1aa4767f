/// Namespace for package-wide constants.
public enum JWTK {
    /// The version of the jwtk library and command-line tool.
    public static let version = "0.1.0"
}
