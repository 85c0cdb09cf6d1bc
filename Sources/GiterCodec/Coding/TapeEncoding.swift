#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// The `Encoder` behind ``DocumentEncoder``'s text methods: appends
/// `Encodable` values to an ``EncodingTape`` in the order they are written,
/// instead of building a ``Node`` tree.
///
/// The tape is append-only, so it holds what `encode(to:)` writes only
/// when every container is written in order: a container receives nothing
/// after a container opened later in it, or a value of an enclosing
/// container, has been written; no key is written twice in one mapping; a
/// value asks for one kind of container (or one single value) once; no
/// `superEncoder()`. Synthesized conformances and most hand-written ones
/// (nested containers filled at once, a subclass asking for the keyed
/// container its superclass asked for) do. Any other use sets
/// ``needsTree`` and throws ``OutOfOrder``; ``DocumentEncoder`` then
/// encodes the value again through the tree encoder, ``NodeEncoding``,
/// which allows it, so the result does not depend on which was used.
///
/// Like ``NodeEncoding``, one instance encodes one value on one thread;
/// its state is marked `@exclusivity(unchecked)` for the same reason.
final class TapeEncoding: Encoder, SingleValueEncodingContainer {
    /// Thrown where the tape cannot hold what `encode(to:)` writes.
    struct OutOfOrder: Error {}

    /// What the value being encoded at the current level has written.
    enum LevelState {
        case empty
        /// A scalar or a nested value: the level is complete.
        case value
        /// A container, by its id.
        case container(Int)
    }

    /// An open collection of a container: a mapping or sequence begun on
    /// the tape and not yet ended.
    struct OpenCollection {
        let id: Int
        let isMapping: Bool
        /// Items written (sequences) or where this mapping's keys start in
        /// `openKeys`.
        var count: Int
        /// The keys of a mapping that outgrew a linear search.
        var keySet: Set<String>?
    }

    let tape = EncodingTape()
    /// Set when the tape cannot hold the value: the result must come from
    /// the tree encoder, whatever `encode(to:)` did with the error.
    @exclusivity(unchecked) private(set) var needsTree = false
    @exclusivity(unchecked) private(set) var path: [NodeCodingPathComponent] = []
    @exclusivity(unchecked) private var open: [OpenCollection] = []
    /// The keys of every open mapping, innermost last.
    @exclusivity(unchecked) private var openKeys: [String] = []
    @exclusivity(unchecked) private var level = LevelState.empty
    /// How many open collections belong to enclosing levels.
    @exclusivity(unchecked) private var levelBase = 0
    @exclusivity(unchecked) private var nextID = 0
    @exclusivity(unchecked) private var knownTypes = NodeTypeMemo<(any NodeDirectlyEncodable.Type)?>()
    let userInfo: [CodingUserInfoKey: Any]

    init(userInfo: [CodingUserInfoKey: Any]) {
        self.userInfo = userInfo
    }

    var codingPath: [any CodingKey] { path.codingPath(depth: path.count) }

    static var linearKeySearchLimit: Int { 16 }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let id: Int
        switch level {
        case .empty:
            id = begin(isMapping: true)
            level = .container(id)
        case .container(let existing) where isOpen(existing, isMapping: true):
            id = existing  // a second request adds to the same mapping
        default:
            id = outOfOrderID()
        }
        return KeyedEncodingContainer(
            TapeKeyedEncodingContainer<Key>(encoder: self, id: id, depth: path.count, extra: [])
        )
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let id: Int
        switch level {
        case .empty:
            id = begin(isMapping: false)
            level = .container(id)
        case .container(let existing) where isOpen(existing, isMapping: false):
            id = existing  // a second request appends to the same sequence
        default:
            id = outOfOrderID()
        }
        return TapeUnkeyedEncodingContainer(encoder: self, id: id, depth: path.count, extra: [])
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: SingleValueEncodingContainer

    func encodeNil() throws { try single { tape.append(.null) } }
    /// Appends a tree as it is (see `Node.encode(to:)`).
    func encodeNode(_ node: Node) throws { try single { tape.appendNode(node) } }
    func encode(_ value: Bool) throws { try single { tape.append(value ? .true : .false) } }
    func encode(_ value: String) throws { try single { tape.appendString(value) } }
    func encode(_ value: Double) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode(_ value: Float) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode(_ value: Int) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode(_ value: Int8) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode(_ value: Int16) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode(_ value: Int32) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode(_ value: Int64) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode(_ value: Int128) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode(_ value: UInt) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode(_ value: UInt8) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode(_ value: UInt16) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode(_ value: UInt32) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode(_ value: UInt64) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode(_ value: UInt128) throws { try single { appendNode(NodeEncoding.box(value)) } }
    func encode<T: Encodable>(_ value: T) throws { try single { try box(value, extra: [], pushing: nil) } }

    /// Writes the single value of the current level; a level that has
    /// written something already would replace it, which the tape cannot.
    private func single(_ write: () throws -> Void) throws {
        guard case .empty = level else { throw outOfOrder() }
        level = .value
        try write()
    }

    // MARK: Boxing

    /// Appends a scalar node or a tree.
    func appendNode(_ node: Node) { tape.appendNode(node) }

    /// Appends `value` as the next value on the tape: a scalar at once,
    /// an array or dictionary directly (``NodeDirectlyEncodable``), any other
    /// type through its `encode(to:)` at a new level, with `extra` plus
    /// `component` pushed on the path.
    func box<T: Encodable>(
        _ value: T,
        extra: [NodeCodingPathComponent],
        pushing component: NodeCodingPathComponent?
    ) throws {
        if T.self == String.self {
            return tape.appendString(unsafeBitCast(value, to: String.self))  // T is String
        }
        if let scalar = try NodeEncoding.scalarNode(
            value,
            codingPath: path.codingPath(depth: path.count, extra: extra, last: component)
        ) {
            return tape.appendNode(scalar)
        }
        let savedCount = path.count
        if !extra.isEmpty { path.append(contentsOf: extra) }
        if let component { path.append(component) }
        defer { while path.count > savedCount { path.removeLast() } }
        if let direct = knownTypes.value(
            for: T.self,
            in: nodeDirectlyEncodableTypes,
            check: { $0 as? any NodeDirectlyEncodable.Type }
        ) {
            return try direct.encode(value, into: self)
        }
        try encodeWithContainers(value)
    }

    /// Appends what `value.encode(to:)` writes at the current path, as one
    /// value: an empty mapping when it writes nothing, as Foundation's
    /// encoders do.
    func encodeWithContainers<T: Encodable>(_ value: T) throws {
        let savedLevel = level
        let savedBase = levelBase
        level = .empty
        levelBase = open.count
        defer {
            level = savedLevel
            levelBase = savedBase
        }
        try value.encode(to: self)
        switch level {
        case .empty:
            tape.append(.beginMapping)
            tape.append(.end)
        case .value:
            break
        case .container:
            close(downTo: levelBase)
        }
    }

    /// The tree encoder at the current path, for values the tape takes as
    /// a finished tree (dictionaries of other keys).
    func treeEncoder() -> NodeEncoding {
        NodeEncoding(path: path, userInfo: userInfo, sortedKeys: false)
    }

    // MARK: Collections

    /// Begins a collection on the tape and opens it.
    private func begin(isMapping: Bool) -> Int {
        tape.append(isMapping ? .beginMapping : .beginSequence)
        let id = nextID
        nextID += 1
        open.append(OpenCollection(id: id, isMapping: isMapping, count: isMapping ? openKeys.count : 0))
        return id
    }

    /// Ends the open collections above `count`.
    private func close(downTo count: Int) {
        while open.count > count {
            let closed = open.removeLast()
            if closed.isMapping { openKeys.removeSubrange(closed.count...) }
            tape.append(.end)
        }
    }

    private func isOpen(_ id: Int, isMapping: Bool) -> Bool {
        guard let index = open.lastIndex(where: { $0.id == id }) else { return false }
        return index >= levelBase && open[index].isMapping == isMapping
    }

    /// Makes collection `id` the innermost one, ending those opened after it.
    ///
    /// - Throws: ``OutOfOrder`` when it is no longer open, or belongs to
    ///   an enclosing level whose current value is not finished.
    private func reopen(_ id: Int) throws -> Int {
        var index = open.count - 1
        while index >= levelBase {
            if open[index].id == id {
                close(downTo: index + 1)
                return index
            }
            index -= 1
        }
        throw outOfOrder()
    }

    /// Prepares the entry `key` of mapping `id`: its key on the tape.
    ///
    /// - Throws: ``OutOfOrder`` when the mapping already has `key` (the
    ///   tree encoder replaces the value in place) or is not writable.
    func prepareEntry(_ key: String, in id: Int) throws {
        let index = try reopen(id)
        if var keySet = open[index].keySet {
            open[index].keySet = nil
            let inserted = keySet.insert(key).inserted
            open[index].keySet = keySet
            guard inserted else { throw outOfOrder() }
        } else {
            let start = open[index].count
            let length = key.utf8.count
            var position = start
            while position < openKeys.count {
                let existing = openKeys[position]
                if existing.utf8.count == length && existing == key { throw outOfOrder() }
                position += 1
            }
            if openKeys.count - start < Self.linearKeySearchLimit {
                openKeys.append(key)
            } else {
                var keySet = Set(openKeys[start...])
                keySet.insert(key)
                open[index].keySet = keySet
            }
        }
        tape.appendKey(key)
    }

    /// Prepares the next item of sequence `id` and returns its index.
    func prepareItem(in id: Int) throws -> Int {
        let index = try reopen(id)
        defer { open[index].count += 1 }
        return open[index].count
    }

    /// The number of items written to sequence `id`. Asking a sequence
    /// that is no longer open is out of order: the tape no longer knows.
    func itemCount(of id: Int) -> Int {
        guard let sequence = open.last(where: { $0.id == id }) else {
            needsTree = true
            return 0
        }
        return sequence.count
    }

    /// Opens a collection as the value of an entry or item just prepared.
    func beginNested(isMapping: Bool) -> Int {
        begin(isMapping: isMapping)
    }

    /// Marks the value as one the tape cannot hold, and returns the error
    /// to throw.
    func outOfOrder() -> OutOfOrder {
        needsTree = true
        return OutOfOrder()
    }

    /// The id of a container whose writes all fail (see ``outOfOrder()``).
    func outOfOrderID() -> Int {
        needsTree = true
        return -1
    }
}
