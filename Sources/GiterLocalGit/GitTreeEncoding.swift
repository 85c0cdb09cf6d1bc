/// Git's tree object, encoded in one place for both backends (the commits
/// of many files each makes in memory, issue 13): one entry after another
/// as `mode name\0id`, the mode in octal without a leading zero, the id's
/// raw bytes, in Git's order.
package enum GitTreeEncoding {
    /// One entry of a tree.
    package struct Entry {
        /// The name as the tree holds it (bytes, not necessarily UTF-8).
        package var name: [UInt8]
        /// The mode as Git writes it (`100644`, `40000`, …).
        package var mode: [UInt8]
        /// Whether the entry is a folder (it sorts as if its name ended in `/`).
        package var isFolder: Bool
        /// The raw bytes of the object id (20 for SHA-1).
        package var id: [UInt8]

        package init(name: [UInt8], mode: [UInt8], isFolder: Bool, id: [UInt8]) {
            self.name = name
            self.mode = mode
            self.isFolder = isFolder
            self.id = id
        }
    }

    /// The bytes of the tree holding `entries`, sorted as Git sorts them:
    /// by name, byte by byte, a folder's name as if it ended in `/` (so
    /// `a.b` comes before the folder `a`, which comes before `a0`).
    package static func encode(_ entries: [Entry]) -> [UInt8] {
        let sorted = entries.map { (key: $0.name + ($0.isFolder ? [0x2F] : []), entry: $0) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.reduce(0) { $0 + $1.name.count + $1.mode.count + $1.id.count + 2 })
        for (_, entry) in sorted {
            bytes += entry.mode
            bytes.append(0x20)
            bytes += entry.name
            bytes.append(0)
            bytes += entry.id
        }
        return bytes
    }
}
