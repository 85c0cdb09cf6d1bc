/// What `stat` says about a file, enough to see that it was replaced or
/// changed: two stamps of one path are equal while the file is the same
/// file with the same contents, as far as its times can tell.
package struct FileStamp: Equatable, Sendable {
    package var device: UInt64
    package var inode: UInt64
    package var size: Int64
    package var mode: UInt32
    /// Modification and status-change times, in nanoseconds since 1970.
    package var modified: Int64
    package var changed: Int64
    package var isFolder: Bool

    /// The stamp of the file at `path` as it is now; nil when it cannot be read.
    package init?(_ path: String) {
        guard let stamp = Platform.stamp(of: path) else { return nil }
        self = stamp
    }

    package init(
        device: UInt64, inode: UInt64, size: Int64, mode: UInt32, modified: Int64, changed: Int64, isFolder: Bool
    ) {
        self.device = device
        self.inode = inode
        self.size = size
        self.mode = mode
        self.modified = modified
        self.changed = changed
        self.isFolder = isFolder
    }

    /// Only which file this is (for folders, whose times change with every file made in them).
    package var identity: FileStamp {
        var result = self
        result.size = 0
        result.mode = 0
        result.modified = 0
        result.changed = 0
        return result
    }
}
