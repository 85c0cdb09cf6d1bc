import Foundation
import GitServerFixtures
import Giter
import Testing

/// `giter branch list|start|archive|collect` and `--group`: an exchange
/// group on a branch of its own, through the tool, on both backends.
@Suite("giter branch", .timeLimit(.minutes(3)))
struct BranchCommandTests {
    static func refs(_ remote: String) async throws -> [String: String] {
        let text = try await runGitChecked(["--git-dir", remote, "for-each-ref", "--format=%(refname) %(objectname)"]).stdout
        var refs: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2 { refs[String(fields[0])] = String(fields[1]) }
        }
        return refs
    }

    @Test(arguments: ToolBackend.allCases)
    func startApplyListArchiveCollect(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture.withPolicy(backend: backend)
        let main = try #require(try await Self.refs(exchange.remote)["refs/heads/main"])

        let started = try await exchange.giter(["branch", "start", "run-1"])
        #expect(started.status == 0, "\(started.stderr)")
        #expect(started.stdout == "started run-1 at \(main) (branch giter/x/run-1)\n")

        let applied = try await exchange.giter(["apply", "--group", "run-1", "-f", "-"], stdin: ExchangeFixture.experiment("sort-1"))
        #expect(applied.status == 0, "\(applied.stderr)")
        var refs = try await Self.refs(exchange.remote)
        #expect(refs["refs/heads/main"] == main, "the group's writes stay on its branch")
        let tip = try #require(refs["refs/heads/giter/x/run-1"])
        #expect(tip != main)
        let onBranch = try await exchange.giter(["get", "experiments", "--group", "run-1"])
        #expect(onBranch.status == 0 && onBranch.stdout.contains("sort-1"), "\(onBranch.stdout)\(onBranch.stderr)")
        let onMain = try await exchange.giter(["get", "experiments"])
        #expect(!onMain.stdout.contains("sort-1"), "\(onMain.stdout)")

        #expect(try await exchange.giter(["branch", "list"]).stdout == "run-1 live \(tip)\n")
        let archived = try await exchange.giter(["branch", "archive", "run-1"])
        #expect(archived.stdout == "archived run-1 at \(tip)\n", "\(archived.stderr)")
        refs = try await Self.refs(exchange.remote)
        #expect(refs["refs/heads/giter/x/run-1"] == nil)
        #expect(refs["refs/giter/archive/run-1"] == tip)
        #expect(try await exchange.giter(["branch", "list"]).stdout == "run-1 archived \(tip)\n")
        #expect(try await exchange.giter(["branch", "archive", "run-1"]).stdout == "no live branch for run-1\n")

        let gone = try await exchange.giter(["get", "experiments", "--group", "run-1"])
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("no live branch 'giter/x/run-1'"), "\(gone.stderr)")

        let young = try await exchange.giter(["branch", "collect", "--older-than", "1h"])
        #expect(young.status == 0 && young.stdout.isEmpty, "\(young.stdout)\(young.stderr)")
        let collected = try await exchange.giter(["branch", "collect", "--older-than", "0s"])
        #expect(collected.stdout == "deleted run-1\n", "\(collected.stderr)")
        #expect(try await Self.refs(exchange.remote)["refs/giter/archive/run-1"] == nil)
    }

    /// `--group` holds the group's branch to the exchange-branch rule, as a
    /// ``BranchSetStore`` does: on a server with no guard, a branch with a
    /// root of its own, or one that edits the contract, is refused with the
    /// reason, and nothing is written to it.
    @Test(arguments: ToolBackend.allCases)
    func groupRefusesABranchThatBreaksTheRule(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture.withPolicy(backend: backend)
        let environment = GitEnvironment(name: "Mallory", email: "mallory@example.com")
        let forged = exchange.directory.url.appendingPathComponent("forged")
        try await runGitChecked(["init", "--quiet", "-b", "main", forged.path], environment: environment)
        try FileManager.default.createDirectory(at: forged.appendingPathComponent(".giter"), withIntermediateDirectories: true)
        try Data(ExchangeFixture.policy(namespaces: ["default"]).utf8).write(to: forged.appendingPathComponent(".giter/policy.yaml"))
        try await runGitChecked(["add", "-A"], in: forged, environment: environment)
        try await runGitChecked(["commit", "--quiet", "-m", "a contract of my own"], in: forged, environment: environment)
        try await runGitChecked(["push", "--quiet", exchange.remote, "HEAD:refs/heads/giter/x/forged"], in: forged, environment: environment)

        #expect(try await exchange.giter(["branch", "start", "edited"]).status == 0)
        let edited = exchange.directory.url.appendingPathComponent("edited")
        try await runGitChecked(["clone", "--quiet", "-b", "giter/x/edited", exchange.remote, edited.path], environment: environment)
        try Data("# edited on the branch\n".utf8).write(to: edited.appendingPathComponent(".giter/notes.yaml"))
        try await runGitChecked(["add", "-A"], in: edited, environment: environment)
        try await runGitChecked(["commit", "--quiet", "-m", "edit the contract"], in: edited, environment: environment)
        try await runGitChecked(["push", "--quiet", "origin", "HEAD:giter/x/edited"], in: edited, environment: environment)

        // A group never started: --group does not create a branch of its own.
        let unstarted = try await exchange.giter(["apply", "--group", "never", "-f", "-"], stdin: ExchangeFixture.experiment("sort-1"))
        #expect(unstarted.status != 0 && unstarted.stderr.contains("does not exist: start it first"), "\(unstarted.stderr)")
        #expect(try await Self.refs(exchange.remote)["refs/heads/giter/x/never"] == nil)

        for (group, reason) in [("forged", "its base is not on the main branch main"), ("edited", "changes .giter/notes.yaml")] {
            let before = try await Self.refs(exchange.remote)
            let read = try await exchange.giter(["get", "Experiment", "--group", group])
            #expect(read.status != 0 && read.stderr.contains(reason), "\(group): \(read.stdout)\(read.stderr)")
            let verified = try await exchange.giter(["verify", "--group", group])
            #expect(verified.status != 0 && verified.stderr.contains(reason), "\(group): \(verified.stdout)\(verified.stderr)")
            let applied = try await exchange.giter(["apply", "--group", group, "-f", "-"], stdin: ExchangeFixture.experiment("sort-1"))
            #expect(applied.status != 0 && applied.stderr.contains(reason), "\(group): \(applied.stdout)\(applied.stderr)")
            #expect(try await Self.refs(exchange.remote) == before, "nothing was written to \(group)")
        }
    }

    @Test func helpHasExamplesAndTheExchangeOptions() async throws {
        let directory = try TemporaryDirectory()
        let help = try await directory.run(["branch", "--help"])
        #expect(help.status == 0)
        for text in ["USAGE: giter branch", "Examples:", "Exit status:", "list", "start", "archive", "collect"] {
            #expect(help.stdout.contains(text), "giter branch --help lacks \(text)")
        }
        let list = try await directory.run(["branch", "list", "--help"])
        for option in ["--remote", "--branch", "--backend", "--cache", "--group"] {
            #expect(list.stdout.contains(option), "giter branch list --help lacks \(option)")
        }
        let root = try await directory.run(["--help"])
        #expect(root.stdout.contains("  branch"))
    }

    @Test func badGroupsAreUsageErrors() async throws {
        let exchange = try await ExchangeFixture.withPolicy()
        for arguments in [["branch", "start", "bad..name"], ["branch", "start", "-x"], ["get", "experiments", "--group", "a/b"]] {
            let result = try await exchange.giter(arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("exchange branch") || result.stderr.contains("Error"), "\(result.stderr)")
        }
        let grouped = try await exchange.giter(["branch", "list", "--group", "run-1"])
        #expect(grouped.status == 64, "\(grouped.stderr)")
        #expect(try await Self.refs(exchange.remote).keys.sorted() == ["refs/heads/main"])
    }
}
