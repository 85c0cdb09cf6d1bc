import Foundation
import Giter
import GiterLocalGit
import Testing

/// A throwaway bare-repository folder with `refs/heads/main` at ``first``,
/// and what a test needs to leave a ref lock in it the way a killed process would.
final class LockFixture {
    static let first = ObjectID(hex: String(repeating: "1", count: 40))!
    static let second = ObjectID(hex: String(repeating: "2", count: 40))!
    static let third = ObjectID(hex: String(repeating: "3", count: 40))!

    let folder: URL
    let repository: LocalRepository
    let lock: ReferenceLock

    init(branch: String = "main") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("giter-locks-\(UUID().uuidString)")
        for sub in ["objects", "refs/heads"] {
            try FileManager.default.createDirectory(
                at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try Data("ref: refs/heads/main\n".utf8).write(to: folder.appendingPathComponent("HEAD"))
        repository = LocalRepository(folder: folder.path)
        lock = ReferenceLock("refs/heads/\(branch)", in: repository)
        try FileManager.default.createDirectory(
            atPath: (repository.referenceFile(lock.reference) as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try Data((Self.first.hex + "\n").utf8).write(to: URL(fileURLWithPath: repository.referenceFile(lock.reference)))
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// The names in the ref's folder.
    var names: [String] {
        let file = repository.referenceFile(lock.reference)
        let parent = (file as NSString).deletingLastPathComponent
        return ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).sorted()
    }

    /// Leaves the lock file, holding `value`.
    func plantLock(_ value: ObjectID = LockFixture.third) throws {
        #expect(FileManager.default.createFile(atPath: lock.path, contents: Data((value.hex + "\n").utf8)))
    }

    /// Leaves an owner record of `owner` (its lock fields set to the lock file's, when there is one).
    @discardableResult
    func plantRecord(
        pid: Int32, start: UInt64, host: String = Platform.hostName, boot: String = Platform.bootID,
        namingLock: Bool = true
    ) throws -> LockOwner {
        let stamp = Platform.stamp(of: lock.path)
        let owner = LockOwner(
            host: host, boot: boot, pid: pid, start: start, taken: Platform.wallClock(),
            lockDevice: namingLock ? stamp?.device ?? 0 : 0, lockInode: namingLock ? stamp?.inode ?? 0 : 0,
            nonce: "00ff00ff00ff00ff")
        try Data(owner.text.utf8).write(to: URL(fileURLWithPath: lock.ownerPath))
        return owner
    }

    /// The value of the ref's file.
    var value: String? {
        (try? String(contentsOfFile: repository.referenceFile(lock.reference), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A process that really ran on this machine and was killed with SIGKILL:
/// its id and start time, as a record of a killed lock holder has them.
func killedProcess() throws -> (pid: Int32, start: UInt64) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sleep")
    process.arguments = ["60"]
    try process.run()
    let pid = process.processIdentifier
    let start = try #require(Platform.processStart(pid), "the child's start time")
    kill(pid, SIGKILL)
    process.waitUntilExit()
    #expect(process.terminationReason == .uncaughtSignal)
    return (pid, start)
}
