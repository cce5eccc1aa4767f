// swift-tools-version:6.1
// jwtk's libFuzzer targets: a separate package, so that the library's own `swift build` and `swift test` never
// see executables that only link with `-sanitize=fuzzer`. Build and run them from the repository root with
// `make fuzz-build`, `make fuzz-smoke` or `make fuzz`; see docs/FUZZING.md.
import PackageDescription

/// Each fuzz target is one executable whose only file defines `LLVMFuzzerTestOneInput`; libFuzzer supplies `main`.
/// The targets use JWTK's public API only (`package` declarations are not visible from another package).
func fuzzTarget(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            "FuzzSupport", .product(name: "JWTK", package: "jwtk"), .product(name: "JWTKInspection", package: "jwtk"),
        ],
        path: "Sources/\(name)"
    )
}

let package = Package(
    name: "jwtk-fuzz",
    dependencies: [
        // `name:` pins the identity, so it does not depend on what the checkout's folder is called.
        .package(name: "jwtk", path: "../")
    ],
    targets: [
        // The fixed keyring, the signing keys and small helpers shared by the targets.
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "JWTK", package: "jwtk")],
            path: "Sources/FuzzSupport"
        ),
        fuzzTarget("FuzzVerify"),
        fuzzTarget("FuzzInspect"),
        fuzzTarget("FuzzJWK"),
        fuzzTarget("FuzzKeyImport"),
        fuzzTarget("FuzzBase64URL"),
        fuzzTarget("FuzzClaims"),
        fuzzTarget("FuzzSignVerify"),
        // Remote documents (discovery, userinfo, JWK Set bytes) through the strict parser, as JWTKRemote reads them.
        .executableTarget(
            name: "FuzzRemoteDocuments",
            dependencies: ["FuzzSupport", .product(name: "JWTK", package: "jwtk"), .product(name: "JWTKRemote", package: "jwtk")],
            path: "Sources/FuzzRemoteDocuments"
        ),
    ]
)
