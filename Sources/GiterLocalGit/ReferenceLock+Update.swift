package import Giter

/// How a compare-and-swap under a ``ReferenceLock`` ended.
package enum ReferenceUpdate: Equatable, Sendable {
    /// The ref now holds the new value.
    case updated
    /// The ref was not at the expected value (it holds this one; nil: missing); nothing was written.
    case moved(ObjectID?)
    /// The lock stayed held through Git's short wait; nothing was written.
    case held(ReferenceLock.Held)
}

extension ReferenceLock {
    /// Moves the ref from `expected` to `new` under its lock, taken by this
    /// process with an owner record, the way Git's files backend does:
    ///
    /// 1. a dead Giter holder's lock is removed first (``recover()``);
    /// 2. the lock's contents (`new`) are written to a temporary file
    ///    `<ref>.giter-<nonce>.lock`, and the owner record, naming that
    ///    file's inode, to `<ref>.giter-<nonce>-owner.lock`;
    /// 3. the record is linked to ``ownerPath`` (exclusively: one Giter
    ///    process at a time), then the temporary file to ``path`` (the lock:
    ///    exclusively, against Git and receive-pack too). A kill at any
    ///    point leaves a record whose holder is dead, naming the lock file
    ///    if there is one, so the next process removes exactly what was left;
    /// 4. under the lock the ref is read again and compared with `expected`;
    ///    the lock is renamed over the ref (its folder fsynced) or removed;
    ///    then the record is removed.
    ///
    /// A lock held by another writer is waited for as ``Wait`` says, then
    /// reported as ``ReferenceUpdate/held(_:)``.
    package func update(from expected: ObjectID, to new: ObjectID) throws(TransportError) -> ReferenceUpdate {
        let file = repository.referenceFile(reference)
        let folder = String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)])
        try Platform.createFolders(folder)
        var wait = Wait()
        while true {
            try recover()
            if let result = try attempt(from: expected, to: new, file: file, folder: folder) { return result }
            if wait.next() { continue }
            // Held through the wait: as it is now (it may have been released meanwhile: try once more).
            guard let held = held() else { continue }
            return .held(held)
        }
    }

    /// One try: nil when the lock or the record was held by another writer.
    private func attempt(
        from expected: ObjectID, to new: ObjectID, file: String, folder: String
    ) throws(TransportError) -> ReferenceUpdate? {
        let nonce = Self.nonce()
        let contents = file + ".giter-\(nonce).lock"
        let record = file + ".giter-\(nonce)-owner.lock"
        guard try Platform.createExclusively(Array((new.hex + "\n").utf8), at: contents) else { return nil }
        defer { _ = try? Platform.removeFile(contents) }
        guard let stamp = Platform.stamp(of: contents) else {
            throw TransportError(.backend, "cannot read back \(contents) just written; check the folder")
        }
        guard let owner = LockOwner.current(lock: stamp, nonce: nonce) else {
            throw TransportError(.backend, "cannot read this process's start time; the ref lock cannot be recorded")
        }
        guard try Platform.createExclusively(Array(owner.text.utf8), at: record) else { return nil }
        defer { _ = try? Platform.removeFile(record) }
        guard try Platform.addName(record, as: ownerPath) else { return nil }
        try Platform.removeFile(record)
        var locked = false
        defer {
            if locked { _ = try? removeOwnLock(stamp) }
            _ = try? removeOwnRecord(nonce)
        }
        guard try Platform.addName(contents, as: path) else { return nil }
        locked = true
        try Platform.removeFile(contents)
        pauseIfTesting()

        switch repository.readReference(reference) {
        case .value(let current) where current == expected:
            guard try Platform.move(path, to: file) else {
                throw TransportError(.backend, "the ref lock \(path) vanished while held; push again")
            }
            locked = false
            Platform.syncFolder(folder)
            return .updated
        case .value(let current):
            return .moved(current)
        case .missing:
            return .moved(nil)
        case .unreadable:
            throw TransportError(.backend, "\(reference) in \(repository.folder) cannot be read (symbolic or malformed)")
        }
    }

    /// Removes the lock this process took, if it is still that file.
    private func removeOwnLock(_ stamp: FileStamp) throws(TransportError) {
        guard let now = Platform.stamp(of: path), now.identity == stamp.identity else { return }
        try Platform.removeFile(path)
    }

    /// Removes the owner record of this process's try `nonce`, if it is still that record.
    private func removeOwnRecord(_ nonce: String) throws(TransportError) {
        guard let bytes = Platform.contents(of: ownerPath),
            LockOwner(text: String(decoding: bytes, as: UTF8.self))?.nonce == nonce
        else { return }
        try Platform.removeFile(ownerPath)
    }

    /// With ``pauseVariable`` set, says on standard error that it holds the
    /// lock (``pauseAnnouncement``), then waits until the file the variable
    /// names exists, at most a minute (tests only).
    private func pauseIfTesting() {
        guard let signal = Platform.environment(Self.pauseVariable), !signal.isEmpty else { return }
        Platform.writeToStandardError(Self.pauseAnnouncement + path)
        for _ in 0..<6_000 where !Platform.exists(signal) {
            Platform.pause(microseconds: 10_000)
        }
    }

    /// 16 random hexadecimal digits.
    static func nonce() -> String {
        let value = UInt64.random(in: 0...UInt64.max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension ReferenceUpdate {
    /// The push outcome of moving `lock`'s ref from `expected` to `new`.
    package func pushOutcome(_ lock: ReferenceLock, expected: ObjectID, new: ObjectID) -> PushOutcome {
        switch self {
        case .updated:
            .pushed(new)
        case .moved(let current):
            .conflict(
                message: RefUpdateFailure.lostRaceMessage(reference: lock.reference, current: current, expected: expected)
                    + " (it moved during the push)")
        case .held(let held):
            .locked(message: "\(lock.reference) on the remote is locked: \(held)")
        }
    }
}

extension ReferenceLock {
    /// Whether the ref has a reflog (`logs/<ref>`), which Git appends to on
    /// every update: the direct route writes none, so such a ref is moved by receive-pack.
    package var hasReflog: Bool { Platform.exists(repository.folder + "logs/" + reference) }
}
