package import Giter

/// A Git repository on this machine, by its folder (the bare repository
/// itself, or a `.git` folder), and where Git keeps each part of it.
///
/// Paths only: nothing is opened or read here. The names follow Git's
/// on-disk layout (`gitrepository-layout(5)`) so that every backend reads
/// and writes the same files Git does. Refs are named in full, so refs
/// other than branches (`refs/giter/…`) use the same helpers. Objects are
/// written into ``objectsFolder``; where a server's hook reads them from
/// while they are in quarantine is ``ObjectDirectories``.
package struct LocalRepository: Hashable, Sendable {
    /// The folder, ending in "/".
    package let folder: String

    /// The repository whose folder is `path` (with or without a trailing "/").
    package init(folder path: String) {
        folder = path.hasSuffix("/") ? path : path + "/"
    }

    /// The folder objects are written into (`objects`).
    package var objectsFolder: String { folder + "objects" }

    /// The file holding the loose object `id` (`objects/ab/cdef…`).
    package func looseObjectPath(_ id: ObjectID) -> String {
        objectsFolder + "/" + String(id.hex.prefix(2)) + "/" + String(id.hex.dropFirst(2))
    }

    /// The configuration file (`config`).
    package var configurationFile: String { folder + "config" }

    /// The file of the loose ref `name` (a full name, `refs/…`).
    package func referenceFile(_ name: String) -> String { folder + name }

    /// The file of the packed refs (`packed-refs`).
    package var packedReferencesFile: String { folder + "packed-refs" }

    /// Whether the folder has the shape of a repository Git would open: a
    /// `HEAD` file and `objects` and `refs` folders.
    package var hasRepositoryLayout: Bool {
        Platform.stamp(of: folder + "HEAD").map { !$0.isFolder } == true
            && Platform.stamp(of: objectsFolder)?.isFolder == true
            && Platform.stamp(of: folder + "refs")?.isFolder == true
    }

    /// Whether its refs are kept in files (loose ref files and
    /// `packed-refs`, Git's files backend), so that ``readReference(_:)``
    /// reads them as Git does: a repository with a `reftable` folder keeps
    /// them elsewhere. Says nothing of whether the folder is a repository
    /// (``hasRepositoryLayout``).
    package var keepsReferencesInFiles: Bool {
        !Platform.exists(folder + "reftable")
    }

    /// Whether the repository reads objects from other repositories
    /// (`objects/info/alternates`): its own object folder is then not all
    /// of its objects.
    package var borrowsObjects: Bool {
        Platform.exists(objectsFolder + "/info/alternates")
    }

    /// Whether the repository is shallow (a `shallow` file): some commits lack their parents.
    package var isShallow: Bool {
        Platform.exists(folder + "shallow")
    }

    /// The number of loose objects in `objects/17`, the sample `git gc --auto` counts.
    package var looseObjectSample: Int {
        Platform.entryNames(in: objectsFolder + "/17").count(where: { $0.utf8.count == 38 || $0.utf8.count == 62 })
    }
}
