/// The unkeyed container of ``NodeDecoding``: reads the items of a sequence
/// node in order.
struct NodeUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    private let decoder: NodeDecoding
    private let items: [Node]
    private let location: SourceLocation?
    private let depth: Int
    private let extra: [NodeCodingPathComponent]

    private(set) var currentIndex = 0

    init(
        decoder: NodeDecoding,
        items: [Node],
        location: SourceLocation?,
        depth: Int,
        extra: [NodeCodingPathComponent]
    ) {
        self.decoder = decoder
        self.items = items
        self.location = location
        self.depth = depth
        self.extra = extra
    }

    var codingPath: [any CodingKey] { decoder.path.codingPath(depth: depth, extra: extra) }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private var itemPath: [any CodingKey] {
        decoder.path.codingPath(depth: depth, extra: extra, last: .index(currentIndex))
    }

    /// The current item; throws `valueNotFound` at the end.
    private func current(_ type: Any.Type) throws -> Node {
        if currentIndex < items.count { return items[currentIndex] }
        let what = location == nil ? "the sequence" : "the sequence\(location.messageSuffix)"
        throw DecodingError.valueNotFound(
            type,
            DecodingError.Context(
                codingPath: itemPath,
                debugDescription: "Expected \(type) but \(what) has only \(items.count) items"
            )
        )
    }

    mutating func decodeNil() throws -> Bool {
        guard try current(Never?.self).isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let value = try decoder.unboxBool(current(type), path: itemPath)
        currentIndex += 1
        return value
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let value = try decoder.unboxString(current(type), path: itemPath)
        currentIndex += 1
        return value
    }

    mutating func decode(_ type: Double.Type) throws -> Double { try float(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try float(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try integer(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try decoder.unbox(current(type), as: type, extra: extra, pushing: .index(currentIndex))
        currentIndex += 1
        return value
    }

    private mutating func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let value = try decoder.unboxInteger(current(type), as: type, path: itemPath)
        currentIndex += 1
        return value
    }

    private mutating func float<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type) throws -> F {
        let value = try decoder.unboxFloat(current(type), as: type, path: itemPath)
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let node = try current(KeyedDecodingContainer<NestedKey>.self)
        guard case .mapping(let mapping) = node.content else {
            throw decoder.mismatch([String: Any].self, "a mapping", node, itemPath)
        }
        let container = NodeKeyedDecodingContainer<NestedKey>(
            NodeMappingDecoding(
                decoder: decoder,
                mapping: mapping,
                location: node.location,
                depth: depth,
                extra: extra + [.index(currentIndex)]
            )
        )
        currentIndex += 1
        return KeyedDecodingContainer(container)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let node = try current((any UnkeyedDecodingContainer).self)
        guard case .sequence(let nested) = node.content else {
            throw decoder.mismatch([Any].self, "a sequence", node, itemPath)
        }
        let container = NodeUnkeyedDecodingContainer(
            decoder: decoder,
            items: nested,
            location: node.location,
            depth: depth,
            extra: extra + [.index(currentIndex)]
        )
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let node = try current((any Decoder).self)
        var path = Array(decoder.path.prefix(depth))
        path.append(contentsOf: extra)
        path.append(.index(currentIndex))
        currentIndex += 1
        return NodeDecoding(node: node, path: path, userInfo: decoder.userInfo, maxDepth: decoder.maxDepth)
    }
}
