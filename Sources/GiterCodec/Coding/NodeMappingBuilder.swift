/// A value written later than its place in a builder: a nested container
/// or the encoder returned by `superEncoder()`.
enum NodePendingValue {
    case mapping(NodeMappingBuilder)
    case sequence(NodeSequenceBuilder)
    case encoder(NodeEncoding)

    func finish(order: NodeMappingBuilder.KeyOrder) -> Node {
        switch self {
        case .mapping(let builder): builder.finish(order: order, nestedOrder: order)
        case .sequence(let builder): builder.finish(order: order)
        case .encoder(let encoder): encoder.finish()
        }
    }
}

/// The mapping a keyed encoding container writes into.
///
/// Entries stay in the order their keys were first written; writing a key
/// again replaces its value in place. Finding an existing key is a linear
/// search while the mapping is small and a dictionary lookup once it has
/// more than ``linearSearchLimit`` entries.
final class NodeMappingBuilder {
    /// How ``finish(order:nestedOrder:)`` orders keys.
    enum KeyOrder {
        /// The order keys were written in.
        case insertion
        /// By the UTF-8 bytes of the keys.
        case bytes
        /// By integer value (keys of an `[Int: V]` dictionary).
        case integers
    }

    static var linearSearchLimit: Int { 16 }

    @exclusivity(unchecked) private var entries: [Node.Mapping.Entry] = []
    /// Entries whose value is still being written, by position: a
    /// dictionary, so that a mapping of many nested containers costs one
    /// lookup per key, not a search.
    @exclusivity(unchecked) private var pending: [Int: NodePendingValue] = [:]
    @exclusivity(unchecked) private var positions: [String: Int]?

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        if entries.count <= Self.linearSearchLimit {
            // Comparing lengths first skips most mismatches without a string comparison.
            let length = key.utf8.count
            var position = 0
            while position < entries.count {
                let existing = entries[position].key
                if existing.utf8.count == length && existing == key { return position }
                position += 1
            }
            return nil
        }
        var index = [String: Int](minimumCapacity: entries.count * 2)
        for (position, entry) in entries.enumerated() { index[entry.key] = position }
        positions = index
        return index[key]
    }

    /// Sets the value of `key`, replacing any earlier one.
    func set(_ key: String, _ value: Node) {
        if let position = position(of: key) {
            entries[position].value = value
            if !pending.isEmpty { pending[position] = nil }
        } else {
            positions?[key] = entries.count
            if entries.isEmpty { entries.reserveCapacity(8) }
            entries.append(Node.Mapping.Entry(key: key, value: value))
        }
    }

    /// Sets the value of `key` to one that is written later.
    func set(_ key: String, pending value: NodePendingValue) {
        set(key, Node(.null))
        if let position = position(of: key) { pending[position] = value }
    }

    /// The pending value of `key`, if it has one.
    func pendingValue(for key: String) -> NodePendingValue? {
        guard let position = position(of: key) else { return nil }
        return pending[position]
    }

    /// The mapping node, keys in `order`, nested mappings in `nestedOrder`.
    func finish(order: KeyOrder, nestedOrder: KeyOrder) -> Node {
        var result = entries
        for (position, value) in pending { result[position].value = value.finish(order: nestedOrder) }
        switch order {
        case .insertion:
            break
        case .bytes:
            result = Self.sortedByUTF8(result)
        case .integers:
            result.sort { lhs, rhs in
                switch (Int(lhs.key), Int(rhs.key)) {
                case (let left?, let right?): left < right
                case (nil, nil): Self.precedesInUTF8(lhs.key, rhs.key)
                case (_?, nil): true
                case (nil, _?): false
                }
            }
        }
        return Node(.mapping(Node.Mapping(result)))
    }

    /// `node` with its keys sorted by their UTF-8 bytes when it is a mapping.
    static func sortedByUTF8(_ node: Node) -> Node {
        guard case .mapping(let mapping) = node.content else { return node }
        return Node(.mapping(Node.Mapping(sortedByUTF8(mapping.entries))), location: node.location)
    }

    /// `entries` sorted by the UTF-8 bytes of their keys. Sorting positions
    /// and moving each entry once is much faster than sorting the entries.
    static func sortedByUTF8(_ entries: [Node.Mapping.Entry]) -> [Node.Mapping.Entry] {
        let order = entries.indices.sorted { precedesInUTF8(entries[$0].key, entries[$1].key) }
        return order.map { entries[$0] }
    }

    /// A mapping of `entries` ordered by `keys`, the integer value of each
    /// entry's key.
    static func sorted(_ entries: [Node.Mapping.Entry], byIntegers keys: [Int]) -> Node {
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        return Node(.mapping(Node.Mapping(order.map { entries[$0] })))
    }

    /// Whether `lhs` sorts before `rhs` by their UTF-8 bytes: the order of
    /// sorted keys. Several times faster than comparing the UTF-8 views
    /// with `lexicographicallyPrecedes`.
    static func precedesInUTF8(_ lhs: String, _ rhs: String) -> Bool {
        let result = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in
                let common = min(left.count, right.count)
                var index = 0
                while index < common {
                    if left[index] != right[index] { return left[index] < right[index] }
                    index += 1
                }
                return left.count < right.count
            }
        }
        if let result, let result { return result }
        return lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}

/// The sequence an unkeyed encoding container writes into.
final class NodeSequenceBuilder {
    @exclusivity(unchecked) private var items: [Node] = []
    @exclusivity(unchecked) private var pending: [(position: Int, value: NodePendingValue)] = []

    var count: Int { items.count }

    func append(_ item: Node) { items.append(item) }

    func append(pending value: NodePendingValue) {
        pending.append((items.count, value))
        items.append(Node(.null))
    }

    /// The sequence node; nested mappings get keys in `order`.
    func finish(order: NodeMappingBuilder.KeyOrder) -> Node {
        var result = items
        for (position, value) in pending { result[position] = value.finish(order: order) }
        return Node(.sequence(result))
    }
}
