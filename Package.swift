// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Squire",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SquireCore", targets: ["SquireCore"]),
        .library(name: "SquireTensor", targets: ["SquireTensor"]),
        .library(name: "SquireModels", targets: ["SquireModels"]),
        .library(name: "SquireEval", targets: ["SquireEval"]),
        .library(name: "SquireDrift", targets: ["SquireDrift"]),
        .library(name: "SquireRouting", targets: ["SquireRouting"]),
        .library(name: "SquireTesting", targets: ["SquireTesting"]),
        .executable(name: "squire", targets: ["SquireCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSquireBLAS",
            providers: [.apt(["libblas-dev", "liblapack-dev"])]
        ),
        .target(name: "SquireCore"),
        .target(name: "SquireTensor", dependencies: ["CSquireBLAS"]),
        .target(name: "SquireModels", dependencies: ["SquireCore", "SquireTensor"]),
        .target(name: "SquireEval", dependencies: ["SquireCore"]),
        .target(name: "SquireDrift", dependencies: ["SquireCore"]),
        .target(name: "SquireRouting", dependencies: ["SquireCore", "SquireEval"]),
        .target(name: "SquireTesting", dependencies: ["SquireCore"]),
        .executableTarget(
            name: "SquireCLI",
            dependencies: [
                "SquireCore",
                "SquireTensor",
                "SquireModels",
                "SquireEval",
                "SquireDrift",
                "SquireRouting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SquireCoreTests", dependencies: ["SquireCore"]),
        .testTarget(name: "SquireTensorTests", dependencies: ["SquireTensor"], exclude: ["Fixtures"]),
        .testTarget(name: "SquireModelsTests", dependencies: ["SquireModels"], exclude: ["Fixtures"]),
        .testTarget(name: "SquireEvalTests", dependencies: ["SquireEval"], exclude: ["Fixtures"]),
        .testTarget(name: "SquireDriftTests", dependencies: ["SquireDrift"], exclude: ["Fixtures"]),
        .testTarget(name: "SquireRoutingTests", dependencies: ["SquireRouting", "SquireTesting"]),
        .testTarget(name: "SquireTestingTests", dependencies: ["SquireTesting"]),
        .testTarget(name: "SquireCLITests", dependencies: ["SquireCLI", "SquireModels"]),
    ]
)

// One place for the language settings of every target.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
