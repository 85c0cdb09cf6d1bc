internal import CLibGit2
import Giter
import GiterLocalGit

/// The reads of `RepositoryReader`, once for both ``LibGit2Transport`` (over
/// its mirror) and ``LibGit2Repository`` (a repository on the server).
extension Repository {
    /// The files of `commit`'s tree, or of its folder `prefix`, sorted by path.
    func treeEntries(at commit: ObjectID, under prefix: String?) throws(TransportError) -> [TreeEntry] {
        let folder = try TreeWalk.folder(prefix)
        let root = try self.commit(commit).tree()
        guard let tree = try folder.map({ (folder) throws(TransportError) in try root.subtree(at: folder) }) ?? root
        else { return [] }
        return try TreeWalk.files(in: tree, base: folder ?? "")
    }

    /// The files that differ between two commits (all of `new`'s when `old`
    /// is nil), optionally under `prefix`, sorted by path.
    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) throws(TransportError) -> [PathChange] {
        let folder = try TreeWalk.folder(prefix)
        func tree(of commit: ObjectID?) throws(TransportError) -> Tree? {
            guard let commit else { return nil }
            let root = try self.commit(commit).tree()
            guard let folder else { return root }
            return try root.subtree(at: folder)
        }
        return try TreeWalk.changes(from: tree(of: old), to: tree(of: new), base: folder ?? "", in: self)
    }

    /// Opens the existing repository at `path` for reading, its objects
    /// read from `objects` (a hook's quarantine) when those name folders.
    ///
    /// With a primary folder (`GIT_OBJECT_DIRECTORY`), the repository's own
    /// object database is replaced by one over that folder, as Git does;
    /// alternates are added to it, each with its own
    /// `objects/info/alternates`.
    static func openForReading(at path: String, objects: ObjectDirectories) throws(TransportError) -> Repository {
        try LibGit2.initialize()
        var handle: OpaquePointer?
        let opened = try LibGit2.check(
            git_repository_open_ext(&handle, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil),
            "open the repository at \(path)", allowing: [.notFound])
        guard opened == .ok, let handle else {
            throw TransportError(.repositoryNotFound, "there is no Git repository at \(path)")
        }
        let repository = Repository(pointer: handle, path: path)
        guard objects != .repositoryOwn else { return repository }
        var odb: OpaquePointer?
        if let primary = objects.primary {
            try LibGit2.check(git_odb_open(&odb, primary), "open the object folder \(primary)")
        } else {
            try LibGit2.check(git_repository_odb(&odb, handle), "open the object database of \(path)")
        }
        defer { git_odb_free(odb) }
        for alternate in objects.alternates {
            try LibGit2.check(git_odb_add_disk_alternate(odb, alternate), "read objects from \(alternate)")
        }
        if objects.primary != nil {
            try LibGit2.check(git_repository_set_odb(handle, odb), "read the objects of \(path) from \(objects.primary ?? "")")
        }
        return repository
    }
}
