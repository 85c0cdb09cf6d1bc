internal import Synchronization

/// Remembers, per type, the result of a protocol conformance check.
///
/// The decoder and encoder ask for every type whether it is one they handle
/// directly (``NodeDirectlyDecodable``, ``NodeDirectlyEncodable``). The
/// runtime's check of a conditional conformance costs several hundred
/// instructions; a lookup here costs a lock and a hash. The caches are
/// shared by all coders and grow with the number of distinct types coded.
final class NodeConformanceCache<Value: Sendable>: Sendable {
    private struct State {
        var values: [ObjectIdentifier: Value] = [:]
        /// The first ``NodeTypeMemo/seedCount`` types checked, in order.
        var first: [(type: ObjectIdentifier, value: Value)] = []
    }

    private let state = Mutex(State())

    /// The cached value for `type`, computed by `check` the first time.
    func value(for type: Any.Type, check: (Any.Type) -> Value) -> Value {
        let id = ObjectIdentifier(type)
        if let known = state.withLock({ $0.values[id] }) { return known }
        let value = check(type)
        state.withLock { state in
            guard state.values.updateValue(value, forKey: id) == nil else { return }
            if state.first.count < NodeTypeMemo<Value>.seedCount { state.first.append((id, value)) }
        }
        return value
    }

    /// The first types checked and their values, for a memo to start with.
    var firstValues: [(type: ObjectIdentifier, value: Value)] { state.withLock { $0.first } }
}

/// A small per-coder memo in front of a ``NodeConformanceCache``: a document
/// uses a few types many times, and a linear search of a few entries costs
/// less than taking the shared cache's lock.
///
/// A coder codes one value, and a program codes the same few types again
/// and again: on its first miss the memo takes the types the shared cache
/// already knows (its first ``seedCount``) in one lock, instead of one lock
/// for each type the value holds.
struct NodeTypeMemo<Value: Sendable> {
    /// How many of the shared cache's first types a memo starts with.
    static var seedCount: Int { 32 }
    /// How many types a memo keeps, those it started with included.
    private static var capacity: Int { 64 }

    private var entries: [(type: ObjectIdentifier, value: Value)] = []
    private var seeded = false

    mutating func value(for type: Any.Type, in cache: NodeConformanceCache<Value>, check: (Any.Type) -> Value)
        -> Value
    {
        let id = ObjectIdentifier(type)
        for entry in entries where entry.type == id { return entry.value }
        if !seeded {
            seeded = true
            entries = cache.firstValues
            for entry in entries where entry.type == id { return entry.value }
        }
        let value = cache.value(for: type, check: check)
        if entries.count < Self.capacity {
            if entries.capacity == entries.count { entries.reserveCapacity(entries.count + 16) }
            entries.append((id, value))
        }
        return value
    }
}
