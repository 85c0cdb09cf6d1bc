import Foundation
import GitServerFixtures
import Giter
import Testing

/// The contract in the other commands: `giter init` writes the policy,
/// `giter apply` checks against it before committing, `giter history` and
/// `giter describe` show which party wrote each change.
@Suite("giter and the contract")
struct ContractCommandTests {
    @Test func initWithAnAdminWritesAnActivePolicy() async throws {
        let exchange = try await ExchangeFixture(initialized: false)
        let result = try await exchange.giter(["init", "--admin", ExchangeFixture.admin])
        #expect(result.stderr == "")
        #expect(result.status == 0)
        #expect(
            result.lines.last?.hasPrefix(
                "The policy in .giter/policy.yaml is active; its only party is the admin owner@example.com"
            ) == true
        )

        let files = try await tree(exchange)
        #expect(files == [".giter/crds/README.md", ".giter/exchange.yaml", ".giter/policy.yaml", "README.md"])
        let text = try await show(exchange, ".giter/policy.yaml")
        let policy = try #require(try ExchangePolicy.parse(Array(text.utf8)))
        #expect(policy == ExchangePolicy.adminOnly(name: "Olga Owner", email: "owner@example.com"))
        let author = try await runGitChecked(["--git-dir", exchange.remote, "log", "-1", "--format=%an <%ae>", "main"])
        #expect(author.trimmedStdout == ExchangeFixture.admin)

        let verified = try await exchange.giter(["verify"])
        #expect(verified.status == 0)
        #expect(verified.stderr == "")
    }

    @Test func initWithoutAnAdminWritesAnInactiveTemplate() async throws {
        let exchange = try await ExchangeFixture(initialized: false)
        let result = try await exchange.giter(["init"])
        #expect(result.status == 0)
        #expect(
            result.lines.last
                == "The exchange is open (roles are not enforced) until an admin commits an active .giter/policy.yaml"
        )
        let text = try await show(exchange, ".giter/policy.yaml")
        // Comments, and the '---' that opens the one, empty document.
        #expect(text.split(separator: "\n").allSatisfy { $0.hasPrefix("#") || $0 == "---" })
        #expect(text.split(separator: "\n").filter { $0 == "---" }.count == 1)
        for field in [
            "parties:", "role: producer", "namespaces:", "kinds:", "signingKeys:", "requireSignatures:",
            "unknownKinds:",
        ] {
            #expect(text.contains(field), "the template shows \(field)")
        }
        #expect(try ExchangePolicy.parse(Array(text.utf8)) == nil)
        // The template, uncommented, is a valid policy.
        let uncommented = text.split(separator: "\n").filter { $0.hasPrefix("# ") || $0 == "#" || $0 == "---" }
            .map { $0 == "---" ? $0 : $0.dropFirst(min(2, $0.count)) }
            .drop { $0 != "---" }.joined(separator: "\n")
        let policy = try #require(try ExchangePolicy.parse(Array(uncommented.utf8)))
        #expect(policy.parties.map(\.name) == ["lab", "testbed", "owners"])
        #expect(try await show(exchange, ".giter/crds/README.md").hasPrefix("# CustomResourceDefinitions\n"))
    }

    @Test(arguments: ToolBackend.allCases)
    func applyOutsideTheScopeOrTheSchemaIsRefusedBeforeAnyCommit(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture.withPolicy(backend: backend, namespaces: ["lab"])
        let tip = try await runGitChecked(["--git-dir", exchange.remote, "rev-parse", "main"]).trimmedStdout

        let outside = try await exchange.giter(
            ["apply", "-f", "-"],
            stdin: ExchangeFixture.experiment("sort-1", namespace: "other")
        )
        #expect(outside.status == 1)
        #expect(
            outside.stderr.hasPrefix(
                "error: <stdin>:5:14: metadata.namespace: Forbidden: \"other\": outside the producer parties of producer@example.com (lab: namespaces [lab], kinds [Experiment])"
            )
        )
        #expect(outside.stdout == "")

        let notAProducer = try await exchange.giter(
            ["apply", "-f", "-"],
            identity: "Testbed <testbed@example.com>",
            stdin: ExchangeFixture.experiment("sort-1", namespace: "lab")
        )
        #expect(notAProducer.status == 1)
        #expect(
            notAProducer.stderr.hasPrefix(
                "error: <stdin>:1:1: Forbidden: testbed@example.com belongs only to testbed (consumer) in .giter/policy.yaml"
            )
        )

        let unknownKind = try await exchange.giter(
            ["apply", "-f", "-"],
            stdin: ExchangeFixture.experiment("sort-1", namespace: "lab").replacingOccurrences(
                of: "giter.example/v1",
                with: "giter.example/v2"
            )
        )
        #expect(unknownKind.status == 1)
        #expect(
            unknownKind.stderr.hasPrefix(
                "error: <stdin>:1:13: apiVersion: Invalid value: \"giter.example/v2\": the definition of Experiment serves v1"
            )
        )

        let invalid = try await exchange.giter(
            ["apply", "-f", "-"],
            stdin: ExchangeFixture.experiment("sort-1", size: 0, namespace: "lab")
        )
        #expect(invalid.status == 1)
        #expect(invalid.stderr.hasPrefix("error: <stdin>:8:9: spec.size: Invalid value: 0: "), "\(invalid.stderr)")

        #expect(try await runGitChecked(["--git-dir", exchange.remote, "rev-parse", "main"]).trimmedStdout == tip)

        let inside = try await exchange.giter(
            ["apply", "-f", "-"],
            stdin: ExchangeFixture.experiment("sort-1", namespace: "lab")
        )
        #expect(inside.stderr == "")
        #expect(inside.lines == ["Experiment/sort-1 created"])
    }

    @Test(arguments: ToolBackend.allCases)
    func historyAndDescribeShowThePartyAndTheViolation(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture.withPolicy(backend: backend)
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        try await exchange.writeStatus("sort-1")
        let path = try await exchange.experimentPath("sort-1")
        try await exchange.commitWithGit(author: "Testbed <\(ExchangeFixture.consumerEmail)>", message: "Forged") {
            folder in
            let file = folder.appendingPathComponent(path)
            let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
                of: "size: 1000",
                with: "size: 7"
            )
            try Data(text.utf8).write(to: file)
        }

        let history = try await exchange.giter(["history", "Experiment/sort-1"])
        #expect(history.status == 0)
        let lines = history.lines
        try #require(lines.count == 4, "\(history.stdout)")
        #expect(cells(lines[0]) == ["COMMIT", "TIME", "AUTHOR", "PARTY", "SIGNER", "CHANGE"])
        #expect(Array(cells(lines[1]).dropFirst(5)) == ["lab", "unsigned", "created", "(generation", "1)"])
        #expect(Array(cells(lines[2]).dropFirst(4).prefix(3)) == ["testbed", "unsigned", "status"])
        #expect(!lines[2].contains("violation"))
        #expect(Array(cells(lines[3]).dropFirst(4).prefix(3)) == ["testbed", "unsigned", "spec"])
        #expect(
            lines[3].hasSuffix(
                "[violation: role: a consumer writes only status; it changed spec; readers ignore this commit]"
            )
        )

        let described = try await exchange.giter(["describe", "Experiment/sort-1"])
        #expect(described.status == 0)
        let created = described.stdout.split(separator: "\n").filter { $0.hasSuffix("created (generation 1)") }
        #expect(created.count == 1 && cells(String(created[0])).contains("lab"))
        #expect(described.stdout.contains("[violation: role: a consumer writes only status"))
    }

    private func tree(_ exchange: ExchangeFixture) async throws -> [String] {
        try await runGitChecked(["--git-dir", exchange.remote, "ls-tree", "-r", "--name-only", "main"]).stdout
            .split(separator: "\n").map(String.init)
    }

    private func show(_ exchange: ExchangeFixture, _ path: String) async throws -> String {
        try await runGitChecked(["--git-dir", exchange.remote, "show", "main:\(path)"]).stdout
    }
}
