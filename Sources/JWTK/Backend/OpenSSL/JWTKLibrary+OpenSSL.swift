extension JWTKLibrary {
    /// The OpenSSL this process runs against, as OpenSSL reports it (`OpenSSL 3.0.17 1 Jul 2025`): the
    /// library loaded at run time, which can differ from the headers jwtk was built with.
    public static var openSSLVersion: String { Crypto.openSSLVersion }
}
