import Foundation
import GitServerFixtures
import Giter
import Testing

/// `giter apply -f` stores a YAML document as its author wrote it, with
/// the fields Giter maintains spliced into `metadata`; JSON and flow
/// mappings are stored as block YAML. On both backends.
@Suite("giter apply keeps the author's text")
struct ApplyTextCommandTests {
    static let authored = """
        # The nightly sort; pinned later.
        apiVersion: giter.example/v1
        kind: Experiment
        metadata:   # who and what
          name: sort-1
          labels: {team: a, 'tier': "gold"}   # flow style kept
        spec:
          # the size is pinned later
          size: 1000
          workload: 'sort'

        """

    /// The stored file of `name`, read with git from the bare repository.
    static func storedText(_ name: String, in fixture: ExchangeFixture) async throws -> String {
        let remote = URL(fileURLWithPath: fixture.remote)
        let listing = try await runGitChecked(["ls-tree", "-r", "--name-only", "main"], in: remote)
        let path = try #require(listing.stdout.split(separator: "\n").first { $0.hasSuffix("/\(name).yaml") })
        return try await runGitChecked(["show", "main:\(path)"], in: remote).stdout
    }

    @Test(arguments: ToolBackend.allCases)
    func aYAMLDocumentIsStoredWithItsCommentsOrderAndQuoting(_ backend: ToolBackend) async throws {
        let fixture = try await ExchangeFixture(backend: backend)
        try fixture.write("sort.yaml", Self.authored)
        let created = try await fixture.giter(["apply", "-f", "sort.yaml"])
        #expect(created.lines == ["Experiment/sort-1 created"], "\(created)")

        let stored = try await Self.storedText("sort-1", in: fixture)
        let head = try #require(Self.authored.range(of: "# flow style kept\n"))
        let tail = try #require(Self.authored.range(of: "spec:\n"))
        #expect(
            stored.hasPrefix(
                String(Self.authored[..<head.upperBound]) + "  namespace: default\n  generation: 1\n  uid: "
            )
        )
        #expect(stored.hasSuffix(String(Self.authored[tail.lowerBound...])), "\(stored)")
        let document = try YAMLReader().readDocument(stored)
        let uid = try #require(document["metadata"]?["uid"]?.string)
        #expect(document["metadata"]?["creationTimestamp"]?.string != nil)

        // The consumer writes a status; the author changes the size and a comment: both kept.
        try await fixture.writeStatus("sort-1")
        let changed = Self.authored.replacingOccurrences(of: "size: 1000", with: "size: 2000  # doubled")
        try fixture.write("sort.yaml", changed)
        let configured = try await fixture.giter(["apply", "-f", "sort.yaml"])
        #expect(configured.lines == ["Experiment/sort-1 configured"], "\(configured)")
        let second = try await Self.storedText("sort-1", in: fixture)
        #expect(second.contains("  size: 2000  # doubled\n  workload: 'sort'\nstatus:\n"), "\(second)")
        #expect(second.contains("  generation: 2\n  uid: \(uid)\n"), "\(second)")
        let reread = try YAMLReader().readDocument(second)
        #expect(reread["status"]?["digest"]?.string == "sha256:abc123", "the consumer's status is kept")
        #expect(reread["metadata"]?["creationTimestamp"] == document["metadata"]?["creationTimestamp"])

        // A comment alone is no change: nothing is written.
        try fixture.write("sort.yaml", "# another comment\n" + changed)
        let unchanged = try await fixture.giter(["apply", "-f", "sort.yaml"])
        #expect(unchanged.lines == ["Experiment/sort-1 unchanged"], "\(unchanged)")
        #expect(try await Self.storedText("sort-1", in: fixture) == second)

        // What get prints reads as the resource.
        let yaml = try await fixture.giter(["get", "Experiment/sort-1", "-o", "yaml"])
        let printed = try YAMLReader().readDocument(yaml.stdout)
        #expect(printed["metadata"]?["labels"] == ["team": "a", "tier": "gold"])
        #expect(printed["spec"] == ["size": 2000, "workload": "sort"])
    }

    @Test(arguments: ToolBackend.allCases)
    func eachDocumentOfAStreamKeepsItsOwnText(_ backend: ToolBackend) async throws {
        let fixture = try await ExchangeFixture(backend: backend)
        let second = ExchangeFixture.experiment("sieve-2")
        try fixture.write("both.yaml", "---\n" + Self.authored + "--- # the second\n" + second)
        let result = try await fixture.giter(["apply", "-f", "both.yaml", "-n", "lab"])
        #expect(result.lines == ["Experiment/sort-1 created", "Experiment/sieve-2 created"], "\(result)")
        let stored = try await Self.storedText("sieve-2", in: fixture)
        #expect(
            stored.hasPrefix(
                "apiVersion: giter.example/v1\nkind: Experiment\nmetadata:\n  name: sieve-2\n  namespace: lab\n"
            )
        )
        #expect(stored.hasSuffix("spec:\n  workload: sort   # a safe computation\n  size: 1000\n"), "\(stored)")
        #expect(try await Self.storedText("sort-1", in: fixture).hasPrefix("# The nightly sort; pinned later.\n"))
    }

    @Test(arguments: ToolBackend.allCases)
    func jsonAndFlowMappingsAreStoredAsBlockYAML(_ backend: ToolBackend) async throws {
        let fixture = try await ExchangeFixture(backend: backend)
        try fixture.write(
            "a.json",
            #"{"apiVersion": "giter.example/v1", "kind": "Experiment", "metadata": {"name": "a"}, "spec": {"size": 1}}"#
        )
        try fixture.write(
            "b.yaml",
            "# a flow mapping\n{apiVersion: giter.example/v1, kind: Experiment,\n metadata: {name: b}, spec: {size: 2}}\n"
        )
        let result = try await fixture.giter(["apply", "-f", "a.json", "-f", "b.yaml"])
        #expect(result.lines == ["Experiment/a created", "Experiment/b created"], "\(result)")
        for (name, size) in [("a", 1), ("b", 2)] {
            let stored = try await Self.storedText(name, in: fixture)
            #expect(stored.hasPrefix("apiVersion: giter.example/v1\nkind: Experiment\nmetadata:\n  name: \(name)\n"))
            #expect(stored.hasSuffix("spec:\n  size: \(size)\n"), "\(stored)")
        }
    }
}
