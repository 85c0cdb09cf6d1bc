/// The mode of a tree entry, as Git stores it.
public struct FileMode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// A regular file (`100644`).
    public static let regular = FileMode(rawValue: 0o100644)
    /// An executable file (`100755`).
    public static let executable = FileMode(rawValue: 0o100755)
    /// A symbolic link (`120000`). Never read as a resource.
    public static let symlink = FileMode(rawValue: 0o120000)
    /// A submodule commit (`160000`). Never read as a resource.
    public static let gitlink = FileMode(rawValue: 0o160000)
    /// A directory (`040000`).
    public static let tree = FileMode(rawValue: 0o040000)

    /// Whether entries of this mode hold file contents Giter may read.
    public var isFile: Bool { self == .regular || self == .executable }

    /// The mode in octal, as `git ls-tree` prints it (`100644`).
    public var description: String {
        let digits = String(rawValue, radix: 8)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}

/// A file in a commit's tree: its path from the repository root, its mode
/// and the id of its blob.
public struct TreeEntry: Sendable, Hashable {
    /// The path from the repository root, with `/` separators.
    public var path: String
    public var mode: FileMode
    /// The blob id.
    public var id: ObjectID

    public init(path: String, mode: FileMode, id: ObjectID) {
        self.path = path
        self.mode = mode
        self.id = id
    }
}

/// A path that differs between two commits.
public struct PathChange: Sendable, Hashable {
    /// What happened to the path.
    public enum Kind: Sendable, Hashable {
        case added
        case modified
        case deleted
    }

    /// The path from the repository root.
    public var path: String
    /// The blob and mode before the change; `nil` when the path was added.
    public var oldID: ObjectID?
    public var oldMode: FileMode?
    /// The blob and mode after the change; `nil` when the path was deleted.
    public var newID: ObjectID?
    public var newMode: FileMode?

    public var kind: Kind { oldID == nil ? .added : newID == nil ? .deleted : .modified }

    public init(path: String, oldID: ObjectID?, oldMode: FileMode?, newID: ObjectID?, newMode: FileMode?) {
        self.path = path
        self.oldID = oldID
        self.oldMode = oldMode
        self.newID = newID
        self.newMode = newMode
    }
}
