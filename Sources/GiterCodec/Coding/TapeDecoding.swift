#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// The `Decoder` behind ``DocumentDecoder``, the codec's only one: reads
/// `Decodable` values from a ``DocumentTape``, read from text or written
/// from a ``Node`` tree (``DocumentTape/written(from:)``).
///
/// One instance decodes a whole document: decoding a nested value swaps the
/// current tape index and pushes a path component, calls `init(from:)` with
/// the same instance, then restores both, so no decoder object is allocated
/// per value. The decoder is also its own single-value container. Strings
/// are made only when asked for, keys are compared as bytes, and line and
/// column are computed only for an error (``TapeLocator``).
///
/// The mutable state is marked `@exclusivity(unchecked)`: one decoder is
/// used by one thread, its accesses are short and never overlap, and the
/// dynamic exclusivity checks would otherwise cost a large part of the
/// decoding time.
///
/// The tape and text are borrowed for the duration of ``DocumentDecoder``'s
/// call; ``invalidate()`` then replaces them with an empty view, so a
/// decoder kept by mistake past that call stops with a precondition failure
/// instead of reading freed memory.
final class TapeDecoding: Decoder, SingleValueDecodingContainer {
    @exclusivity(unchecked) private(set) var tape: TapeView
    let locator: TapeLocator
    /// The head index of the value `init(from:)` is currently reading.
    @exclusivity(unchecked) private(set) var index: Int
    /// The coding path of ``index``, as a stack.
    @exclusivity(unchecked) private(set) var path: [NodeCodingPathComponent]
    let userInfo: [CodingUserInfoKey: Any]
    let maxDepth: Int
    /// Where to start looking for the next key in the mapping at `hintMapping`:
    /// keys are usually asked for in document order.
    @exclusivity(unchecked) var hintMapping = -1
    @exclusivity(unchecked) var hintEntry = 0
    /// Key positions of large mappings, by head index, built on a lookup miss.
    @exclusivity(unchecked) var mappingIndexes: [Int: [String: Int]] = [:]
    /// Walks forward through the text for the locations of `Node` values.
    @exclusivity(unchecked) private(set) var nodeCursor: TapeLocator.Cursor
    /// The storage of the tape and text when they outlive the decoding (a
    /// tree read from text being decoded): `Node` values are then views of it.
    let document: TapeDocument?

    init(
        tape: TapeView,
        locator: TapeLocator,
        index: Int,
        path: [NodeCodingPathComponent] = [],
        userInfo: [CodingUserInfoKey: Any],
        maxDepth: Int,
        cursor: TapeLocator.Cursor? = nil,
        document: TapeDocument? = nil
    ) {
        self.document = document
        self.tape = tape
        self.locator = locator
        self.index = index
        self.path = path
        self.userInfo = userInfo
        self.maxDepth = maxDepth
        self.nodeCursor = cursor ?? TapeLocator.Cursor(locator)
    }

    /// Decoders made by `superDecoder()`, which borrow the same tape.
    @exclusivity(unchecked) private var children: [TapeDecoding] = []

    /// Drops the borrowed tape and text, here and in every decoder made from this one.
    func invalidate() {
        tape = .empty
        for child in children { child.invalidate() }
        children = []
    }

    /// A separate decoder for the value at `value`, with coding path `path`.
    func superDecoder(at value: Int, path: [NodeCodingPathComponent]) -> TapeDecoding {
        let decoder = TapeDecoding(
            tape: tape, locator: locator, index: value, path: path, userInfo: userInfo, maxDepth: maxDepth,
            document: document)
        children.append(decoder)
        return decoder
    }

    var codingPath: [any CodingKey] { path.codingPath(depth: path.count) }

    /// A separate decoder for a null value located where the value at
    /// `index` is: `superDecoder(forKey:)` for an absent key.
    func nullDecoder(locatedAt index: Int, path: [NodeCodingPathComponent]) -> TapeDecoding {
        let decoder = TapeDecoding(
            tape: .null, locator: .nodes([PackedLocation(location(index))]), index: 0, path: path, userInfo: userInfo,
            maxDepth: maxDepth)
        children.append(decoder)
        return decoder
    }

    /// The location of the value at `index`, for messages.
    func location(_ index: Int) -> SourceLocation? { locator.valueLocation(of: tape.offset(index)) }

    /// The current value as a ``Node`` tree, for `Node`'s `init(from:)`: a
    /// view of the ``document`` when there is one, else a tree of its own.
    var currentNode: Node {
        if let document { return Node(tape: document, index: index) }
        return tape.node(at: index, locator: locator, cursor: &nodeCursor)
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard tape.kind(index) == .mapping else {
            throw mismatch([String: Any].self, "a mapping", index, codingPath)
        }
        return KeyedDecodingContainer(
            TapeKeyedDecodingContainer<Key>(TapeMappingDecoding(decoder: self, head: index, depth: path.count, extra: []))
        )
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard tape.kind(index) == .sequence else {
            throw mismatch([Any].self, "a sequence", index, codingPath)
        }
        return TapeUnkeyedDecodingContainer(decoder: self, head: index, depth: path.count, extra: [])
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { tape.kind(index) == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try unboxBool(index, path: codingPath) }
    func decode(_ type: String.Type) throws -> String { try unboxString(index, path: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try unboxFloat(index, as: type, path: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try unboxFloat(index, as: type, path: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try unboxInteger(index, as: type, path: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try unboxInteger(index, as: type, path: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try unboxInteger(index, as: type, path: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try unboxInteger(index, as: type, path: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try unboxInteger(index, as: type, path: codingPath) }
    func decode(_ type: Int128.Type) throws -> Int128 { try unboxInteger(index, as: type, path: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try unboxInteger(index, as: type, path: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try unboxInteger(index, as: type, path: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try unboxInteger(index, as: type, path: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try unboxInteger(index, as: type, path: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try unboxInteger(index, as: type, path: codingPath) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try unboxInteger(index, as: type, path: codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try unbox(index, as: type, extra: [], pushing: nil) }

    // MARK: Decoding nested values

    /// Decodes the value at `value` as `T`: scalars and the Foundation types
    /// the codec represents as strings or numbers directly, arrays and
    /// `String`-keyed dictionaries directly (``NodeDirectlyDecodable``), every
    /// other type by its `init(from:)` with `extra` plus `component` pushed
    /// on the path.
    func unbox<T: Decodable>(
        _ value: Int,
        as type: T.Type,
        extra: [NodeCodingPathComponent],
        pushing component: NodeCodingPathComponent?
    ) throws -> T {
        // Each branch has checked that T is the type it produces, which
        // makes the bit casts identity conversions.
        if T.self == String.self {
            return unsafeBitCast(try unboxString(value, path: errorPath(extra, component)), to: T.self)
        } else if T.self == Int.self {
            return unsafeBitCast(try unboxInteger(value, as: Int.self, path: errorPath(extra, component)), to: T.self)
        } else if T.self == Bool.self {
            return unsafeBitCast(try unboxBool(value, path: errorPath(extra, component)), to: T.self)
        } else if T.self == Double.self {
            return unsafeBitCast(try unboxFloat(value, as: Double.self, path: errorPath(extra, component)), to: T.self)
        } else if T.self == Date.self {
            return unsafeBitCast(try unboxDate(value, path: errorPath(extra, component)), to: T.self)
        } else if T.self == Data.self {
            return unsafeBitCast(try unboxData(value, path: errorPath(extra, component)), to: T.self)
        } else if T.self == URL.self {
            return unsafeBitCast(try unboxURL(value, path: errorPath(extra, component)), to: T.self)
        } else if T.self == Decimal.self {
            return unsafeBitCast(try unboxDecimal(value, path: errorPath(extra, component)), to: T.self)
        }

        let savedIndex = index
        let savedCount = path.count
        let savedHint = (hintMapping, hintEntry)
        if !extra.isEmpty { path.append(contentsOf: extra) }
        if let component { path.append(component) }
        index = value
        defer {
            index = savedIndex
            (hintMapping, hintEntry) = savedHint
            while path.count > savedCount { path.removeLast() }
        }
        if path.count > maxDepth {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: codingPath,
                    debugDescription: "Values are nested deeper than \(maxDepth) levels\(location(value).messageSuffix)"
                )
            )
        }
        if let direct = directlyDecodable(T.self) {
            return try direct.decode(tapeValue: value, with: self, as: T.self)
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
}
