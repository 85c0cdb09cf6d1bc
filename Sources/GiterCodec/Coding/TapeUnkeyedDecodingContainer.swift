/// The unkeyed container of ``TapeDecoding``: reads the items of a sequence
/// on the tape in order.
struct TapeUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    private let decoder: TapeDecoding
    /// The sequence's head index on the tape.
    private let head: Int
    private let depth: Int
    private let extra: [NodeCodingPathComponent]
    let count: Int?
    private let itemCount: Int
    /// The tape index of the current item.
    private var item: Int

    private(set) var currentIndex = 0

    init(decoder: TapeDecoding, head: Int, depth: Int, extra: [NodeCodingPathComponent]) {
        self.decoder = decoder
        self.head = head
        self.depth = depth
        self.extra = extra
        self.itemCount = decoder.tape.childCount(head)
        self.count = itemCount
        self.item = decoder.tape.firstChild(head)
    }

    var codingPath: [any CodingKey] { decoder.path.codingPath(depth: depth, extra: extra) }
    var isAtEnd: Bool { currentIndex >= itemCount }

    private var itemPath: [any CodingKey] {
        decoder.path.codingPath(depth: depth, extra: extra, last: .index(currentIndex))
    }

    /// The current item; throws `valueNotFound` at the end.
    private func current(_ type: Any.Type) throws -> Int {
        if currentIndex < itemCount { return item }
        throw DecodingError.valueNotFound(
            type,
            DecodingError.Context(
                codingPath: itemPath,
                debugDescription:
                    "Expected \(type) but the sequence\(decoder.location(head).messageSuffix) has only \(itemCount) items"
            )
        )
    }

    private mutating func advance() {
        item = decoder.tape.next(item)
        currentIndex += 1
    }

    mutating func decodeNil() throws -> Bool {
        guard decoder.tape.kind(try current(Never?.self)) == .null else { return false }
        advance()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let value = try decoder.unboxBool(current(type), path: itemPath)
        advance()
        return value
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let value = try decoder.unboxString(current(type), path: itemPath)
        advance()
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
        advance()
        return value
    }

    private mutating func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let value = try decoder.unboxInteger(current(type), as: type, path: itemPath)
        advance()
        return value
    }

    private mutating func float<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type) throws -> F {
        let value = try decoder.unboxFloat(current(type), as: type, path: itemPath)
        advance()
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let value = try current(KeyedDecodingContainer<NestedKey>.self)
        guard decoder.tape.kind(value) == .mapping else {
            throw decoder.mismatch([String: Any].self, "a mapping", value, itemPath)
        }
        let container = TapeKeyedDecodingContainer<NestedKey>(
            TapeMappingDecoding(decoder: decoder, head: value, depth: depth, extra: extra + [.index(currentIndex)])
        )
        advance()
        return KeyedDecodingContainer(container)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let value = try current((any UnkeyedDecodingContainer).self)
        guard decoder.tape.kind(value) == .sequence else {
            throw decoder.mismatch([Any].self, "a sequence", value, itemPath)
        }
        let container = TapeUnkeyedDecodingContainer(
            decoder: decoder, head: value, depth: depth, extra: extra + [.index(currentIndex)])
        advance()
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let value = try current((any Decoder).self)
        var path = Array(decoder.path.prefix(depth))
        path.append(contentsOf: extra)
        path.append(.index(currentIndex))
        advance()
        return decoder.superDecoder(at: value, path: path)
    }
}
