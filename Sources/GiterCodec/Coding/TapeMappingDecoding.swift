/// The non-generic part of a keyed decoding container over a tape: finds
/// keys in a mapping and decodes their values.
///
/// Keys are compared as UTF-8 bytes with the coding key's string, no
/// `String` made. The key after the one found last is tried first, so keys
/// asked for in document order are found at once; otherwise a small
/// mapping is scanned, and a mapping of more than ``linearSearchLimit``
/// entries gets a dictionary index (in the decoder) the first time that
/// hint fails, used for every later miss, so lookups in any order cost time
/// linear in the keys. Each method takes a key's string for the lookup and the
/// key itself for the coding path of an error.
struct TapeMappingDecoding {
    static var linearSearchLimit: Int { 16 }

    let decoder: TapeDecoding
    /// The mapping's head index on the tape.
    let head: Int
    /// How many components of the decoder's path this container's path starts with.
    private let depth: Int
    /// Components after those, for nested containers.
    private let extra: [NodeCodingPathComponent]

    init(decoder: TapeDecoding, head: Int, depth: Int, extra: [NodeCodingPathComponent]) {
        self.decoder = decoder
        self.head = head
        self.depth = depth
        self.extra = extra
    }

    var codingPath: [any CodingKey] { decoder.path.codingPath(depth: depth, extra: extra) }

    private func path(_ key: any CodingKey) -> [any CodingKey] {
        decoder.path.codingPath(depth: depth, extra: extra, last: .key(key))
    }

    /// The tape indices of the keys, in order.
    var keyIndices: [Int] {
        let tape = decoder.tape
        var keys: [Int] = []
        var key = tape.firstChild(head)
        let end = tape.end(head)
        while key < end {
            keys.append(key)
            key = tape.next(tape.next(key))
        }
        return keys
    }

    // MARK: Lookup

    /// The tape index of the value for `name`, if the mapping has it.
    func position(of name: String) -> Int? {
        if let found = name.utf8.withContiguousStorageIfAvailable({ position(of: $0, name: name) }) { return found }
        return Array(name.utf8).withUnsafeBufferPointer { position(of: $0, name: name) }
    }

    private func position(of bytes: UnsafeBufferPointer<UInt8>, name: String) -> Int? {
        let tape = decoder.tape
        let first = tape.firstChild(head)
        let end = tape.end(head)
        // Keys are usually asked for in document order: try the one after
        // the key found last.
        let hinted = decoder.hintMapping == head ? decoder.hintEntry : first
        if hinted < end && tape.key(hinted, equals: bytes, string: name) { return found(hinted) }
        // A large mapping indexed on an earlier miss: one lookup, whatever
        // the order keys are asked in.
        if let index = decoder.mappingIndexes[head] { return index[name].map(found) }
        var key = first
        var scanned = 0
        while key < end {
            if scanned == Self.linearSearchLimit {
                // A large mapping, asked out of order: index its keys once
                // (the first of equal keys wins, as in the scan), so this
                // and every later lookup cost one hash.
                var index = [String: Int]()
                for key in keyIndices where index[tape.string(key)] == nil { index[tape.string(key)] = key }
                decoder.mappingIndexes[head] = index
                return index[name].map(found)
            }
            if tape.key(key, equals: bytes, string: name) { return found(key) }
            key = tape.next(tape.next(key))
            scanned += 1
        }
        return nil
    }

    /// The value of the key at `key`, which becomes the hint for the next lookup.
    @inline(__always) private func found(_ key: Int) -> Int {
        let value = decoder.tape.next(key)
        decoder.hintMapping = head
        decoder.hintEntry = decoder.tape.next(value)
        return value
    }

    func require(_ name: String, _ key: any CodingKey) throws -> Int {
        if let value = position(of: name) { return value }
        throw DecodingError.keyNotFound(
            key,
            DecodingError.Context(
                codingPath: codingPath,
                debugDescription: "No value for key \"\(name)\" in the mapping\(decoder.location(head).messageSuffix)"
            )
        )
    }

    /// The value for `name` unless it is absent or null.
    private func present(_ name: String) -> Int? {
        guard let value = position(of: name), decoder.tape.kind(value) != .null else { return nil }
        return value
    }

    // MARK: Decoding

    func bool(_ name: String, _ key: any CodingKey) throws -> Bool {
        try decoder.unboxBool(require(name, key), path: path(key))
    }

    func string(_ name: String, _ key: any CodingKey) throws -> String {
        try decoder.unboxString(require(name, key), path: path(key))
    }

    func integer<I: FixedWidthInteger>(_ name: String, _ key: any CodingKey) throws -> I {
        try decoder.unboxInteger(require(name, key), as: I.self, path: path(key))
    }

    func float<F: BinaryFloatingPoint & LosslessStringConvertible>(_ name: String, _ key: any CodingKey) throws -> F {
        try decoder.unboxFloat(require(name, key), as: F.self, path: path(key))
    }

    func value<T: Decodable>(_ type: T.Type, _ name: String, _ key: any CodingKey) throws -> T {
        try decoder.unbox(require(name, key), as: type, extra: extra, pushing: .key(key))
    }

    func boolIfPresent(_ name: String, _ key: any CodingKey) throws -> Bool? {
        guard let value = present(name) else { return nil }
        return try decoder.unboxBool(value, path: path(key))
    }

    func stringIfPresent(_ name: String, _ key: any CodingKey) throws -> String? {
        guard let value = present(name) else { return nil }
        return try decoder.unboxString(value, path: path(key))
    }

    func integerIfPresent<I: FixedWidthInteger>(_ name: String, _ key: any CodingKey) throws -> I? {
        guard let value = present(name) else { return nil }
        return try decoder.unboxInteger(value, as: I.self, path: path(key))
    }

    func floatIfPresent<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ name: String,
        _ key: any CodingKey
    ) throws -> F? {
        guard let value = present(name) else { return nil }
        return try decoder.unboxFloat(value, as: F.self, path: path(key))
    }

    func valueIfPresent<T: Decodable>(_ type: T.Type, _ name: String, _ key: any CodingKey) throws -> T? {
        guard let value = present(name) else { return nil }
        return try decoder.unbox(value, as: type, extra: extra, pushing: .key(key))
    }

    // MARK: Nested containers

    func nestedMapping(_ name: String, _ key: any CodingKey) throws -> TapeMappingDecoding {
        let value = try require(name, key)
        guard decoder.tape.kind(value) == .mapping else {
            throw decoder.mismatch([String: Any].self, "a mapping", value, path(key))
        }
        return TapeMappingDecoding(decoder: decoder, head: value, depth: depth, extra: extra + [.key(key)])
    }

    func nestedSequence(_ name: String, _ key: any CodingKey) throws -> TapeUnkeyedDecodingContainer {
        let value = try require(name, key)
        guard decoder.tape.kind(value) == .sequence else {
            throw decoder.mismatch([Any].self, "a sequence", value, path(key))
        }
        return TapeUnkeyedDecodingContainer(decoder: decoder, head: value, depth: depth, extra: extra + [.key(key)])
    }

    /// A separate decoder for the value of `name`; null when the key is absent.
    func superDecoder(name: String, component: NodeCodingPathComponent) -> any Decoder {
        var path = Array(decoder.path.prefix(depth))
        path.append(contentsOf: extra)
        path.append(component)
        guard let value = position(of: name) else { return decoder.nullDecoder(locatedAt: head, path: path) }
        return decoder.superDecoder(at: value, path: path)
    }
}
