import Foundation
import GitServerFixtures
import Giter
@testable import GiterGitCLI
import Synchronization
import Testing

/// The git CLI backend against local remotes: a bare repository's path and a `file://` URL.
@Suite("GitCLITransport")
struct GitCLITransportTests {
    enum RemoteKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case path, fileURL
        var testDescription: String { rawValue }
    }

    /// A throwaway remote and a place for mirrors, removed when released.
    final class Sandbox: Sendable {
        let directory: TemporaryDirectory
        let remote: BareRepository
        let kind: RemoteKind

        init(_ kind: RemoteKind, seeded: Bool = false) async throws {
            directory = try TemporaryDirectory(prefix: "giter-gitcli-test")
            remote = try await BareRepository.create(at: directory.appending("remote.git"), seeded: seeded)
            self.kind = kind
        }

        deinit { directory.remove() }

        var url: String {
            switch kind {
            case .path: remote.path
            case .fileURL: "file://" + remote.path
            }
        }

        func transport(_ name: String = "mirror", url: String? = nil) async throws -> GitCLITransport {
            try await GitCLITransport(
                configuration: RemoteConfiguration(
                    url: url ?? self.url, branch: "main", mirrorPath: directory.appending(name).path))
        }

        /// The raw text of an object in the remote.
        func show(_ object: String) async throws -> String {
            try await remote.git(["cat-file", "-p", object]).stdout
        }
    }

    static let alice = Signature(
        name: "Alice Example", email: "alice@example.com",
        date: Date(timeIntervalSince1970: 1_700_000_000.75), timeZoneOffsetMinutes: 90)
    static let bob = Signature(
        name: "Bob Builder", email: "bob@example.org",
        date: Date(timeIntervalSince1970: 1_700_000_100), timeZoneOffsetMinutes: -480)

    static func request(
        _ parent: ObjectID?, _ edits: [PathEdit], message: String = "Change", trailers: [Trailer] = []
    ) -> CommitRequest {
        CommitRequest(parent: parent, edits: edits, author: alice, committer: bob, message: message, trailers: trailers)
    }

    static func write(_ path: String, _ text: String) -> PathEdit {
        .write(path: path, contents: Array(text.utf8))
    }

    /// Commits `edits` on the local branch and pushes; returns the commit.
    static func commitAndPush(
        _ transport: GitCLITransport, parent: ObjectID?, _ edits: [PathEdit], message: String = "Change"
    ) async throws -> ObjectID {
        let commit = try await transport.createCommit(request(parent, edits, message: message))
        #expect(try await transport.push(commit, expecting: parent) == .pushed(commit))
        return commit
    }

    // MARK: Mirror and fetch

    @Test(arguments: RemoteKind.allCases)
    func missingBranchIsNilOnAnEmptyRemote(kind: RemoteKind) async throws {
        let sandbox = try await Sandbox(kind)
        let transport = try await sandbox.transport()
        #expect(try await transport.remoteTip() == nil)
        #expect(try await transport.fetch() == nil)
        #expect(try await transport.resolve("refs/remotes/origin/main") == nil)
        // The mirror is bare, points at the remote, and holds no credentials.
        let mirror = sandbox.directory.appending("mirror").path
        let config = try String(contentsOfFile: mirror + "/config", encoding: .utf8)
        #expect(config.contains("bare = true"))
        #expect(config.contains("url = \(sandbox.url)"))
        #expect(!FileManager.default.fileExists(atPath: mirror + "/index"))
        // Opening again changes nothing.
        _ = try await sandbox.transport()
        let reopened = try String(contentsOfFile: mirror + "/config", encoding: .utf8)
        #expect(reopened == config)
        #expect(config.components(separatedBy: "fetch = +refs/heads/main:refs/remotes/origin/main").count == 2)
    }

    @Test func missingRemoteRepositoryIsAnError() async throws {
        let sandbox = try await Sandbox(.path)
        let transport = try await sandbox.transport(url: sandbox.directory.appending("nothing-here.git").path)
        let error = await #expect(throws: TransportError.self) { try await transport.fetch() }
        #expect(error?.code == .repositoryNotFound)
        #expect(error?.message.contains("does not appear to be a git repository") == true)
    }

    // MARK: Commit, push, read back

    @Test(arguments: RemoteKind.allCases)
    func commitPushAndReadBackFromASecondMirror(kind: RemoteKind) async throws {
        let sandbox = try await Sandbox(kind)
        let writer = try await sandbox.transport("writer")
        let edits = [
            Self.write("resources/ns/a.yaml", "kind: A\n"),
            Self.write("resources/ns/b.yaml", "kind: B\n"),
            Self.write("resources/nsx/c.yaml", "kind: C\n"),
            Self.write("README", "hello\n"),
        ]
        let commit = try await writer.createCommit(Self.request(nil, edits))
        #expect(try await writer.updateReference("refs/heads/main", to: commit, expecting: nil))
        #expect(try await writer.resolve("refs/heads/main") == commit)
        #expect(try await writer.push(commit, expecting: nil) == .pushed(commit))
        #expect(try await writer.remoteTip() == commit)
        #expect(try await writer.resolve("refs/remotes/origin/main") == commit)
        #expect(try await sandbox.remote.resolve("refs/heads/main") == commit.hex)

        let reader = try await sandbox.transport("reader")
        #expect(try await reader.fetch() == commit)
        let written = try await writer.treeEntries(at: commit, under: nil)
        let read = try await reader.treeEntries(at: commit, under: nil)
        #expect(read == written)
        #expect(read.map(\.path) == ["README", "resources/ns/a.yaml", "resources/ns/b.yaml", "resources/nsx/c.yaml"])
        #expect(read.allSatisfy { $0.mode == .regular })
        for entry in read {
            let original = edits.first { $0.path == entry.path }
            guard case .write(_, let contents) = original else {
                Issue.record("no edit for \(entry.path)")
                continue
            }
            #expect(try await reader.blob(entry.id) == contents)
        }
        // A prefix is a folder: "resources/ns" does not match "resources/nsx".
        let folder = try await reader.treeEntries(at: commit, under: "resources/ns")
        #expect(folder.map(\.path) == ["resources/ns/a.yaml", "resources/ns/b.yaml"])
        #expect(try await reader.treeEntries(at: commit, under: "resources/none").isEmpty)
    }

    /// The long-lived tree writer must accept subtrees that a later fetch
    /// brought in (it started before those objects existed in the mirror).
    @Test func commitsOnTopOfFetchedTreesAfterTheWritersStarted() async throws {
        let sandbox = try await Sandbox(.path)
        let first = try await sandbox.transport("first")
        let second = try await sandbox.transport("second")
        // Start the second transport's writers before the objects it will need exist.
        let own = try await second.createCommit(Self.request(nil, [.write(path: "x/own.txt", contents: Array("own".utf8))]))
        #expect(try await second.push(own, expecting: nil) == .pushed(own))

        _ = try await first.fetch()
        let tip = try #require(try await first.resolve(first.configuration.trackingReference))
        // Over fetch.unpackLimit (100) objects, so the fetch keeps a pack the writers have never seen.
        let many = (0..<150).map { PathEdit.write(path: "deep/a/b/\($0).txt", contents: Array("file \($0)".utf8)) }
        let theirs = try await first.createCommit(Self.request(tip, many))
        #expect(try await first.push(theirs, expecting: tip) == .pushed(theirs))

        let fetched = try #require(try await second.fetch())
        #expect(fetched == theirs)
        let next = try await second.createCommit(
            Self.request(fetched, [.write(path: "deep/a/d.txt", contents: Array("d".utf8))]))
        #expect(try await second.push(next, expecting: fetched) == .pushed(next))
        let paths = try await second.treeEntries(at: next, under: nil).map(\.path)
        #expect(paths.count == 152)
        #expect(paths.contains("deep/a/d.txt") && paths.contains("deep/a/b/149.txt") && paths.contains("x/own.txt"))
        let fsck = try await sandbox.remote.git(["fsck", "--strict", "--no-dangling"])
        #expect(fsck.succeeded, "\(fsck)")
    }

    @Test func editsApplyToTheParentTree() async throws {
        let sandbox = try await Sandbox(.path)
        let transport = try await sandbox.transport()
        let first = try await transport.createCommit(
            Self.request(nil, [Self.write("a/x.yaml", "1"), Self.write("a/y.yaml", "2"), Self.write("b/z.yaml", "3")]))
        let second = try await transport.createCommit(
            Self.request(
                first,
                [
                    .delete(path: "b/z.yaml"), .delete(path: "not/there.yaml"), Self.write("a/x.yaml", "changed"),
                    Self.write("c/new.yaml", "4"),
                ]))
        let entries = try await transport.treeEntries(at: second, under: nil)
        #expect(entries.map(\.path) == ["a/x.yaml", "a/y.yaml", "c/new.yaml"])
        #expect(try await transport.blob(entries[0].id) == Array("changed".utf8))
        // The emptied folder "b" is gone from the tree itself.
        let tree = try await transport.runner.check(["ls-tree", second.hex]).outputText
        #expect(!tree.contains("\tb"))
        #expect(tree.contains("\ta"))
    }

    @Test func commitIsReadBackByGitWithAuthorCommitterMessageAndTrailers() async throws {
        let sandbox = try await Sandbox(.path)
        let transport = try await sandbox.transport()
        let request = CommitRequest(
            parent: nil, edits: [Self.write("r.yaml", "x")], author: Self.alice, committer: Self.bob,
            message: "Add r\n\nBecause.", trailers: [Trailer("Giter-Actor", "alice"), Trailer("Signed-off-by", "A <a@b>")])
        let commit = try await transport.createCommit(request)
        #expect(try await transport.push(commit, expecting: nil) == .pushed(commit))

        let raw = try await sandbox.show(commit.hex)
        #expect(raw.contains("\nauthor Alice Example <alice@example.com> 1700000000 +0130\n"))
        #expect(raw.contains("\ncommitter Bob Builder <bob@example.org> 1700000100 -0800\n"))
        #expect(raw.hasSuffix("\n\nAdd r\n\nBecause.\n\nGiter-Actor: alice\nSigned-off-by: A <a@b>\n"))
        #expect(!raw.contains("\nparent "))
        let trailers = try await sandbox.remote.git(
            ["log", "-1", "--format=%(trailers:key=Giter-Actor,valueonly)", commit.hex]).trimmedStdout
        #expect(trailers == "alice")

        let history = try await transport.history(of: "r.yaml", from: commit, limit: nil)
        let info = try #require(history.first)
        #expect(info.id == commit)
        #expect(info.parents.isEmpty)
        #expect(info.author == Signature(name: "Alice Example", email: "alice@example.com",
                                         date: Date(timeIntervalSince1970: 1_700_000_000), timeZoneOffsetMinutes: 90))
        #expect(info.committer == Self.bob)
        #expect(info.message == request.fullMessage)
        #expect(info.trailers == request.trailers)
    }

    @Test func historyListsCommitsThatTouchedThePathNewestFirst() async throws {
        let sandbox = try await Sandbox(.path)
        let transport = try await sandbox.transport()
        let first = try await transport.createCommit(Self.request(nil, [Self.write("p/a.yaml", "1")], message: "one"))
        let second = try await transport.createCommit(Self.request(first, [Self.write("p/b.yaml", "2")], message: "two"))
        let third = try await transport.createCommit(Self.request(second, [Self.write("p/a.yaml", "3")], message: "three"))
        let history = try await transport.history(of: "p/a.yaml", from: third, limit: nil)
        #expect(history.map(\.id) == [third, first])
        #expect(history.map(\.message) == ["three\n", "one\n"])
        #expect(history.first?.parents == [second])
        #expect(try await transport.history(of: "p/a.yaml", from: third, limit: 1).map(\.id) == [third])
        #expect(try await transport.history(of: "p/b.yaml", from: third, limit: nil).map(\.id) == [second])
        #expect(try await transport.history(of: "p/none.yaml", from: third, limit: nil).isEmpty)
    }

    @Test func changesBetweenCommits() async throws {
        let sandbox = try await Sandbox(.path)
        let transport = try await sandbox.transport()
        let first = try await transport.createCommit(
            Self.request(nil, [Self.write("r/ns/a", "1"), Self.write("r/ns/b", "2"), Self.write("r/other/c", "3")]))
        let second = try await transport.createCommit(
            Self.request(first, [Self.write("r/ns/a", "1b"), .delete(path: "r/ns/b"), Self.write("r/nsx/d", "4")]))
        let old = Dictionary(uniqueKeysWithValues: try await transport.treeEntries(at: first, under: nil).map { ($0.path, $0.id) })
        let new = Dictionary(uniqueKeysWithValues: try await transport.treeEntries(at: second, under: nil).map { ($0.path, $0.id) })

        let changes = try await transport.changes(from: first, to: second, under: nil)
        #expect(changes.map(\.path) == ["r/ns/a", "r/ns/b", "r/nsx/d"])
        #expect(changes.map(\.kind) == [.modified, .deleted, .added])
        #expect(changes[0].oldID == old["r/ns/a"] && changes[0].newID == new["r/ns/a"])
        #expect(changes[1].oldID == old["r/ns/b"] && changes[1].newID == nil && changes[1].newMode == nil)
        #expect(changes[2].oldID == nil && changes[2].newID == new["r/nsx/d"] && changes[2].newMode == .regular)

        let underFolder = try await transport.changes(from: first, to: second, under: "r/ns")
        #expect(underFolder.map(\.path) == ["r/ns/a", "r/ns/b"])
        let fromNothing = try await transport.changes(from: nil, to: first, under: nil)
        #expect(fromNothing.map(\.path) == ["r/ns/a", "r/ns/b", "r/other/c"])
        #expect(fromNothing.allSatisfy { $0.kind == .added })
        #expect(try await transport.changes(from: second, to: second, under: nil).isEmpty)
    }

    /// `changes` walks trees through the long-lived cat-file process; it
    /// must list what `git diff-tree -r --no-renames` lists, over edits that
    /// turn files into folders and back, empty folders, and deep paths.
    @Test func changesThroughCatFileMatchGitDiffTree() async throws {
        let sandbox = try await Sandbox(.path)
        let transport = try await sandbox.transport()
        let steps: [[PathEdit]] = [
            [Self.write("r/a/1", "1"), Self.write("r/a/2", "2"), Self.write("r/b/deep/x/y/z", "3"), Self.write("top", "t")],
            [Self.write("r/a/1", "1b"), .delete(path: "r/a/2"), Self.write("r/c", "file")],
            // A commit cannot make a path a file and a folder at once: the ranges over two commits do.
            [.delete(path: "r/c"), .delete(path: "top"), .delete(path: "r/b/deep/x/y/z"), Self.write("r/a/1", "1")],
            [Self.write("r/c/now-a-folder", "f"), Self.write("top/inside", "i"), Self.write("r/b/deep", "was a folder")],
            [Self.write("s/with space/file", "s"), Self.write("r/a/3", "3")],
        ]
        var commits: [ObjectID?] = [nil]
        for edits in steps {
            commits.append(try await Self.commitAndPush(transport, parent: commits.last!, edits))
        }
        let emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
        for (oldIndex, old) in commits.enumerated() {
            for new in commits[(oldIndex + 1)...].compactMap({ $0 }) {
                for folder in [nil, "r", "r/b", "top", "s/with space", "missing"] as [String?] {
                    var arguments = ["diff-tree", "-r", "-z", "--no-renames", "--raw", "--full-index", old?.hex ?? emptyTree, new.hex]
                    if let folder { arguments += ["--", folder] }
                    let raw = try await sandbox.remote.git(arguments).stdout
                    let expected = try GitOutput.pathChanges(Array(raw.utf8))
                        .filter { GitOutput.path($0.path, isUnder: folder) }
                        .sorted { GitOutput.byPath($0.path, $1.path) }
                    let actual = try await transport.changes(from: old, to: new, under: folder)
                    #expect(actual == expected, "\(old?.hex ?? "empty")..\(new.hex) under \(folder ?? "/")")
                }
            }
        }
        let missing = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
        let error = await #expect(throws: TransportError.self) {
            try await transport.changes(from: missing, to: try #require(commits.last!), under: nil)
        }
        #expect(error?.code == .objectNotFound)
    }

    // MARK: Compare-and-swap

    @Test func updateReferenceIsCompareAndSwap() async throws {
        let sandbox = try await Sandbox(.path)
        let transport = try await sandbox.transport()
        let first = try await transport.createCommit(Self.request(nil, [Self.write("a", "1")]))
        let second = try await transport.createCommit(Self.request(first, [Self.write("a", "2")]))
        let ref = "refs/heads/main"
        #expect(try await transport.updateReference(ref, to: first, expecting: nil))
        #expect(try await transport.updateReference(ref, to: second, expecting: nil) == false)
        #expect(try await transport.resolve(ref) == first)
        #expect(try await transport.updateReference(ref, to: second, expecting: second) == false)
        #expect(try await transport.resolve(ref) == first)
        #expect(try await transport.updateReference("refs/heads/other", to: second, expecting: first) == false)
        #expect(try await transport.resolve("refs/heads/other") == nil)
        #expect(try await transport.updateReference(ref, to: second, expecting: first))
        #expect(try await transport.resolve(ref) == second)
        await #expect(throws: TransportError.self) {
            _ = try await transport.updateReference("main", to: second, expecting: nil)
        }
    }

    @Test func resolveSeesRefsAndPacksChangedWhileCatFileRuns() async throws {
        let sandbox = try await Sandbox(.path)
        let reader = try await sandbox.transport("reader")
        let writer = try await sandbox.transport("writer")
        let first = try await Self.commitAndPush(writer, parent: nil, [Self.write("a", "1")])
        #expect(try await reader.fetch() == first)  // the reader's cat-file is running now
        let mirror = sandbox.directory.appending("reader")

        // Refs changed by another git process, loose and then packed.
        let second = try await reader.createCommit(Self.request(first, [Self.write("a", "2")]))
        let environment = GitEnvironment.isolated.setting("GIT_DIR", mirror.path)
        try await runGitChecked(["update-ref", "refs/heads/main", second.hex], environment: environment)
        #expect(try await reader.resolve("refs/heads/main") == second)
        try await runGitChecked(["pack-refs", "--all", "--prune"], environment: environment)
        #expect(try await reader.resolve("refs/heads/main") == second)
        #expect(try await reader.resolve("refs/remotes/origin/main") == first)

        // Objects packed by another git process while cat-file runs (a fetch
        // from this machine copies them as loose objects; `git repack` packs them).
        let edits = (0..<150).map { Self.write("bulk/\($0)", "item \($0)") }
        let bulk = try await Self.commitAndPush(writer, parent: first, edits)
        #expect(try await reader.fetch() == bulk)
        try await runGitChecked(["repack", "-a", "-d", "-q"], environment: environment)
        let packs = try FileManager.default.contentsOfDirectory(atPath: mirror.path + "/objects/pack")
        #expect(packs.contains { $0.hasSuffix(".pack") })
        let entry = try #require(try await reader.treeEntries(at: bulk, under: "bulk").first { $0.path == "bulk/7" })
        #expect(try await reader.blob(entry.id) == Array("item 7".utf8))
    }

    @Test(arguments: RemoteKind.allCases)
    func pushWithStaleExpectationIsAConflict(kind: RemoteKind) async throws {
        let sandbox = try await Sandbox(kind)
        let one = try await sandbox.transport("one")
        let two = try await sandbox.transport("two")
        let base = try await Self.commitAndPush(one, parent: nil, [Self.write("f", "base")])
        #expect(try await two.fetch() == base)
        let fromOne = try await Self.commitAndPush(one, parent: base, [Self.write("f", "one")])

        // `two` still thinks the remote is at `base`.
        let fromTwo = try await two.createCommit(Self.request(base, [Self.write("f", "two")]))
        let stale = try await two.push(fromTwo, expecting: base)
        guard case .conflict(let message) = stale else {
            Issue.record("expected a conflict, got \(stale)")
            return
        }
        #expect(!message.isEmpty)
        // Expecting "no branch" when there is one is a conflict too.
        let missing = try await two.push(fromTwo, expecting: nil)
        #expect({ if case .conflict = missing { true } else { false } }())
        #expect(try await sandbox.remote.resolve("refs/heads/main") == fromOne.hex)
        // After fetch and retry it goes through.
        #expect(try await two.fetch() == fromOne)
        let retried = try await two.createCommit(Self.request(fromOne, [Self.write("g", "two")]))
        #expect(try await two.push(retried, expecting: fromOne) == .pushed(retried))
        #expect(try await sandbox.remote.resolve("refs/heads/main") == retried.hex)
    }

    @Test func sixteenWayPushRaceEndsWithEveryChangeInTheRemote() async throws {
        let sandbox = try await Sandbox(.fileURL)
        let seed = try await sandbox.transport("seed")
        let base = try await Self.commitAndPush(seed, parent: nil, [Self.write("base", "0")])
        var writers: [GitCLITransport] = []
        for index in 0..<16 { writers.append(try await sandbox.transport("writer-\(index)")) }
        let outcomes = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for (index, writer) in writers.enumerated() {
                group.addTask {
                    var parent = try #require(try await writer.fetch())
                    #expect(parent == base)
                    var conflicts = 0
                    while true {
                        let commit = try await writer.createCommit(
                            Self.request(parent, [Self.write("w/\(index)", "\(index)")], message: "writer \(index)"))
                        switch try await writer.push(commit, expecting: parent) {
                        case .pushed: return (index, conflicts)
                        case .conflict, .locked:
                            conflicts += 1
                            parent = try #require(try await writer.fetch())
                        case .rejected(let message):
                            Issue.record("rejected: \(message)")
                            return (index, conflicts)
                        }
                        if conflicts > 64 {
                            Issue.record("writer \(index) never got through")
                            return (index, conflicts)
                        }
                    }
                }
            }
            return try await group.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 16)
        // Someone must have lost a race: 16 writers started from the same base.
        #expect(outcomes.values.reduce(0, +) > 0)
        let tip = try #require(try await seed.fetch())
        let paths = try await seed.treeEntries(at: tip, under: "w").map(\.path)
        #expect(Set(paths) == Set((0..<16).map { "w/\($0)" }))
        let fsck = try await sandbox.remote.git(["fsck", "--strict"])
        #expect(fsck.succeeded)
    }

    @Test(arguments: RemoteKind.allCases)
    func preReceiveHookRejectionCarriesTheHookMessage(kind: RemoteKind) async throws {
        let sandbox = try await Sandbox(kind)
        try sandbox.remote.installPreReceiveHook(
            "#!/bin/sh\necho 'policy: pushes to main need a review' >&2\nexit 1\n")
        let transport = try await sandbox.transport()
        let commit = try await transport.createCommit(Self.request(nil, [Self.write("f", "x")]))
        let outcome = try await transport.push(commit, expecting: nil)
        guard case .rejected(let message) = outcome else {
            Issue.record("expected a rejection, got \(outcome)")
            return
        }
        #expect(message.contains("pre-receive hook declined"))
        #expect(message.contains("policy: pushes to main need a review"))
        #expect(try await sandbox.remote.resolve("refs/heads/main") == nil)
        #expect(try await transport.resolve("refs/remotes/origin/main") == nil)
    }

    // MARK: Unsafe paths

    @Test func symlinksAndGitlinksAreListedAndGitLikeNamesRefused() async throws {
        let sandbox = try await Sandbox(.path)
        let remote = sandbox.remote
        let blob = try await remote.git(["hash-object", "-w", "--stdin"], input: Data("/etc/passwd".utf8)).trimmedStdout
        let safeTree = try await remote.git(
            ["mktree"], input: Data("100644 blob \(blob)\tok.yaml\n".utf8)).trimmedStdout
        let linkTree = try await remote.git(
            ["mktree"], input: Data("120000 blob \(blob)\tlink.yaml\n100644 blob \(blob)\tok.yaml\n".utf8)).trimmedStdout
        let gitTree = try await remote.git(
            ["mktree"], input: Data("040000 tree \(safeTree)\t.GIT\n100644 blob \(blob)\tok.yaml\n".utf8)).trimmedStdout
        let safe = try await remote.git(["commit-tree", safeTree, "-m", "safe"]).trimmedStdout
        let link = try await remote.git(["commit-tree", linkTree, "-p", safe, "-m", "link"]).trimmedStdout
        let git = try await remote.git(["commit-tree", gitTree, "-p", link, "-m", "git"]).trimmedStdout
        try await remote.git(["update-ref", "refs/heads/main", git])

        let transport = try await sandbox.transport()
        let tip = try #require(try await transport.fetch())
        let linkCommit = try #require(ObjectID(hex: link))
        let safeCommit = try #require(ObjectID(hex: safe))

        // A symbolic link is listed with its mode, for readers to report; it is never read as a file.
        #expect(try await transport.treeEntries(at: linkCommit, under: nil).map(\.mode) == [.symlink, .regular])
        #expect(try await transport.changes(from: safeCommit, to: linkCommit, under: nil).map(\.newMode) == [.symlink])
        let gitError = await #expect(throws: TransportError.self) {
            try await transport.treeEntries(at: tip, under: nil)
        }
        #expect(gitError?.code == .unsafePath)
        #expect(gitError?.message.contains(".GIT") == true)
        // Outside the listed folder the bad entries are not read.
        #expect(try await transport.treeEntries(at: safeCommit, under: nil).map(\.path) == ["ok.yaml"])

        // A gitlink (submodule entry) is listed too, in listings and in changes.
        let gitlinkTree = try await remote.git(
            ["mktree"], input: Data("160000 commit \(safe)\tsub\n100644 blob \(blob)\tok.yaml\n".utf8)).trimmedStdout
        let gitlink = try #require(
            ObjectID(hex: try await remote.git(["commit-tree", gitlinkTree, "-p", safe, "-m", "gitlink"]).trimmedStdout))
        try await remote.git(["update-ref", "refs/heads/main", gitlink.hex])
        #expect(try await transport.fetch() == gitlink)
        #expect(try await transport.treeEntries(at: gitlink, under: nil).map(\.mode) == [.regular, .gitlink])
        #expect(try await transport.changes(from: safeCommit, to: gitlink, under: nil).map(\.newMode) == [.gitlink])
    }

    @Test(arguments: [".git/config", "a/.GIT/b", "git~1/x", "a/../b", "./a", "a//b", "/abs", "a/.git. /b", "a\\b"])
    func createCommitRefusesUnsafePaths(path: String) async throws {
        let sandbox = try await Sandbox(.path)
        let transport = try await sandbox.transport()
        let before = try await transport.runner.check(["count-objects", "-v"]).outputText
        let error = await #expect(throws: TransportError.self) {
            try await transport.createCommit(Self.request(nil, [Self.write("ok.yaml", "x"), Self.write(path, "bad")]))
        }
        #expect(error?.code == .unsafePath)
        let after = try await transport.runner.check(["count-objects", "-v"]).outputText
        #expect(before == after, "nothing was written")
    }

    // MARK: Process economy

    @Test func readingManyBlobsUsesOneLongLivedProcess() async throws {
        let sandbox = try await Sandbox(.path)
        let transport = try await sandbox.transport()
        let edits = (0..<200).map { Self.write("r/\($0 / 20)/item-\($0).yaml", "index: \($0)\n") }
        let beforeCommit = transport.processLaunches
        let commit = try await transport.createCommit(Self.request(nil, edits))
        #expect(transport.processLaunches - beforeCommit <= 5, "a commit of 200 files takes a fixed number of processes")

        let beforeList = transport.processLaunches
        let entries = try await transport.treeEntries(at: commit, under: nil)
        #expect(entries.count == 200)
        #expect(transport.processLaunches - beforeList == 1)

        let beforeRead = transport.processLaunches
        var contents: [String: String] = [:]
        for entry in entries {
            contents[entry.path] = String(decoding: try await transport.blob(entry.id), as: UTF8.self)
        }
        #expect(transport.processLaunches - beforeRead <= 1, "200 blob reads share one cat-file process")
        for index in 0..<200 {
            #expect(contents["r/\(index / 20)/item-\(index).yaml"] == "index: \(index)\n")
        }
        // Concurrent reads are serialized through the same process.
        let ids = entries.map(\.id)
        let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
            for id in ids { group.addTask { try await transport.blob(id).count } }
            return try await group.reduce(0, +)
        }
        #expect(sizes == contents.values.reduce(0) { $0 + $1.utf8.count })
        #expect(transport.processLaunches - beforeRead <= 1)
    }

    /// The pid of the `git cat-file --batch` process working on `mirror`, found through /proc.
    static func catFileProcess(for mirror: String) throws -> pid_t? {
        for name in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let pid = pid_t(name),
                let command = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"),
                let environment = FileManager.default.contents(atPath: "/proc/\(name)/environ")
            else { continue }
            let arguments = command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if arguments.contains("cat-file"), arguments.contains("--batch"), variables.contains("GIT_DIR=\(mirror)") {
                return pid
            }
        }
        return nil
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/environ")))
    func catFileProcessIsRestartedWhenItDies() async throws {
        let sandbox = try await Sandbox(.path)
        let transport = try await sandbox.transport()
        let commit = try await transport.createCommit(Self.request(nil, [Self.write("a", "first"), Self.write("b", "second")]))
        let entries = try await transport.treeEntries(at: commit, under: nil)
        let mirror = transport.runner.mirrorPath
        // Packed, so that reads go to the process (a loose object is read in Swift).
        try await runGitChecked(["--git-dir", mirror, "update-ref", "refs/heads/packed", commit.hex])
        try await runGitChecked(["--git-dir", mirror, "repack", "-a", "-d", "-q"])
        #expect(try await transport.blob(entries[0].id) == Array("first".utf8))
        let pid = try #require(try Self.catFileProcess(for: mirror))
        #expect(kill(pid, SIGKILL) == 0)
        // Wait until it is gone (reaped by the transport's task), at most ~5 s.
        for _ in 0..<500 {
            guard try Self.catFileProcess(for: mirror) == pid else { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let before = transport.processLaunches
        #expect(try await transport.blob(entries[1].id) == Array("second".utf8))
        #expect(transport.processLaunches == before + 1, "one new cat-file process")
        let restarted = try #require(try Self.catFileProcess(for: mirror))
        #expect(restarted != pid)
    }

    /// `releaseCaches()` ends the long-lived `cat-file` process (it holds
    /// the mapped packs and git's delta-base cache); the next read starts
    /// another. It returns once the process has ended.
    @Test func releasedCachesEndTheCatFileProcess() async throws {
        let sandbox = try await Sandbox(.path)
        let transport = try await sandbox.transport()
        let commit = try await transport.createCommit(
            Self.request(nil, [Self.write("a", "first"), Self.write("b", "second")]))
        let entries = try await transport.treeEntries(at: commit, under: nil)
        let mirror = transport.runner.mirrorPath
        // Packed, so that reads go to the process (a loose object is read in Swift).
        try await runGitChecked(["--git-dir", mirror, "update-ref", "refs/heads/packed", commit.hex])
        try await runGitChecked(["--git-dir", mirror, "repack", "-a", "-d", "-q"])
        #expect(try await transport.blob(entries[0].id) == Array("first".utf8))
        let pid = try #require(try Self.catFileProcess(for: mirror))

        try await withDeadline(.seconds(30)) { try await transport.releaseCaches() }
        #expect(try Self.catFileProcess(for: mirror) == nil, "the process has ended")
        let before = transport.processLaunches
        #expect(try await transport.blob(entries[1].id) == Array("second".utf8))
        #expect(transport.processLaunches == before + 1, "one new cat-file process")
        let restarted = try #require(try Self.catFileProcess(for: mirror))
        #expect(restarted != pid)
    }

    @Test func largeAndBinaryBlobsRoundTrip() async throws {
        let sandbox = try await Sandbox(.path)
        let transport = try await sandbox.transport()
        var large = [UInt8](repeating: 0, count: 3 << 20)
        for index in large.indices { large[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 9) }
        let commit = try await transport.createCommit(
            Self.request(nil, [.write(path: "big.bin", contents: large), .write(path: "empty", contents: [])]))
        let entries = try await transport.treeEntries(at: commit, under: nil)
        #expect(entries.map(\.path) == ["big.bin", "empty"])
        #expect(try await transport.blob(entries[0].id) == large)
        #expect(try await transport.blob(entries[1].id) == [])
        #expect(try await transport.blob(entries[0].id).count == large.count)
    }

    @Test func missingObjectsAndBadArguments() async throws {
        let sandbox = try await Sandbox(.path)
        let transport = try await sandbox.transport()
        let missing = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
        let blobError = await #expect(throws: TransportError.self) { try await transport.blob(missing) }
        #expect(blobError?.code == .objectNotFound)
        let treeError = await #expect(throws: TransportError.self) {
            try await transport.treeEntries(at: missing, under: nil)
        }
        #expect(treeError?.code == .objectNotFound)
        #expect(try await transport.resolve(missing.hex) == nil)
        #expect(try await transport.resolve("refs/heads/nothing") == nil)
        let refError = await #expect(throws: TransportError.self) { try await transport.resolve("--all") }
        #expect(refError?.code == .invalidArgument)
        // The cat-file process keeps working after a miss.
        let commit = try await transport.createCommit(Self.request(nil, [Self.write("a", "1")]))
        let entry = try #require(try await transport.treeEntries(at: commit, under: nil).first)
        #expect(try await transport.blob(entry.id) == Array("1".utf8))
    }
}

/// The git CLI backend against real servers on loopback: git daemon, smart
/// HTTP with basic auth, and SSH with key auth and host-key checking.
extension GitCLITransportTests {
    @Suite("GitCLITransport on servers")
    struct Servers {
        static let alice = Signature(
            name: "Alice", email: "alice@example.com", date: Date(timeIntervalSince1970: 1_700_000_000))

        static func commit(_ transport: GitCLITransport, parent: ObjectID?, _ path: String, _ text: String) async throws
            -> ObjectID
        {
            try await transport.createCommit(
                CommitRequest(
                    parent: parent, edits: [.write(path: path, contents: Array(text.utf8))], author: alice,
                    message: "Write \(path)"))
        }

        static func transport(
            _ url: String, in directory: TemporaryDirectory, _ name: String, credentials: Credentials = .none
        ) async throws -> GitCLITransport {
            try await GitCLITransport(
                configuration: RemoteConfiguration(
                    url: url, mirrorPath: directory.appending(name).path, credentials: credentials))
        }

        /// Push from one mirror, fetch into another, read the file back.
        static func roundTrip(
            _ url: String, in directory: TemporaryDirectory, credentials: Credentials = .none
        ) async throws {
            let writer = try await transport(url, in: directory, "writer-\(UUID())", credentials: credentials)
            let before = try await writer.remoteTip()
            let parent = try await writer.fetch()
            #expect(parent == before)
            let commit = try await commit(writer, parent: parent, "r/a.yaml", "hello")
            #expect(try await writer.push(commit, expecting: parent) == .pushed(commit))
            #expect(try await writer.remoteTip() == commit)

            let reader = try await transport(url, in: directory, "reader-\(UUID())", credentials: credentials)
            #expect(try await reader.fetch() == commit)
            let entry = try #require(try await reader.treeEntries(at: commit, under: "r").first)
            #expect(try await reader.blob(entry.id) == Array("hello".utf8))
            // A stale push is a conflict here too.
            let late = try await Self.commit(reader, parent: parent, "r/b.yaml", "late")
            let outcome = try await reader.push(late, expecting: parent)
            #expect({ if case .conflict = outcome { true } else { false } }(), "\(outcome)")
        }

        @Test(ServerAvailability.enabled(.gitDaemon))
        func gitDaemonRoundTripRejectionAndUnreachable() async throws {
            let directory = try TemporaryDirectory(prefix: "giter-gitcli-daemon")
            defer { directory.remove() }
            var closedURL = ""
            try await withGitDaemon { server in
                _ = try await server.createRepository(named: "exchange", seeded: false)
                try await Self.roundTrip(try server.url(for: "exchange"), in: directory)

                let guarded = try await server.createRepository(named: "guarded", seeded: false)
                try guarded.installPreReceiveHook("#!/bin/sh\necho 'denied by policy' >&2\nexit 1\n")
                let transport = try await Self.transport(try server.url(for: "guarded"), in: directory, "guarded")
                let commit = try await Self.commit(transport, parent: nil, "x", "y")
                let outcome = try await transport.push(commit, expecting: nil)
                guard case .rejected(let message) = outcome else {
                    Issue.record("expected a rejection, got \(outcome)")
                    return
                }
                #expect(message.contains("denied by policy"))

                let missing = try await Self.transport(try server.url(for: "absent"), in: directory, "absent")
                let error = await #expect(throws: TransportError.self) { try await missing.remoteTip() }
                #expect(error?.code == .repositoryNotFound, "\(String(describing: error))")
                closedURL = try server.url(for: "exchange")
            }
            // The server is stopped: its port refuses connections.
            let transport = try await Self.transport(closedURL, in: directory, "closed")
            let error = await #expect(throws: TransportError.self) { try await transport.fetch() }
            #expect(error?.code == .unreachable, "\(String(describing: error))")
            #expect(error?.message.contains("Connection refused") == true)
        }

        @Test(ServerAvailability.enabled(.smartHTTP))
        func smartHTTPAsksThePasswordProviderAndReportsWrongPasswords() async throws {
            let directory = try TemporaryDirectory(prefix: "giter-gitcli-http")
            defer { directory.remove() }
            let password = "s3cret pass'word $HOME"
            try await withSmartHTTPServer(user: "giter", password: password) { server in
                _ = try await server.createRepository(named: "exchange", seeded: false)
                let url = try server.url(for: "exchange")
                let asked = Mutex(0)
                let good = Credentials(passwordProvider: { _ in
                    asked.withLock { $0 += 1 }
                    return Credentials.UserPassword(user: "giter", password: password)
                })
                try await Self.roundTrip(url, in: directory, credentials: good)
                #expect(asked.withLock { $0 } > 0)

                // The credentials are in no file of the mirror.
                let mirror = try await Self.transport(url, in: directory, "checked", credentials: good)
                _ = try await mirror.fetch()
                let config = try String(contentsOfFile: directory.appending("checked").path + "/config", encoding: .utf8)
                #expect(!config.contains("s3cret"))
                #expect(config.contains("url = \(url)\n"))

                let wrongCalls = Mutex(0)
                let wrong = Credentials(
                    passwordProvider: { _ in
                        wrongCalls.withLock { $0 += 1 }
                        return Credentials.UserPassword(user: "giter", password: "wrong")
                    }, maxAttempts: 2)
                let refused = try await Self.transport(url, in: directory, "wrong", credentials: wrong)
                let error = await #expect(throws: TransportError.self) { try await refused.fetch() }
                #expect(error?.code == .authenticationFailed, "\(String(describing: error))")
                #expect(wrongCalls.withLock { $0 } == 2)
                let pushError = await #expect(throws: TransportError.self) {
                    try await refused.push(try #require(ObjectID(hex: String(repeating: "1", count: 40))), expecting: nil)
                }
                #expect(pushError?.code == .authenticationFailed, "\(String(describing: pushError))")

                let anonymous = try await Self.transport(url, in: directory, "anonymous")
                let anonymousError = await #expect(throws: TransportError.self) { try await anonymous.remoteTip() }
                #expect(anonymousError?.code == .authenticationFailed, "\(String(describing: anonymousError))")
            }
        }

        /// Over HTTPS the user name and password go with each command's
        /// first request (`Authorization: Basic`), so no request is answered
        /// 401 and no credential helper runs; once the server has taken
        /// them, a wrong password costs one refused request per attempt.
        /// Read from lighttpd's access log once the server has stopped
        /// (which writes it out).
        @Test(ServerAvailability.enabled(.smartHTTP))
        func overHTTPSTheLoginGoesWithTheFirstRequest() async throws {
            guard try TestRequirements.available(SmartHTTPServer.tlsUnavailableReason, for: "the HTTPS test") else { return }
            let directory = try TemporaryDirectory(prefix: "giter-gitcli-https-first")
            defer { directory.remove() }
            let authority = try await TestCertificateAuthority()
            try await withStartedServer(try SmartHTTPServer(tls: authority)) { server in
                _ = try await server.createRepository(named: "exchange", seeded: false)
                let right = Credentials.UserPassword(user: server.user, password: server.password)
                // Right until the test says otherwise.
                let wrong = Mutex(false)
                let asked = Mutex(0)
                let credentials = Credentials(
                    passwordProvider: { _ in
                        asked.withLock { $0 += 1 }
                        return wrong.withLock { $0 } ? Credentials.UserPassword(user: right.user, password: "wrong") : right
                    }, certificateAuthorityFile: authority.certificateFile.path)
                let url = try server.url(for: "exchange")
                let transport = try await Self.transport(url, in: directory, "m", credentials: credentials)
                #expect(try await transport.fetch() == nil)
                let commit = try await Self.commit(transport, parent: nil, "r/a.yaml", "hello")
                #expect(try await transport.push(commit, expecting: nil) == .pushed(commit))
                #expect(try await transport.fetch() == commit)
                #expect(transport.basicAuthorizationAccepted.value)
                #expect(!transport.basicAuthorizationRefused.value)
                let requests = asked.withLock { $0 }

                // The server took the login before: a refusal is a wrong password, one refused request per attempt.
                wrong.withLock { $0 = true }
                let error = await #expect(throws: TransportError.self) { try await transport.remoteTip() }
                #expect(error?.code == .authenticationFailed, "\(String(describing: error))")
                #expect(asked.withLock { $0 } == requests + 2, "maxAttempts")
                #expect(!transport.basicAuthorizationRefused.value, "a server that took Basic keeps getting it first")

                await server.stop()
                // Over HTTP/2 each connection's preface is a line too (`100 PRI * HTTP/2.0`).
                let statuses = server.accessLog.split(separator: "\n").filter { !$0.contains(" PRI * ") }.map { $0.prefix(3) }
                #expect(statuses.count >= 8, "\(server.accessLog)")
                #expect(statuses.dropLast(2).allSatisfy { $0 == "200" }, "\(server.accessLog)")
                #expect(statuses.suffix(2).allSatisfy { $0 == "401" }, "\(server.accessLog)")
            }
        }

        /// An HTTPS server that wants another scheme than Basic (here
        /// Digest) refuses the login sent unasked; the next attempt waits to
        /// be asked, and so does every later command of the transport.
        @Test(ServerAvailability.enabled(.smartHTTP))
        func aServerThatWantsDigestGetsTheLoginWhenItAsks() async throws {
            guard try TestRequirements.available(SmartHTTPServer.tlsUnavailableReason, for: "the HTTPS test") else { return }
            let directory = try TemporaryDirectory(prefix: "giter-gitcli-https-digest")
            defer { directory.remove() }
            let authority = try await TestCertificateAuthority()
            try await withStartedServer(try SmartHTTPServer(tls: authority, authentication: .digest)) { server in
                _ = try await server.createRepository(named: "exchange", seeded: false)
                let asked = Mutex(0)
                let login = Credentials.UserPassword(user: server.user, password: server.password)
                let credentials = Credentials(
                    passwordProvider: { _ in
                        asked.withLock { $0 += 1 }
                        return login
                    }, certificateAuthorityFile: authority.certificateFile.path)
                let url = try server.url(for: "exchange")
                let transport = try await Self.transport(url, in: directory, "m", credentials: credentials)
                #expect(try await transport.fetch() == nil)
                #expect(transport.basicAuthorizationRefused.value)
                #expect(asked.withLock { $0 } == 2, "the refused attempt and the one that waited to be asked")
                let commit = try await Self.commit(transport, parent: nil, "r/a.yaml", "hello")
                #expect(try await transport.push(commit, expecting: nil) == .pushed(commit))
                #expect(try await transport.remoteTip() == commit)
                #expect(asked.withLock { $0 } == 4, "one attempt each from then on")

                // A wrong password is still refused, one login per attempt.
                let wrongCalls = Mutex(0)
                let wrong = Credentials(
                    passwordProvider: { _ in
                        wrongCalls.withLock { $0 += 1 }
                        return Credentials.UserPassword(user: login.user, password: "wrong")
                    }, maxAttempts: 2, certificateAuthorityFile: authority.certificateFile.path)
                let refused = try await Self.transport(url, in: directory, "wrong", credentials: wrong)
                let error = await #expect(throws: TransportError.self) { try await refused.fetch() }
                #expect(error?.code == .authenticationFailed, "\(String(describing: error))")
                #expect(wrongCalls.withLock { $0 } == 2)
            }
        }

        /// Over `http://` the login goes with the first request only to a
        /// server seen to ask for Basic: the first command that logs in is
        /// asked (one 401) and traced; every later one sends it at once (no
        /// 401), and a wrong password is then one refused request per
        /// attempt. A server that asks for Digest is answered only when it
        /// asks, on every command, and its scheme is looked at once.
        @Test(ServerAvailability.enabled(.smartHTTP), arguments: [SmartHTTPServer.Authentication.basic, .digest])
        func overHTTPTheLoginGoesFirstOnlyToAServerThatAskedForBasic(_ scheme: SmartHTTPServer.Authentication)
            async throws
        {
            let directory = try TemporaryDirectory(prefix: "giter-gitcli-http-first")
            defer { directory.remove() }
            try await withStartedServer(try SmartHTTPServer(authentication: scheme)) { server in
                _ = try await server.createRepository(named: "exchange", seeded: false)
                let right = Credentials.UserPassword(user: server.user, password: server.password)
                let wrong = Mutex(false)
                let credentials = Credentials(passwordProvider: { _ in
                    wrong.withLock { $0 } ? Credentials.UserPassword(user: right.user, password: "wrong") : right
                })
                let url = try server.url(for: "exchange")
                let transport = try await Self.transport(url, in: directory, "m", credentials: credentials)
                // The branch is missing: the fetch fails after logging in, and is not looked at.
                #expect(try await transport.fetch() == nil)
                #expect(!transport.httpLoginSchemeExamined.value)
                let commit = try await Self.commit(transport, parent: nil, "r/a.yaml", "hello")
                #expect(try await transport.push(commit, expecting: nil) == .pushed(commit))
                #expect(transport.httpLoginSchemeExamined.value)
                #expect(transport.basicAuthorizationAccepted.value == (scheme == .basic))
                #expect(try await transport.fetch() == commit)
                #expect(try await transport.remoteTip() == commit)
                #expect(!transport.basicAuthorizationRefused.value)

                wrong.withLock { $0 = true }
                let error = await #expect(throws: TransportError.self) { try await transport.remoteTip() }
                #expect(error?.code == .authenticationFailed, "\(String(describing: error))")
                // Over http:// a refused login sent first sends the transport back to waiting to be asked.
                #expect(transport.basicAuthorizationRefused.value == (scheme == .basic))

                await server.stop()
                let statuses = server.accessLog.split(separator: "\n").map { $0.prefix(3) }
                let refusals = statuses.filter { $0 == "401" }.count
                switch scheme {
                case .basic:
                    // The fetch and the push were asked; the fetch and ls-remote after them were not; the wrong
                    // password: refused when sent first, then asked for and refused (maxAttempts 2).
                    #expect(refusals == 5, "\(server.accessLog)")
                    #expect(statuses.suffix(3).allSatisfy { $0 == "401" }, "\(server.accessLog)")
                case .digest:
                    // Every command is asked (four), and the wrong password too, twice (maxAttempts), with
                    // Digest's first refusal before each answer.
                    #expect(refusals >= 6, "\(server.accessLog)")
                    #expect(!transport.basicAuthorizationAccepted.value)
                }
            }
        }

        @Test(ServerAvailability.enabled(.ssh))
        func sshWithKeyChecksTheHostKey() async throws {
            let directory = try TemporaryDirectory(prefix: "giter-gitcli-ssh")
            defer { directory.remove() }
            try await withSSHServer { server in
                _ = try await server.createRepository(named: "exchange", seeded: false)
                let url = try server.url(for: "exchange")
                let key = Credentials.SSHKey(privateKeyPath: server.identityFile(.ed25519).path)
                let trusted = Credentials(sshKey: key, knownHostsPath: server.knownHostsFile.path)
                try await Self.roundTrip(url, in: directory, credentials: trusted)

                // A key protected by a passphrase: right and wrong passphrase.
                let protected = directory.appending("protected_key")
                try FileManager.default.copyItem(at: server.identityFile(.ed25519), to: protected)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: protected.path)
                let keygen = try ExecutableLocator.require("ssh-keygen", package: "openssh-client")
                _ = try await ProcessRunner.runChecked(
                    keygen, ["-q", "-p", "-P", "", "-N", "pass phrase", "-f", protected.path],
                    environment: GitEnvironment.isolated.variables)
                let withPassphrase = Credentials(
                    sshKey: Credentials.SSHKey(privateKeyPath: protected.path, passphrase: "pass phrase"),
                    knownHostsPath: server.knownHostsFile.path)
                let unlocked = try await Self.transport(url, in: directory, "passphrase", credentials: withPassphrase)
                #expect(try await unlocked.fetch() != nil)
                let wrongPassphrase = Credentials(
                    sshKey: Credentials.SSHKey(privateKeyPath: protected.path, passphrase: "wrong"),
                    knownHostsPath: server.knownHostsFile.path)
                let locked = try await Self.transport(url, in: directory, "locked", credentials: wrongPassphrase)
                let lockedError = await #expect(throws: TransportError.self) { try await locked.remoteTip() }
                #expect(lockedError?.code == .authenticationFailed, "\(String(describing: lockedError))")

                // No entry for the host: never accepted.
                let empty = directory.appending("known_hosts_empty")
                try Data().write(to: empty)
                let unknown = try await Self.transport(
                    url, in: directory, "unknown", credentials: Credentials(sshKey: key, knownHostsPath: empty.path))
                let unknownError = await #expect(throws: TransportError.self) { try await unknown.remoteTip() }
                #expect(unknownError?.code == .unknownHostKey, "\(String(describing: unknownError))")

                // Another key recorded for the host: refused as changed.
                let otherKey = directory.appending("other_host_key")
                _ = try await ProcessRunner.runChecked(
                    keygen, ["-q", "-t", "ed25519", "-N", "", "-f", otherKey.path], environment: GitEnvironment.isolated.variables)
                let publicKey = try String(contentsOfFile: otherKey.path + ".pub", encoding: .utf8).split(separator: " ")
                let port = try #require(server.port)
                let changedFile = directory.appending("known_hosts_changed")
                try Data("[127.0.0.1]:\(port) \(publicKey[0]) \(publicKey[1])\n".utf8).write(to: changedFile)
                let changed = try await Self.transport(
                    url, in: directory, "changed", credentials: Credentials(sshKey: key, knownHostsPath: changedFile.path))
                let changedError = await #expect(throws: TransportError.self) { try await changed.fetch() }
                #expect(changedError?.code == .changedHostKey, "\(String(describing: changedError))")
            }
        }
    }
}
