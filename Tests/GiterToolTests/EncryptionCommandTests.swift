import Foundation
import GitServerFixtures
import Testing

/// `giter key generate`, and `giter apply`, `get` and `verify` over an
/// exchange whose definition marks a field `x-giter-encrypted`, on both backends.
@Suite(.timeLimit(.minutes(4)))
struct EncryptionCommandTests {
    static let definition = ExchangeFixture.experimentDefinition.replacingOccurrences(
        of: "              size:\n",
        with: "              token: {type: string, minLength: 4, x-giter-encrypted: true}\n              size:\n")

    static func manifest(token: String) -> String {
        ExchangeFixture.experiment("x") + "  token: \(token)\n"
    }

    /// Makes a key pair with `giter key generate`; returns the key file and the policy entry it printed.
    func generate(_ exchange: ExchangeFixture, id: String) async throws -> (file: String, entry: String) {
        let file = exchange.directory.url.appendingPathComponent("\(id)-\(UUID().uuidString).key").path
        let result = try await exchange.directory.run(["key", "generate", "--id", id, "-o", file])
        try #require(result.status == 0, "\(result.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let entry = result.lines.filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        #expect(entry.hasPrefix("- id: \(id)\n  publicKey: "), "\(result.stdout)")
        let again = try await exchange.directory.run(["key", "generate", "--id", id, "-o", file])
        #expect(again.status == 1 && again.stderr.contains("choose a path that does not exist"), "never over a key")
        return (file, entry)
    }

    @Test(arguments: ToolBackend.allCases)
    func applySealsGetOpensWithAKeyAndVerifyChecksTheEnvelope(_ backend: ToolBackend) async throws {
        #expect(Self.definition.contains("x-giter-encrypted"))
        let exchange = try await ExchangeFixture(backend: backend, initialized: false)
        let initialized = try await exchange.giter(["init", "--admin", ExchangeFixture.admin])
        try #require(initialized.status == 0, "\(initialized.stderr)")
        let producerKey = try await generate(exchange, id: "lab-1")
        let consumerKey = try await generate(exchange, id: "testbed-1")
        func indented(_ entry: String) -> String {
            entry.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")
        }
        let policy = ExchangeFixture.policy()
            .replacingOccurrences(
                of: "    - email: producer@example.com\n",
                with: "    - email: producer@example.com\n      encryptionKeys:\n\(indented(producerKey.entry))\n")
            .replacingOccurrences(
                of: "    - email: \(ExchangeFixture.consumerEmail)\n",
                with: "    - email: \(ExchangeFixture.consumerEmail)\n      encryptionKeys:\n\(indented(consumerKey.entry))\n")
        #expect(policy.contains("encryptionKeys:\n      - id: testbed-1"), "\(policy)")
        try await exchange.commitWithGit(author: ExchangeFixture.admin, message: "Parties, keys and the definition") {
            folder in
            try Data(policy.utf8).write(to: folder.appendingPathComponent(".giter/policy.yaml"))
            try Data(Self.definition.utf8).write(to: folder.appendingPathComponent(".giter/crds/experiment.yaml"))
        }

        let keyOption = ["--decryption-key", producerKey.file]
        let applied = try await exchange.giter(["apply", "-f", "-"] + keyOption, stdin: Self.manifest(token: "s3cret-token"))
        try #require(applied.status == 0, "\(applied.stderr)")
        let path = try await exchange.experimentPath("x")
        let stored = try await runGitChecked(["--git-dir", exchange.remote, "show", "main:\(path)"]).stdout
        #expect(!stored.contains("s3cret-token") && stored.contains("token: giter-enc:v1:"), "\(stored)")
        let tip = try await runGitChecked(["--git-dir", exchange.remote, "rev-parse", "main"]).stdout
        let again = try await exchange.giter(["apply", "-f", "-"] + keyOption, stdin: Self.manifest(token: "s3cret-token"))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try await runGitChecked(["--git-dir", exchange.remote, "rev-parse", "main"]).stdout == tip, "unchanged")

        let opened = try await exchange.giter(["get", "experiment", "x", "-o", "yaml", "--decryption-key", consumerKey.file])
        #expect(opened.status == 0, "\(opened.stderr)")
        #expect(opened.stdout.contains("token: s3cret-token"), "\(opened.stdout)")
        let sealed = try await exchange.giter(["get", "experiment", "x", "-o", "yaml"])
        #expect(sealed.status == 0 && sealed.stdout.contains("giter-enc:v1:") && !sealed.stdout.contains("s3cret"))

        let impostor = try await generate(exchange, id: "testbed-1")
        let wrong = try await exchange.giter(["get", "experiment", "x", "-o", "yaml", "--decryption-key", impostor.file])
        #expect(wrong.status != 0, "\(wrong.stdout)")
        #expect(wrong.stderr.contains("spec.token does not open with the key testbed-1"), "\(wrong.stderr)")
        let missing = try await exchange.giter(["get", "experiment", "x", "--decryption-key", "/nonexistent.key"])
        #expect(missing.status == 1 && missing.isOneLineError, "\(missing.stderr)")
        #expect(missing.stderr.contains("cannot use the decryption key: /nonexistent.key"), "\(missing.stderr)")

        let verified = try await exchange.giter(["verify"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")

        // verify holds no key, yet checks each envelope's shape: a truncated one is a violation.
        try await exchange.commitWithGit(author: ExchangeFixture.producer, message: "A broken envelope") {
            folder in
            let file = folder.appendingPathComponent(path)
            let text = try String(contentsOf: file, encoding: .utf8)
            let line = try #require(text.split(separator: "\n").first { $0.contains("token: giter-enc:v1:") })
            let broken = text.replacingOccurrences(of: String(line), with: "  token: giter-enc:v1:AQ==")
            try Data(broken.utf8).write(to: file)
        }
        let refused = try await exchange.giter(["verify"])
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(
            (refused.stdout + refused.stderr).contains("spec.token: Invalid value: the encrypted value is truncated (ephemeral key)"),
            "\(refused.stdout)\(refused.stderr)")
        #expect((refused.stdout + refused.stderr).contains(" commits: 1 violations"), "\(refused.stdout)")

        let short = try await exchange.giter(["apply", "-f", "-"] + keyOption, stdin: Self.manifest(token: "q7z"))
        #expect(short.status != 0)
        #expect(short.stderr.contains("spec.token: Invalid value: must be at least 4 characters long"), "\(short.stderr)")
        #expect(!(short.stdout + short.stderr).contains("q7z"), "the secret is not printed: \(short.stderr)")
    }
}
