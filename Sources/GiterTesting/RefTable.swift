import Giter
import Synchronization

/// The refs of one in-memory mirror, and the local values kept beside them.
final class RefTable: Sendable {
    private let refs = Mutex([String: ObjectID]())
    private let values = Mutex([LocalValueName: [UInt8]]())

    /// The local value `name`, if one is stored.
    func value(_ name: LocalValueName) -> [UInt8]? {
        values.withLock { $0[name] }
    }

    /// Stores (or with `nil`, removes) the local value `name`.
    func setValue(_ name: LocalValueName, _ value: [UInt8]?) {
        values.withLock { $0[name] = value }
    }

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
