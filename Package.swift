// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "giter",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "GiterCodec", targets: ["GiterCodec"]),
        .library(name: "GiterSchema", targets: ["GiterSchema"]),
        .library(name: "Giter", targets: ["Giter"]),
        .library(name: "GiterLibGit2", targets: ["GiterLibGit2"]),
        .library(name: "GiterGitCLI", targets: ["GiterGitCLI"]),
        .library(name: "GiterTesting", targets: ["GiterTesting"]),
        // Webhooks, /metrics and /healthz over HTTP, as an event source of a
        // host app (Documentation/Events.md, "Webhooks").
        .library(name: "GiterWebhooks", targets: ["GiterWebhooks"]),
        .library(name: "GiterOCI", targets: ["GiterOCI"]),
        .executable(name: "giter", targets: ["GiterTool"]),
        .executable(name: "experiment-producer", targets: ["ExperimentProducer"]),
        .executable(name: "experiment-consumer", targets: ["ExperimentConsumer"]),
        .executable(name: "giter-demo", targets: ["GiterDemo"]),
        .executable(name: "giter-soak", targets: ["GiterSoak"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // Verifying and making SSH commit signatures in process (Ed25519,
        // ECDSA; RSA from _CryptoExtras).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // Spans across the exchange: a trace context travels in a commit
        // trailer (Documentation/Tracing.md). An exporter (swift-otel) is the
        // host app's choice, never a dependency here.
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // `swift package generate-documentation` for the DocC catalogs.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // The HTTP server of GiterWebhooks, and the metrics it serves. Only
        // GiterWebhooks, its tests, the examples and the `giter` tool (for
        // `giter serve`) depend on them: never Giter, the codec or the backends.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Hummingbird's header and buffer types, named so GiterWebhooks can
        // use them (resolved for Hummingbird already: nothing new to build).
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
    ],
    targets: [
        // Text ⇄ node tree ⇄ Codable. No package dependencies.
        .target(name: "GiterCodec"),
        // CustomResourceDefinition documents and structural-schema validation
        // of resources against them (the contract's schemas).
        .target(name: "GiterSchema", dependencies: ["GiterCodec"]),
        // The resource model, the Transport protocol and the exchange runtime
        // (ResourceStore, Reconciler, Controller, Producer).
        .target(
            name: "Giter",
            dependencies: [
                "GiterCodec",
                "GiterSchema",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                // Runs `gpg` to sign and to verify OpenPGP signatures.
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        // An in-memory ResourceStore for host apps' tests.
        .target(name: "GiterTesting", dependencies: ["Giter"]),
        // The OCI mirror (Documentation/OCI.md): the exchange's state published to a
        // registry and followed from it. Its own module for Foundation's URLSession.
        .target(
            name: "GiterOCI",
            dependencies: ["Giter", "GiterCodec", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The webhook receiver: signed hints from a forge into a
        // ChangeNotifier, and /metrics and /healthz beside them.
        .target(
            name: "GiterWebhooks",
            dependencies: [
                "Giter",
                "GiterCodec",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                // The board's event streams end at a graceful shutdown.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // libgit2, found with pkg-config (Debian: libgit2-dev).
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
        ),
        // The rules both backends follow for a repository on this machine
        // (receive policy, local URLs, file stamps, refs and locks, what a
        // refused ref update means, packs written without deltas). Internal:
        // no product; never libgit2, which the git CLI backend must do without.
        .target(
            name: "GiterLocalGit",
            dependencies: [
                "Giter", "CZlib",
                // SHA-1 for the object names and trailers of the packs it writes (PackFileWriter).
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // zlib (Debian: zlib1g-dev, which libgit2-dev depends on): the object streams of packs.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // The Transport over libgit2.
        .target(
            name: "GiterLibGit2",
            dependencies: [
                "Giter", "GiterLocalGit", "CLibGit2",
                // SHA-1 for the hashed host names of known_hosts (KnownHosts).
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The Transport over the `git` executable.
        .target(
            name: "GiterGitCLI",
            dependencies: [
                "Giter",
                "GiterLocalGit",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        // The options the `giter` tool and the examples share (credentials).
        .target(
            name: "GiterOptions",
            dependencies: ["Giter", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The `giter` command-line tool.
        .executableTarget(
            name: "GiterTool",
            dependencies: [
                "Giter",
                "GiterOptions",
                "GiterCodec",
                "GiterSchema",
                "GiterLibGit2",
                "GiterGitCLI",
                "GiterLocalGit",
                // `giter oci push|follow` (Documentation/OCI.md).
                "GiterOCI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                // `giter serve`: the board and the webhook receiver (Documentation/CLI.md).
                "GiterWebhooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                // `giter reconcile --exec`: runs the program, stops on SIGTERM.
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "GiterCodecTests", dependencies: ["GiterCodec"]),
        .testTarget(name: "GiterSchemaTests", dependencies: ["GiterSchema", "GiterCodec"]),
        .testTarget(name: "GiterTests", dependencies: ["Giter", "GiterCodec", "GiterTesting", "GitServerFixtures"]),
        .testTarget(
            name: "DocumentationTests",
            dependencies: [
                "Giter", "GiterGitCLI", "GiterLibGit2", "GiterTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "GiterExchangeTests",
            dependencies: [
                "Giter", "GiterLibGit2", "GiterGitCLI", "GiterTesting", "GitServerFixtures",
                // A tracer that keeps its spans, for the tracing tests only.
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]
        ),
        .testTarget(
            name: "GiterToolTests",
            dependencies: [
                "GiterTool", "Giter", "GiterLibGit2", "GiterGitCLI", "GiterLocalGit", "GiterOCI", "GitServerFixtures",
            ]),
        .testTarget(
            name: "GiterTransportTests",
            dependencies: [
                "Giter", "GiterLibGit2", "GiterGitCLI", "GiterLocalGit", "GiterTesting", "GitServerFixtures",
                // SocketStreamTests drive the C stream as libgit2 does.
                "CLibGit2",
            ]
        ),
        .testTarget(name: "GiterLocalGitTests", dependencies: ["Giter", "GiterLocalGit"]),
        .testTarget(
            name: "GiterWebhooksTests",
            dependencies: [
                "GiterWebhooks", "Giter", "GiterCodec", "GiterLibGit2", "GiterGitCLI", "GiterTesting", "GitServerFixtures",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The example: distributed experiments (Documentation/Examples.md).
        .target(
            name: "ExperimentKit",
            dependencies: [
                "Giter",
                "GiterOptions",
                "GiterLibGit2",
                "GiterGitCLI",
                "GiterWebhooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            path: "Examples/ExperimentKit"
        ),
        .executableTarget(
            name: "ExperimentProducer",
            dependencies: [
                "ExperimentKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/ExperimentProducer"
        ),
        .executableTarget(
            name: "ExperimentConsumer",
            dependencies: [
                "ExperimentKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/ExperimentConsumer"
        ),
        .executableTarget(
            name: "GiterDemo",
            dependencies: [
                "ExperimentKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            path: "Examples/GiterDemo"
        ),
        .testTarget(
            name: "ExamplesTests",
            dependencies: [
                "ExperimentKit", "Giter", "GiterSchema", "GiterTesting", "GitServerFixtures",
                // The executables, so that the tests can run them.
                "ExperimentConsumer", "ExperimentProducer", "GiterDemo",
                // `giter reconcile --exec` runs the shell and Python consumers of Examples/Scripts.
                "GiterTool",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        // Real Git servers on loopback for tests (git daemon, smart HTTP, SSH),
        // and an OCI registry with a token service (which signs its tokens: Crypto).
        .target(
            name: "GitServerFixtures",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/GitServerFixtures"
        ),
        .testTarget(name: "GitServerFixturesTests", dependencies: ["GitServerFixtures"]),
        // The soak (Documentation/Reliability.md, "Soak"): producer and consumer
        // processes over real servers, killed and restarted, and a check of the
        // final history. An executable of this package, not of Benchmarks/, so
        // that CI builds no benchmark dependency to run the short soak.
        .executableTarget(
            name: "GiterSoak",
            dependencies: [
                "Giter",
                "GiterLibGit2",
                "GiterGitCLI",
                "GitServerFixtures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .testTarget(
            name: "GiterSoakTests",
            dependencies: [
                // The executable, so that the test can run it.
                "GiterSoak",
                "GitServerFixtures",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
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
