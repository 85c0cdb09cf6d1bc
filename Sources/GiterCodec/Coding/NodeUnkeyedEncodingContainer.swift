/// The unkeyed container of ``NodeEncoding``: appends the items of a sequence.
struct NodeUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    private let encoder: NodeEncoding
    private let builder: NodeSequenceBuilder
    private let depth: Int
    private let extra: [NodeCodingPathComponent]

    init(encoder: NodeEncoding, builder: NodeSequenceBuilder, depth: Int, extra: [NodeCodingPathComponent]) {
        self.encoder = encoder
        self.builder = builder
        self.depth = depth
        self.extra = extra
    }

    var codingPath: [any CodingKey] { encoder.path.codingPath(depth: depth, extra: extra) }
    var count: Int { builder.count }

    mutating func encodeNil() { builder.append(Node(.null)) }
    mutating func encode(_ value: Bool) { builder.append(Node(.bool(value))) }
    mutating func encode(_ value: String) { builder.append(Node(.string(value))) }
    mutating func encode(_ value: Double) { builder.append(NodeEncoding.box(value)) }
    mutating func encode(_ value: Float) { builder.append(NodeEncoding.box(value)) }
    mutating func encode(_ value: Int) { builder.append(NodeEncoding.box(value)) }
    mutating func encode(_ value: Int8) { builder.append(NodeEncoding.box(value)) }
    mutating func encode(_ value: Int16) { builder.append(NodeEncoding.box(value)) }
    mutating func encode(_ value: Int32) { builder.append(NodeEncoding.box(value)) }
    mutating func encode(_ value: Int64) { builder.append(NodeEncoding.box(value)) }
    mutating func encode(_ value: Int128) { builder.append(NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt) { builder.append(NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt8) { builder.append(NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt16) { builder.append(NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt32) { builder.append(NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt64) { builder.append(NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt128) { builder.append(NodeEncoding.box(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        builder.append(try encoder.box(value, extra: extra, pushing: .index(builder.count)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = NodeMappingBuilder()
        let index = builder.count
        builder.append(pending: .mapping(nested))
        return KeyedEncodingContainer(
            NodeKeyedEncodingContainer<NestedKey>(
                encoder: encoder,
                builder: nested,
                depth: depth,
                extra: extra + [.index(index)]
            )
        )
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = NodeSequenceBuilder()
        let index = builder.count
        builder.append(pending: .sequence(nested))
        return NodeUnkeyedEncodingContainer(
            encoder: encoder,
            builder: nested,
            depth: depth,
            extra: extra + [.index(index)]
        )
    }

    mutating func superEncoder() -> any Encoder {
        var path = Array(encoder.path.prefix(depth))
        path.append(contentsOf: extra)
        path.append(.index(builder.count))
        let superEncoder = NodeEncoding(path: path, userInfo: encoder.userInfo, sortedKeys: encoder.sortedKeys)
        builder.append(pending: .encoder(superEncoder))
        return superEncoder
    }
}
