package import Giter

extension ReferenceLock {
    /// Removes what a dead Giter holder left: when ``ownerPath`` holds a
    /// record whose holder ran on this host and is gone (``LockOwner/liveness``),
    /// the record is claimed (renamed to a name of this process: one
    /// process at a time recovers it), the lock file is removed if it is
    /// still the file the record names (same device and inode: renamed
    /// aside, checked again, then removed), and so are the holder's
    /// temporary files and the record.
    ///
    /// Nothing is removed for a live holder, a holder on another host, a
    /// lock without a record (Git's own, receive-pack's) or a record Giter
    /// cannot read. Returns what was done, for the log; nil when nothing.
    @discardableResult
    package func recover() throws(TransportError) -> String? {
        guard let bytes = Platform.contents(of: ownerPath),
            let owner = LockOwner(text: String(decoding: bytes, as: UTF8.self)),
            case .dead(let reason) = owner.liveness
        else { return nil }
        let file = repository.referenceFile(reference)
        let claim = file + ".giter-\(owner.nonce)-claimed-\(Self.nonce()).lock"
        guard try Platform.move(ownerPath, to: claim) else { return nil }
        guard Platform.contents(of: claim) == bytes else {
            // Another record took the place meanwhile (its holder is alive): put it back.
            _ = try? Platform.addName(claim, as: ownerPath)
            try Platform.removeFile(claim)
            return nil
        }
        var removedLock = false
        if let stamp = Platform.stamp(of: path), stamp.device == owner.lockDevice, stamp.inode == owner.lockInode {
            removedLock = try removeLock(ifStill: stamp, aside: file + ".giter-\(owner.nonce)-stale.lock")
        }
        try Platform.removeFile(file + ".giter-\(owner.nonce).lock")
        try Platform.removeFile(file + ".giter-\(owner.nonce)-owner.lock")
        try Platform.removeFile(claim)
        try removeAbandonedTemporaries()
        Platform.syncFolder(String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)]))
        return "removed the \(removedLock ? "ref lock \(path) and its" : "stale") owner record of \(owner.summary): \(reason)"
    }

    /// How old a temporary file of the lock (`<ref>.giter-….lock`) must be
    /// to count as abandoned: a live writer keeps one for a moment only.
    static let abandonedAge: Int64 = 60 * 1_000_000_000

    /// Removes the temporary files of this ref's lock that are older than
    /// ``abandonedAge``: those a writer killed before its owner record
    /// named them left behind (ignored by Git, since their names end in `.lock`).
    func removeAbandonedTemporaries() throws(TransportError) {
        let file = repository.referenceFile(reference)
        guard let slash = file.lastIndex(of: "/") else { return }
        let folder = String(file[..<slash])
        let prefix = String(file[file.index(after: slash)...]) + ".giter-"
        let now = Platform.wallClock()
        for name in Platform.entryNames(in: folder) where name.hasPrefix(prefix) && name.hasSuffix(".lock") {
            // Only names this type makes: a nonce of 16 hexadecimal digits after the prefix (or `unlock-`).
            let rest = name.dropFirst(prefix.count)
            let nonce = (rest.hasPrefix("unlock-") ? rest.dropFirst("unlock-".count) : rest).prefix(16)
            guard nonce.count == 16, nonce.allSatisfy(\.isHexDigit) else { continue }
            let path = folder + "/" + name
            guard path != ownerPath, let stamp = Platform.stamp(of: path), !stamp.isFolder,
                now - stamp.modified > Self.abandonedAge
            else { continue }
            try Platform.removeFile(path)
        }
    }

    /// Renames the lock aside and removes it when it is still the file of
    /// `stamp`; puts it back otherwise. Whether it was removed.
    private func removeLock(ifStill stamp: FileStamp, aside: String) throws(TransportError) -> Bool {
        guard try Platform.move(path, to: aside) else { return false }
        if Platform.stamp(of: aside)?.identity == stamp.identity {
            try Platform.removeFile(aside)
            return true
        }
        _ = try? Platform.addName(aside, as: path)
        try Platform.removeFile(aside)
        return false
    }

    /// What ``unlock(force:)`` did.
    package enum Unlocked: Equatable, Sendable {
        /// The lock was not held.
        case notHeld
        /// A dead Giter holder's lock or record was removed (``recover()``); what was done.
        case recovered(String)
        /// The lock file (and its record, if any) was removed; the holder as it was described.
        case removed(holder: String)
    }

    /// Removes the lock whatever its holder, for `giter unlock`: refused
    /// (an error saying so) when its record says the holder is alive on
    /// this host, unless `force`. The lock is renamed aside and removed
    /// only if it is still the file looked at.
    package func unlock(force: Bool) throws(TransportError) -> Unlocked {
        let recovered = try recover()
        guard let held = held(), let stamp = Platform.stamp(of: held.path) else {
            return recovered.map(Unlocked.recovered) ?? .notHeld
        }
        // The record, when it is about the file held: the lock it names, or the record alone.
        let recorded =
            held.owner.map { $0.lockDevice == stamp.device && $0.lockInode == stamp.inode } ?? false
            || held.path == ownerPath
        if recorded, let owner = held.owner, owner.liveness == .alive, !force {
            throw TransportError(
                .backend,
                "the ref lock \(path) is held by \(owner.summary), which is alive: a push is running. "
                    + "Wait for it, or stop that process; pass --force to remove the lock anyway")
        }
        let file = repository.referenceFile(reference)
        if held.path == path {
            guard try removeLock(ifStill: stamp, aside: file + ".giter-unlock-\(Self.nonce()).lock") else {
                throw TransportError(
                    .backend, "the ref lock \(path) changed while it was being removed; run the command again")
            }
        }
        try removeAbandonedTemporaries()
        if recorded {
            if let owner = held.owner {
                try Platform.removeFile(file + ".giter-\(owner.nonce).lock")
                try Platform.removeFile(file + ".giter-\(owner.nonce)-owner.lock")
            }
            try Platform.removeFile(ownerPath)
        }
        Platform.syncFolder(String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)]))
        return .removed(holder: held.holder)
    }
}
