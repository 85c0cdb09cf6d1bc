/// The edits of one ``CommitRequest`` grouped by folder: what a
/// ``Transport`` applies to the parent commit's tree to make the new one.
///
/// Every backend builds its commits from this plan, so they all refuse the
/// same requests and read the same edits. A backend keeps only the
/// mechanics: reading the parent's trees, writing blobs and trees.
///
/// ```swift
/// let plan = try TreeEditPlan(request.edits)
/// for folder in plan.folders {  // deepest first, the root last
///     // start from the parent's tree at folder.path (if any), apply
///     // folder.files, point folder.subfolders at the trees written before
/// }
/// ```
///
/// ## Conflicting edits
///
/// Each path of a commit request says once what it becomes. A request is
/// refused as a whole, before anything is written, with
/// ``TransportError/Code/invalidArgument`` naming the paths, when
/// - two edits touch one path: two writes, a write and a delete, or two
///   deletes, even when they agree;
/// - one edit touches a path and another a path below it: writing `a` and
///   `a/b`, deleting `a` and writing `a/b`, writing `a` and deleting `a/b`.
///
/// There is no "last edit wins": a request that says two things about a
/// path is a bug in its caller, and a commit that keeps one of them would
/// hide it. A path that ``RepositoryPath`` refuses is
/// ``TransportError/Code/unsafePath``.
///
/// ## Applying a plan to the parent's tree
///
/// Every backend, the in-memory one included, applies a plan the same way
/// (the Transport conformance suite checks it):
/// - writing `a/b` where the parent has a file `a` replaces that file by a
///   folder;
/// - writing `a` where the parent has a folder `a` replaces the folder,
///   with everything in it, by the file;
/// - a write makes a regular file (`100644`);
/// - deleting a path that is no file in the parent (missing, or a folder)
///   changes nothing: a delete never removes a folder;
/// - a folder left with no entries is removed, as Git keeps no empty folder.
public struct TreeEditPlan: Sendable, Hashable {
    /// One edit of a file directly inside a ``Folder``.
    public struct File: Sendable, Hashable {
        /// The file's name in its folder (the last component of its path).
        public var name: String
        /// The edit, with the file's full path.
        public var edit: PathEdit
    }

    /// A folder that holds edited files or has edits below it.
    public struct Folder: Sendable, Hashable {
        /// The folder's path from the repository root, `""` for the root.
        public var path: String
        /// The edits of files directly in this folder, sorted by name.
        public var files: [File]
        /// The names of this folder's sub-folders that have edits below
        /// them, sorted; each comes before this folder in
        /// ``TreeEditPlan/folders``.
        public var subfolders: [String]

        /// The path of the entry `name` in this folder.
        public func path(of name: String) -> String {
            path.isEmpty ? name : path + "/" + name
        }
    }

    /// Every folder with an edit in it or below it, deepest first (folders
    /// of one depth sorted by path) and the root, always present, last:
    /// a folder's sub-folders come before it.
    public let folders: [Folder]

    /// Groups `edits`, refusing unsafe paths and conflicting edits (see
    /// the type's documentation). Nothing is written.
    public init(_ edits: [PathEdit]) throws(TransportError) {
        var edited = Set<String>()
        edited.reserveCapacity(edits.count)
        for edit in edits {
            try RepositoryPath.validate(edit.path)
            guard edited.insert(edit.path).inserted else {
                throw TransportError(
                    .invalidArgument,
                    "'\(edit.path)' is edited more than once in one commit request; give each path one edit")
            }
        }
        for edit in edits {
            var folder = Self.parent(of: edit.path)
            while let path = folder {
                if edited.contains(path) {
                    throw TransportError(
                        .invalidArgument,
                        "'\(path)' and '\(edit.path)' are both edited in one commit request, but '\(path)' cannot "
                            + "be a file and a folder in one commit; edit either '\(path)' or the paths under it")
                }
                folder = Self.parent(of: path)
            }
        }
        folders = Self.group(edits)
    }

    /// The folder holding `path` (`""` for the root), or nil for the root itself.
    private static func parent(of path: String) -> String? {
        split(path)?.folder
    }

    /// `path` cut at its last `/`: `a/b/c` is `a/b` and `c`, `c` is `""`
    /// and `c`; nil for the root.
    private static func split(_ path: String) -> (folder: String, name: String)? {
        guard !path.isEmpty else { return nil }
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return ("", path) }
        return (String(path[..<slash]), String(path[path.utf8.index(after: slash)...]))
    }

    /// The folders of `edits` (already checked), deepest first.
    private static func group(_ edits: [PathEdit]) -> [Folder] {
        var found: [String: (files: [File], subfolders: Set<String>)] = ["": ([], [])]
        for edit in edits {
            guard let (folder, name) = split(edit.path) else { continue }
            found[folder, default: ([], [])].files.append(File(name: name, edit: edit))
            // Link the folder to its parents, up to the first one already linked.
            var child = folder
            while let (above, name) = split(child) {
                guard found[above, default: ([], [])].subfolders.insert(name).inserted else { break }
                child = above
            }
        }
        let paths = found.keys.sorted { left, right in
            let (leftDepth, rightDepth) = (depth(of: left), depth(of: right))
            return leftDepth != rightDepth ? leftDepth > rightDepth : left < right
        }
        return paths.map { path in
            let folder = found[path] ?? ([], [])
            return Folder(path: path, files: folder.files.sorted { $0.name < $1.name }, subfolders: folder.subfolders.sorted())
        }
    }

    /// How many folders `path` is below the root: 0 for the root, 1 for `a`.
    private static func depth(of path: String) -> Int {
        path.isEmpty ? 0 : path.utf8.count { $0 == UInt8(ascii: "/") } + 1
    }
}
