import Foundation
import GitServerFixtures
import Giter
import GiterGitCLI
import GiterLibGit2
import Testing

/// `LibGit2Repository` and `GitCLIRepository`: a repository read in place,
/// with new objects only in a quarantine folder, as a `pre-receive` hook
/// sees it. (The same readers behind a real push: `GuardCommandTests`.)
@Suite("Repository readers")
struct RepositoryReaderTests {
    /// A bare repository with `main` seeded, and a commit on top of it whose
    /// objects are only in `objects/incoming-test`, written there by git
    /// with the variables receive-pack gives a hook.
    struct Quarantine {
        let repository: BareRepository
        let folder: String
        let main: ObjectID
        let new: ObjectID
        let added: [UInt8]
        /// The hook's variables, GIT_ALTERNATE_OBJECT_DIRECTORIES C-quoted when the path needs it.
        let environment: [String: String]
    }

    static func withQuarantine(repositoryName: String, _ body: (Quarantine) async throws -> Void) async throws {
        let scratch = try TemporaryDirectory(prefix: "giter-reader")
        defer { scratch.remove() }
        let repository = try await BareRepository.create(at: scratch.appending(repositoryName, isDirectory: true))
        let main = try #require(try await repository.resolve("refs/heads/main").flatMap(ObjectID.init(hex:)))
        let folder = repository.path + "/objects/incoming-test"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let objects = repository.path + "/objects"
        let alternates = objects.contains(":") ? "\"\(objects)\"" : objects
        let environment = [
            "GIT_OBJECT_DIRECTORY": folder, "GIT_ALTERNATE_OBJECT_DIRECTORIES": alternates, "GIT_QUARANTINE_PATH": folder,
        ]
        // Git writes into the quarantine folder only; GIT_QUARANTINE_PATH is left out so that it may.
        var writer = repository.environment
        writer = writer.setting("GIT_OBJECT_DIRECTORY", folder).setting("GIT_ALTERNATE_OBJECT_DIRECTORIES", alternates)
        let quarantined = BareRepository(url: repository.url, environment: writer)
        let added = "spec:\n  size: 7\n"
        let readme = try await quarantined.git(["hash-object", "-w", "--stdin"], input: Data("changed\n".utf8)).trimmedStdout
        let blob = try await quarantined.git(["hash-object", "-w", "--stdin"], input: Data(added.utf8)).trimmedStdout
        let listing = "100644 blob \(readme)\tREADME\n100644 blob \(blob)\tadded.yaml\n"
        let tree = try await quarantined.git(["mktree"], input: Data(listing.utf8)).trimmedStdout
        let commit = try await quarantined.git(["commit-tree", tree, "-p", main.hex, "-m", "In quarantine"]).trimmedStdout
        // Not in the repository's own objects.
        #expect(try await runGit(["cat-file", "-e", commit], in: repository.url, environment: repository.environment).succeeded == false)
        try await body(
            Quarantine(
                repository: repository, folder: folder, main: main, new: try #require(ObjectID(hex: commit)),
                added: Array(added.utf8), environment: environment))
    }

    static func open(_ backend: Backend, _ path: String, _ environment: [String: String]) async throws
        -> any RepositoryReader
    {
        switch backend {
        case .libgit2: try LibGit2Repository(path: path, environment: environment)
        case .gitCLI: try await GitCLIRepository(path: path, environment: environment)
        }
    }

    @Test(arguments: Backend.allCases, ["repo.git", "re:po.git"])
    func readsCommitsTreesAndBlobsInQuarantine(backend: Backend, repositoryName: String) async throws {
        try await Self.withQuarantine(repositoryName: repositoryName) { quarantine in
            let reader = try await Self.open(backend, quarantine.repository.path, quarantine.environment)
            #expect(try await reader.resolve("refs/heads/main") == quarantine.main)
            let commits = try await reader.commits(from: quarantine.new, excluding: quarantine.main, limit: nil)
            #expect(commits.map(\.id) == [quarantine.new])
            #expect(commits.first?.parents == [quarantine.main])
            let entries = try await reader.treeEntries(at: quarantine.new, under: nil)
            #expect(entries.map(\.path) == ["README", "added.yaml"])
            let changes = try await reader.changes(from: quarantine.main, to: quarantine.new, under: nil)
            #expect(changes.map(\.path) == ["README", "added.yaml"])
            let added = try #require(changes.last?.newID)
            #expect(try await reader.blob(added) == quarantine.added)
        }
    }

    /// Without the hook's variables the new objects cannot be read: the
    /// readers above really read the quarantine.
    @Test(arguments: Backend.allCases)
    func withoutTheVariablesTheQuarantineIsUnseen(backend: Backend) async throws {
        try await Self.withQuarantine(repositoryName: "repo.git") { quarantine in
            let reader = try await Self.open(backend, quarantine.repository.path, [:])
            #expect(try await reader.resolve("refs/heads/main") == quarantine.main)
            await #expect(throws: (any Error).self) {
                _ = try await reader.treeEntries(at: quarantine.new, under: nil)
            }
            await #expect(throws: (any Error).self) {
                _ = try await reader.commits(from: quarantine.new, excluding: quarantine.main, limit: nil)
            }
        }
    }

    /// GIT_QUARANTINE_PATH alone (the other variables lost on the way) still
    /// makes the quarantine readable.
    @Test(arguments: Backend.allCases)
    func theQuarantinePathAloneIsEnough(backend: Backend) async throws {
        try await Self.withQuarantine(repositoryName: "repo.git") { quarantine in
            let reader = try await Self.open(
                backend, quarantine.repository.path, ["GIT_QUARANTINE_PATH": quarantine.folder])
            #expect(try await reader.treeEntries(at: quarantine.new, under: nil).count == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func aBogusObjectDirectoryIsRefused(backend: Backend) async throws {
        try await Self.withQuarantine(repositoryName: "repo.git") { quarantine in
            let code = await transportErrorCode {
                _ = try await Self.open(
                    backend, quarantine.repository.path, ["GIT_OBJECT_DIRECTORY": quarantine.folder + "-missing"])
            }
            #expect(code == .invalidArgument)
        }
    }

    @Test(arguments: Backend.allCases)
    func aFolderWithoutARepositoryIsRefused(backend: Backend) async throws {
        let scratch = try TemporaryDirectory(prefix: "giter-reader")
        defer { scratch.remove() }
        let code = await transportErrorCode { _ = try await Self.open(backend, scratch.path, [:]) }
        #expect(code == .repositoryNotFound)
    }

    @Test(arguments: Backend.allCases)
    func settingsAndHeadAreRead(backend: Backend) async throws {
        try await Self.withQuarantine(repositoryName: "repo.git") { quarantine in
            try await quarantine.repository.git(["config", "giter.branch", "exchange"])
            try await quarantine.repository.git(["symbolic-ref", "HEAD", "refs/heads/trunk"])
            let path = quarantine.repository.path
            switch backend {
            case .libgit2:
                let reader = try LibGit2Repository(path: path, environment: [:])
                #expect(try await reader.configurationValue("giter.branch") == "exchange")
                #expect(try await reader.configurationValue("giter.unset") == nil)
                #expect(try await reader.headReference() == "refs/heads/trunk")
            case .gitCLI:
                let reader = try await GitCLIRepository(path: path, environment: [:])
                #expect(try await reader.configurationValue("giter.branch") == "exchange")
                #expect(try await reader.configurationValue("giter.unset") == nil)
                #expect(try await reader.headReference() == "refs/heads/trunk")
            }
        }
    }
    /// The commits from one commit and not from another, whatever the shape
    /// between them: a linear chain (libgit2 follows the parents without a
    /// revision walk), one longer than that shortcut follows, a merge, a
    /// side that does not descend from the one left out, and a commit left
    /// out that does not exist. Both backends give the same answers.
    @Test(arguments: Backend.allCases)
    func commitsFromOneCommitAndNotAnotherWhateverTheShape(backend: Backend) async throws {
        let scratch = try TemporaryDirectory(prefix: "giter-reader")
        defer { scratch.remove() }
        let repository = try await BareRepository.create(at: scratch.appending("repo.git", isDirectory: true))
        let base = try #require(try await repository.resolve("refs/heads/main").flatMap(ObjectID.init(hex:)))
        let tree = try await repository.git(["rev-parse", "\(base.hex)^{tree}"]).trimmedStdout
        func commit(_ message: String, parents: [ObjectID]) async throws -> ObjectID {
            let arguments = ["commit-tree", tree] + parents.flatMap { ["-p", $0.hex] } + ["-m", message]
            return try #require(ObjectID(hex: try await repository.git(arguments).trimmedStdout))
        }
        var linear: [ObjectID] = []
        for index in 0..<300 {
            linear.append(try await commit("linear \(index)", parents: [linear.last ?? base]))
        }
        let side = try await commit("side", parents: [base])
        let merge = try await commit("merge", parents: [linear[2], side])
        let afterMerge = try await commit("after the merge", parents: [merge])
        let reader = try await Self.open(backend, repository.path, [:])

        let three = try await reader.commits(from: linear[2], excluding: base, limit: nil)
        #expect(three.map(\.id) == Array(linear[0...2].reversed()))
        #expect(three.map(\.parents) == [[linear[1]], [linear[0]], [base]])
        #expect(try await reader.commits(from: linear[2], excluding: base, limit: 2).map(\.id) == [linear[2], linear[1]])
        #expect(try await reader.commits(from: linear[2], excluding: linear[2], limit: nil).isEmpty)
        // Longer than the shortcut follows: the walk answers, the same way.
        let all = try await reader.commits(from: linear[299], excluding: base, limit: nil)
        #expect(all.map(\.id) == Array(linear.reversed()))
        // A merge on the way.
        let merged = try await reader.commits(from: afterMerge, excluding: linear[1], limit: nil)
        #expect(Set(merged.map(\.id)) == [afterMerge, merge, linear[2], side])
        #expect(merged.first?.id == afterMerge)
        // The one left out is not an ancestor: everything reachable from the side but not from it.
        #expect(try await reader.commits(from: side, excluding: linear[5], limit: nil).map(\.id) == [side])
        // One left out that does not exist is an error, not an empty answer.
        let missing = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
        await #expect(throws: (any Error).self) {
            _ = try await reader.commits(from: linear[2], excluding: missing, limit: nil)
        }
    }
}
