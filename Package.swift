// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Squire",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Squire", targets: ["Squire"]),
        .library(name: "SquireCore", targets: ["SquireCore"]),
        .library(name: "SquireTensor", targets: ["SquireTensor"]),
        .library(name: "SquireModels", targets: ["SquireModels"]),
        .library(name: "SquireLoRA", targets: ["SquireLoRA"]),
        .library(name: "SquireQuantization", targets: ["SquireQuantization"]),
        .library(name: "SquireEval", targets: ["SquireEval"]),
        .library(name: "SquireDrift", targets: ["SquireDrift"]),
        .library(name: "SquireRouting", targets: ["SquireRouting"]),
        .library(name: "SquireTesting", targets: ["SquireTesting"]),
        .library(name: "SquireFrontier", targets: ["SquireFrontier"]),
        .library(name: "SquireData", targets: ["SquireData"]),
        .executable(name: "squire", targets: ["SquireCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSquireBLAS",
            providers: [.apt(["libblas-dev", "liblapack-dev"])]
        ),
        .target(name: "SquireCore"),
        // AVX2 elementwise kernels; SquireTensor checks the CPU before calling them.
        .target(name: "CSquireTensorKernels"),
        .target(name: "SquireTensor", dependencies: ["CSquireBLAS", "CSquireTensorKernels"]),
        .target(name: "SquireModels", dependencies: ["SquireCore", "SquireTensor"]),
        .target(name: "SquireLoRA", dependencies: ["SquireCore", "SquireTensor", "SquireModels"]),
        // AVX2 and AVX-512 VNNI integer kernels; SquireQuantization checks the CPU before calling them.
        .target(name: "CSquireQuantKernels"),
        .target(
            name: "SquireQuantization",
            dependencies: ["SquireCore", "SquireTensor", "SquireModels", "CSquireQuantKernels"]
        ),
        .target(name: "SquireEval", dependencies: ["SquireCore"]),
        .target(name: "SquireDrift", dependencies: ["SquireCore"]),
        .target(name: "SquireRouting", dependencies: ["SquireCore", "SquireEval"]),
        .target(name: "SquireTesting", dependencies: ["SquireCore"]),
        .target(name: "SquireData", dependencies: ["SquireCore", "SquireEval"]),
        .target(
            name: "SquireFrontier",
            dependencies: [
                "SquireCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The umbrella: every module above, and what needs several of them (opening any
        // bundle, training recipes).
        .target(
            name: "Squire",
            dependencies: [
                "SquireCore", "SquireTensor", "SquireModels", "SquireLoRA", "SquireQuantization", "SquireEval",
                "SquireDrift", "SquireRouting", "SquireTesting", "SquireData", "SquireFrontier",
            ]
        ),
        .executableTarget(
            name: "SquireCLI",
            dependencies: ["Squire", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "SquireTests", dependencies: ["Squire"]),
        .testTarget(name: "SquireCoreTests", dependencies: ["SquireCore"]),
        .testTarget(name: "SquireTensorTests", dependencies: ["SquireTensor"], exclude: ["Fixtures"]),
        .testTarget(
            name: "SquireModelsTests", dependencies: ["SquireCore", "SquireTensor", "SquireModels", "GradientCheck"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "SquireLoRATests",
            dependencies: ["SquireCore", "SquireTensor", "SquireModels", "SquireLoRA", "GradientCheck"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "SquireQuantizationTests",
            dependencies: ["SquireCore", "SquireQuantization", "SquireModels", "SquireTensor", "SquireEval"]),
        .testTarget(name: "SquireEvalTests", dependencies: ["SquireCore", "SquireEval"], exclude: ["Fixtures"]),
        .testTarget(name: "SquireDriftTests", dependencies: ["SquireCore", "SquireDrift"], exclude: ["Fixtures"]),
        .testTarget(
            name: "SquireRoutingTests", dependencies: ["SquireCore", "SquireEval", "SquireRouting", "SquireTesting"]),
        .testTarget(name: "SquireTestingTests", dependencies: ["SquireCore", "SquireTesting"]),
        .testTarget(
            name: "SquireDataTests", dependencies: ["SquireCore", "SquireData", "SquireEval", "SquireTesting"]),
        // Finite-difference gradient checks shared by the model and LoRA tests.
        .target(name: "GradientCheck", dependencies: ["SquireTensor"], path: "Tests/GradientCheck"),
        // A real HTTP server on loopback for the frontier client and CLI tests.
        .target(
            name: "LoopbackHTTPServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/LoopbackHTTPServer"
        ),
        .testTarget(name: "SquireFrontierTests", dependencies: ["SquireCore", "SquireFrontier", "LoopbackHTTPServer"]),
        // Against the LiteLLM proxy (Tests/Integration/LiteLLM); skipped with a message when
        // Scripts/setup/litellm.sh has not installed it. CI always does.
        .testTarget(
            name: "SquireIntegrationTests", dependencies: ["SquireCLI", "SquireCore", "SquireFrontier"]),
        .testTarget(
            name: "SquireCLITests",
            dependencies: [
                "SquireCLI", "Squire", "SquireCore", "SquireTensor", "SquireModels", "SquireRouting", "SquireFrontier",
                "LoopbackHTTPServer",
            ]),
    ]
)

// One place for the language settings of every target.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
