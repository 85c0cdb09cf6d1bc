import Giter
import Synchronization

/// The last commits a transport wrote, each with its parent and the
/// objects it wrote for it (new blobs, new trees, the commit, in an order
/// where an object comes after those it points to): what a direct push
/// must copy when the remote is at the parent.
final class RecentCommits: Sendable {
    struct Record: Sendable {
        var parent: ObjectID?
        /// The loose objects written for it.
        var objects: [String]
        /// The pack of the mirror its blobs and trees were written in
        /// (`pack-<checksum>`) and how many objects it holds, if any.
        var pack: (name: String, objects: Int)?
    }

    private static let capacity = 32
    private let records = Mutex<[(id: ObjectID, record: Record)]>([])

    func record(_ id: ObjectID, parent: ObjectID?, objects: [String], pack: (name: String, objects: Int)? = nil) {
        records.withLock { records in
            records.removeAll { $0.id == id }
            records.append((id, Record(parent: parent, objects: objects, pack: pack)))
            if records.count > Self.capacity { records.removeFirst(records.count - Self.capacity) }
        }
    }

    func record(for id: ObjectID) -> Record? {
        records.withLock { records in records.last { $0.id == id }?.record }
    }
}
