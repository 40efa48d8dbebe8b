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
        // The semantic cache's lookup latency, and its figures on labelled pairs.
        .executableTarget(
            name: "SemanticCacheLookup",
            dependencies: [
                .product(name: "SquireCore", package: "Squire"),
                .product(name: "SquireRouting", package: "Squire"),
                .product(name: "SquireTesting", package: "Squire"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "SemanticCacheFigures",
            dependencies: [
                .product(name: "SquireEval", package: "Squire"),
                .product(name: "SquireRouting", package: "Squire"),
                .product(name: "SquireTesting", package: "Squire"),
            ],
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
        // The encoder (fp32, int8, int4; batch 1 and 32), the tokenizer, a LoRA step and
        // LogisticHead.fit; the model-dependent ones register only when the model is downloaded.
        .executableTarget(
            name: "ModelBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "SquireModels", package: "Squire"),
                .product(name: "SquireLoRA", package: "Squire"),
                .product(name: "SquireQuantization", package: "Squire"),
                .product(name: "SquireTensor", package: "Squire"),
            ],
            path: "Benchmarks/ModelBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
