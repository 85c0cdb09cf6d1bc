import GiterLocalGit
import Synchronization

/// The receive settings last read from a remote on this machine, kept
/// while ``RepositoryStamp`` says they may be (the repository's folders and
/// `config` file unchanged, no included files).
final class ReceiveSettingsCache: Sendable {
    private let entry = Mutex<(stamp: RepositoryStamp, settings: ReceiveSettings)?>(nil)

    /// The kept settings of `repository` while they are current; nil otherwise.
    func settings(of repository: LocalRepository) -> ReceiveSettings? {
        guard let kept = entry.withLock({ $0 }), kept.stamp.repository == repository, kept.stamp.isCurrent else {
            return nil
        }
        return kept.settings
    }

    /// Keeps `settings`, read between `before` and `after` (stamps taken
    /// around the read, `readStart` with `before`), when the rule allows.
    func store(
        _ settings: ReceiveSettings, readBetween before: RepositoryStamp, and after: RepositoryStamp, readStart: Int64
    ) {
        let keep = settings.mayBeKept && RepositoryStamp.mayKeep(readBetween: before, and: after, readStart: readStart)
        entry.withLock { $0 = keep ? (after, settings) : nil }
    }
}
