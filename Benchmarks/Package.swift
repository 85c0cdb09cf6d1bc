// swift-tools-version: 6.2
import PackageDescription

// The benchmarks are a package of their own so that users of Giter never
// resolve the benchmark-only dependency (Yams, the baseline we compare with).

// SwiftPM names a path dependency after its directory (lower-cased), and a
// clone of Giter may live in a directory of any name.
let giterPackage = String(
    Context.packageDirectory.split(separator: "/").dropLast().last ?? "giter"
).lowercased()

let package = Package(
    name: "giter-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        .executableTarget(
            name: "CodecBenchmark",
            dependencies: [
                .product(name: "GiterCodec", package: giterPackage),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("InternalImportsByDefault"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        ),
        // Transport backends vs the script a user would write (and raw C
        // libgit2, built by run-transport.sh from Baselines/).
        .executableTarget(
            name: "TransportBenchmark",
            dependencies: [
                .product(name: "Giter", package: giterPackage),
                .product(name: "GiterLibGit2", package: giterPackage),
                .product(name: "GiterGitCLI", package: giterPackage),
            ],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("InternalImportsByDefault"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        ),
    ]
)
