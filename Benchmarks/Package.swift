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
        // Already in the graph through Giter; ExchangeBenchmark sends the runtime's logs to stderr.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Already in the graph through GiterWebhooks; ExchangeBenchmark --webhooks
        // runs two receivers and signs what it posts to them, as a forge would.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // What more than one benchmark measures with (peak memory on Linux).
        .target(name: "BenchmarkSupport", dependencies: ["CBenchmarkSupport"]),
        // glibc's heap counters (mallinfo2), which Swift's Glibc module does not export.
        .target(name: "CBenchmarkSupport"),
        // Wrappers of a Transport that observe some of its calls.
        .target(name: "BenchmarkTransport", dependencies: [.product(name: "Giter", package: giterPackage)]),
        .executableTarget(
            name: "CodecBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "GiterCodec", package: giterPackage),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Transport backends vs the script a user would write (and raw C
        // libgit2, built by run-transport.sh from Baselines/).
        .executableTarget(
            name: "TransportBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Giter", package: giterPackage),
                .product(name: "GiterLibGit2", package: giterPackage),
                .product(name: "GiterGitCLI", package: giterPackage),
            ]
        ),
        // Signing cost per commit and verification throughput (issue 11):
        // Giter's signers and checker against git commit-tree -S,
        // git verify-commit and git log --show-signature (run-signing.sh).
        .executableTarget(
            name: "SigningBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Giter", package: giterPackage),
                .product(name: "GiterLibGit2", package: giterPackage),
                .product(name: "GiterGitCLI", package: giterPackage),
            ]
        ),
        // Work linear in the input (issue 12): every reader and writer path
        // (parse, decode, encode, splice, the contract check) over input
        // shapes from 10 KB to 4 MB: time per byte and peak memory
        // (run-linear.sh).
        .executableTarget(
            name: "LinearBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Giter", package: giterPackage),
                .product(name: "GiterCodec", package: giterPackage),
            ]
        ),
        // The exchange end to end: apply → Ready observed by the producer, over
        // a local bare remote, for both backends, against the naive git loop;
        // with --remotes, over git daemon, smart HTTP and SSH on loopback too
        // (with and without webhooks), beside each remote's floor.
        .executableTarget(
            name: "ExchangeBenchmark",
            dependencies: [
                "BenchmarkTransport",
                "BenchmarkSupport",
                .product(name: "Giter", package: giterPackage),
                .product(name: "GiterLibGit2", package: giterPackage),
                .product(name: "GiterGitCLI", package: giterPackage),
                .product(name: "GiterWebhooks", package: giterPackage),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // What a user gets (issue 13): the README's host app with default
        // options over a bare repository on this machine, apply → answer,
        // with the remote watched (the default) and not (run-hostapp.sh).
        .executableTarget(
            name: "HostAppBenchmark",
            dependencies: [
                .product(name: "Giter", package: giterPackage),
                .product(name: "GiterLibGit2", package: giterPackage),
                .product(name: "GiterGitCLI", package: giterPackage),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Encrypted fields (issue 15): seal and open cost per value and the
        // envelope's size, by value size and recipients (run-encryption.sh).
        .executableTarget(
            name: "EncryptionBenchmark",
            dependencies: [
                .product(name: "Giter", package: giterPackage),
                .product(name: "GiterCodec", package: giterPackage),
            ]
        ),
        // A consumer of 100,000 resources and a new reader of a long history
        // (issue 13): initial sync, RSS, dispatch after a fetch, and the
        // history check per commit, for both backends (run-scale.sh).
        .executableTarget(
            name: "ScaleBenchmark",
            dependencies: [
                "BenchmarkTransport",
                "BenchmarkSupport",
                .product(name: "Giter", package: giterPackage),
                .product(name: "GiterLibGit2", package: giterPackage),
                .product(name: "GiterGitCLI", package: giterPackage),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

// One set of Swift settings for every Swift target.
for target in package.targets where target.name != "CBenchmarkSupport" {
    target.swiftSettings = [
        .swiftLanguageMode(.v6),
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("InternalImportsByDefault"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ]
}
