// swift-tools-version: 6.1
import PackageDescription

// Squire's benchmarks, apart from the library so that it links no benchmark code.
// Run from this folder: swift package --allow-writing-to-package-directory benchmark
let package = Package(
    name: "SquireBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Squire", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The raw CBLAS baseline, linked the same way as Squire's CSquireBLAS.
        .systemLibrary(name: "CBenchmarkBLAS", path: "Sources/CBenchmarkBLAS"),
        .executableTarget(
            name: "MatmulComparison",
            dependencies: [.product(name: "SquireTensor", package: "Squire"), "CBenchmarkBLAS"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "TensorBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "SquireTensor", package: "Squire"),
                "CBenchmarkBLAS",
            ],
            path: "Benchmarks/TensorBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
