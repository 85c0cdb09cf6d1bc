import Foundation
import Giter
import GiterLocalGit
import Testing

/// Ref locks Giter takes itself, their owner records, and what is done
/// with a lock left behind (`Documentation/Reliability.md`, "Stale locks").
@Suite("Ref locks and their owners")
struct ReferenceLockTests {
    @Test func aRecordReadsBackAndOtherTextIsNoRecord() throws {
        let owner = LockOwner(
            host: "h.example", boot: "b-1", pid: 42, start: 7, taken: 1_764_664_800_000_000_000, lockDevice: 3,
            lockInode: 99, nonce: "abc")
        #expect(LockOwner(text: owner.text) == owner)
        #expect(LockOwner(text: "") == nil)
        #expect(LockOwner(text: "1111111111111111111111111111111111111111\n") == nil)
        #expect(LockOwner(text: owner.text.replacingOccurrences(of: "pid: 42", with: "pid: x")) == nil)
        #expect(owner.summary.contains("2025-12-02T08:40:00Z"), "\(owner.summary)")
    }

    @Test func thisProcessIsAliveAndAKilledOneIsNot() throws {
        let fixture = try LockFixture()
        try fixture.plantLock()
        let stamp = try #require(Platform.stamp(of: fixture.lock.path))
        #expect(LockOwner.current(lock: stamp, nonce: "n")?.liveness == .alive)

        let killed = try killedProcess()
        let dead = try fixture.plantRecord(pid: killed.pid, start: killed.start)
        guard case .dead = dead.liveness else {
            Issue.record("a killed process must be dead, got \(dead.liveness)")
            return
        }
        let me = Platform.processID
        let myStart = try #require(Platform.processStart(me))
        let reused = try fixture.plantRecord(pid: me, start: myStart + 1)
        #expect(reused.liveness == .dead("process \(me) is another process (the id was reused)"))
        let rebooted = try fixture.plantRecord(pid: me, start: myStart, boot: "another-boot")
        #expect(rebooted.liveness == .dead("the machine has rebooted since"))
        let elsewhere = try fixture.plantRecord(pid: me, start: myStart, host: "elsewhere.invalid")
        #expect(elsewhere.liveness == .otherHost)
    }

    @Test(arguments: ["main", "team/feature"])
    func anUpdateMovesTheRefAndLeavesNothingBehind(branch: String) throws {
        let fixture = try LockFixture(branch: branch)
        let before = fixture.names
        #expect(try fixture.lock.update(from: LockFixture.first, to: LockFixture.second) == .updated)
        #expect(fixture.value == LockFixture.second.hex)
        #expect(fixture.names == before)
        // A stale expectation changes nothing.
        #expect(try fixture.lock.update(from: LockFixture.first, to: LockFixture.third) == .moved(LockFixture.second))
        #expect(fixture.value == LockFixture.second.hex)
        #expect(fixture.names == before)
    }

    /// A record whose holder was killed: the lock it names and the record go, and the update goes on.
    @Test func aKilledHoldersLockIsRemovedAndTheUpdateGoesOn() throws {
        let fixture = try LockFixture()
        let before = fixture.names
        try fixture.plantLock()
        let killed = try killedProcess()
        try fixture.plantRecord(pid: killed.pid, start: killed.start)
        // The holder's temporary files, as a kill between the steps leaves them.
        let temporary = fixture.repository.referenceFile(fixture.lock.reference) + ".giter-00ff00ff00ff00ff.lock"
        #expect(FileManager.default.createFile(atPath: temporary, contents: Data("x\n".utf8)))
        #expect(try fixture.lock.update(from: LockFixture.first, to: LockFixture.second) == .updated)
        #expect(fixture.value == LockFixture.second.hex)
        #expect(fixture.names == before, "lock, record and temporary files removed")
    }

    /// Temporary files of writers killed before their record named them go
    /// once a minute old, when a dead record is recovered; younger ones and other names stay.
    @Test func abandonedTemporariesGoWithTheNextRecovery() throws {
        let fixture = try LockFixture()
        let file = fixture.repository.referenceFile(fixture.lock.reference)
        let old = file + ".giter-0123456789abcdef.lock"
        let young = file + ".giter-fedcba9876543210.lock"
        let other = file + ".giter-notanonce.lock"
        for path in [old, young, other] {
            #expect(FileManager.default.createFile(atPath: path, contents: Data("x\n".utf8)))
        }
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -120)], ofItemAtPath: old)
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -120)], ofItemAtPath: other)
        let killed = try killedProcess()
        try fixture.plantRecord(pid: killed.pid, start: killed.start)
        #expect(try fixture.lock.recover() != nil)
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: young))
        #expect(FileManager.default.fileExists(atPath: other))
    }

    /// Killed after writing its record and before taking the lock: the record alone is removed.
    @Test func aKilledHoldersRecordWithoutALockIsRemoved() throws {
        let fixture = try LockFixture()
        let before = fixture.names
        let killed = try killedProcess()
        try fixture.plantRecord(pid: killed.pid, start: killed.start)
        #expect(try fixture.lock.recover() != nil)
        #expect(fixture.names == before)
    }

    /// A lock without a record (Git's, receive-pack's) is never removed: it is reported, naming the file and the command.
    @Test func aLockWithoutARecordIsReportedNeverRemoved() throws {
        let fixture = try LockFixture()
        try fixture.plantLock()
        guard case .held(let held) = try fixture.lock.update(from: LockFixture.first, to: LockFixture.second) else {
            Issue.record("a lock without a record must be held")
            return
        }
        #expect(held.description.contains(fixture.lock.path))
        #expect(held.description.contains("giter unlock --remote \(fixture.folder.path) --branch main"))
        #expect(held.description.contains("no Giter owner record"))
        #expect(fixture.lock.isHeld)
        #expect(fixture.value == LockFixture.first.hex)
    }

    /// A dead holder's record that names another file: the lock is someone else's, and stays.
    @Test func aDeadRecordDoesNotRemoveALockItDoesNotName() throws {
        let fixture = try LockFixture()
        try fixture.plantLock()
        let killed = try killedProcess()
        try fixture.plantRecord(pid: killed.pid, start: killed.start, namingLock: false)
        guard case .held = try fixture.lock.update(from: LockFixture.first, to: LockFixture.second) else {
            Issue.record("a lock the record does not name must stay held")
            return
        }
        #expect(fixture.lock.isHeld)
        #expect(!FileManager.default.fileExists(atPath: fixture.lock.ownerPath), "the dead record is removed")
    }

    /// A live holder's lock, and one from another host, are never removed.
    @Test(arguments: [false, true])
    func aLiveOrRemoteHoldersLockIsNeverRemoved(otherHost: Bool) throws {
        let fixture = try LockFixture()
        try fixture.plantLock()
        let me = Platform.processID
        try fixture.plantRecord(
            pid: me, start: try #require(Platform.processStart(me)),
            host: otherHost ? "elsewhere.invalid" : Platform.hostName)
        guard case .held(let held) = try fixture.lock.update(from: LockFixture.first, to: LockFixture.second) else {
            Issue.record("a live holder's lock must stay held")
            return
        }
        #expect(held.description.contains(otherHost ? "on another host" : "is alive"), "\(held)")
        #expect(try fixture.lock.recover() == nil)
        #expect(fixture.lock.isHeld)
        #expect(FileManager.default.fileExists(atPath: fixture.lock.ownerPath))
        #expect(fixture.value == LockFixture.first.hex)
    }

    /// `giter unlock`'s rule: any lock goes, but a live holder's only with `force`.
    @Test func unlockRefusesALiveHolderUnlessForced() throws {
        let fixture = try LockFixture()
        let before = fixture.names
        #expect(try fixture.lock.unlock(force: false) == .notHeld)
        try fixture.plantLock()
        let me = Platform.processID
        try fixture.plantRecord(pid: me, start: try #require(Platform.processStart(me)))
        let refusal = #expect(throws: TransportError.self) { try fixture.lock.unlock(force: false) }
        #expect(refusal?.message.contains("--force") == true, "\(String(describing: refusal))")
        #expect(fixture.lock.isHeld)
        guard case .removed = try fixture.lock.unlock(force: true) else {
            Issue.record("--force removes a live holder's lock")
            return
        }
        #expect(fixture.names == before)
        // A lock without a record goes at once.
        try fixture.plantLock()
        guard case .removed(let holder) = try fixture.lock.unlock(force: false) else {
            Issue.record("a lock without a record is removed")
            return
        }
        #expect(holder.contains("no Giter owner record"))
        #expect(fixture.names == before)
    }

    /// A record without a lock file holds the ref for other Giter writers
    /// while its holder lives; one Giter cannot read is reported, never spun
    /// on, and `giter unlock` removes it.
    @Test func aRecordAloneHoldsWhileItsHolderLivesAndUnlockClearsOneUnreadable() throws {
        let fixture = try LockFixture()
        let before = fixture.names
        let me = Platform.processID
        try fixture.plantRecord(pid: me, start: try #require(Platform.processStart(me)), namingLock: false)
        guard case .held(let held) = try fixture.lock.update(from: LockFixture.first, to: LockFixture.second) else {
            Issue.record("a live holder's record holds the ref")
            return
        }
        #expect(held.path == fixture.lock.ownerPath && held.holder.contains("is alive"), "\(held)")
        #expect(fixture.value == LockFixture.first.hex)

        try Data("not a record\n".utf8).write(to: URL(fileURLWithPath: fixture.lock.ownerPath))
        guard case .held(let unreadable) = try fixture.lock.update(from: LockFixture.first, to: LockFixture.second)
        else {
            Issue.record("an unreadable record holds the ref")
            return
        }
        #expect(unreadable.holder.contains("cannot read"), "\(unreadable)")
        guard case .removed = try fixture.lock.unlock(force: false) else {
            Issue.record("giter unlock removes an unreadable record")
            return
        }
        #expect(fixture.names == before)
        #expect(try fixture.lock.update(from: LockFixture.first, to: LockFixture.second) == .updated)
    }

    /// Two updaters at once on one ref: each wins or loses cleanly, never both, nothing left behind.
    @Test func concurrentUpdatesWinOrLoseCleanly() async throws {
        let fixture = try LockFixture()
        let before = fixture.names
        let lock = fixture.lock
        let outcomes = await withTaskGroup(of: ReferenceUpdate?.self) { group in
            for _ in 0..<4 {
                group.addTask { try? lock.update(from: LockFixture.first, to: LockFixture.second) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count(where: { $0 == .updated }) == 1, "\(outcomes)")
        #expect(!outcomes.contains(nil), "no updater fails")
        #expect(fixture.value == LockFixture.second.hex)
        #expect(fixture.names == before)
    }
}
