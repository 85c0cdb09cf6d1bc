import Giter
import Synchronization

/// The refs of one in-memory mirror.
final class RefTable: Sendable {
    private let refs = Mutex([String: ObjectID]())

    func get(_ name: String) -> ObjectID? {
        refs.withLock { $0[name] }
    }

    func set(_ name: String, _ id: ObjectID?) {
        refs.withLock { $0[name] = id }
    }

    func compareAndSwap(_ name: String, _ new: ObjectID, expecting expected: ObjectID?) -> Bool {
        refs.withLock { refs in
            guard refs[name] == expected else { return false }
            refs[name] = new
            return true
        }
    }
}
