/// The stamp of what a backend keeps about a repository on this machine
/// between pushes and fetches (its configuration, an opened handle): the
/// identity of the repository's folder and of its `objects` folder, and
/// the full stamp of its `config` file.
///
/// The rule, one for both backends: what was read between two stamps may
/// be kept only when the stamps are equal (nothing was replaced or changed
/// during the read) and the `config` file was last changed before the
/// "racy" window — a change within a couple of seconds of the first stamp
/// could be followed by another that leaves size and times unchanged on a
/// file system with coarse timestamps, as with Git's index. It stays in use
/// while ``isCurrent``.
package struct RepositoryStamp: Equatable, Sendable {
    /// How close to the first stamp a change of `config` is too recent to tell apart from a later one.
    package static let racyWindow: Int64 = 2_000_000_000

    package let repository: LocalRepository
    private let folder: FileStamp?
    private let configuration: FileStamp?
    private let objects: FileStamp?

    /// The stamp of `repository` as it is now.
    package init(_ repository: LocalRepository) {
        self.repository = repository
        folder = FileStamp(repository.folder)?.identity
        configuration = FileStamp(repository.configurationFile)
        objects = FileStamp(repository.objectsFolder)?.identity
    }

    /// Whether what was read between `before` and `after` (stamps taken
    /// just before and just after the read) may be kept while the stamp
    /// stays ``isCurrent``. `readStart` is the wall clock taken with
    /// `before` (``Platform/wallClock()``).
    package static func mayKeep(readBetween before: RepositoryStamp, and after: RepositoryStamp, readStart: Int64)
        -> Bool
    {
        guard before == after, after.folder != nil else { return false }
        return after.configuration.map { $0.modified < readStart - racyWindow } ?? true
    }

    /// Whether the repository is still the one stamped, with the same configuration file.
    package var isCurrent: Bool {
        RepositoryStamp(repository) == self
    }
}
