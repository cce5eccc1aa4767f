// swift-tools-version:6.2
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The Hummingbird 2 integration of jwtk: its own package, so that the core package never resolves Hummingbird.
let package = Package(
    name: "jwtk-hummingbird",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "JWTKHummingbird", targets: ["JWTKHummingbird"]),
        .executable(name: "jwtk-example-service", targets: ["jwtk-example-service"]),
    ],
    dependencies: [
        .package(name: "jwtk", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
    ],
    targets: [
        .target(
            name: "JWTKHummingbird",
            dependencies: [
                .product(name: "JWTK", package: "jwtk"),
                .product(name: "JWTKRemote", package: "jwtk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Metrics", package: "swift-metrics"), .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JWTKExampleService",
            dependencies: [
                "JWTKHummingbird",
                .product(name: "JWTK", package: "jwtk"),
                .product(name: "JWTKRemote", package: "jwtk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"), .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "jwtk-example-service",
            dependencies: [
                "JWTKExampleService",
                .product(name: "JWTKRemote", package: "jwtk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "jwtk-hummingbird-overhead",
            dependencies: [
                "JWTKHummingbird",
                .product(name: "JWTK", package: "jwtk"),
                .product(name: "JWTKRemote", package: "jwtk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JWTKHummingbirdTests",
            dependencies: [
                "JWTKHummingbird", "JWTKExampleService",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "JWTK", package: "jwtk"),
                .product(name: "JWTKRemote", package: "jwtk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"), .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
