#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// The `Decoder` behind ``DocumentDecoder``: reads `Decodable` values out of
/// a ``Node`` tree.
///
/// One instance decodes a whole tree. Decoding a nested value swaps the
/// current node and pushes a path component, calls `init(from:)` with the
/// same instance, then restores both, so no decoder object is allocated per
/// value. The decoder is also its own single-value container.
///
/// The mutable state is marked `@exclusivity(unchecked)`: one decoder is
/// used by one thread, its accesses are short and never overlap, and the
/// dynamic exclusivity checks would otherwise cost about a sixth of the
/// decoding time.
final class NodeDecoding: Decoder, SingleValueDecodingContainer {
    /// The node `init(from:)` is currently reading.
    @exclusivity(unchecked) private(set) var node: Node
    /// The coding path of ``node``, as a stack.
    @exclusivity(unchecked) private(set) var path: [NodeCodingPathComponent]
    let userInfo: [CodingUserInfoKey: Any]
    let maxDepth: Int

    init(node: Node, path: [NodeCodingPathComponent] = [], userInfo: [CodingUserInfoKey: Any], maxDepth: Int) {
        self.node = node
        self.path = path
        self.userInfo = userInfo
        self.maxDepth = maxDepth
    }

    var codingPath: [any CodingKey] { path.codingPath(depth: path.count) }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = node.content else {
            throw mismatch([String: Any].self, "a mapping", node, codingPath)
        }
        return KeyedDecodingContainer(
            NodeKeyedDecodingContainer<Key>(
                NodeMappingDecoding(
                    decoder: self,
                    mapping: mapping,
                    location: node.location,
                    depth: path.count,
                    extra: []
                )
            )
        )
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let items) = node.content else {
            throw mismatch([Any].self, "a sequence", node, codingPath)
        }
        return NodeUnkeyedDecodingContainer(
            decoder: self,
            items: items,
            location: node.location,
            depth: path.count,
            extra: []
        )
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { node.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try unboxBool(node, path: codingPath) }
    func decode(_ type: String.Type) throws -> String { try unboxString(node, path: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try unboxFloat(node, as: type, path: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try unboxFloat(node, as: type, path: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try unboxInteger(node, as: type, path: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try unboxInteger(node, as: type, path: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try unboxInteger(node, as: type, path: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try unboxInteger(node, as: type, path: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try unboxInteger(node, as: type, path: codingPath) }
    func decode(_ type: Int128.Type) throws -> Int128 { try unboxInteger(node, as: type, path: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try unboxInteger(node, as: type, path: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try unboxInteger(node, as: type, path: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try unboxInteger(node, as: type, path: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try unboxInteger(node, as: type, path: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try unboxInteger(node, as: type, path: codingPath) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try unboxInteger(node, as: type, path: codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try unbox(node, as: type, extra: [], pushing: nil) }

    // MARK: Unboxing

    func unboxBool(_ node: Node, path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        if case .bool(let value) = node.content { return value }
        throw mismatch(Bool.self, "Bool", node, path())
    }

    func unboxString(_ node: Node, path: @autoclosure () -> [any CodingKey]) throws -> String {
        if case .string(let value) = node.content { return value }
        throw mismatch(String.self, "String", node, path())
    }

    func unboxInteger<I: FixedWidthInteger>(
        _ node: Node,
        as type: I.Type,
        path: @autoclosure () -> [any CodingKey]
    ) throws -> I {
        guard case .number(let number) = node.content else { throw mismatch(I.self, "\(I.self)", node, path()) }
        if let value = Self.decimalInteger(number.text, as: I.self) ?? number.integer(as: I.self) { return value }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: path(),
                debugDescription: "Number \(number.text) does not fit in \(I.self)\(node.location.messageSuffix)"
            )
        )
    }

    func unboxFloat<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ node: Node,
        as type: F.Type,
        path: @autoclosure () -> [any CodingKey]
    ) throws -> F {
        guard case .number(let number) = node.content else { throw mismatch(F.self, "\(F.self)", node, path()) }
        let value = number.floatingPoint(as: F.self)
        // An infinity is only right when the text says so; otherwise the
        // number is too large for the type.
        if value.isInfinite, !number.text.utf8.contains(where: { $0 | 0x20 == UInt8(ascii: "i") }) {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: path(),
                    debugDescription: "Number \(number.text) does not fit in \(F.self)\(node.location.messageSuffix)"
                )
            )
        }
        return value
    }

    /// Decodes `node` as `T`.
    ///
    /// Scalars and the Foundation types the codec represents as strings or
    /// numbers are read directly. Arrays and `String`-keyed dictionaries are
    /// built directly too, which is much faster than through their
    /// `init(from:)` and gives the same result. Every other type is decoded
    /// by its `init(from:)`, with `node` as the current node and `extra`
    /// plus `component` pushed on the path.
    func unbox<T: Decodable>(
        _ node: Node,
        as type: T.Type,
        extra: [NodeCodingPathComponent],
        pushing component: NodeCodingPathComponent?
    ) throws -> T {
        // Each branch has checked that T is the type it produces, which
        // makes the bit casts identity conversions.
        if T.self == String.self {
            return unsafeBitCast(try unboxString(node, path: errorPath(extra, component)), to: T.self)
        } else if T.self == Int.self {
            return unsafeBitCast(try unboxInteger(node, as: Int.self, path: errorPath(extra, component)), to: T.self)
        } else if T.self == Bool.self {
            return unsafeBitCast(try unboxBool(node, path: errorPath(extra, component)), to: T.self)
        } else if T.self == Double.self {
            return unsafeBitCast(try unboxFloat(node, as: Double.self, path: errorPath(extra, component)), to: T.self)
        } else if T.self == Date.self {
            return unsafeBitCast(try unboxDate(node, path: errorPath(extra, component)), to: T.self)
        } else if T.self == Data.self {
            return unsafeBitCast(try unboxData(node, path: errorPath(extra, component)), to: T.self)
        } else if T.self == URL.self {
            return unsafeBitCast(try unboxURL(node, path: errorPath(extra, component)), to: T.self)
        } else if T.self == Decimal.self {
            return unsafeBitCast(try unboxDecimal(node, path: errorPath(extra, component)), to: T.self)
        }

        let savedNode = self.node
        let savedCount = path.count
        if !extra.isEmpty { path.append(contentsOf: extra) }
        if let component { path.append(component) }
        self.node = node
        defer {
            self.node = savedNode
            while path.count > savedCount { path.removeLast() }
        }
        if path.count > maxDepth {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: codingPath,
                    debugDescription: "Values are nested deeper than \(maxDepth) levels\(node.location.messageSuffix)"
                )
            )
        }
        if let direct = directlyDecodable(T.self) {
            return try direct.decode(node, with: self, as: T.self)
        }
        return try T(from: self)
    }

    /// Types already checked for ``NodeDirectlyDecodable`` by this decoder.
    @exclusivity(unchecked) private var knownTypes = NodeTypeMemo<(any NodeDirectlyDecodable.Type)?>()

    private func directlyDecodable(_ type: Any.Type) -> (any NodeDirectlyDecodable.Type)? {
        knownTypes.value(for: type, in: nodeDirectlyDecodableTypes) { $0 as? any NodeDirectlyDecodable.Type }
    }

    /// The coding path of the value at `extra` plus `component`, for errors.
    private func errorPath(_ extra: [NodeCodingPathComponent], _ component: NodeCodingPathComponent?) -> [any CodingKey]
    {
        path.codingPath(depth: path.count, extra: extra, last: component)
    }

    private func unboxDate(_ node: Node, path: @autoclosure () -> [any CodingKey]) throws -> Date {
        let text = try unboxString(node, path: path())
        if let date = RFC3339.date(from: text) { return date }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: path(),
                debugDescription: "Expected an RFC 3339 date such as 2024-05-01T12:30:00Z but found \"\(text)\""
                    + node.location.messageSuffix
            )
        )
    }

    private func unboxData(_ node: Node, path: @autoclosure () -> [any CodingKey]) throws -> Data {
        let text = try unboxString(node, path: path())
        if let data = Data(base64Encoded: text) { return data }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: path(),
                debugDescription: "Expected base64-encoded data\(node.location.messageSuffix)"
            )
        )
    }

    private func unboxURL(_ node: Node, path: @autoclosure () -> [any CodingKey]) throws -> URL {
        let text = try unboxString(node, path: path())
        if let url = URL(string: text) { return url }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: path(),
                debugDescription: "Expected a URL but found \"\(text)\"\(node.location.messageSuffix)"
            )
        )
    }

    private func unboxDecimal(_ node: Node, path: @autoclosure () -> [any CodingKey]) throws -> Decimal {
        guard case .number(let number) = node.content else {
            throw mismatch(Decimal.self, "Decimal", node, path())
        }
        if let text = number.jsonText, let value = Decimal(string: text) { return value }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: path(),
                debugDescription: "Number \(number.text) does not fit in Decimal\(node.location.messageSuffix)"
            )
        )
    }

    /// The integer in a plain decimal text (`-12`, `+3`, `007`), or `nil`
    /// when the text has another form or the value does not fit; the caller
    /// then falls back to ``Node/Number/integer(as:)``.
    private static func decimalInteger<I: FixedWidthInteger>(_ text: String, as type: I.Type) -> I? {
        var utf8 = text.utf8.makeIterator()
        guard var byte = utf8.next() else { return nil }
        var negative = false
        if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
            negative = byte == UInt8(ascii: "-")
            guard let next = utf8.next() else { return nil }
            byte = next
        }
        var value: I = 0
        while true {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (added, overflow2) =
                negative
                ? shifted.subtractingReportingOverflow(I(digit)) : shifted.addingReportingOverflow(I(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = added
            guard let next = utf8.next() else { return value }
            byte = next
        }
    }

    // MARK: Errors

    /// The error for a node of the wrong kind: `valueNotFound` for null,
    /// `typeMismatch` otherwise.
    func mismatch(_ type: Any.Type, _ expected: String, _ node: Node, _ path: [any CodingKey]) -> DecodingError {
        let found = node.isNull ? "null" : node.kindDescription
        let context = DecodingError.Context(
            codingPath: path,
            debugDescription: "Expected \(expected) but found \(found)\(node.location.messageSuffix)"
        )
        return node.isNull ? .valueNotFound(type, context) : .typeMismatch(type, context)
    }
}
