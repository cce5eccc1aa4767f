// swift-tools-version:6.1
// jwtk's benchmarks: a separate package so that the library's own build and tests never resolve
// package-benchmark. Run from the repository root with `make bench`, `make bench-check` or `make compare`.
import PackageDescription

let package = Package(
    name: "jwtk-benchmarks",
    dependencies: [
        // `name:` pins the identity, so it does not depend on what the checkout's folder is called.
        .package(name: "jwtk", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Test data from ../testvectors, found relative to this source file.
        .target(
            name: "BenchFixtures",
            dependencies: [.product(name: "JWTK", package: "jwtk")],
            path: "Sources/BenchFixtures"
        ),
        .executableTarget(
            name: "JWTKBenchmarks",
            dependencies: [
                "BenchFixtures",
                .product(name: "JWTK", package: "jwtk"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/JWTKBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A plain timing loop over the release library, driven by dev/compare-peers.sh.
        .executableTarget(
            name: "jwtk-loop",
            dependencies: [
                "BenchFixtures", .product(name: "JWTK", package: "jwtk"), .product(name: "JWTKTiming", package: "jwtk"),
            ],
            path: "Sources/JWTKLoop"
        ),
    ]
)
