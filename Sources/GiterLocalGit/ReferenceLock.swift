/// The lock Git's files backend takes to change a ref: the file
/// `<ref>.lock` beside the ref's file, created exclusively and renamed over
/// the ref. receive-pack, `git update-ref` and libgit2 all take it, so a
/// compare-and-swap made under it is safe against each of them.
///
/// A held lock is waited for briefly, as Git does (`core.filesRefLockTimeout`,
/// 100 ms by default), then reported as ``RefUpdateFailure/locked``. A
/// record of the lock's owner, when one is added, belongs beside ``path``.
package struct ReferenceLock: Equatable, Sendable {
    /// How long a held lock is waited for, in milliseconds (Git's default `core.filesRefLockTimeout`).
    package static let timeout = 100

    /// The full name of the ref (`refs/heads/main`).
    package let reference: String
    /// The lock file.
    package let path: String

    package init(_ reference: String, in repository: LocalRepository) {
        self.reference = reference
        path = repository.referenceFile(reference) + ".lock"
    }

    /// Whether the lock file exists now.
    package var isHeld: Bool { Platform.exists(path) }

    /// What a push that found the lock held says (a conflict: fetch and retry).
    package var heldMessage: String {
        "\(reference) on the remote is locked by another push (\(reference).lock exists); fetch and retry"
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
