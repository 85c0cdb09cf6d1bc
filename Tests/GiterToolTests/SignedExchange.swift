import Foundation
import GitServerFixtures
import Giter
import Testing

/// An exchange whose policy binds a key to each member and requires signed
/// commits: the fixture's producer, the testbed and the owner each hold an
/// SSH key made by `ssh-keygen`. The owner's `giter init --admin` commit is
/// the anchor; the owner's signed second commit writes the policy.
struct SignedExchange {
    let exchange: ExchangeFixture
    let keys: URL
    let producer: SSHTestKey
    let consumer: SSHTestKey
    let owner: SSHTestKey

    static let producerEmail = "producer@example.com"
    static let ownerEmail = "owner@example.com"

    /// `nil` when `ssh-keygen` is missing locally (skipped, with a message).
    /// `producerExtra`: more YAML items for the producer's `signingKeys` (an armored OpenPGP key).
    static func make(backend: ToolBackend, producerExtra: String = "") async throws -> SignedExchange? {
        let exchange = try await ExchangeFixture(backend: backend, initialized: false)
        let keys = exchange.directory.url.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        guard let producer = try await SSHTestKey.make("producer", in: keys),
            let consumer = try await SSHTestKey.make("consumer", in: keys),
            let owner = try await SSHTestKey.make("owner", in: keys)
        else { return nil }
        let signed = SignedExchange(exchange: exchange, keys: keys, producer: producer, consumer: consumer, owner: owner)
        let result = try await exchange.giter(["init", "--admin", ExchangeFixture.admin, "--signing-key", owner.privateKey])
        try #require(result.status == 0, "giter init --admin failed: \(result.stderr)")
        try await signed.commit(
            author: ExchangeFixture.admin, signing: owner.gitOptions, message: "The parties, their keys and the definition"
        ) { folder in
            try Data(signed.policy(producerKeys: [producer.line], producerExtra: producerExtra).utf8)
                .write(to: folder.appendingPathComponent(".giter/policy.yaml"))
            try Data(ExchangeFixture.experimentDefinition.utf8).write(to: folder.appendingPathComponent(".giter/crds/experiment.yaml"))
        }
        return signed
    }

    /// The policy: keys for each member, signatures required.
    func policy(producerKeys: [String], ownerKeys: [String]? = nil, producerExtra: String = "") -> String {
        func list(_ keys: [String]) -> String { keys.map { "\n          - \($0)" }.joined() }
        return """
            apiVersion: giter.dev/v1alpha1
            kind: ExchangePolicy
            metadata:
              name: exchange
            spec:
              parties:
              - name: lab
                role: producer
                namespaces: ["default"]
                kinds: ["Experiment"]
                members:
                - email: \(Self.producerEmail)
                  signingKeys:\(list(producerKeys))\(producerExtra)
              - name: testbed
                role: consumer
                members:
                - email: \(ExchangeFixture.consumerEmail)
                  signingKeys:\(list([consumer.line]))
              - name: owners
                role: admin
                members:
                - email: \(Self.ownerEmail)
                  signingKeys:\(list(ownerKeys ?? [owner.line]))
              requireSignatures: true

            """
    }

    /// Clones the exchange, lets `edit` change the work tree, commits as
    /// `author` with `git commit` (`-S` with the `signing` options, unsigned
    /// when they are empty), lets `rewrite` replace the commit object, and
    /// pushes. Returns the pushed commit.
    @discardableResult
    func commit(
        author: String, signing: [String], message: String, environment extra: [String: String] = [:],
        rewrite: ((CommitObject) async throws -> [UInt8])? = nil, edit: (URL) throws -> Void
    ) async throws -> String {
        let open = try #require(author.lastIndex(of: "<"))
        let name = author[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(author[author.index(after: open)...].dropLast())
        var environment = GitEnvironment(name: name, email: email)
        for (key, value) in extra { environment = environment.setting(key, value) }
        let folder = exchange.directory.url.appendingPathComponent("work-\(UUID().uuidString)")
        try await runGitChecked(["clone", "--quiet", exchange.remote, folder.path], environment: environment)
        try edit(folder)
        try await runGitChecked(["add", "-A"], in: folder, environment: environment)
        try await runGitChecked(
            signing + ["commit", "--quiet"] + (signing.isEmpty ? [] : ["-S"]) + ["-m", message], in: folder, environment: environment)
        if let rewrite {
            let raw = try await runGitChecked(["cat-file", "commit", "HEAD"], in: folder, environment: environment)
            let replaced = try await rewrite(try CommitObject(bytes: Array(raw.stdout.utf8)))
            let id = try await runGitChecked(
                ["hash-object", "-t", "commit", "-w", "--stdin"], in: folder, environment: environment, input: Data(replaced)
            ).trimmedStdout
            try await runGitChecked(["reset", "--quiet", "--soft", id], in: folder, environment: environment)
        }
        try await runGitChecked(["push", "--quiet", "origin", "HEAD:main"], in: folder, environment: environment)
        return try await runGitChecked(["rev-parse", "HEAD"], in: folder, environment: environment).trimmedStdout
    }

    /// Commits a new Experiment `name` as the producer, with plain git.
    @discardableResult
    func commitExperiment(
        _ name: String, signing: [String], author: String = ExchangeFixture.producer, environment: [String: String] = [:],
        rewrite: ((CommitObject) async throws -> [UInt8])? = nil
    ) async throws -> String {
        try await commit(author: author, signing: signing, message: "Create \(name)", environment: environment, rewrite: rewrite) { folder in
            let file = folder.appendingPathComponent(ResourceKey(namespace: "default", kind: "Experiment", name: name).repositoryPath)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(ExchangeFixture.experiment(name).utf8).write(to: file)
        }
    }

    /// Runs `giter verify`; returns its status, its per-commit lines by
    /// commit prefix (12 digits) and its violation lines.
    func verify() async throws -> (status: Int32, lines: [String: String], violations: [String], output: String) {
        let result = try await exchange.giter(["verify"])
        var lines: [String: String] = [:]
        var violations: [String] = []
        for line in result.lines {
            let first = line.prefix(12)
            if line.count > 14, first.allSatisfy(\.isHexDigit), line.dropFirst(12).hasPrefix("  ") {
                lines[String(first)] = line
            } else if !line.hasPrefix("verified ") {
                violations.append(line)
            }
        }
        return (result.status, lines, violations, result.stdout + result.stderr)
    }

    /// `git verify-commit` of `commit` in the remote, with the policy's SSH keys as allowed signers.
    func gitVerifies(_ commit: String) async throws -> Bool {
        let allowed = keys.appendingPathComponent("allowed_signers")
        let text =
            producer.allowedSigner(Self.producerEmail) + consumer.allowedSigner(ExchangeFixture.consumerEmail)
            + owner.allowedSigner(Self.ownerEmail)
        try Data(text.utf8).write(to: allowed)
        let output = try await runGit(
            ["--git-dir", exchange.remote, "-c", "gpg.ssh.allowedSignersFile=\(allowed.path)", "verify-commit", commit])
        return output.succeeded
    }
}
