/// The keyed container of ``NodeEncoding``: writes the entries of a mapping.
struct NodeKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    private let encoder: NodeEncoding
    private let builder: NodeMappingBuilder
    /// How many components of the encoder's path this container's path starts with.
    private let depth: Int
    /// Components after those, for nested containers.
    private let extra: [NodeCodingPathComponent]

    init(encoder: NodeEncoding, builder: NodeMappingBuilder, depth: Int, extra: [NodeCodingPathComponent]) {
        self.encoder = encoder
        self.builder = builder
        self.depth = depth
        self.extra = extra
    }

    var codingPath: [any CodingKey] { encoder.path.codingPath(depth: depth, extra: extra) }

    mutating func encodeNil(forKey key: Key) { builder.set(key.stringValue, Node(.null)) }
    mutating func encode(_ value: Bool, forKey key: Key) { builder.set(key.stringValue, Node(.bool(value))) }
    mutating func encode(_ value: String, forKey key: Key) { builder.set(key.stringValue, Node(.string(value))) }
    mutating func encode(_ value: Double, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }
    mutating func encode(_ value: Float, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }
    mutating func encode(_ value: Int, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }
    mutating func encode(_ value: Int128, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt128, forKey key: Key) { builder.set(key.stringValue, NodeEncoding.box(value)) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        builder.set(key.stringValue, try encoder.box(value, extra: extra, pushing: .key(key)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested: NodeMappingBuilder
        if case .mapping(let existing) = builder.pendingValue(for: key.stringValue) {
            nested = existing  // asking twice for the same key merges
        } else {
            nested = NodeMappingBuilder()
            builder.set(key.stringValue, pending: .mapping(nested))
        }
        return KeyedEncodingContainer(
            NodeKeyedEncodingContainer<NestedKey>(
                encoder: encoder,
                builder: nested,
                depth: depth,
                extra: extra + [.key(key)]
            )
        )
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested: NodeSequenceBuilder
        if case .sequence(let existing) = builder.pendingValue(for: key.stringValue) {
            nested = existing
        } else {
            nested = NodeSequenceBuilder()
            builder.set(key.stringValue, pending: .sequence(nested))
        }
        return NodeUnkeyedEncodingContainer(encoder: encoder, builder: nested, depth: depth, extra: extra + [.key(key)])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(name: "super", component: .superKey) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder(name: key.stringValue, component: .key(key))
    }

    private func superEncoder(name: String, component: NodeCodingPathComponent) -> any Encoder {
        var path = Array(encoder.path.prefix(depth))
        path.append(contentsOf: extra)
        path.append(component)
        let superEncoder = NodeEncoding(path: path, userInfo: encoder.userInfo, sortedKeys: encoder.sortedKeys)
        builder.set(name, pending: .encoder(superEncoder))
        return superEncoder
    }
}
