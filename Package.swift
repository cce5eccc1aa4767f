// swift-tools-version:6.2
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Strict memory safety (SE-0458): every use of an unsafe construct must be marked `unsafe`, so each one shows
/// up in review. Every library and the CLI use it, JWTK included: its C boundary (Backend/) and the unsafe
/// buffers of the hot path carry the markers, and the types that own C pointers say why they are `@safe`.
let memorySafeSettings: [SwiftSetting] = strictSettings + [.strictMemorySafety()]

let package = Package(
    name: "jwtk",
    products: [
        .library(name: "JWTK", targets: ["JWTK"]),
        .library(name: "JWTKInspection", targets: ["JWTKInspection"]),
        .executable(name: "jwtk", targets: ["jwtk"]),
        .library(name: "JWTKRemote", targets: ["JWTKRemote"]),
        // The timing loop of `jwtk bench` and Benchmarks' jwtk-loop: a product only so that the Benchmarks
        // package can use it; not API.
        .library(name: "JWTKTiming", targets: ["JWTKTiming"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CJWTKOpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .systemLibrary(
            name: "CJWTKJansson",
            pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"]), .brew(["jansson"])]
        ),
        .target(
            name: "CJWTKShims",
            dependencies: ["CJWTKOpenSSL", "CJWTKJansson"]
        ),
        .target(
            name: "JWTK",
            dependencies: ["CJWTKOpenSSL", "CJWTKJansson", "CJWTKShims"],
            swiftSettings: memorySafeSettings
        ),
        // Tools over the core: token inspection, JWK Set lint, the verification trace (a step listener).
        .target(
            name: "JWTKInspection",
            dependencies: ["JWTK"],
            swiftSettings: memorySafeSettings
        ),
        // The one timing loop (`TimingLoop`): `jwtk bench` and Benchmarks' jwtk-loop; the core never uses it.
        .target(
            name: "JWTKTiming",
            dependencies: ["JWTK"],
            swiftSettings: memorySafeSettings
        ),
        .executableTarget(
            name: "jwtk",
            dependencies: [
                "JWTK", "JWTKInspection", "JWTKRemote", "JWTKTiming",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: memorySafeSettings
        ),
        .target(
            name: "JWTKRemote",
            dependencies: ["JWTK", .product(name: "Logging", package: "swift-log")],
            swiftSettings: memorySafeSettings
        ),
        .target(
            name: "JWTKTestSupport",
            dependencies: [
                "JWTK", .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox"),
            ],
            path: "Tests/JWTKTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JWTKRemoteTests",
            dependencies: [
                "JWTKRemote", "JWTK", "JWTKInspection", "JWTKTestSupport", .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JWTKTests",
            dependencies: ["JWTK", "JWTKInspection"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JWTKInspectionTests",
            dependencies: ["JWTKInspection", "JWTK"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "jwtkCLITests",
            dependencies: [
                "jwtk", "JWTK", "JWTKTestSupport", .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ],
            exclude: ["Golden", "Fixtures"],
            swiftSettings: strictSettings
        ),
    ]
)
