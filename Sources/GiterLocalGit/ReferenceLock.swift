/// The lock Git's files backend takes to change a ref: the file
/// `<ref>.lock` beside the ref's file, created exclusively and renamed over
/// the ref. receive-pack, `git update-ref` and libgit2 all take it, so a
/// compare-and-swap made under it is safe against each of them.
///
/// Giter's direct push route takes it itself (``update(from:to:)``) and
/// keeps a record of its owner beside it (``ownerPath``, a ``LockOwner``),
/// so that a lock left by a killed Giter process is found and removed by
/// the next one (``recover()``). A held lock is waited for briefly, as Git
/// does (`core.filesRefLockTimeout`, 100 ms by default), then reported as
/// held (``Held``); the rules are in `Documentation/Reliability.md`,
/// section "Stale locks".
package struct ReferenceLock: Equatable, Sendable {
    /// How long a held lock is waited for, in milliseconds (Git's default `core.filesRefLockTimeout`).
    package static let timeout = 100

    /// The test-only environment variable that makes ``update(from:to:)``
    /// pause while it holds the lock until the file it names exists (at
    /// most a minute), so that a test can kill the process holding it.
    package static let pauseVariable = "GITER_TEST_PAUSE_HOLDING_REF_LOCK"
    /// What a process paused by ``pauseVariable`` prints on standard error, before the lock's path.
    package static let pauseAnnouncement = "giter: test pause: holding "

    /// The full name of the ref (`refs/heads/main`).
    package let reference: String
    /// The repository of the ref.
    package let repository: LocalRepository
    /// The lock file.
    package let path: String

    package init(_ reference: String, in repository: LocalRepository) {
        self.reference = reference
        self.repository = repository
        path = repository.referenceFile(reference) + ".lock"
    }

    /// The owner record of a lock Giter takes (``LockOwner``): `<ref>.giter-owner.lock`.
    package var ownerPath: String { repository.referenceFile(reference) + ".giter-owner.lock" }

    /// Whether the lock file exists now.
    package var isHeld: Bool { Platform.exists(path) }

    /// The branch of ``reference`` (`main` for `refs/heads/main`), or the full name of another ref.
    package var branch: String {
        reference.hasPrefix("refs/heads/") ? String(reference.dropFirst("refs/heads/".count)) : reference
    }

    /// The `giter` command that removes the lock.
    package var unlockCommand: String {
        let folder = repository.folder.hasSuffix("/") ? String(repository.folder.dropLast()) : repository.folder
        return "giter unlock --remote \(folder) --branch \(branch)"
    }

    /// A lock found held: by whom, as far as can be told.
    package struct Held: Equatable, Sendable, CustomStringConvertible {
        /// The lock file.
        package var path: String
        /// The record of its holder, when it has one Giter can read.
        package var owner: LockOwner?
        /// The holder, in words: "no owner record …", "process 12 on h … is alive".
        package var holder: String
        /// The command that removes the lock.
        package var unlockCommand: String

        /// What happened and what to do: the file, its holder and the command that removes it.
        package var description: String {
            "the ref lock \(path) is held (\(holder)); if no push to this repository is running, "
                + "remove it with '\(unlockCommand)'"
        }
    }

    /// The lock as it is now: nil when it is not held. Without a lock
    /// file, an owner record alone holds it for other Giter writers (its
    /// holder is between taking the record and the lock, or stopped there).
    package func held() -> Held? {
        let bytes = Platform.contents(of: ownerPath)
        let owner = bytes.flatMap { LockOwner(text: String(decoding: $0, as: UTF8.self)) }
        guard let stamp = Platform.stamp(of: path) else {
            guard let bytes else { return nil }
            guard let owner else {
                return Held(
                    path: ownerPath, owner: nil, holder: "an owner record Giter cannot read (\(bytes.count) bytes)",
                    unlockCommand: unlockCommand)
            }
            return Held(path: ownerPath, owner: owner, holder: Self.describe(owner), unlockCommand: unlockCommand)
        }
        let holder: String
        if let owner, stamp.device == owner.lockDevice, stamp.inode == owner.lockInode {
            holder = Self.describe(owner)
        } else {
            holder = "no Giter owner record: Git or a server's receive-pack took it, or a Giter process was killed as it took it"
        }
        return Held(path: path, owner: owner, holder: holder, unlockCommand: unlockCommand)
    }

    private static func describe(_ owner: LockOwner) -> String {
        switch owner.liveness {
        case .alive: "its holder, \(owner.summary), is alive"
        case .dead(let reason): "its holder, \(owner.summary), is gone: \(reason)"
        case .otherHost: "its holder is \(owner.summary), on another host: it cannot be checked from here"
        }
    }

    /// The waits for a held lock: ``next()`` pauses 1–2 ms (randomised, as
    /// Git does) and says whether to try again, until ``timeout`` is spent.
    package struct Wait: Sendable {
        private var waited = 0

        package init() {}

        /// Pauses and returns true while the timeout is not spent; false (without pausing) after.
        package mutating func next() -> Bool {
            guard waited < ReferenceLock.timeout else { return false }
            Platform.pause(microseconds: 1_000 + Int.random(in: 0..<1_000))
            waited += 2
            return true
        }
    }
}
