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
    public func decode<T: Decodable>(_ type: T.Type, from node: Node) throws -> T {
        let decoder = NodeDecoding(node: node, userInfo: userInfo, maxDepth: limits.maxDepth)
        return try decoder.unbox(node, as: type, extra: [], pushing: nil)
    }

    /// Decodes a value of type `T` from YAML text that holds exactly one document.
    ///
    /// - Throws: ``CodecError`` for malformed YAML or a stream without
    ///   exactly one document; `DecodingError` when the document does not
    ///   match `T`.
    public func decode<T: Decodable>(_ type: T.Type, fromYAML text: String) throws -> T {
        try decode(type, from: YAMLReader(limits: limits).readDocument(text))
    }

    /// Decodes a value of type `T` from UTF-8 YAML text that holds exactly one document.
    public func decode<T: Decodable>(_ type: T.Type, fromYAML data: Data) throws -> T {
        let documents = try data.withUnsafeBytes { raw in
            try YAMLReader(limits: limits).read(buffer: raw.bindMemory(to: UInt8.self))
        }
        guard documents.count == 1 else {
            throw CodecError(
                .syntax,
                documents.isEmpty
                    ? "expected a YAML document, found an empty stream"
                    : "expected one YAML document, found \(documents.count); use decodeAll(_:fromYAML:)",
                at: documents.count > 1 ? documents[1].location : nil
            )
        }
        return try decode(type, from: documents[0])
    }

    /// Decodes every document of a YAML stream as a value of type `T`. An
    /// empty stream gives an empty array.
    public func decodeAll<T: Decodable>(_ type: T.Type, fromYAML text: String) throws -> [T] {
        try YAMLReader(limits: limits).read(text).map { try decode(type, from: $0) }
    }

    /// Decodes a value of type `T` from JSON text.
    ///
    /// - Throws: ``CodecError`` for malformed JSON; `DecodingError` when the
    ///   document does not match `T`.
    public func decode<T: Decodable>(_ type: T.Type, fromJSON text: String) throws -> T {
        try decode(type, from: JSONReader(limits: limits).read(text))
    }

    /// Decodes a value of type `T` from UTF-8 JSON text.
    public func decode<T: Decodable>(_ type: T.Type, fromJSON data: Data) throws -> T {
        let node = try data.withUnsafeBytes { raw in
            try JSONReader(limits: limits).read(buffer: raw.bindMemory(to: UInt8.self))
        }
        return try decode(type, from: node)
    }
}
