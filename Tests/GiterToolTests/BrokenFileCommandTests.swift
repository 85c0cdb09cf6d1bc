import Foundation
import GitServerFixtures
import Giter
import Testing

/// The `giter` commands over an exchange holding resource files Giter cannot
/// read (issue 12): each command reports the file, line and column and what
/// to do, and still handles the other resources; the producer's apply,
/// archive and delete work on the broken files.
@Suite("giter over a broken file", .timeLimit(.minutes(3)))
struct BrokenFileCommandTests {
    static let broken = ResourceKey(namespace: "default", kind: "Experiment", name: "broken")
    static let png = ResourceKey(namespace: "default", kind: "Experiment", name: "png")
    /// Line 8 opens a flow sequence that never closes; the reader stops on line 9, column 3.
    static let brokenText = """
        apiVersion: giter.example/v1
        kind: Experiment
        metadata:
          name: broken
          namespace: default
          generation: 3
        spec:
          workload: [sort
          size: 10

        """
    static let pngBytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF]

    /// An initialized exchange with `sort-1` applied, whose first commit
    /// (trusted, as it holds the policy) also holds a file that does not
    /// parse (`broken`) and one that is not YAML at all (`png`).
    func brokenExchange(_ backend: ToolBackend) async throws -> ExchangeFixture {
        let exchange = try await ExchangeFixture(backend: backend)
        try await Self.rewriteFirstCommit(
            of: exchange,
            adding: [Self.broken.repositoryPath: Array(Self.brokenText.utf8), Self.png.repositoryPath: Self.pngBytes]
        )
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        return exchange
    }

    /// Replaces the branch's only commit by one with `files` added, and
    /// forgets the mirror, as if the exchange had been created so.
    static func rewriteFirstCommit(
        of exchange: ExchangeFixture, adding files: [String: [UInt8]], symlinks: [String: String] = [:],
        gitlinks: [String: String] = [:]
    ) async throws {
        let index = exchange.directory.url.appendingPathComponent("rewrite.index").path
        let repository = BareRepository(
            url: URL(fileURLWithPath: exchange.remote),
            environment: .isolated.setting("GIT_INDEX_FILE", index)
        )
        try await repository.git(["read-tree", "refs/heads/main"])
        for (path, bytes) in files {
            let blob = try await repository.git(["hash-object", "-w", "--stdin"], input: Data(bytes)).trimmedStdout
            try await repository.git(["update-index", "--add", "--cacheinfo", "100644,\(blob),\(path)"])
        }
        for (path, target) in symlinks {
            let blob = try await repository.git(["hash-object", "-w", "--stdin"], input: Data(target.utf8)).trimmedStdout
            try await repository.git(["update-index", "--add", "--cacheinfo", "120000,\(blob),\(path)"])
        }
        for (path, commit) in gitlinks {
            try await repository.git(["update-index", "--add", "--cacheinfo", "160000,\(commit),\(path)"])
        }
        let tree = try await repository.git(["write-tree"]).trimmedStdout
        let commit = try await repository.git(["commit-tree", tree, "-m", "giter init, with files written by hand"])
            .trimmedStdout
        try await repository.git(["update-ref", "refs/heads/main", commit])
        try FileManager.default.removeItem(
            at: exchange.directory.url.appendingPathComponent("mirror-\(exchange.backend.rawValue)")
        )
    }

    @Test(arguments: ToolBackend.allCases)
    func getListsTheGoodResourcesAndReportsEachBrokenOne(_ backend: ToolBackend) async throws {
        let exchange = try await brokenExchange(backend)
        let listed = try await exchange.giter(["get", "experiments"])
        #expect(listed.status == 1)
        #expect(listed.lines.count == 2, "the header and sort-1: \(listed.stdout)")
        #expect(listed.lines.last.map(cells)?.first == "sort-1")
        #expect(
            listed.stderr.contains(
                "error: Experiment \"broken\" cannot be read: \(Self.broken.repositoryPath):9:3: "
            ),
            "\(listed.stderr)"
        )
        #expect(listed.stderr.contains("giter delete Experiment/broken -n default"), "\(listed.stderr)")
        #expect(
            listed.stderr.contains("error: Experiment \"png\" cannot be read: \(Self.png.repositoryPath):1:1: "),
            "\(listed.stderr)"
        )

        let named = try await exchange.giter(["get", "Experiment", "broken", "sort-1", "-o", "name"])
        #expect(named.status == 1)
        #expect(named.lines == ["Experiment/sort-1"], "\(named.stdout)")
        #expect(named.stderr.contains("\(Self.broken.repositoryPath):9:3: "), "\(named.stderr)")
        #expect(!named.stderr.contains("not found"), "\(named.stderr)")
    }

    @Test(arguments: ToolBackend.allCases)
    func waitAndDescribeFailAtOnceWithTheFilesError(_ backend: ToolBackend) async throws {
        let exchange = try await brokenExchange(backend)
        try await exchange.writeStatus("sort-1")
        // Ten minutes: a wait that waited would end by the suite's time limit.
        let waited = try await exchange.giter(["wait", "Experiment/sort-1", "Experiment/broken", "--timeout=10m"])
        #expect(waited.status == 1)
        #expect(waited.lines == ["Experiment/sort-1 condition met"])
        #expect(waited.stderr.contains("\(Self.broken.repositoryPath):9:3: "), "\(waited.stderr)")
        #expect(waited.stderr.contains("replace it with 'giter apply'"), "\(waited.stderr)")

        let all = try await exchange.giter(["wait", "--all", "experiments", "--timeout=10m"])
        #expect(all.status == 1)
        #expect(all.stderr.contains("\(Self.png.repositoryPath):1:1: "), "\(all.stderr)")

        let described = try await exchange.giter(["describe", "Experiment/png"])
        #expect(described.status == 1)
        #expect(described.stderr.contains("\(Self.png.repositoryPath):1:1: "), "\(described.stderr)")
        #expect(!described.stderr.contains("cannot read the exchange"), "\(described.stderr)")
    }

    @Test(arguments: ToolBackend.allCases)
    func applyArchiveAndDeleteWorkOnTheBrokenFiles(_ backend: ToolBackend) async throws {
        let exchange = try await brokenExchange(backend)
        let applied = try await exchange.giter(
            ["apply", "-f", "-"],
            stdin: ExchangeFixture.experiment("broken", size: 20)
        )
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.lines == ["Experiment/broken configured"])
        let shown = try await exchange.giter(["get", "Experiment", "broken", "-o", "yaml"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("generation: 4"), "one past the text's 3: \(shown.stdout)")
        #expect(shown.stdout.contains("size: 20"))

        let archived = try await exchange.giter(["archive", "Experiment/png"])
        #expect(archived.status == 0, "\(archived.stderr)")
        #expect(archived.lines == ["Experiment/png archived"])
        let inArchive = try await exchange.giter(["get", "experiments", "--archived"])
        #expect(inArchive.status == 1)
        #expect(inArchive.stderr.contains("\(Self.png.archivePath):1:1: "), "\(inArchive.stderr)")
        let describedInArchive = try await exchange.giter(["describe", "Experiment/png"])
        #expect(describedInArchive.status == 1)
        #expect(describedInArchive.stderr.contains("\(Self.png.archivePath):1:1: "), "\(describedInArchive.stderr)")
        let deleted = try await exchange.giter(["delete", "Experiment/png"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(deleted.lines == ["Experiment/png deleted"])
        let listed = try await exchange.giter(["get", "experiments", "-o", "name"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.lines.count == 2, "broken and sort-1: \(listed.stdout)")
        let verified = try await exchange.giter(["verify"])
        #expect(verified.status == 0, "no commit violates the contract: \(verified.stdout) \(verified.stderr)")
    }

    /// A symbolic link and a gitlink where resource files should be: `get`
    /// reports them, `wait` and `describe` fail at once naming them, the
    /// producer replaces one, deletes the other, and `history` of the
    /// resource that was a gitlink reads.
    @Test(arguments: ToolBackend.allCases)
    func linksAreReportedReplacedAndDeleted(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend)
        let symlink = ResourceKey(namespace: "default", kind: "Experiment", name: "sym")
        let gitlink = ResourceKey(namespace: "default", kind: "Experiment", name: "sub")
        try await Self.rewriteFirstCommit(
            of: exchange, adding: [:], symlinks: [symlink.repositoryPath: "../../../../../etc/passwd"],
            gitlinks: [gitlink.repositoryPath: "1234567890abcdef1234567890abcdef12345678"])
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))

        let listed = try await exchange.giter(["get", "experiments", "-o", "name"])
        #expect(listed.status == 1)
        #expect(listed.lines == ["Experiment/sort-1"], "\(listed.stdout)")
        #expect(listed.stderr.contains("\(symlink.repositoryPath): a symbolic link (mode 120000)"), "\(listed.stderr)")
        #expect(listed.stderr.contains("\(gitlink.repositoryPath): a gitlink"), "\(listed.stderr)")

        let waited = try await exchange.giter(["wait", "Experiment/sym", "--timeout=10m"])
        #expect(waited.status == 1)
        #expect(waited.stderr.contains("\(symlink.repositoryPath): a symbolic link"), "\(waited.stderr)")
        let described = try await exchange.giter(["describe", "Experiment/sub"])
        #expect(described.status == 1)
        #expect(described.stderr.contains("\(gitlink.repositoryPath): a gitlink"), "\(described.stderr)")
        #expect(!described.stderr.contains("cannot read the exchange"), "\(described.stderr)")

        let archived = try await exchange.giter(["archive", "Experiment/sub"])
        #expect(archived.status != 0, "a link is never archived: \(archived.stdout)")
        #expect(archived.stderr.contains("cannot be archived"), "\(archived.stderr)")
        let applied = try await exchange.giter(["apply", "-f", "-"], stdin: ExchangeFixture.experiment("sub", size: 20))
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.lines == ["Experiment/sub configured"])
        let history = try await exchange.giter(["history", "Experiment/sub"])
        #expect(history.status == 0, "\(history.stderr)")
        let deleted = try await exchange.giter(["delete", "Experiment/sym"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(deleted.lines == ["Experiment/sym deleted"])
        let after = try await exchange.giter(["get", "experiments", "-o", "name"])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.lines == ["Experiment/sort-1", "Experiment/sub"], "\(after.stdout)")
        let verified = try await exchange.giter(["verify"])
        #expect(verified.status == 0, "no commit violates the contract: \(verified.stdout) \(verified.stderr)")
    }
}
