#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// The `Encoder` behind ``DocumentEncoder``: turns `Encodable` values into a
/// ``Node`` tree.
///
/// One instance encodes a whole value. Encoding a nested value saves the
/// current storage, pushes a path component, calls `encode(to:)` with the
/// same instance and turns what it wrote into a node, then restores both.
/// Keyed and unkeyed containers write into reference builders (they must
/// outlive the container structs and may be nested); scalars are stored as
/// nodes at once. The encoder is also its own single-value container.
///
/// The mutable state here and in the builders is marked
/// `@exclusivity(unchecked)`: one encoder is used by one thread, its
/// accesses are short and never overlap, and the dynamic exclusivity checks
/// would otherwise cost about a sixth of the encoding time.
final class NodeEncoding: Encoder, SingleValueEncodingContainer {
    /// What `encode(to:)` has written so far at the current level.
    enum Storage {
        case empty
        case node(Node)
        case mapping(NodeMappingBuilder)
        case sequence(NodeSequenceBuilder)
    }

    @exclusivity(unchecked) private var storage = Storage.empty
    /// The coding path of the value being encoded, as a stack.
    @exclusivity(unchecked) private(set) var path: [NodeCodingPathComponent]
    let userInfo: [CodingUserInfoKey: Any]
    let sortedKeys: Bool
    var keyOrder: NodeMappingBuilder.KeyOrder { sortedKeys ? .bytes : .insertion }

    init(path: [NodeCodingPathComponent] = [], userInfo: [CodingUserInfoKey: Any], sortedKeys: Bool) {
        self.path = path
        self.userInfo = userInfo
        self.sortedKeys = sortedKeys
    }

    var codingPath: [any CodingKey] { path.codingPath(depth: path.count) }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let builder: NodeMappingBuilder
        if case .mapping(let existing) = storage {
            builder = existing  // a second request merges into the same mapping
        } else {
            builder = NodeMappingBuilder()
            storage = .mapping(builder)
        }
        return KeyedEncodingContainer(
            NodeKeyedEncodingContainer<Key>(encoder: self, builder: builder, depth: path.count, extra: [])
        )
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let builder: NodeSequenceBuilder
        if case .sequence(let existing) = storage {
            builder = existing
        } else {
            builder = NodeSequenceBuilder()
            storage = .sequence(builder)
        }
        return NodeUnkeyedEncodingContainer(encoder: self, builder: builder, depth: path.count, extra: [])
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    /// The node for what has been written at this level: an empty mapping
    /// when nothing was, as Foundation's encoders do.
    func finish() -> Node {
        switch storage {
        case .empty: Node(.mapping(Node.Mapping()))
        case .node(let node): node
        case .mapping(let builder): builder.finish(order: keyOrder, nestedOrder: keyOrder)
        case .sequence(let builder): builder.finish(order: keyOrder)
        }
    }

    // MARK: SingleValueEncodingContainer

    func encodeNil() { storage = .node(.null) }
    /// Encodes a node as it is (see `Node.encode(to:)`).
    func encodeNode(_ node: Node) { storage = .node(node) }
    func encode(_ value: Bool) { storage = .node(Node(.bool(value))) }
    func encode(_ value: String) { storage = .node(Node(.string(value))) }
    func encode(_ value: Double) { storage = .node(Self.box(value)) }
    func encode(_ value: Float) { storage = .node(Self.box(value)) }
    func encode(_ value: Int) { storage = .node(Self.box(value)) }
    func encode(_ value: Int8) { storage = .node(Self.box(value)) }
    func encode(_ value: Int16) { storage = .node(Self.box(value)) }
    func encode(_ value: Int32) { storage = .node(Self.box(value)) }
    func encode(_ value: Int64) { storage = .node(Self.box(value)) }
    func encode(_ value: Int128) { storage = .node(Self.box(value)) }
    func encode(_ value: UInt) { storage = .node(Self.box(value)) }
    func encode(_ value: UInt8) { storage = .node(Self.box(value)) }
    func encode(_ value: UInt16) { storage = .node(Self.box(value)) }
    func encode(_ value: UInt32) { storage = .node(Self.box(value)) }
    func encode(_ value: UInt64) { storage = .node(Self.box(value)) }
    func encode(_ value: UInt128) { storage = .node(Self.box(value)) }
    func encode<T: Encodable>(_ value: T) throws { storage = .node(try box(value, extra: [], pushing: nil)) }

    // MARK: Boxing

    static func box(_ value: some BinaryInteger) -> Node { Node(.number(Node.Number(value))) }
    static func box<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) -> Node {
        Node(.number(Node.Number(value)))
    }

    /// The node for `value`.
    ///
    /// Scalars and the Foundation types the codec represents as strings or
    /// numbers become nodes at once (``scalarNode(_:codingPath:)``); arrays
    /// and dictionaries are built directly (``NodeDirectlyEncodable``).
    /// Every other type is encoded by its `encode(to:)`, with `extra` plus
    /// `component` pushed on the path.
    func box<T: Encodable>(
        _ value: T,
        extra: [NodeCodingPathComponent],
        pushing component: NodeCodingPathComponent?
    ) throws -> Node {
        if let scalar = try Self.scalarNode(
            value,
            codingPath: path.codingPath(depth: path.count, extra: extra, last: component)
        ) {
            return scalar
        }
        let savedCount = path.count
        if !extra.isEmpty { path.append(contentsOf: extra) }
        if let component { path.append(component) }
        defer { while path.count > savedCount { path.removeLast() } }
        if let direct = knownTypes.value(
            for: T.self,
            in: nodeDirectlyEncodableTypes,
            check: { $0 as? any NodeDirectlyEncodable.Type }
        ) {
            return try direct.encode(value, with: self)
        }
        return try encodeWithContainers(value)
    }

    /// The node of `value` when it is a type the codec writes as a scalar:
    /// `String`, `Int`, `Bool`, `Double`, and `Date` (RFC 3339), `Data`
    /// (base64), `URL` (its absolute string) and `Decimal` (a number);
    /// otherwise `nil`. The one home of these representations, for both
    /// encoders.
    ///
    /// - Throws: `EncodingError.invalidValue` at `codingPath` for a date
    ///   outside the years 0000–9999 or a `Decimal` that is not a number.
    @inline(__always)
    static func scalarNode<T: Encodable>(
        _ value: T,
        codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> Node? {
        // Each branch has checked that T is the type it reads, which makes
        // the bit casts identity conversions.
        if T.self == String.self {
            return Node(.string(unsafeBitCast(value, to: String.self)))
        } else if T.self == Int.self {
            return Self.box(unsafeBitCast(value, to: Int.self))
        } else if T.self == Bool.self {
            return Node(.bool(unsafeBitCast(value, to: Bool.self)))
        } else if T.self == Double.self {
            return Self.box(unsafeBitCast(value, to: Double.self))
        } else if T.self == Date.self {
            let date = unsafeBitCast(value, to: Date.self)
            guard let text = RFC3339.string(from: date) else {
                throw EncodingError.invalidValue(
                    date,
                    EncodingError.Context(
                        codingPath: codingPath(),
                        debugDescription: "Date \(date.timeIntervalSince1970) has no RFC 3339 form (years 0000–9999)"
                    )
                )
            }
            return Node(.string(text))
        } else if T.self == Data.self {
            return Node(.string(unsafeBitCast(value, to: Data.self).base64EncodedString()))
        } else if T.self == URL.self {
            return Node(.string(unsafeBitCast(value, to: URL.self).absoluteString))
        } else if T.self == Decimal.self {
            let decimal = unsafeBitCast(value, to: Decimal.self)
            guard let number = Node.Number(decimal.description) else {
                throw EncodingError.invalidValue(
                    decimal,
                    EncodingError.Context(
                        codingPath: codingPath(),
                        debugDescription: "Decimal \(decimal) is not a number"
                    )
                )
            }
            return Node(.number(number))
        }
        return nil
    }

    /// Types already checked for ``NodeDirectlyEncodable`` by this encoder.
    @exclusivity(unchecked) private var knownTypes = NodeTypeMemo<(any NodeDirectlyEncodable.Type)?>()

    /// The node `value.encode(to:)` writes at the current path.
    func encodeWithContainers<T: Encodable>(_ value: T) throws -> Node {
        let savedStorage = storage
        storage = .empty
        defer { storage = savedStorage }
        try value.encode(to: self)
        return finish()
    }
}
