import Foundation
import GitServerFixtures
import Giter
import GiterLibGit2
import Synchronization
import Testing

/// A throwaway remote (a bare repository made with the git CLI) and mirrors
/// of it, all in one temporary directory.
struct LibGit2Sandbox {
    enum Address: String, CaseIterable, Sendable, CustomStringConvertible {
        case path
        case fileURL
        var description: String { rawValue }
    }

    let directory: TemporaryDirectory
    let remote: BareRepository
    let url: String

    init(address: Address = .path, seeded: Bool = false) async throws {
        directory = try TemporaryDirectory(prefix: "giter-libgit2")
        remote = try await BareRepository.create(at: directory.appending("remote.git", isDirectory: true), seeded: seeded)
        url = address == .path ? remote.path : "file://" + remote.path
    }

    func mirrorPath(_ name: String = "mirror") -> String {
        directory.appending(name + ".git").path
    }

    func transport(_ name: String = "mirror", url: String? = nil, credentials: Credentials = .none) async throws
        -> LibGit2Transport
    {
        try await LibGit2Transport(
            configuration: RemoteConfiguration(
                url: url ?? self.url, mirrorPath: mirrorPath(name), credentials: credentials))
    }

    /// Runs git in the mirror `name` and returns its standard output.
    @discardableResult
    func gitInMirror(_ arguments: [String], _ name: String = "mirror") async throws -> String {
        try await runGitChecked(arguments, in: URL(fileURLWithPath: mirrorPath(name))).stdout
    }
}

private let alice = Signature(
    name: "Alice Example", email: "alice@example.com", date: Date(timeIntervalSince1970: 1_700_000_000),
    timeZoneOffsetMinutes: 120)
private let bob = Signature(
    name: "Bob Example", email: "bob@example.com", date: Date(timeIntervalSince1970: 1_700_000_100),
    timeZoneOffsetMinutes: -330)

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

private func commit(
    _ transport: LibGit2Transport, parent: ObjectID?, _ edits: [PathEdit], message: String = "change"
) async throws -> ObjectID {
    try await transport.createCommit(CommitRequest(parent: parent, edits: edits, author: alice, message: message))
}

/// Expects `body` to throw a ``TransportError`` with `code`; returns it.
@discardableResult
private func expectTransportError<T>(
    _ code: TransportError.Code, sourceLocation: Testing.SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async -> TransportError? {
    do {
        let value = try await body()
        Issue.record("expected \(code), got \(value)", sourceLocation: sourceLocation)
    } catch let error as TransportError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected TransportError \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite("LibGit2Transport")
struct LibGit2TransportTests {
    @Test func initCreatesBareMirrorWithOriginAndNoCredentials() async throws {
        let sandbox = try await LibGit2Sandbox()
        _ = try await sandbox.transport()
        #expect(try await sandbox.gitInMirror(["rev-parse", "--is-bare-repository"]) == "true\n")
        #expect(try await sandbox.gitInMirror(["config", "--get", "remote.origin.url"]) == sandbox.url + "\n")
        let config = try String(contentsOfFile: sandbox.mirrorPath() + "/config", encoding: .utf8)
        #expect(!config.contains("password") && !config.contains("credential"))
        // Opening again reuses the mirror.
        let again = try await sandbox.transport()
        #expect(try await again.resolve("refs/heads/main") == nil)
    }

    @Test func fetchAndRemoteTipOfMissingBranchAreNil() async throws {
        let empty = try await LibGit2Sandbox(seeded: false)
        let transport = try await empty.transport()
        #expect(try await transport.remoteTip() == nil)
        #expect(try await transport.fetch() == nil)

        let seeded = try await LibGit2Sandbox(seeded: true)
        let other = try await LibGit2Transport(
            configuration: RemoteConfiguration(url: seeded.url, branch: "other", mirrorPath: seeded.mirrorPath()))
        #expect(try await other.remoteTip() == nil)
        #expect(try await other.fetch() == nil)
    }

    @Test(arguments: LibGit2Sandbox.Address.allCases)
    func commitUpdatePushAndReadBackFromSecondMirror(address: LibGit2Sandbox.Address) async throws {
        let sandbox = try await LibGit2Sandbox(address: address, seeded: true)
        let transport = try await sandbox.transport()
        let seed = try #require(try await transport.fetch())
        #expect(seed.hex == (try await sandbox.remote.resolve("refs/heads/main")))
        #expect(try await transport.resolve("refs/remotes/origin/main") == seed)

        let files: [String: String] = [
            "resources/ns/a.yaml": "kind: A\n", "resources/ns/b.yaml": "kind: B\n", "resources/other/c.yaml": "kind: C\n",
        ]
        let id = try await commit(transport, parent: seed, files.map { .write(path: $0.key, contents: bytes($0.value)) })
        #expect(try await transport.updateReference("refs/heads/main", to: id, expecting: nil))
        #expect(try await transport.push(id, expecting: seed) == .pushed(id))
        #expect(try await transport.remoteTip() == id)
        #expect(try await sandbox.remote.resolve("refs/heads/main") == id.hex)
        #expect(try await transport.resolve("refs/remotes/origin/main") == id)

        let second = try await sandbox.transport("second")
        #expect(try await second.fetch() == id)
        let entries = try await second.treeEntries(at: id, under: nil)
        #expect(entries.map(\.path) == ["README", "resources/ns/a.yaml", "resources/ns/b.yaml", "resources/other/c.yaml"])
        #expect(entries.allSatisfy { $0.mode == .regular })
        #expect(try await transport.treeEntries(at: id, under: nil) == entries)
        for entry in entries where entry.path != "README" {
            #expect(try await second.blob(entry.id) == bytes(files[entry.path] ?? ""))
        }
        let underNS = try await second.treeEntries(at: id, under: "resources/ns")
        #expect(underNS.map(\.path) == ["resources/ns/a.yaml", "resources/ns/b.yaml"])
        #expect(try await second.treeEntries(at: id, under: "resources/n").isEmpty)
        #expect(try await sandbox.remote.git(["fsck", "--strict"]).succeeded)
    }

    @Test func changesBetweenCommitsSkipEqualSubtreesAndHonourPrefix() async throws {
        let sandbox = try await LibGit2Sandbox()
        let transport = try await sandbox.transport()
        let first = try await commit(
            transport, parent: nil,
            [
                .write(path: "a/x", contents: bytes("1")), .write(path: "a/y", contents: bytes("2")),
                .write(path: "b/z", contents: bytes("3")), .write(path: "d/deep/e", contents: bytes("4")),
            ])
        let second = try await commit(
            transport, parent: first,
            [
                .write(path: "a/x", contents: bytes("1 changed")), .delete(path: "b/z"),
                .write(path: "c/w", contents: bytes("5")), .delete(path: "missing/file"),
            ])
        let before = try await transport.treeEntries(at: first, under: nil)
        let after = try await transport.treeEntries(at: second, under: nil)
        let changes = try await transport.changes(from: first, to: second, under: nil)
        #expect(changes.map(\.path) == ["a/x", "b/z", "c/w"])
        #expect(changes.map(\.kind) == [.modified, .deleted, .added])
        #expect(changes[0].oldID == before.first { $0.path == "a/x" }?.id)
        #expect(changes[0].newID == after.first { $0.path == "a/x" }?.id)
        #expect(changes[1].newID == nil && changes[1].oldMode == .regular)
        #expect(try await transport.changes(from: first, to: second, under: "a").map(\.path) == ["a/x"])
        #expect(try await transport.changes(from: first, to: second, under: "d").isEmpty)
        #expect(try await transport.changes(from: nil, to: first, under: nil).map(\.path) == ["a/x", "a/y", "b/z", "d/deep/e"])
        // The deleted folder b is gone entirely: no empty folders remain.
        let listing = try await sandbox.gitInMirror(["ls-tree", "-r", "-t", "--name-only", second.hex])
        #expect(listing == "a\na/x\na/y\nc\nc/w\nd\nd/deep\nd/deep/e\n")
    }

    #if os(Linux)
    /// After ``LibGit2Transport/releaseCaches()`` the process no longer
    /// maps the mirror's pack, and every call works on: reads, a commit, a
    /// push, a fetch.
    @Test func releasedCachesUnmapThePacksAndTheTransportWorksOn() async throws {
        let sandbox = try await LibGit2Sandbox()
        let transport = try await sandbox.transport()
        let files = (0..<50).map { PathEdit.write(path: "f/\($0)", contents: bytes("file \($0)")) }
        let one = try await commit(transport, parent: nil, files)
        #expect(try await transport.push(one, expecting: nil) == .pushed(one))
        try await sandbox.gitInMirror(["repack", "-a", "-d", "-q"])
        try await runGitChecked(["repack", "-a", "-d", "-q"], in: URL(fileURLWithPath: sandbox.remote.path))
        let entries = try await transport.treeEntries(at: one, under: "f")
        #expect(try await transport.blobs(entries.map(\.id)).count == 50)
        let two = try await commit(transport, parent: one, [.write(path: "f/0", contents: bytes("changed"))])
        #expect(try await transport.push(two, expecting: one) == .pushed(two))
        let mirrorPacks = sandbox.mirrorPath() + "/objects/pack/"
        #expect(try mappedFiles().contains { $0.hasPrefix(mirrorPacks) }, "the reads mapped the mirror's pack")

        try await transport.releaseCaches()
        let mapped = try mappedFiles()
        #expect(!mapped.contains { $0.hasPrefix(mirrorPacks) }, "\(mapped.filter { $0.contains("pack") })")

        let seventh = try #require(entries.first { $0.path == "f/7" })
        #expect(try await transport.blob(seventh.id) == bytes("file 7"))
        #expect(try mappedFiles().contains { $0.hasPrefix(mirrorPacks) }, "the read opened the pack again")
        let three = try await commit(transport, parent: two, [.write(path: "f/1", contents: bytes("changed too"))])
        #expect(try await transport.push(three, expecting: two) == .pushed(three))
        #expect(try await transport.fetch() == three)
        #expect(try await sandbox.remote.resolve("refs/heads/main") == three.hex)
    }

    /// The files this process maps (`/proc/self/maps`).
    private func mappedFiles() throws -> [String] {
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps") else { return [] }
        defer { try? handle.close() }
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true).dropFirst(5).first
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }
    #endif

    @Test func updateReferenceIsCompareAndSwap() async throws {
        let sandbox = try await LibGit2Sandbox()
        let transport = try await sandbox.transport()
        let one = try await commit(transport, parent: nil, [.write(path: "f", contents: bytes("1"))])
        let two = try await commit(transport, parent: one, [.write(path: "f", contents: bytes("2"))])
        let ref = "refs/heads/main"
        #expect(try await transport.updateReference(ref, to: one, expecting: nil))
        #expect(try await !transport.updateReference(ref, to: two, expecting: nil))
        #expect(try await !transport.updateReference(ref, to: two, expecting: two))
        #expect(try await transport.resolve(ref) == one)
        #expect(try await transport.updateReference(ref, to: two, expecting: one))
        #expect(try await transport.resolve(ref) == two)
        #expect(try await !transport.updateReference("refs/heads/absent", to: two, expecting: one))
        #expect(try await transport.resolve("refs/heads/absent") == nil)
        await expectTransportError(.invalidArgument) { try await transport.updateReference("main", to: two, expecting: nil) }
        #expect(try await transport.resolve(two.hex) == two)
        #expect(try await transport.resolve(String(repeating: "ab", count: 20)) == nil)
        let tree = try await sandbox.gitInMirror(["rev-parse", "\(two.hex)^{tree}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await transport.resolve(tree) == nil)
    }

    @Test func pushWithStaleExpectationIsConflict() async throws {
        let sandbox = try await LibGit2Sandbox(seeded: true)
        let transport = try await sandbox.transport()
        let seed = try #require(try await transport.fetch())
        let mine = try await commit(transport, parent: seed, [.write(path: "mine", contents: bytes("m"))])
        // The branch exists, so "must not exist" loses.
        guard case .conflict = try await transport.push(mine, expecting: nil) else {
            Issue.record("push expecting a missing branch should be a conflict")
            return
        }
        // Another writer moves the branch first.
        let theirs = try await sandbox.remote.commit(files: ["theirs": "t"], message: "theirs", onto: "refs/heads/main")
        let outcome = try await transport.push(mine, expecting: seed)
        guard case .conflict(let message) = outcome else {
            Issue.record("expected a conflict, got \(outcome)")
            return
        }
        #expect(message.contains(theirs))
        #expect(try await sandbox.remote.resolve("refs/heads/main") == theirs)
        // After fetching, a retry on the new tip succeeds.
        let tip = try #require(try await transport.fetch())
        #expect(tip.hex == theirs)
        let retry = try await commit(transport, parent: tip, [.write(path: "mine", contents: bytes("m"))])
        #expect(try await transport.push(retry, expecting: tip) == .pushed(retry))
    }

    @Test func concurrentPushesToALocalRemoteLoseNoUpdate() async throws {
        let sandbox = try await LibGit2Sandbox(seeded: true)
        let writers = 8
        var transports: [LibGit2Transport] = []
        for index in 0..<writers { transports.append(try await sandbox.transport("writer\(index)")) }
        for transport in transports { _ = try await transport.fetch() }
        let outcomes = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for (index, transport) in transports.enumerated() {
                group.addTask {
                    var conflicts = 0
                    while true {
                        let tip = try await transport.fetch()
                        let id = try await commit(
                            transport, parent: tip, [.write(path: "w/\(index)", contents: bytes("\(index)"))])
                        switch try await transport.push(id, expecting: tip) {
                        case .pushed: return (index, conflicts)
                        case .conflict, .locked: conflicts += 1
                        case .rejected(let message): throw TransportError(.backend, "rejected: \(message)")
                        }
                    }
                }
            }
            var results: [Int: Int] = [:]
            for try await (index, conflicts) in group { results[index] = conflicts }
            return results
        }
        #expect(outcomes.count == writers)
        let reader = try await sandbox.transport("reader")
        let tip = try #require(try await reader.fetch())
        let paths = try await reader.treeEntries(at: tip, under: "w").map(\.path)
        #expect(paths == (0..<writers).map { "w/\($0)" })
        #expect(try await sandbox.remote.git(["fsck", "--strict"]).succeeded)
        #expect(try await sandbox.remote.refs().keys.sorted() == ["refs/heads/main"])
    }

    @Test func gitDaemonRoundTripHookRejectionAndConflict() async throws {
        try await withGitDaemon { server in
            let remote = try await server.createRepository(named: "exchange", seeded: true)
            let sandbox = try await LibGit2Sandbox()
            let url = try server.url(for: "exchange")
            let transport = try await sandbox.transport(url: url)
            let seed = try #require(try await transport.fetch())
            #expect(try await transport.remoteTip() == seed)
            let id = try await commit(transport, parent: seed, [.write(path: "ns/a.yaml", contents: bytes("a"))])
            #expect(try await transport.push(id, expecting: seed) == .pushed(id))
            #expect(try await remote.resolve("refs/heads/main") == id.hex)
            guard case .conflict = try await transport.push(id, expecting: seed) else {
                Issue.record("a stale expectation should be a conflict")
                return
            }

            try remote.installPreReceiveHook("#!/bin/sh\necho 'giter-test: policy refuses this push' >&2\nexit 1\n")
            let next = try await commit(transport, parent: id, [.write(path: "ns/b.yaml", contents: bytes("b"))])
            let outcome = try await transport.push(next, expecting: id)
            guard case .rejected(let message) = outcome else {
                Issue.record("expected a rejection, got \(outcome)")
                return
            }
            #expect(message.contains("remote: giter-test: policy refuses this push"))
            #expect(message.contains("pre-receive hook declined"))
            #expect(try await remote.resolve("refs/heads/main") == id.hex)
            #expect(try await transport.resolve("refs/remotes/origin/main") == id)

            let missing = try await sandbox.transport("missing", url: try server.url(for: "absent"))
            await expectTransportError(.repositoryNotFound) { try await missing.fetch() }
        }
    }

    @Test func symlinksAndGitlinksAreListedWithTheirModes() async throws {
        let sandbox = try await LibGit2Sandbox()
        let remote = sandbox.remote
        let blob = try await remote.git(["hash-object", "-w", "--stdin"], input: Data("ok\n".utf8)).trimmedStdout
        let target = try await remote.git(["hash-object", "-w", "--stdin"], input: Data("/etc/passwd".utf8)).trimmedStdout
        let inner = try await remote.git(
            ["mktree"], input: Data("100644 blob \(blob)\tgood.yaml\n120000 blob \(target)\tlink.yaml\n".utf8)
        ).trimmedStdout
        let safe = try await remote.git(["mktree"], input: Data("100644 blob \(blob)\tsafe.yaml\n".utf8)).trimmedStdout
        let root = try await remote.git(
            ["mktree"], input: Data("040000 tree \(inner)\tns\n040000 tree \(safe)\tother\n".utf8)
        ).trimmedStdout
        let id = try await remote.git(["commit-tree", root, "-m", "symlink"]).trimmedStdout
        try await remote.git(["update-ref", "refs/heads/main", id])

        let transport = try await sandbox.transport()
        let tip = try #require(try await transport.fetch())
        // Listed with their modes, for readers to report each on its own; never read as files.
        let entries = try await transport.treeEntries(at: tip, under: nil)
        #expect(entries.map(\.path) == ["ns/good.yaml", "ns/link.yaml", "other/safe.yaml"])
        #expect(entries.map(\.mode) == [.regular, .symlink, .regular])
        #expect(try await transport.treeEntries(at: tip, under: "ns").map(\.mode) == [.regular, .symlink])
        #expect(try await transport.changes(from: nil, to: tip, under: nil).map(\.newMode) == [.regular, .symlink, .regular])
        #expect(try await transport.treeEntries(at: tip, under: "other").map(\.path) == ["other/safe.yaml"])

        let gitlinkTree = try await remote.git(["mktree"], input: Data("160000 commit \(id)\tsub\n".utf8)).trimmedStdout
        let gitlink = try await remote.git(["commit-tree", gitlinkTree, "-p", id, "-m", "gitlink"]).trimmedStdout
        try await remote.git(["update-ref", "refs/heads/main", gitlink])
        let next = try #require(try await transport.fetch())
        let added = try await transport.changes(from: tip, to: next, under: nil).filter { $0.newID != nil }
        #expect(added.map(\.path) == ["sub"])
        #expect(added.map(\.newMode) == [.gitlink])
    }

    @Test(arguments: [".git/config", "a/.GIT/x", "git~1/hooks", "a/.git./b", "../up", "a/./b", "a//b", "/abs", "a\\b"])
    func createCommitRefusesUnsafePaths(path: String) async throws {
        let sandbox = try await LibGit2Sandbox()
        let transport = try await sandbox.transport()
        let before = try await sandbox.gitInMirror(["count-objects", "-v"])
        await expectTransportError(.unsafePath) {
            try await commit(transport, parent: nil, [.write(path: "fine", contents: bytes("f")), .write(path: path, contents: bytes("x"))])
        }
        #expect(try await sandbox.gitInMirror(["count-objects", "-v"]) == before)
    }

    @Test func historyListsCommitsThatTouchedThePathNewestFirst() async throws {
        let sandbox = try await LibGit2Sandbox()
        let transport = try await sandbox.transport()
        let c1 = try await commit(transport, parent: nil, [.write(path: "r/a", contents: bytes("1"))], message: "add a")
        let c2 = try await commit(transport, parent: c1, [.write(path: "r/b", contents: bytes("1"))], message: "add b")
        let c3 = try await commit(transport, parent: c2, [.write(path: "r/a", contents: bytes("2"))], message: "edit a")
        let c4 = try await commit(transport, parent: c3, [.delete(path: "r/a")], message: "delete a")
        let c5 = try await commit(transport, parent: c4, [.write(path: "r/b", contents: bytes("2"))], message: "edit b")
        #expect(try await transport.history(of: "r/a", from: c5, limit: nil).map(\.id) == [c4, c3, c1])
        #expect(try await transport.history(of: "r/a", from: c5, limit: 2).map(\.id) == [c4, c3])
        #expect(try await transport.history(of: "r/b", from: c5, limit: nil).map(\.id) == [c5, c2])
        let info = try #require(try await transport.history(of: "r/b", from: c2, limit: nil).first)
        #expect(info.id == c2 && info.parents == [c1] && info.message == "add b\n" && info.author == alice)
        await expectTransportError(.unsafePath) { try await transport.history(of: ".git/x", from: c5, limit: nil) }
    }

    @Test func historyThroughAMergeFollowsTheParentThePathCameFrom() async throws {
        let sandbox = try await LibGit2Sandbox()
        let remote = sandbox.remote
        let base = try await remote.commit(files: ["a": "1", "b": "1"], message: "base", onto: "refs/heads/main")
        try await remote.git(["update-ref", "refs/heads/side", base])
        let side = try await remote.commit(files: ["a": "2", "b": "1"], message: "side edits a", onto: "refs/heads/side")
        let main = try await remote.commit(files: ["a": "1", "b": "2"], message: "main edits b", onto: "refs/heads/main")
        try await remote.git(["update-ref", "refs/heads/tmp", side])
        let mergedTree = try await remote.commit(files: ["a": "2", "b": "2"], message: "tmp", onto: "refs/heads/tmp")
        let merge = try await remote.git(["commit-tree", "\(mergedTree)^{tree}", "-p", main, "-p", side, "-m", "merge"])
            .trimmedStdout
        try await remote.git(["update-ref", "refs/heads/main", merge])

        let transport = try await sandbox.transport()
        let tip = try #require(try await transport.fetch())
        #expect(tip.hex == merge)
        #expect(try await transport.history(of: "a", from: tip, limit: nil).map(\.id.hex) == [side, base])
        #expect(try await transport.history(of: "b", from: tip, limit: nil).map(\.id.hex) == [main, base])
        let mergeInfo = try #require(try await transport.history(of: "a", from: tip, limit: nil).first)
        #expect(mergeInfo.message == "side edits a\n")
    }

    @Test func commitReadsBackWithGitCatFileAndLog() async throws {
        let sandbox = try await LibGit2Sandbox()
        let transport = try await sandbox.transport()
        let request = CommitRequest(
            parent: nil, edits: [.write(path: "ns/r.yaml", contents: bytes("kind: R\n"))], author: alice,
            committer: bob, message: "Update r\n\nBody line.",
            trailers: [Trailer("Giter-Resource", "ns/r"), Trailer("Signed-off-by", "Alice Example <alice@example.com>")])
        let id = try await transport.createCommit(request)
        let raw = try await sandbox.gitInMirror(["cat-file", "-p", id.hex])
        #expect(raw.contains("\nauthor Alice Example <alice@example.com> 1700000000 +0200\n"))
        #expect(raw.contains("\ncommitter Bob Example <bob@example.com> 1700000100 -0530\n"))
        #expect(raw.hasSuffix("\n\n" + request.fullMessage))
        #expect(try await sandbox.gitInMirror(["log", "-1", "--format=%B", id.hex]) == request.fullMessage + "\n")
        let trailers = try await sandbox.gitInMirror(["log", "-1", "--format=%(trailers:only,unfold)", id.hex])
        #expect(trailers == "Giter-Resource: ns/r\nSigned-off-by: Alice Example <alice@example.com>\n\n")
        #expect(try await sandbox.gitInMirror(["cat-file", "-p", "\(id.hex):ns/r.yaml"]) == "kind: R\n")
        #expect(try await sandbox.gitInMirror(["ls-tree", "-r", id.hex]).hasPrefix("100644 blob "))
        try await sandbox.gitInMirror(["fsck", "--strict", "--no-dangling"])
        let history = try await transport.history(of: "ns/r.yaml", from: id, limit: 1)
        #expect(history.first?.committer == bob && history.first?.trailers == request.trailers)
    }

    @Test func missingObjectsAndRemotesAreDistinctErrors() async throws {
        let sandbox = try await LibGit2Sandbox()
        let transport = try await sandbox.transport()
        let absent = try #require(ObjectID(hex: String(repeating: "1", count: 40)))
        await expectTransportError(.objectNotFound) { try await transport.blob(absent) }
        await expectTransportError(.objectNotFound) { try await transport.treeEntries(at: absent, under: nil) }

        let missing = try await sandbox.transport("missing", url: sandbox.directory.appending("nowhere.git").path)
        await expectTransportError(.repositoryNotFound) { try await missing.remoteTip() }
        await expectTransportError(.repositoryNotFound) { try await missing.fetch() }

        // A loopback port nobody listens on (bound, then closed).
        let closed = try await sandbox.transport("closed", url: "git://127.0.0.1:\(try closedPort())/remote.git")
        let error = await expectTransportError(.unreachable) { try await closed.fetch() }
        #expect(error?.message.lowercased().contains("refused") == true)
    }
}

@Suite("LibGit2Transport over SSH and smart HTTP")
struct LibGit2TransportAuthenticationTests {
    @Test(ServerAvailability.enabled(.ssh), arguments: SSHServer.KeyType.allCases)
    func sshWithKeyAndKnownHostsPushesAndHookRejects(keyType: SSHServer.KeyType) async throws {
        try await withSSHServer { server in
            let remote = try await server.createRepository(named: "exchange", seeded: true)
            let sandbox = try await LibGit2Sandbox()
            let credentials = Credentials(
                sshKey: .init(privateKeyPath: server.identityFile(keyType).path), knownHostsPath: server.knownHostsFile.path)
            let transport = try await sandbox.transport(url: try server.url(for: "exchange"), credentials: credentials)
            let seed = try #require(try await transport.fetch())
            let id = try await commit(transport, parent: seed, [.write(path: "ns/a.yaml", contents: bytes("a"))])
            #expect(try await transport.push(id, expecting: seed) == .pushed(id))
            #expect(try await remote.resolve("refs/heads/main") == id.hex)

            try remote.installPreReceiveHook("#!/bin/sh\necho 'giter-test: no pushes over ssh' >&2\nexit 1\n")
            let next = try await commit(transport, parent: id, [.write(path: "ns/b.yaml", contents: bytes("b"))])
            let outcome = try await transport.push(next, expecting: id)
            guard case .rejected(let message) = outcome else {
                Issue.record("expected a rejection, got \(outcome)")
                return
            }
            #expect(message.contains("giter-test: no pushes over ssh"))
        }
    }

    @Test(ServerAvailability.enabled(.ssh))
    func sshRefusesUnknownAndChangedHostKeysAndWrongClientKeys() async throws {
        try await withSSHServer { server in
            _ = try await server.createRepository(named: "exchange", seeded: true)
            let sandbox = try await LibGit2Sandbox()
            let url = try server.url(for: "exchange")
            let port = try #require(server.port)
            let key = Credentials.SSHKey(privateKeyPath: server.identityFile().path)

            let emptyKnownHosts = sandbox.directory.appending("known_hosts_empty").path
            try Data().write(to: URL(fileURLWithPath: emptyKnownHosts))
            let unknown = try await sandbox.transport(
                "unknown", url: url, credentials: Credentials(sshKey: key, knownHostsPath: emptyKnownHosts))
            let unknownError = await expectTransportError(.unknownHostKey) { try await unknown.remoteTip() }
            #expect(unknownError?.message.contains("[127.0.0.1]:\(port)") == true)

            // Another ed25519 key recorded for the same host: the server's key has changed.
            let otherKey = sandbox.directory.appending("other_host_key").path
            try await ProcessRunner.runChecked(
                "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", otherKey], environment: GitEnvironment.isolated.variables)
            let otherPublic = try String(contentsOfFile: otherKey + ".pub", encoding: .utf8).split(separator: " ")
            let changedKnownHosts = sandbox.directory.appending("known_hosts_changed").path
            try Data("[127.0.0.1]:\(port) \(otherPublic[0]) \(otherPublic[1])\n".utf8)
                .write(to: URL(fileURLWithPath: changedKnownHosts))
            let changed = try await sandbox.transport(
                "changed", url: url, credentials: Credentials(sshKey: key, knownHostsPath: changedKnownHosts))
            await expectTransportError(.changedHostKey) { try await changed.fetch() }

            // A client key the server does not know.
            let stranger = try await sandbox.transport(
                "stranger", url: url,
                credentials: Credentials(
                    sshKey: .init(privateKeyPath: otherKey), knownHostsPath: server.knownHostsFile.path))
            await expectTransportError(.authenticationFailed) { try await stranger.fetch() }

            let absent = try await sandbox.transport(
                "absent", url: try server.url(for: "absent"),
                credentials: Credentials(sshKey: key, knownHostsPath: server.knownHostsFile.path))
            await expectTransportError(.repositoryNotFound) { try await absent.fetch() }

            // No key at all.
            let keyless = try await sandbox.transport(
                "keyless", url: url, credentials: Credentials(knownHostsPath: server.knownHostsFile.path))
            await expectTransportError(.authenticationFailed) { try await keyless.fetch() }
        }
    }

    @Test(ServerAvailability.enabled(.smartHTTP))
    func smartHTTPAsksThePasswordProviderAndCapsAttempts() async throws {
        try await withSmartHTTPServer(user: "giter", password: "right-secret") { server in
            let remote = try await server.createRepository(named: "exchange", seeded: true)
            let sandbox = try await LibGit2Sandbox()
            let url = try server.url(for: "exchange")

            let good = try await sandbox.transport(
                "good", url: url,
                credentials: Credentials(passwordProvider: { _ in .init(user: "giter", password: "right-secret") }))
            let seed = try #require(try await good.fetch())
            let id = try await commit(good, parent: seed, [.write(path: "ns/a.yaml", contents: bytes("a"))])
            #expect(try await good.push(id, expecting: seed) == .pushed(id))
            #expect(try await remote.resolve("refs/heads/main") == id.hex)
            let config = try String(contentsOfFile: sandbox.mirrorPath("good") + "/config", encoding: .utf8)
            #expect(!config.contains("right-secret"))

            let asked = AskCounter()
            let wrong = try await sandbox.transport(
                "wrong", url: url,
                credentials: Credentials(
                    passwordProvider: { _ in
                        asked.increment()
                        return .init(user: "giter", password: "wrong")
                    }, maxAttempts: 3))
            let error = await expectTransportError(.authenticationFailed) { try await wrong.fetch() }
            #expect(error?.message.contains("authentication failed") == true)
            #expect(asked.value == 3)

            let none = try await sandbox.transport("none", url: url)
            await expectTransportError(.authenticationFailed) { try await none.remoteTip() }

            let absent = try await sandbox.transport(
                "absent", url: try server.url(for: "absent"),
                credentials: Credentials(passwordProvider: { _ in .init(user: "giter", password: "right-secret") }))
            await expectTransportError(.repositoryNotFound) { try await absent.fetch() }

            try remote.installPreReceiveHook("#!/bin/sh\necho \"giter-test: $REMOTE_USER may not push\" >&2\nexit 1\n")
            let next = try await commit(good, parent: id, [.write(path: "ns/b.yaml", contents: bytes("b"))])
            let outcome = try await good.push(next, expecting: id)
            guard case .rejected(let message) = outcome else {
                Issue.record("expected a rejection, got \(outcome)")
                return
            }
            #expect(message.contains("giter-test: giter may not push"))
        }
    }
}

@Suite("LibGit2Transport to repositories on this machine")
struct LibGit2LocalRemoteTests {
    @Test(arguments: LibGit2Sandbox.Address.allCases)
    func pushRunsTheRemotesHooksAndCarriesTheirWords(address: LibGit2Sandbox.Address) async throws {
        let sandbox = try await LibGit2Sandbox(address: address, seeded: true)
        try sandbox.remote.installPreReceiveHook("#!/bin/sh\necho 'giter-test: local policy says no' >&2\nexit 1\n")
        let transport = try await sandbox.transport()
        let tip = try #require(try await transport.fetch())
        let id = try await commit(transport, parent: tip, [.write(path: "ns/a.yaml", contents: bytes("a"))])
        guard case .rejected(let message) = try await transport.push(id, expecting: tip) else {
            Issue.record("a pre-receive hook that exits 1 must reject the push")
            return
        }
        #expect(message.contains("remote: giter-test: local policy says no"))
        #expect(message.contains("pre-receive hook declined"))
        #expect(try await sandbox.remote.resolve("refs/heads/main") == tip.hex)
        #expect(try await transport.resolve("refs/remotes/origin/main") == tip)
    }

    @Test func branchMovedAfterTheAdvertisementIsAConflictDecidedByReceivePack() async throws {
        let sandbox = try await LibGit2Sandbox(seeded: true)
        let other = try await sandbox.remote.commit(files: ["other": "o"], message: "other", onto: "refs/heads/other")
        // Runs after receive-pack advertised main and read the push command:
        // moves main elsewhere, so the old value the client sent is stale.
        try sandbox.remote.installPreReceiveHook(
            "#!/bin/sh\nunset GIT_QUARANTINE_PATH\ngit update-ref refs/heads/main refs/heads/other || exit 1\nexit 0\n")
        let transport = try await sandbox.transport()
        let tip = try #require(try await transport.fetch())
        let id = try await commit(transport, parent: tip, [.write(path: "ns/a.yaml", contents: bytes("a"))])
        let outcome = try await transport.push(id, expecting: tip)
        guard case .conflict = outcome else {
            Issue.record("expected a conflict, got \(outcome)")
            return
        }
        #expect(try await sandbox.remote.resolve("refs/heads/main") == other)
        #expect(try await transport.resolve("refs/remotes/origin/main") == tip)
    }

    @Test func aFolderThatIsNoRepositoryIsRepositoryNotFoundWithGitsWords() async throws {
        let sandbox = try await LibGit2Sandbox()
        let folder = try sandbox.directory.makeDirectory("plain-folder")
        let transport = try await sandbox.transport("plain", url: folder.path)
        let error = await expectTransportError(.repositoryNotFound) { try await transport.fetch() }
        #expect(error?.message.contains("does not appear to be a git repository") == true, "\(String(describing: error))")
    }

    /// Set in the environment of the child test process started by
    /// ``theMachinesGitConfigurationIsIgnored()``: the remote's path.
    static let probeRemote = "GITER_LIBGIT2_CONFIG_PROBE_REMOTE"
    /// Likewise: the mirror's path.
    static let probeMirror = "GITER_LIBGIT2_CONFIG_PROBE_MIRROR"

    /// libgit2 fixes its configuration search paths from `HOME` when it is
    /// initialised, once per process: so the check runs in a child test
    /// process started with a `HOME` (and `XDG_CONFIG_HOME`) whose git
    /// configuration rewrites the remote's URL to a missing repository.
    @Test func theMachinesGitConfigurationIsIgnored() async throws {
        let sandbox = try await LibGit2Sandbox(seeded: true)
        let home = try sandbox.directory.makeDirectory("home")
        let bogus = sandbox.directory.appending("bogus.git").path
        let rewrite = "[url \"\(bogus)\"]\n\tinsteadOf = \(sandbox.url)\n"
        try Data(rewrite.utf8).write(to: home.appendingPathComponent(".gitconfig"))
        let xdg = home.appendingPathComponent(".config/git", isDirectory: true)
        try FileManager.default.createDirectory(at: xdg, withIntermediateDirectories: true)
        try Data(rewrite.utf8).write(to: xdg.appendingPathComponent("config"))

        // The configuration is effective for a reader of global configuration.
        var environment = GitEnvironment.isolated
        environment.variables["GIT_CONFIG_GLOBAL"] = nil
        environment.variables["HOME"] = home.path
        environment.variables["XDG_CONFIG_HOME"] = home.appendingPathComponent(".config").path
        let rewritten = try await runGit(["ls-remote", sandbox.url], environment: environment)
        #expect(!rewritten.succeeded, "git itself should follow the rewrite: \(rewritten)")

        var variables = ProcessInfo.processInfo.environment
        variables["HOME"] = environment.variables["HOME"]
        variables["XDG_CONFIG_HOME"] = environment.variables["XDG_CONFIG_HOME"]
        variables[Self.probeRemote] = sandbox.url
        variables[Self.probeMirror] = sandbox.mirrorPath("probe")
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let probe = try await ProcessRunner.run(
            executable, ["--testing-library", "swift-testing", "--filter", "globalConfigurationProbe"],
            environment: variables)
        #expect(probe.succeeded, "\(probe)")
        // Swift Testing reports on standard error.
        #expect((probe.stdout + probe.stderr).contains("globalConfigurationProbe() passed"), "\(probe)")
    }

    /// Runs only in the child process of ``theMachinesGitConfigurationIsIgnored()``.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[probeRemote] != nil))
    func globalConfigurationProbe() async throws {
        let environment = ProcessInfo.processInfo.environment
        let url = try #require(environment[Self.probeRemote])
        let mirror = try #require(environment[Self.probeMirror])
        let transport = try await LibGit2Transport(configuration: RemoteConfiguration(url: url, mirrorPath: mirror))
        #expect(try await transport.remoteTip() != nil)
        #expect(try await transport.fetch() != nil)
    }
}

/// Counts calls from a `@Sendable` closure.
private final class AskCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// A TCP port on 127.0.0.1 that was free a moment ago and has no listener.
func closedPort() throws -> Int {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(socket, pointer, length) == 0 && getsockname(socket, pointer, &length) == 0
        }
    }
    guard bound else { throw TransportError(.backend, "cannot bind a loopback port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// libgit2's object cache is one per process and counts raw object sizes;
/// under its default limit (256 MiB) a consumer kept every tree it had
/// walked. Giter caps it; reading many trees stays under the cap.
@Suite("libgit2 object cache", .serialized, .timeLimit(.minutes(2)))
struct LibGit2ObjectCacheTests {
    @Test("the cache is capped at 4 MiB, a walk over many trees stays under it, and a host app can change the cap")
    func cacheIsCapped() async throws {
        let sandbox = try await LibGit2Sandbox()
        let transport = try await sandbox.transport()
        #expect(try LibGit2Transport.objectCacheUsage().limit == 4 << 20)
        // 40 commits, each changing one file in each of 64 folders of 64
        // files: every commit brings 65 new trees of ~3 KB (cacheable: at
        // most 4 KB), ~8 MB of trees in all, read back through diffs.
        var parent: ObjectID?
        var tips: [ObjectID] = []
        for round in 0..<40 {
            var edits: [PathEdit] = []
            for folder in 0..<64 {
                let files = round == 0 ? Array(0..<64) : [round % 64]
                for file in files {
                    edits.append(.write(path: "d\(folder)/file-with-a-longer-name-\(file).yaml", contents: bytes("r\(round) f\(file)\n")))
                }
            }
            parent = try await commit(transport, parent: parent, edits)
            tips.append(try #require(parent))
        }
        for (old, new) in zip(tips, tips.dropFirst()) {
            let changes = try await transport.changes(from: old, to: new, under: nil)
            #expect(changes.count == 64)
        }
        let usage = try LibGit2Transport.objectCacheUsage()
        // libgit2 evicts once a store passes the limit: one object over at most.
        #expect(usage.used <= usage.limit + (64 << 10), "\(usage)")
        try LibGit2Transport.setObjectCacheLimit(bytes: 8 << 20)
        #expect(try LibGit2Transport.objectCacheUsage().limit == 8 << 20)
        try LibGit2Transport.setObjectCacheLimit(bytes: 4 << 20)
        #expect(try LibGit2Transport.objectCacheUsage().limit == 4 << 20)
    }
}
