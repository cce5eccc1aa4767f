internal import CJWTKJansson

extension JWTKLibrary {
    /// The jansson this process runs against (`2.14`), from `jansson_version_str()`.
    public static var janssonVersion: String { unsafe String(cString: jansson_version_str()) }
}
