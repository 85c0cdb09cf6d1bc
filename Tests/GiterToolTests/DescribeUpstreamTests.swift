import Foundation
import Giter
import GiterCodec
import Testing

/// `giter describe`'s Upstream section over two (or one) real local
/// exchanges: an Experiment in exchange A, and in exchange B a resource whose
/// `giter.dev/source-*` annotations name it, as a pipeline stage writes them.
@Suite("giter describe: the upstream chain")
struct DescribeUpstreamTests {
    @Test(arguments: ToolBackend.allCases)
    func followsTheSourceAndChecksItsDigest(_ backend: ToolBackend) async throws {
        let upstream = try await ExchangeFixture(backend: backend)
        try await upstream.apply(ExchangeFixture.experiment("sort-1"))
        let commit = try Self.tip(of: upstream)
        // A later spec upstream: the annotation's commit still holds generation 1.
        try await upstream.apply(ExchangeFixture.experiment("sort-1", size: 7))
        let downstream = try await ExchangeFixture(backend: backend)
        let digest = try Self.digest(of: ExchangeFixture.experiment("sort-1"))
        try await downstream.apply(
            Self.output(
                "sort-1-analysis",
                [
                    Provenance.repository: upstream.remote, Provenance.branch: "main", Provenance.commit: commit,
                    Provenance.resource: "default/Experiment/sort-1", Provenance.generation: "1",
                    Provenance.specDigest: digest,
                ]
            )
        )

        let result = try await downstream.giter(["describe", "Experiment/sort-1-analysis", "--history", "0"])
        #expect(result.stderr == "")
        #expect(result.status == 0)
        let section = try #require(result.stdout.components(separatedBy: "Upstream:\n").last)
        #expect(
            section == """
                  1. default/Experiment/sort-1 (generation 1)
                     Repository:  \(upstream.remote) (branch main)
                     Commit:      \(commit)
                     Spec Digest: \(digest)
                     Check:       digest matches
                  End: default/Experiment/sort-1 has no source

                """
        )
        // The upstream repository was fetched into a mirror of its own, beside the exchange's.
        let mirrors = try FileManager.default.contentsOfDirectory(
            atPath: downstream.directory.url.appendingPathComponent("mirror-\(backend.rawValue).upstream").path
        )
        #expect(mirrors.count == 1)
    }

    @Test(arguments: ToolBackend.allCases)
    func aDigestThatDiffersIsShown(_ backend: ToolBackend) async throws {
        let upstream = try await ExchangeFixture(backend: backend)
        try await upstream.apply(ExchangeFixture.experiment("sort-1"))
        let commit = try Self.tip(of: upstream)
        let downstream = try await ExchangeFixture(backend: backend)
        try await downstream.apply(
            Self.output(
                "sort-1-analysis",
                [
                    Provenance.repository: upstream.remote, Provenance.branch: "main", Provenance.commit: commit,
                    Provenance.resource: "default/Experiment/sort-1", Provenance.generation: "2",
                    Provenance.specDigest: try Self.digest(of: ExchangeFixture.experiment("sort-1", size: 5000)),
                ]
            )
        )

        let result = try await downstream.giter(["describe", "Experiment/sort-1-analysis", "--history", "0"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("     Check:       DIGEST DIFFERS, GENERATION DIFFERS (1 at that commit)\n"))
        #expect(result.stdout.hasSuffix("  End: default/Experiment/sort-1 has no source\n"))
    }

    @Test(arguments: ToolBackend.allCases)
    func anUnreachableOrRefusedSourceEndsTheChain(_ backend: ToolBackend) async throws {
        let downstream = try await ExchangeFixture(backend: backend)
        let missing = downstream.directory.url.appendingPathComponent("gone.git").path
        let commit = String(repeating: "ab", count: 20)
        let digest = try Self.digest(of: ExchangeFixture.experiment("sort-1"))
        let cases: [(String, String)] = [
            (missing, "  End: \(missing) is unreachable: "),
            (
                "https://user:secret@example.com/lab.git",
                "  End: the annotation giter.dev/source-repository holds a credential; it is not shown\n"
            ),
            (
                "https://example.com/lab.git",
                "  End: not followed: https://example.com/lab.git is not on the host of --remote"
            ),
            ("relative/lab.git", "  End: not followed: relative/lab.git is not an absolute path\n"),
            ("--upload-pack=touch", "  End: the annotation giter.dev/source-repository is not a repository URL\n"),
            (
                "/tmp/lab\u{202E}tig.git",
                "  End: the annotation giter.dev/source-repository is not valid "
                    + "(too long, or holds control or format characters)\n"
            ),
        ]
        for (index, (repository, end)) in cases.enumerated() {
            try await downstream.apply(
                Self.output(
                    "output-\(index)",
                    [
                        Provenance.repository: repository, Provenance.branch: "main", Provenance.commit: commit,
                        Provenance.resource: "default/Experiment/sort-1", Provenance.generation: "1",
                        Provenance.specDigest: digest,
                    ]
                )
            )
            let result = try await downstream.giter(["describe", "Experiment/output-\(index)", "--history", "0"])
            #expect(result.status == 0, "\(repository): \(result.stderr)")
            #expect(result.stdout.contains("Upstream:\n"))
            #expect(result.stdout.contains(end), "\(repository): \(result.stdout)")
            #expect(!result.stdout.contains("secret"))
            if repository.contains("secret") {
                #expect(result.stdout.contains("https://[redacted]@example.com/lab.git"))
            }
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aLoopEndsTheChain(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend)
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        let first = try Self.tip(of: exchange)
        let digest = try Self.digest(of: ExchangeFixture.experiment("sort-1"))
        func annotations(_ commit: String) -> [String: String] {
            [
                Provenance.repository: exchange.remote, Provenance.branch: "main", Provenance.commit: commit,
                Provenance.resource: "default/Experiment/loop", Provenance.generation: "1",
                Provenance.specDigest: digest,
            ]
        }
        // `loop` names itself as its source, at a commit where it already did.
        try await exchange.apply(Self.output("loop", annotations(first)))
        try await exchange.apply(Self.output("loop", annotations(try Self.tip(of: exchange))))

        let result = try await exchange.giter(["describe", "Experiment/loop", "--history", "0"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("  1. default/Experiment/loop (generation 1)\n"))
        #expect(result.stdout.contains("  2. default/Experiment/loop (generation 1)\n"))
        #expect(
            result.stdout.hasSuffix("  End: a loop: default/Experiment/loop in \(exchange.remote) was shown above\n")
        )
    }

    @Test(arguments: ToolBackend.allCases)
    func aLongChainEndsAfterEightSources(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend)
        try await exchange.apply(ExchangeFixture.experiment("step-0"))
        let digest = try Self.digest(of: ExchangeFixture.experiment("sort-1"))
        // step-k names step-(k-1), at the commit that made it: a chain of ten in one exchange.
        for step in 1...10 {
            try await exchange.apply(
                Self.output(
                    "step-\(step)",
                    [
                        Provenance.repository: exchange.remote, Provenance.branch: "main",
                        Provenance.commit: try Self.tip(of: exchange),
                        Provenance.resource: "default/Experiment/step-\(step - 1)",
                        Provenance.generation: "1", Provenance.specDigest: digest,
                    ]
                )
            )
        }

        let result = try await exchange.giter(["describe", "Experiment/step-10", "--history", "0"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("  8. default/Experiment/step-2 (generation 1)\n"))
        #expect(!result.stdout.contains("  9. "))
        #expect(result.stdout.components(separatedBy: "Check:       digest matches\n").count - 1 == 8)
        #expect(result.stdout.hasSuffix("  End: not followed past 8 sources\n"))
    }

    @Test func aResourceWithoutProvenanceHasNoUpstreamSection() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        let result = try await exchange.giter(["describe", "Experiment/sort-1", "--history", "0"])
        #expect(result.status == 0)
        #expect(!result.stdout.contains("Upstream"))
    }

    /// An Experiment `name` with `annotations`, the spec of `sort-1`.
    static func output(_ name: String, _ annotations: [String: String]) -> String {
        var text = """
            apiVersion: giter.example/v1
            kind: Experiment
            metadata:
              name: \(name)
              annotations:

            """
        for (key, value) in annotations.sorted(by: { $0.key < $1.key }) {
            text += "    \(key): \"\(value)\"\n"
        }
        text += "spec:\n  workload: sort\n  size: 1000\n"
        return text
    }

    /// The digest a stage records for the spec of `document`.
    static func digest(of document: String) throws -> String {
        try Provenance.specDigest(of: DocumentDecoder().decode(DynamicResource.self, fromYAML: document).spec)
    }

    /// The exchange branch's commit in the fixture's bare repository.
    static func tip(of exchange: ExchangeFixture) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", exchange.remote, "rev-parse", "refs/heads/main"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
