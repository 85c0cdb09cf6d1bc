/// The keyed container of ``TapeDecoding``: reads the entries of a mapping
/// on the tape.
///
/// It only turns each key into its string and an existential and hands
/// over to the non-generic ``TapeMappingDecoding``.
struct TapeKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    private let mapping: TapeMappingDecoding

    init(_ mapping: TapeMappingDecoding) { self.mapping = mapping }

    var codingPath: [any CodingKey] { mapping.codingPath }
    var allKeys: [Key] {
        let tape = mapping.decoder.tape
        var keys: [Key] = []
        for index in mapping.keyIndices {
            if let key = Key(stringValue: tape.string(index)) { keys.append(key) }
        }
        return keys
    }
    func contains(_ key: Key) -> Bool { mapping.position(of: key.stringValue) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        mapping.decoder.tape.kind(try mapping.require(key.stringValue, key)) == .null
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try mapping.bool(key.stringValue, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try mapping.string(key.stringValue, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try mapping.float(key.stringValue, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try mapping.float(key.stringValue, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try mapping.integer(key.stringValue, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try mapping.integer(key.stringValue, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try mapping.integer(key.stringValue, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try mapping.integer(key.stringValue, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try mapping.integer(key.stringValue, key) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try mapping.integer(key.stringValue, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try mapping.integer(key.stringValue, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try mapping.integer(key.stringValue, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try mapping.integer(key.stringValue, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try mapping.integer(key.stringValue, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try mapping.integer(key.stringValue, key) }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 {
        try mapping.integer(key.stringValue, key)
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try mapping.value(type, key.stringValue, key)
    }

    // Absent and null both give nil.

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try mapping.boolIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try mapping.stringIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try mapping.floatIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        try mapping.floatIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try mapping.integerIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? {
        try mapping.integerIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? {
        try mapping.integerIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        try mapping.integerIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        try mapping.integerIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: Int128.Type, forKey key: Key) throws -> Int128? {
        try mapping.integerIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? {
        try mapping.integerIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? {
        try mapping.integerIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? {
        try mapping.integerIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? {
        try mapping.integerIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? {
        try mapping.integerIfPresent(key.stringValue, key)
    }
    func decodeIfPresent(_ type: UInt128.Type, forKey key: Key) throws -> UInt128? {
        try mapping.integerIfPresent(key.stringValue, key)
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try mapping.valueIfPresent(type, key.stringValue, key)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(TapeKeyedDecodingContainer<NestedKey>(try mapping.nestedMapping(key.stringValue, key)))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try mapping.nestedSequence(key.stringValue, key)
    }

    func superDecoder() throws -> any Decoder {
        mapping.superDecoder(name: "super", component: .superKey)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        mapping.superDecoder(name: key.stringValue, component: .key(key))
    }
}
