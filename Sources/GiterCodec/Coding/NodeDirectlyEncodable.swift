/// Collections that ``NodeEncoding`` turns into nodes directly rather than
/// through their `encode(to:)`.
///
/// Building the items of an array directly skips the existential unkeyed
/// container and its builder. Dictionaries are built directly too, and their
/// keys sorted: a `Dictionary` has no stable order of its own (it changes
/// from run to run), and the codec's output must be deterministic.
protocol NodeDirectlyEncodable: SendableMetatype {
    /// The node for `value`, which is a `Self`, at the encoder's current path.
    static func encode<T>(_ value: T, with encoder: NodeEncoding) throws -> Node
    /// Appends `value`, which is a `Self`, to the encoder's tape, in the
    /// order the method above gives it.
    static func encode<T>(_ value: T, into encoder: TapeEncoding) throws
}

/// The results of `as? any NodeDirectlyEncodable.Type` so far.
let nodeDirectlyEncodableTypes = NodeConformanceCache<(any NodeDirectlyEncodable.Type)?>()

extension Array: NodeDirectlyEncodable where Element: Encodable {
    static func encode<T>(_ value: T, with encoder: NodeEncoding) throws -> Node {
        let array = unsafeBitCast(value, to: [Element].self)  // T is Self
        var items: [Node] = []
        items.reserveCapacity(array.count)
        var index = 0
        while index < array.count {
            items.append(try encoder.box(array[index], extra: [], pushing: .index(index)))
            index += 1
        }
        return Node(.sequence(items))
    }

    static func encode<T>(_ value: T, into encoder: TapeEncoding) throws {
        let array = unsafeBitCast(value, to: [Element].self)  // T is Self
        guard !array.isEmpty else {
            encoder.tape.append(.beginSequence)
            return encoder.tape.append(.end)
        }
        encoder.tape.append(.beginSequence)
        var index = 0
        while index < array.count {
            try encoder.box(array[index], extra: [], pushing: .index(index))
            index += 1
        }
        encoder.tape.append(.end)
    }
}

extension Dictionary: NodeDirectlyEncodable where Key: Encodable, Value: Encodable {
    /// `String` keys sorted by their UTF-8 bytes, `Int` keys by value (or by
    /// bytes when the encoder sorts all keys); other keys are encoded as the
    /// standard library does, a mapping's keys then sorted by bytes.
    static func encode<T>(_ value: T, with encoder: NodeEncoding) throws -> Node {
        let dictionary = unsafeBitCast(value, to: [Key: Value].self)  // T is Self
        guard Key.self == String.self || Key.self == Int.self else {
            return NodeMappingBuilder.sortedByUTF8(try encoder.encodeWithContainers(dictionary))
        }
        var entries: [Node.Mapping.Entry] = []
        var integerKeys: [Int] = []
        entries.reserveCapacity(dictionary.count)
        for (key, value) in dictionary {
            let name: String
            if Key.self == String.self {
                name = unsafeBitCast(key, to: String.self)
            } else {
                let integer = unsafeBitCast(key, to: Int.self)
                integerKeys.append(integer)
                name = String(integer)
            }
            let node = try encoder.box(value, extra: [], pushing: .key(NodeCodingKey(stringValue: name)))
            entries.append(Node.Mapping.Entry(key: name, value: node))
        }
        if integerKeys.isEmpty || encoder.sortedKeys {
            return Node(.mapping(Node.Mapping(NodeMappingBuilder.sortedByUTF8(entries))))
        }
        return NodeMappingBuilder.sorted(entries, byIntegers: integerKeys)
    }

    /// The same order as the method above: the entries are appended in the
    /// dictionary's order, then their sorted order is recorded on the
    /// tape, where keys compare as bytes; no entry is moved (see
    /// `EncodingTape.sortEntries(mappingAt:startingAt:)`).
    static func encode<T>(_ value: T, into encoder: TapeEncoding) throws {
        let dictionary = unsafeBitCast(value, to: [Key: Value].self)  // T is Self
        guard Key.self == String.self || Key.self == Int.self else {
            return encoder.appendNode(
                NodeMappingBuilder.sortedByUTF8(try encoder.treeEncoder().encodeWithContainers(dictionary))
            )
        }
        var starts: [Int] = []
        starts.reserveCapacity(dictionary.count)
        var integerKeys: [Int] = []
        let begin = encoder.tape.endPosition
        encoder.tape.append(.beginMapping)
        for (key, value) in dictionary {
            let name: String
            if Key.self == String.self {
                name = unsafeBitCast(key, to: String.self)
            } else {
                let integer = unsafeBitCast(key, to: Int.self)
                integerKeys.append(integer)
                name = String(integer)
            }
            starts.append(encoder.tape.endPosition)
            encoder.tape.appendKey(name)
            try encoder.box(value, extra: [], pushing: .key(NodeCodingKey(stringValue: name)))
        }
        if integerKeys.isEmpty {
            encoder.tape.sortEntries(mappingAt: begin, startingAt: starts)
        } else {
            encoder.tape.sortEntries(mappingAt: begin, startingAt: starts, byIntegers: integerKeys)
        }
        encoder.tape.append(.end)
    }
}
