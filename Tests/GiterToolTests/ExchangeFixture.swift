import Foundation
import Giter
import GiterGitCLI
import GiterLibGit2
import Testing

/// The two backends the tool can use, as `--backend` spells them.
enum ToolBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case libgit2
    case git

    var testDescription: String { rawValue }
}

/// A throwaway exchange for one test: a bare repository at a local path,
/// and `giter` runs against it with their own mirror folder and identity.
final class ExchangeFixture {
    static let producer = "Test Producer <producer@example.com>"
    static let experimentType = ResourceType(apiVersion: "giter.example/v1", kind: "Experiment")

    let directory: TemporaryDirectory
    let backend: ToolBackend

    /// A fixture; with `initialized`, `giter init` has run.
    init(backend: ToolBackend = .libgit2, initialized: Bool = true) async throws {
        directory = try TemporaryDirectory()
        self.backend = backend
        if initialized {
            let result = try await giter(["init"])
            try #require(result.status == 0, "giter init failed: \(result.stderr)")
        }
    }

    /// The remote's path.
    var remote: String { directory.url.appendingPathComponent("exchange.git").path }

    /// The options that point a command at this exchange.
    var options: [String] {
        [
            "--remote", remote, "--backend", backend.rawValue,
            "--cache", directory.url.appendingPathComponent("mirror-\(backend.rawValue)").path,
            "--identity", Self.producer,
        ]
    }

    /// Runs `giter` with `arguments` and the exchange options, with `environment` added to the process's.
    func giter(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> GiterProcess.Result {
        try await directory.run(arguments + options, stdin: stdin, environment: environment)
    }

    /// Writes `text` to the file `name` in the fixture's folder.
    func write(_ name: String, _ text: String) throws {
        try directory.write(name, text)
    }

    /// Applies `text` from standard input and requires success.
    @discardableResult
    func apply(_ text: String) async throws -> GiterProcess.Result {
        let result = try await giter(["apply", "-f", "-"], stdin: text)
        try #require(result.status == 0, "apply failed: \(result.stderr)")
        return result
    }

    /// A store over the exchange with its own mirror, as another process's.
    func store(
        _ identity: ExchangeIdentity, mirror: String, signer: (any CommitSigner)? = nil
    ) async throws -> GitResourceStore<DynamicResource> {
        let configuration = RemoteConfiguration(
            url: remote,
            mirrorPath: directory.url.appendingPathComponent(mirror).path
        )
        let transport: any Transport =
            switch backend {
            case .libgit2: try await LibGit2Transport(configuration: configuration)
            case .git: try await GitCLITransport(configuration: configuration)
            }
        return GitResourceStore(
            transport: transport,
            resourceType: Self.experimentType,
            options: StoreOptions(identity: identity, signer: signer)
        )
    }

    /// Writes a status for `name` as a consumer: Ready=True (or `ready`),
    /// for the current generation, with a `digest` field; signed by `signer` when given.
    func writeStatus(
        _ name: String, ready: Bool = true, namespace: String = "default", signer: (any CommitSigner)? = nil
    ) async throws {
        let consumer = ExchangeIdentity(name: "Testbed", email: "testbed@example.com", role: .consumer)
        let store = try await store(consumer, mirror: "consumer-mirror", signer: signer)
        try await store.refresh()
        let key = ResourceKey(namespace: namespace, kind: "Experiment", name: name)
        let stored = try #require(try await store.get(key))
        var status = DynamicStatus()
        status.observedGeneration = stored.generation
        status.conditions.setCondition(
            Condition(
                type: "Ready",
                status: .init(ready),
                reason: ready ? "Finished" : "Running",
                message: "sorted 1000 numbers"
            )
        )
        status["digest"] = "sha256:abc123"
        let outcome = try await store.write(.status(key, status, specDigest: stored.specDigest))
        try #require(outcome == .statusWritten, "status write: \(outcome)")
    }

    /// An `Experiment` document.
    static func experiment(_ name: String, size: Int = 1000, namespace: String? = nil, labels: String? = nil) -> String
    {
        var text = """
            apiVersion: giter.example/v1
            kind: Experiment
            metadata:
              name: \(name)

            """
        if let namespace { text += "  namespace: \(namespace)\n" }
        if let labels { text += "  labels:\n    \(labels)\n" }
        text += """
            spec:
              workload: sort   # a safe computation
              size: \(size)

            """
        return text
    }
}

extension GiterProcess.Result {
    /// The lines of standard output.
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    /// Whether standard error is exactly one `error: ` line.
    var isOneLineError: Bool {
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count == 2 && lines[1].isEmpty && lines[0].hasPrefix("error: ")
    }
}

/// The cells of a table line, split on runs of spaces.
func cells(_ line: String) -> [String] {
    line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
}
