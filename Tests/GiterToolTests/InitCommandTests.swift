import Foundation
import GitServerFixtures
import Giter
import GiterLibGit2
import Testing

/// `giter init`: a bare repository with the exchange's layout.
@Suite("giter init")
struct InitCommandTests {
    @Test(arguments: ToolBackend.allCases)
    func initCreatesABareRepositoryWithTheLayout(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend, initialized: false)
        let result = try await exchange.giter(["init"])
        #expect(result.stderr == "")
        #expect(result.status == 0)
        #expect(
            result.lines == [
                "Created a bare repository at \(exchange.remote)",
                "Initialized the exchange at \(exchange.remote) (branch main)",
                "The exchange is open (roles are not enforced) until an admin commits an active .giter/policy.yaml",
            ]
        )
        let head = try String(contentsOfFile: exchange.remote + "/HEAD", encoding: .utf8)
        #expect(head == "ref: refs/heads/main\n")

        // Another mirror sees the first commit and its files.
        let transport = try await LibGit2Transport(
            configuration: RemoteConfiguration(
                url: exchange.remote,
                mirrorPath: exchange.directory.url.appendingPathComponent("check").path
            )
        )
        let tip = try #require(try await transport.fetch())
        let paths = try await transport.treeEntries(at: tip, under: nil).map(\.path)
        #expect(paths == [".giter/crds/README.md", ".giter/exchange.yaml", ".giter/policy.yaml", "README.md"])
        let commit = try #require(try await transport.commits(from: tip, excluding: nil, limit: nil).first)
        #expect(commit.author.email == "producer@example.com")
        #expect(commit.trailers.contains(Trailer("Giter-Role", "producer")))

        let again = try await exchange.giter(["init"])
        #expect(again.status == 0)
        #expect(again.lines == ["The exchange at \(exchange.remote) (branch main) is already initialized"])
        #expect(try await transport.fetch() == tip)
    }

    @Test func initSetsUpAnEmptyRepositoryMadeElsewhere() async throws {
        let exchange = try await ExchangeFixture(initialized: false)
        // An empty folder counts as a place for a new repository.
        try FileManager.default.createDirectory(atPath: exchange.remote, withIntermediateDirectories: true)
        let result = try await exchange.giter(["init", "--branch", "exchange"])
        #expect(result.status == 0)
        #expect(result.lines.dropLast().last == "Initialized the exchange at \(exchange.remote) (branch exchange)")

        let apply = try await exchange.giter(
            ["apply", "-f", "-", "--branch", "exchange"],
            stdin: ExchangeFixture.experiment("sort-1")
        )
        #expect(apply.lines == ["Experiment/sort-1 created"])
    }

    /// An empty bare repository made by `git init --bare` names an unborn
    /// `master`; after `giter init` a plain `git clone` checks out the
    /// exchange branch. A HEAD naming a branch that exists is left alone.
    @Test(arguments: ToolBackend.allCases)
    func initPointsAnUnbornHEADAtTheExchangeBranch(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend, initialized: false)
        try await runGitChecked(["-c", "init.defaultBranch=master", "init", "--bare", "-q", exchange.remote])
        let before = try String(contentsOfFile: exchange.remote + "/HEAD", encoding: .utf8)
        try #require(before == "ref: refs/heads/master\n")

        let result = try await exchange.giter(["init"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("HEAD of \(exchange.remote) named the unborn branch 'master'"), "\(result)")
        #expect(try String(contentsOfFile: exchange.remote + "/HEAD", encoding: .utf8) == "ref: refs/heads/main\n")
        let clone = exchange.directory.url.appendingPathComponent("clone")
        let cloned = try await runGit(["clone", "-q", exchange.remote, clone.path])
        #expect(cloned.succeeded, "\(cloned)")
        #expect(FileManager.default.fileExists(atPath: clone.appendingPathComponent(".giter/policy.yaml").path))
        let branch = try await runGit(["rev-parse", "--abbrev-ref", "HEAD"], in: clone)
        #expect(branch.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "main")

        // A second exchange branch: HEAD names main, which exists, and stays.
        let second = try await exchange.giter(["init", "--branch", "other"])
        #expect(second.status == 0, "\(second)")
        #expect(!second.stdout.contains("HEAD of"), "\(second)")
        #expect(try String(contentsOfFile: exchange.remote + "/HEAD", encoding: .utf8) == "ref: refs/heads/main\n")
    }

    @Test func initRefusesAFolderThatIsNotARepository() async throws {
        let exchange = try await ExchangeFixture(initialized: false)
        try FileManager.default.createDirectory(atPath: exchange.remote, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: exchange.remote + "/notes.txt"))
        let result = try await exchange.giter(["init"])
        #expect(result.status == 1)
        #expect(result.isOneLineError)
        #expect(result.stderr.contains("is not a bare Git repository"))
    }

    @Test func initRefusesABranchWithOtherCommits() async throws {
        let exchange = try await ExchangeFixture(initialized: false)
        // apply creates the branch without the layout.
        let apply = try await exchange.giter(["apply", "-f", "-"], stdin: ExchangeFixture.experiment("sort-1"))
        #expect(apply.status == 1)  // no repository yet
        let created = try await exchange.giter(["init", "--branch", "other"])
        #expect(created.status == 0)
        let applied = try await exchange.giter(["apply", "-f", "-"], stdin: ExchangeFixture.experiment("sort-1"))
        #expect(applied.status == 0)
        let result = try await exchange.giter(["init"])
        #expect(result.status == 1)
        #expect(result.isOneLineError)
        #expect(result.stderr.contains("already has commits and no .giter/ folder"))
    }
}
