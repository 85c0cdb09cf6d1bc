internal import Synchronization

/// Remembers, per type, the result of a protocol conformance check.
///
/// The decoder and encoder ask for every type whether it is one they handle
/// directly (``NodeDirectlyDecodable``, ``NodeDirectlyEncodable``). The
/// runtime's check of a conditional conformance costs several hundred
/// instructions; a lookup here costs a lock and a hash. The caches are
/// shared by all coders and grow with the number of distinct types coded.
final class NodeConformanceCache<Value: Sendable>: Sendable {
    private let values = Mutex<[ObjectIdentifier: Value]>([:])

    /// The cached value for `type`, computed by `check` the first time.
    func value(for type: Any.Type, check: (Any.Type) -> Value) -> Value {
        let id = ObjectIdentifier(type)
        if let known = values.withLock({ $0[id] }) { return known }
        let value = check(type)
        values.withLock { $0[id] = value }
        return value
    }
}

/// A small per-coder memo in front of a ``NodeConformanceCache``: a document
/// uses a few types many times, and a linear search of a few entries costs
/// less than taking the shared cache's lock.
struct NodeTypeMemo<Value: Sendable> {
    private var entries: [(type: ObjectIdentifier, value: Value)] = []

    mutating func value(for type: Any.Type, in cache: NodeConformanceCache<Value>, check: (Any.Type) -> Value)
        -> Value
    {
        let id = ObjectIdentifier(type)
        for entry in entries where entry.type == id { return entry.value }
        let value = cache.value(for: type, check: check)
        if entries.count < 32 {
            if entries.isEmpty { entries.reserveCapacity(16) }
            entries.append((id, value))
        }
        return value
    }
}
