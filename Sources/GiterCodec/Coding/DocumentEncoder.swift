#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Encodes `Encodable` values as YAML or JSON documents, or as a ``Node``
/// tree.
///
/// ```swift
/// let yaml = try DocumentEncoder().encodeYAML(resource)
/// ```
///
/// Mapping keys come in the order `encode(to:)` writes them, which for
/// synthesized conformances is the declaration order, unless ``sortedKeys``
/// is set. A `Dictionary`'s keys, which have no stable order of their own,
/// are always sorted: `String` keys by their UTF-8 bytes, `Int` keys by value.
///
/// Optionals follow Foundation: `encodeIfPresent` (and so a synthesized
/// conformance) leaves out a `nil` value, `encodeNil` writes null. `Date`
/// becomes an RFC 3339 string in UTC, `Data` a base64 string, `URL` its
/// absolute string, `Decimal` a number. A value that encodes nothing becomes
/// an empty mapping.
///
/// The text methods do not build a ``Node`` tree: they append the value to
/// a compact tape as `encode(to:)` writes it and write the text from that,
/// so that encoding needs little more memory than its text. The text is
/// the one the tree would give. An `encode(to:)` that uses its containers
/// out of order — writes a key twice, fills a nested container after its
/// parent went on, keeps a container past its value, or calls
/// `superEncoder()` — is run a second time, through the tree; so is every
/// encoding with sorted keys.
public struct DocumentEncoder: Sendable {
    /// Values made available to `encode(to:)` through `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]
    /// Whether to sort every mapping's keys by their UTF-8 bytes.
    public var sortedKeys: Bool
    /// How ``encodeYAML(_:)`` lays out its text.
    public var yamlOptions: YAMLWriter.Options
    /// How ``encodeJSON(_:)`` lays out its text.
    public var jsonOptions: JSONWriter.Options

    /// An encoder with the given options.
    public init(
        sortedKeys: Bool = false,
        yamlOptions: YAMLWriter.Options = .default,
        jsonOptions: JSONWriter.Options = .init(),
        userInfo: [CodingUserInfoKey: any Sendable] = [:]
    ) {
        self.sortedKeys = sortedKeys
        self.yamlOptions = yamlOptions
        self.jsonOptions = jsonOptions
        self.userInfo = userInfo
    }

    /// The node tree of `value`.
    ///
    /// - Throws: `EncodingError` when `value` cannot be represented (a date
    ///   outside the years 0000–9999), or any error its `encode(to:)` throws.
    public func encodeNode<T: Encodable>(_ value: T) throws -> Node {
        let encoder = NodeEncoding(userInfo: userInfo, sortedKeys: sortedKeys)
        return try encoder.box(value, extra: [], pushing: nil)
    }

    /// `value` as one YAML document, ending with a line break.
    public func encodeYAML<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try yamlBytes(value), as: UTF8.self)
    }

    /// `value` as one UTF-8 YAML document, ending with a line break.
    public func encodeYAMLData<T: Encodable>(_ value: T) throws -> Data {
        Data(try yamlBytes(value))
    }

    /// The YAML text of `value`, written from an encoding tape when it can
    /// hold the value (see `TapeEncoding`), else from the node tree: the
    /// same text either way.
    private func yamlBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        let writer = YAMLWriter(options: yamlOptions)
        if !sortedKeys && !yamlOptions.sortedKeys, let tape = try encodeTape(value) {
            return writer.writeBytes(tape)
        }
        return writer.writeBytes(try encodeNode(value))
    }

    /// The encoding tape of `value`, or `nil` when `encode(to:)` uses its
    /// containers in a way only the tree encoder allows (then the value is
    /// encoded again, through the tree).
    private func encodeTape<T: Encodable>(_ value: T) throws -> EncodingTape? {
        let encoder = TapeEncoding(userInfo: userInfo)
        do {
            try encoder.box(value, extra: [], pushing: nil)
        } catch {
            if encoder.needsTree { return nil }
            throw error
        }
        return encoder.needsTree ? nil : encoder.tape
    }

    /// `value` as JSON text.
    ///
    /// - Throws: ``CodecError`` with code ``CodecError/Code/invalidValue``
    ///   when `value` holds an infinite or NaN number, which JSON cannot express.
    public func encodeJSON<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try jsonBytes(value), as: UTF8.self)
    }

    /// `value` as UTF-8 JSON text.
    public func encodeJSONData<T: Encodable>(_ value: T) throws -> Data {
        Data(try jsonBytes(value))
    }

    /// The JSON text of `value`, from an encoding tape when it can hold the
    /// value, else from the node tree: the same text either way.
    private func jsonBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        let writer = JSONWriter(options: jsonOptions)
        if !sortedKeys && !jsonOptions.sortedKeys, let tape = try encodeTape(value) {
            return try writer.writeBytes(tape)
        }
        return try writer.writeBytes(encodeNode(value))
    }
}
