import Foundation
import GitServerFixtures
import GiterLocalGit
import Testing

/// Ref locks left in the exchange repository, as a user meets them: a
/// `giter` process killed while it holds the lock, a lock `giter` must not
/// remove by itself, and `giter unlock`.
@Suite("Stale ref locks and giter unlock", .timeLimit(.minutes(5)))
struct StaleLockCommandTests {
    static func lock(_ fixture: ExchangeFixture) -> ReferenceLock {
        ReferenceLock("refs/heads/main", in: LocalRepository(folder: fixture.remote))
    }

    static func refNames(_ fixture: ExchangeFixture) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: fixture.remote + "/refs/heads").sorted()
    }

    /// Whether `stream` (a child's standard error) brings `text` before it
    /// ends (the child exits); the suite's time limit bounds the wait.
    static func awaitLine(containing text: String, in stream: AsyncStream<Data>) async -> Bool {
        var seen = Data()
        for await chunk in stream {
            seen += chunk
            if String(decoding: seen, as: UTF8.self).contains(text) { return true }
        }
        return false
    }

    /// `giter apply` SIGKILLed while it holds the branch's lock (paused
    /// there by the test-only variable): the next `giter apply` removes the
    /// lock and its record and goes through; nothing is left behind.
    @Test(arguments: ToolBackend.allCases)
    func aGiterKilledHoldingTheLockLeavesNothingThatBlocks(backend: ToolBackend) async throws {
        let fixture = try await ExchangeFixture(backend: backend)
        try await fixture.apply(ExchangeFixture.experiment("first"))
        try fixture.write("second.yaml", ExchangeFixture.experiment("second"))

        let process = Process()
        process.executableURL = try GiterProcess.executable()
        process.currentDirectoryURL = fixture.directory.url
        var options = fixture.options
        if let cache = options.firstIndex(of: "--cache") {
            options[cache + 1] = fixture.directory.url.appendingPathComponent("mirror-killed").path
        }
        process.arguments = ["apply", "-f", "second.yaml"] + options
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GITER_") }
            .merging([ReferenceLock.pauseVariable: fixture.directory.url.appendingPathComponent("never").path]) {
                _, new in new
            }
        process.standardOutput = FileHandle.nullDevice
        // The paused process says on standard error that it holds the lock: await that line.
        let errors = Pipe()
        let printed = AsyncStream<Data>.makeStream()
        errors.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                printed.continuation.finish()
            } else {
                printed.continuation.yield(chunk)
            }
        }
        process.standardError = errors
        try process.run()
        let lock = Self.lock(fixture)
        let holding = await Self.awaitLine(containing: ReferenceLock.pauseAnnouncement, in: printed.stream)
            && lock.isHeld && FileManager.default.fileExists(atPath: lock.ownerPath)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(holding && process.terminationReason == .uncaughtSignal, "giter was killed holding the lock")
        #expect(lock.isHeld, "the killed process left its lock")

        try await fixture.apply(ExchangeFixture.experiment("third"))
        #expect(try Self.refNames(fixture) == ["main"], "the lock and its record are gone")
        let listing = try await fixture.giter(["get", "experiments"])
        #expect(listing.stdout.contains("first") && listing.stdout.contains("third"), "\(listing.stdout)")
        let fsck = try await runGit(["fsck", "--strict", "--no-dangling"], in: URL(fileURLWithPath: fixture.remote))
        #expect(fsck.succeeded, "\(fsck)")
    }

    /// A lock without a record stops `giter apply` after the bound with an
    /// error naming the file and `giter unlock`, which removes it.
    @Test(arguments: ToolBackend.allCases)
    func aLockWithoutARecordIsReportedAndUnlockRemovesIt(backend: ToolBackend) async throws {
        let fixture = try await ExchangeFixture(backend: backend)
        let lock = Self.lock(fixture)
        let idle = try await GiterProcess.run(["unlock", "--remote", fixture.remote], in: fixture.directory.url)
        #expect(idle.status == 0 && idle.stdout.contains("not locked"), "\(idle)")

        #expect(FileManager.default.createFile(atPath: lock.path, contents: Data()))
        try fixture.write("a.yaml", ExchangeFixture.experiment("a"))
        let blocked = try await fixture.giter(["apply", "-f", "a.yaml"])
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains(lock.path), "\(blocked.stderr)")
        #expect(blocked.stderr.contains("giter unlock --remote \(fixture.remote) --branch main"), "\(blocked.stderr)")
        #expect(lock.isHeld)

        let unlocked = try await GiterProcess.run(["unlock", "--remote", fixture.remote], in: fixture.directory.url)
        #expect(unlocked.status == 0 && unlocked.stdout.contains("removed"), "\(unlocked)")
        #expect(!lock.isHeld)
        try await fixture.apply(ExchangeFixture.experiment("a"))
    }

    /// `giter unlock` refuses a live holder's lock unless `--force`, and a remote that is not on this machine.
    @Test func unlockRefusesALiveHolderUnlessForced() async throws {
        let fixture = try await ExchangeFixture()
        let lock = Self.lock(fixture)
        #expect(FileManager.default.createFile(atPath: lock.path, contents: Data()))
        let stamp = try #require(Platform.stamp(of: lock.path))
        let me = Platform.processID
        let owner = LockOwner(
            host: Platform.hostName, boot: Platform.bootID, pid: me, start: try #require(Platform.processStart(me)),
            taken: Platform.wallClock(), lockDevice: stamp.device, lockInode: stamp.inode, nonce: "feedfeedfeedfeed")
        try Data(owner.text.utf8).write(to: URL(fileURLWithPath: lock.ownerPath))

        let refused = try await GiterProcess.run(["unlock", "--remote", fixture.remote], in: fixture.directory.url)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("alive") && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(lock.isHeld)
        let forced = try await GiterProcess.run(
            ["unlock", "--remote", fixture.remote, "--force"], in: fixture.directory.url)
        #expect(forced.status == 0, "\(forced)")
        #expect(try Self.refNames(fixture) == ["main"])

        let remote = try await GiterProcess.run(
            ["unlock", "--remote", "git://example.invalid/x.git"], in: fixture.directory.url)
        #expect(remote.status == 64, "\(remote)")
    }
}
