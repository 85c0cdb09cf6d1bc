import Giter

/// The edits of one commit request grouped by folder, ready to be applied
/// to the parent's tree one folder at a time.
struct CommitPlan {
    /// The edits that fall in one folder.
    final class Folder {
        /// File name → index into ``CommitPlan/contents``, or nil to delete.
        var files: [String: Int?] = [:]
        var folders: [String: Folder] = [:]
    }

    let root = Folder()
    /// Every folder with edits, "" for the root, parents before children.
    private(set) var folderPaths: [String] = [""]
    /// The contents of every write, in the order of the edits that survived.
    private(set) var contents: [[UInt8]] = []

    /// Groups `edits` (paths already validated). The last edit of a path
    /// wins; a write under a path that another write makes a file is an
    /// `invalidArgument` error (a delete there is simply moot).
    init(edits: [PathEdit]) throws(TransportError) {
        var last: [String: PathEdit] = [:]
        var order: [String] = []
        for edit in edits where last.updateValue(edit, forKey: edit.path) == nil { order.append(edit.path) }
        let files = Set(order.filter { if case .write = last[$0] { true } else { false } })
        for path in order {
            guard let edit = last[path] else { continue }
            var components = path.split(separator: "/").map(String.init)
            guard let name = components.popLast() else { continue }
            var folder = root
            var walked = ""
            for component in components {
                walked = walked.isEmpty ? component : walked + "/" + component
                if files.contains(walked), case .write = edit {
                    throw TransportError(
                        .invalidArgument, "'\(path)' needs '\(walked)' to be a folder, but another edit writes it as a file")
                }
                if let next = folder.folders[component] {
                    folder = next
                } else {
                    let next = Folder()
                    folder.folders[component] = next
                    folder = next
                    folderPaths.append(walked)
                }
            }
            switch edit {
            case .write(_, let bytes):
                folder.files[name] = .some(contents.count)
                contents.append(bytes)
            case .delete:
                folder.files[name] = .some(nil)
            }
        }
    }
}
