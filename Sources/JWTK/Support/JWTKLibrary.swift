/// The versions of jwtk and of the C libraries it runs against.
///
/// ```swift
/// print("jwtk \(JWTKLibrary.version), \(JWTKLibrary.openSSLVersion), jansson \(JWTKLibrary.janssonVersion)")
/// ```
public enum JWTKLibrary {
    /// The version of the jwtk library and command-line tool.
    public static let version = "0.1.0"
}
