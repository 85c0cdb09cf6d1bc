// swift-tools-version: 6.2
import PackageDescription

// libFuzzer harnesses for the codec: a package of their own, like
// `Benchmarks/`, so that neither `swift build` nor `swift test` at the root
// ever builds them. Build and run them with `Fuzz/run.sh`
// (Documentation/Reliability.md, "Fuzzing").
//
// SwiftPM gives every executable its own `main`, so libFuzzer's `main` is
// never linked: each harness's `main.swift` hands the process to libFuzzer's
// driver (`runLibFuzzer`, over `LLVMFuzzerRunDriver`). `run.sh` builds with
// `-sanitize=fuzzer,address`, which links libFuzzer; a plain `swift build`
// here does not link (no libFuzzer).

// SwiftPM names a path dependency after its directory (lower-cased), and a
// clone of Giter may live in a directory of any name.
let giterPackage = String(
    Context.packageDirectory.split(separator: "/").dropLast().last ?? "giter"
).lowercased()

let package = Package(
    name: "giter-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "..")
    ],
    targets: [
        // libFuzzer's driver, declared for Swift.
        .target(name: "CLibFuzzer"),
        // Runs a harness under libFuzzer's driver.
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
        // YAMLReader: every document of a stream, as node trees and through the tape.
        .executableTarget(
            name: "FuzzYAMLReader",
            dependencies: ["FuzzSupport", .product(name: "GiterCodec", package: giterPackage)]
        ),
        // JSONReader: one text, a stream of texts, and through the tape.
        .executableTarget(
            name: "FuzzJSONReader",
            dependencies: ["FuzzSupport", .product(name: "GiterCodec", package: giterPackage)]
        ),
        // YAMLSplice: replacing and removing a top-level value as the store does.
        .executableTarget(
            name: "FuzzYAMLSplice",
            dependencies: ["FuzzSupport", .product(name: "GiterCodec", package: giterPackage)]
        ),
        // A CustomResource decoded from a resource file as the store does.
        .executableTarget(
            name: "FuzzCustomResource",
            dependencies: ["FuzzSupport", .product(name: "Giter", package: giterPackage)]
        ),
    ]
)

// One set of Swift settings for every target, as in the root package.
for target in package.targets where target.name != "CLibFuzzer" {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
