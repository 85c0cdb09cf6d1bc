/// The non-generic part of a keyed decoding container: finds keys in a
/// mapping node and decodes their values.
///
/// Keys are found by a linear search in small mappings, which is what
/// resources are made of; mappings with more than ``linearSearchLimit``
/// entries get a dictionary index, built on the first lookup. Each method
/// takes a key's string for the lookup and the key itself for the coding
/// path of an error.
struct NodeMappingDecoding {
    static var linearSearchLimit: Int { 16 }

    /// A dictionary from key to entry position, shared by the copies of a container.
    private final class Index {
        var positions: [String: Int]?
    }

    let decoder: NodeDecoding
    let entries: [Node.Mapping.Entry]
    private let location: SourceLocation?
    /// How many components of the decoder's path this container's path starts with.
    private let depth: Int
    /// Components after those, for nested containers.
    private let extra: [NodeCodingPathComponent]
    private let index: Index?

    init(
        decoder: NodeDecoding,
        mapping: Node.Mapping,
        location: SourceLocation?,
        depth: Int,
        extra: [NodeCodingPathComponent]
    ) {
        self.decoder = decoder
        self.entries = mapping.entries
        self.location = location
        self.depth = depth
        self.extra = extra
        self.index = mapping.count > Self.linearSearchLimit ? Index() : nil
    }

    var codingPath: [any CodingKey] { decoder.path.codingPath(depth: depth, extra: extra) }

    private func path(_ key: any CodingKey) -> [any CodingKey] {
        decoder.path.codingPath(depth: depth, extra: extra, last: .key(key))
    }

    // MARK: Lookup

    func position(of name: String) -> Int? {
        if let index {
            if let positions = index.positions { return positions[name] }
            var positions = [String: Int](minimumCapacity: entries.count)
            for position in entries.indices where positions[entries[position].key] == nil {
                positions[entries[position].key] = position
            }
            index.positions = positions
            return positions[name]
        }
        // Comparing lengths first skips most mismatches without a string comparison.
        let length = name.utf8.count
        var position = 0
        while position < entries.count {
            let key = entries[position].key
            if key.utf8.count == length && key == name { return position }
            position += 1
        }
        return nil
    }

    func require(_ name: String, _ key: any CodingKey) throws -> Node {
        if let position = position(of: name) { return entries[position].value }
        let what = location == nil ? "the mapping" : "the mapping\(location.messageSuffix)"
        throw DecodingError.keyNotFound(
            key,
            DecodingError.Context(codingPath: codingPath, debugDescription: "No value for key \"\(name)\" in \(what)")
        )
    }

    /// The value for `name` unless it is absent or null.
    private func present(_ name: String) -> Node? {
        // Not `node.isNull ? nil : node`: `nil` would be the null node there.
        guard let position = position(of: name), !entries[position].value.isNull else { return nil }
        return entries[position].value
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
        guard let node = present(name) else { return nil }
        return try decoder.unboxBool(node, path: path(key))
    }

    func stringIfPresent(_ name: String, _ key: any CodingKey) throws -> String? {
        guard let node = present(name) else { return nil }
        return try decoder.unboxString(node, path: path(key))
    }

    func integerIfPresent<I: FixedWidthInteger>(_ name: String, _ key: any CodingKey) throws -> I? {
        guard let node = present(name) else { return nil }
        return try decoder.unboxInteger(node, as: I.self, path: path(key))
    }

    func floatIfPresent<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ name: String,
        _ key: any CodingKey
    ) throws -> F? {
        guard let node = present(name) else { return nil }
        return try decoder.unboxFloat(node, as: F.self, path: path(key))
    }

    func valueIfPresent<T: Decodable>(_ type: T.Type, _ name: String, _ key: any CodingKey) throws -> T? {
        guard let node = present(name) else { return nil }
        return try decoder.unbox(node, as: type, extra: extra, pushing: .key(key))
    }

    // MARK: Nested containers

    func nestedMapping(_ name: String, _ key: any CodingKey) throws -> NodeMappingDecoding {
        let node = try require(name, key)
        guard case .mapping(let nested) = node.content else {
            throw decoder.mismatch([String: Any].self, "a mapping", node, path(key))
        }
        return NodeMappingDecoding(
            decoder: decoder,
            mapping: nested,
            location: node.location,
            depth: depth,
            extra: extra + [.key(key)]
        )
    }

    func nestedSequence(_ name: String, _ key: any CodingKey) throws -> NodeUnkeyedDecodingContainer {
        let node = try require(name, key)
        guard case .sequence(let items) = node.content else {
            throw decoder.mismatch([Any].self, "a sequence", node, path(key))
        }
        return NodeUnkeyedDecodingContainer(
            decoder: decoder,
            items: items,
            location: node.location,
            depth: depth,
            extra: extra + [.key(key)]
        )
    }

    /// A separate decoder for the value of `name`; null when the key is absent.
    func superDecoder(name: String, component: NodeCodingPathComponent) -> any Decoder {
        var path = Array(decoder.path.prefix(depth))
        path.append(contentsOf: extra)
        path.append(component)
        let node = position(of: name).map { entries[$0].value } ?? Node(.null, location: location)
        return NodeDecoding(node: node, path: path, userInfo: decoder.userInfo, maxDepth: decoder.maxDepth)
    }
}
