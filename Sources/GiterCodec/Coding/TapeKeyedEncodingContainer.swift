/// The keyed container of ``TapeEncoding``: appends the entries of a
/// mapping, each key before its value.
struct TapeKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    private let encoder: TapeEncoding
    /// The open mapping this container writes, or -1 when the tape cannot
    /// hold it (every write throws).
    private let id: Int
    /// How many components of the encoder's path this container's path starts with.
    private let depth: Int
    /// Components after those, for nested containers.
    private let extra: [NodeCodingPathComponent]

    init(encoder: TapeEncoding, id: Int, depth: Int, extra: [NodeCodingPathComponent]) {
        self.encoder = encoder
        self.id = id
        self.depth = depth
        self.extra = extra
    }

    var codingPath: [any CodingKey] { encoder.path.codingPath(depth: depth, extra: extra) }

    private func entry(_ key: Key, _ node: Node) throws {
        try encoder.prepareEntry(key.stringValue, in: id)
        encoder.appendNode(node)
    }

    mutating func encodeNil(forKey key: Key) throws { try entry(key, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try entry(key, Node(.bool(value))) }
    mutating func encode(_ value: String, forKey key: Key) throws {
        try encoder.prepareEntry(key.stringValue, in: id)
        encoder.tape.appendString(value)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }
    mutating func encode(_ value: Int128, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { try entry(key, NodeEncoding.box(value)) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encoder.prepareEntry(key.stringValue, in: id)
        try encoder.box(value, extra: extra, pushing: .key(key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(
            TapeKeyedEncodingContainer<NestedKey>(
                encoder: encoder,
                id: nested(isMapping: true, forKey: key),
                depth: depth,
                extra: extra + [.key(key)]
            )
        )
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TapeUnkeyedEncodingContainer(
            encoder: encoder,
            id: nested(isMapping: false, forKey: key),
            depth: depth,
            extra: extra + [.key(key)]
        )
    }

    /// Opens a collection as the value of `key`; asking twice for the same
    /// key (which merges in the tree encoder) cannot be held by the tape.
    private func nested(isMapping: Bool, forKey key: Key) -> Int {
        do {
            try encoder.prepareEntry(key.stringValue, in: id)
        } catch {
            return encoder.outOfOrderID()
        }
        return encoder.beginNested(isMapping: isMapping)
    }

    mutating func superEncoder() -> any Encoder { superEncoder(component: .superKey) }

    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(component: .key(key)) }

    /// An encoder whose value is written later: the tape cannot hold it.
    /// The encoder returned writes nowhere; the tree encoder takes over.
    private func superEncoder(component: NodeCodingPathComponent) -> any Encoder {
        _ = encoder.outOfOrderID()
        var path = Array(encoder.path.prefix(depth))
        path.append(contentsOf: extra)
        path.append(component)
        return NodeEncoding(path: path, userInfo: encoder.userInfo, sortedKeys: false)
    }
}
