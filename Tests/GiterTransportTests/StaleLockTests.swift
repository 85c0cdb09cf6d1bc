import Foundation
import GitServerFixtures
import Giter
import GiterLocalGit
import Testing

/// Ref locks left behind, through both backends: on the direct route a
/// killed Giter holder's lock is removed and the push goes on, any other
/// held lock is `.locked`; a server's "cannot lock ref" is `.locked` too.
@Suite("Stale ref locks")
struct StaleLockTests {
    /// A process that ran on this machine and was killed with SIGKILL: its id and start time.
    static func killedProcess() throws -> (pid: Int32, start: UInt64) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["60"]
        try process.run()
        let pid = process.processIdentifier
        let start = try #require(Platform.processStart(pid), "the child's start time")
        kill(pid, SIGKILL)
        process.waitUntilExit()
        return (pid, start)
    }

    /// Leaves `lock` held, with an owner record of `pid` started at `start` naming it.
    static func plant(_ lock: ReferenceLock, pid: Int32, start: UInt64) throws {
        #expect(FileManager.default.createFile(atPath: lock.path, contents: Data()))
        let stamp = try #require(Platform.stamp(of: lock.path))
        let owner = LockOwner(
            host: Platform.hostName, boot: Platform.bootID, pid: pid, start: start, taken: Platform.wallClock(),
            lockDevice: stamp.device, lockInode: stamp.inode, nonce: "0123456789abcdef")
        try Data(owner.text.utf8).write(to: URL(fileURLWithPath: lock.ownerPath))
    }

    static func lock(_ context: RemoteContext) -> ReferenceLock {
        ReferenceLock("refs/heads/main", in: LocalRepository(folder: context.repository.path))
    }

    static func names(_ context: RemoteContext) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: context.repository.path + "/refs/heads").sorted()
    }

    @Test(arguments: Backend.allCases)
    func aKilledHoldersLockIsRemovedAndThePushSucceeds(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await DirectPushTests.allowDirectPushes(context)
            let transport = try await context.open(backend, mirror: "producer")
            let tip = try #require(try await transport.fetch())
            let killed = try Self.killedProcess()
            try Self.plant(Self.lock(context), pid: killed.pid, start: killed.start)
            let commit = try await DirectPushTests.change(transport, on: tip, "resources/a.yaml", "a\n")
            #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
            #expect(DirectPushTests.routes(transport) == (1, 0))
            #expect(try await context.repository.resolve("refs/heads/main") == commit.hex)
            #expect(try Self.names(context) == ["main"], "the lock and its record are gone")
            let fsck = try await context.repository.git(["fsck", "--strict", "--no-dangling"])
            #expect(fsck.succeeded, "\(fsck)")
        }
    }

    @Test(arguments: Backend.allCases)
    func aLiveHoldersLockIsNeverRemoved(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await DirectPushTests.allowDirectPushes(context)
            let transport = try await context.open(backend, mirror: "producer")
            let tip = try #require(try await transport.fetch())
            let me = Platform.processID
            let lock = Self.lock(context)
            try Self.plant(lock, pid: me, start: try #require(Platform.processStart(me)))
            let commit = try await DirectPushTests.change(transport, on: tip, "resources/a.yaml", "a\n")
            let outcome = try await transport.push(commit, expecting: tip)
            guard case .locked(let message) = outcome else {
                Issue.record("a live holder's lock must be .locked, got \(outcome)")
                return
            }
            #expect(message.contains("is alive"), "\(message)")
            #expect(lock.isHeld && FileManager.default.fileExists(atPath: lock.ownerPath))
            #expect(try await context.repository.resolve("refs/heads/main") == tip.hex)
        }
    }

    /// A held lock in a repository behind git daemon: receive-pack's "cannot lock ref" is `.locked`, not a lost race.
    @Test(arguments: Backend.allCases)
    func aServersCannotLockRefIsLocked(backend: Backend) async throws {
        try await withRemote(.gitDaemon, seeded: true) { context in
            let transport = try await context.open(backend, mirror: "producer")
            let tip = try #require(try await transport.fetch())
            let lock = Self.lock(context)
            #expect(FileManager.default.createFile(atPath: lock.path, contents: Data()))
            let commit = try await DirectPushTests.change(transport, on: tip, "resources/a.yaml", "a\n")
            let outcome = try await transport.push(commit, expecting: tip)
            guard case .locked(let message) = outcome else {
                Issue.record("a server's held lock must be .locked, got \(outcome)")
                return
            }
            #expect(message.contains("main.lock"), "\(message)")
            #expect(try await context.repository.resolve("refs/heads/main") == tip.hex)
            try FileManager.default.removeItem(atPath: lock.path)
            #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
        }
    }
}
