#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Decodes `Decodable` values from YAML or JSON documents, or from a
/// ``Node`` tree.
///
/// ```swift
/// let resource = try DocumentDecoder().decode(Resource.self, fromYAML: text)
/// ```
///
/// Syntax errors are ``CodecError``s. Type errors are standard
/// `DecodingError`s whose context has the full coding path and whose
/// `debugDescription` ends with the line and column of the offending value,
/// for example `Expected Int but found a string at line 12, column 9`.
///
/// Decoding is strict, like Foundation's JSON decoding: a string never
/// decodes as a number or a boolean, nor the other way round. Optional
/// properties decode as `nil` when their key is absent or null. `Date` is
/// read from an RFC 3339 string, `Data` from base64, `URL` from its string,
/// `Decimal` from a number.
public struct DocumentDecoder: Sendable {
    /// Values made available to `init(from:)` through `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]
    /// Limits for reading text and for the nesting depth of decoded values.
    public var limits: ParseLimits

    /// A decoder with the given limits and user info.
    public init(limits: ParseLimits = .default, userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.limits = limits
        self.userInfo = userInfo
    }

    /// Decodes a value of type `T` from a node tree.
    ///
    /// Errors name the line and column of the offending node when the tree
    /// was read from text; nodes built in code have no location.
    ///
    /// - Throws: `DecodingError` when the tree does not match `T`;
    ///   ``CodecError`` (``CodecError/Code/limitExceeded``) for a tree too
    ///   large to decode.
    public func decode<T: Decodable>(_ type: T.Type, from node: Node) throws -> T {
        if T.self == Node.self { return node as! T }  // the tree as it is, locations included
        if case .tape(let document, let index) = node.storage {
            // A node read from text that was not changed: decode its tape.
            return try document.withText { text in
                var cursor = TapeLocator.Cursor(document.locator(text))
                return try decode(
                    type, from: document.tape, root: index, text: text, locator: document.locator(text),
                    cursor: &cursor, document: document)
            }
        }
        // One decoder for text and trees: the tree is written to a tape
        // whose offsets index the nodes' locations.
        let (tape, locations) = try DocumentTape.written(from: node)
        return try decode(
            type, from: tape, root: tape.roots[0], text: UnsafeBufferPointer(start: nil, count: 0),
            locator: .nodes(locations))
    }

    /// Decodes a value of type `T` from YAML text that holds exactly one document.
    ///
    /// - Throws: ``CodecError`` for malformed YAML or a stream without
    ///   exactly one document; `DecodingError` when the document does not
    ///   match `T`.
    public func decode<T: Decodable>(_ type: T.Type, fromYAML text: String) throws -> T {
        var text = text
        return try text.withUTF8 { buffer in
            try decodeYAML(buffer, tooMany: "read them with read(_:) instead") { tape, input, locator in
                try decode(type, from: tape, root: tape.roots[0], text: input.bytes, locator: locator)
            }
        }
    }

    /// Decodes a value of type `T` from UTF-8 YAML text that holds exactly one document.
    public func decode<T: Decodable>(_ type: T.Type, fromYAML data: Data) throws -> T {
        try data.withUnsafeBytes { raw in
            try decodeYAML(raw.bindMemory(to: UInt8.self), tooMany: "use decodeAll(_:fromYAML:)") {
                tape, input, locator in
                try decode(type, from: tape, root: tape.roots[0], text: input.bytes, locator: locator)
            }
        }
    }

    /// Decodes every document of a YAML stream as a value of type `T`. An
    /// empty stream gives an empty array.
    public func decodeAll<T: Decodable>(_ type: T.Type, fromYAML text: String) throws -> [T] {
        var text = text
        return try text.withUTF8 { buffer in
            try YAMLReader(limits: limits).withTape(buffer) { tape, input in
                let locator = TapeLocator.yaml(input)
                // One cursor for all documents: they follow each other in
                // the text, so locating their nodes is one pass, not one per
                // document (which was quadratic in the number of documents).
                var cursor = TapeLocator.Cursor(locator)
                return try tape.roots.map {
                    try decode(type, from: tape, root: $0, text: input.bytes, locator: locator, cursor: &cursor)
                }
            }
        }
    }

    /// Decodes a value of type `T` from JSON text.
    ///
    /// - Throws: ``CodecError`` for malformed JSON; `DecodingError` when the
    ///   document does not match `T`.
    public func decode<T: Decodable>(_ type: T.Type, fromJSON text: String) throws -> T {
        var text = text
        return try text.withUTF8 { try decodeJSON(type, buffer: $0) }
    }

    /// Decodes a value of type `T` from UTF-8 JSON text.
    public func decode<T: Decodable>(_ type: T.Type, fromJSON data: Data) throws -> T {
        try data.withUnsafeBytes { raw in try decodeJSON(type, buffer: raw.bindMemory(to: UInt8.self)) }
    }

    // MARK: Decoding from a tape

    /// Reads YAML text that must hold one document and calls `body` with its tape.
    private func decodeYAML<R>(
        _ buffer: UnsafeBufferPointer<UInt8>,
        tooMany hint: String,
        _ body: (DocumentTape, YAMLInput, TapeLocator) throws -> R
    ) throws -> R {
        try YAMLReader(limits: limits).withTape(buffer) { tape, input in
            let locator = TapeLocator.yaml(input)
            guard tape.roots.count == 1 else {
                let second = tape.roots.count > 1 ? tape.withView(text: input.bytes) { $0.offset(tape.roots[1]) } : nil
                throw CodecError(
                    .syntax,
                    tape.roots.isEmpty
                        ? "expected a YAML document, found an empty stream"
                        : "expected one YAML document, found \(tape.roots.count); \(hint)",
                    at: second.flatMap { locator.valueLocation(of: $0) }
                )
            }
            return try body(tape, input, locator)
        }
    }

    private func decodeJSON<T: Decodable>(_ type: T.Type, buffer: UnsafeBufferPointer<UInt8>) throws -> T {
        let tape = try JSONReader(limits: limits).readTape(buffer: buffer, stream: false)
        return try decode(type, from: tape, root: tape.roots[0], text: buffer, locator: .json(buffer))
    }

    /// Decodes the value at `root` of `tape`, which was read from `text`.
    func decode<T: Decodable>(
        _ type: T.Type,
        from tape: DocumentTape,
        root: Int,
        text: UnsafeBufferPointer<UInt8>,
        locator: TapeLocator
    ) throws -> T {
        var cursor = TapeLocator.Cursor(locator)
        return try decode(type, from: tape, root: root, text: text, locator: locator, cursor: &cursor)
    }

    /// Decodes the value at `root` of `tape`, locating nodes with `cursor`,
    /// which is left where the decoding left it, for the next document.
    func decode<T: Decodable>(
        _ type: T.Type,
        from tape: DocumentTape,
        root: Int,
        text: UnsafeBufferPointer<UInt8>,
        locator: TapeLocator,
        cursor: inout TapeLocator.Cursor,
        document: TapeDocument? = nil
    ) throws -> T {
        let start = cursor
        let (value, end) = try tape.withView(text: text) { view in
            let decoder = TapeDecoding(
                tape: view, locator: locator, index: root, userInfo: userInfo, maxDepth: limits.maxDepth, cursor: start,
                document: document)
            defer { decoder.invalidate() }
            return (try decoder.unbox(root, as: type, extra: [], pushing: nil), decoder.nodeCursor)
        }
        cursor = end
        return value
    }
}
