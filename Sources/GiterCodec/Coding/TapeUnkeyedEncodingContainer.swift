/// The unkeyed container of ``TapeEncoding``: appends the items of a sequence.
struct TapeUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    private let encoder: TapeEncoding
    /// The open sequence this container writes, or -1 when the tape cannot
    /// hold it (every write throws).
    private let id: Int
    private let depth: Int
    private let extra: [NodeCodingPathComponent]

    init(encoder: TapeEncoding, id: Int, depth: Int, extra: [NodeCodingPathComponent]) {
        self.encoder = encoder
        self.id = id
        self.depth = depth
        self.extra = extra
    }

    var codingPath: [any CodingKey] { encoder.path.codingPath(depth: depth, extra: extra) }
    var count: Int { encoder.itemCount(of: id) }

    private func item(_ node: Node) throws {
        _ = try encoder.prepareItem(in: id)
        encoder.appendNode(node)
    }

    mutating func encodeNil() throws { try item(.null) }
    mutating func encode(_ value: Bool) throws { try item(Node(.bool(value))) }
    mutating func encode(_ value: String) throws {
        _ = try encoder.prepareItem(in: id)
        encoder.tape.appendString(value)
    }
    mutating func encode(_ value: Double) throws { try item(NodeEncoding.box(value)) }
    mutating func encode(_ value: Float) throws { try item(NodeEncoding.box(value)) }
    mutating func encode(_ value: Int) throws { try item(NodeEncoding.box(value)) }
    mutating func encode(_ value: Int8) throws { try item(NodeEncoding.box(value)) }
    mutating func encode(_ value: Int16) throws { try item(NodeEncoding.box(value)) }
    mutating func encode(_ value: Int32) throws { try item(NodeEncoding.box(value)) }
    mutating func encode(_ value: Int64) throws { try item(NodeEncoding.box(value)) }
    mutating func encode(_ value: Int128) throws { try item(NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt) throws { try item(NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt8) throws { try item(NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt16) throws { try item(NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt32) throws { try item(NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt64) throws { try item(NodeEncoding.box(value)) }
    mutating func encode(_ value: UInt128) throws { try item(NodeEncoding.box(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = try encoder.prepareItem(in: id)
        try encoder.box(value, extra: extra, pushing: .index(index))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let (nested, index) = self.nested(isMapping: true)
        return KeyedEncodingContainer(
            TapeKeyedEncodingContainer<NestedKey>(
                encoder: encoder,
                id: nested,
                depth: depth,
                extra: extra + [.index(index)]
            )
        )
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let (nested, index) = self.nested(isMapping: false)
        return TapeUnkeyedEncodingContainer(encoder: encoder, id: nested, depth: depth, extra: extra + [.index(index)])
    }

    /// Opens a collection as the next item: its id and index.
    private func nested(isMapping: Bool) -> (id: Int, index: Int) {
        do {
            let index = try encoder.prepareItem(in: id)
            return (encoder.beginNested(isMapping: isMapping), index)
        } catch {
            return (encoder.outOfOrderID(), count)
        }
    }

    /// An encoder whose value is written later: the tape cannot hold it.
    /// The encoder returned writes nowhere; the tree encoder takes over.
    mutating func superEncoder() -> any Encoder {
        _ = encoder.outOfOrderID()
        var path = Array(encoder.path.prefix(depth))
        path.append(contentsOf: extra)
        path.append(.index(count))
        return NodeEncoding(path: path, userInfo: encoder.userInfo, sortedKeys: false)
    }
}
