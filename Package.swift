// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "giter",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "GiterCodec", targets: ["GiterCodec"]),
        .library(name: "Giter", targets: ["Giter"]),
        .executable(name: "giter", targets: ["GiterTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Text ⇄ node tree ⇄ Codable. No package dependencies.
        .target(name: "GiterCodec"),
        // The resource model and, later, the exchange runtime.
        .target(
            name: "Giter",
            dependencies: [
                "GiterCodec",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The `giter` command-line tool.
        .executableTarget(
            name: "GiterTool",
            dependencies: [
                "Giter",
                "GiterCodec",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "GiterCodecTests", dependencies: ["GiterCodec"]),
        .testTarget(name: "GiterTests", dependencies: ["Giter", "GiterCodec"]),
        .testTarget(name: "GiterToolTests", dependencies: ["GiterTool"]),
    ]
)

// One set of Swift settings for every target.
for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    // Require `any` for existential types (SE-0335).
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    // Imports are internal unless marked otherwise (SE-0409).
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    // Members are visible only from modules that are imported (SE-0444).
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
