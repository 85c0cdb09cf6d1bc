/// Collections that ``TapeDecoding`` builds directly from the tape rather
/// than through their `init(from:)`.
///
/// The standard library's `init(from:)` of arrays and dictionaries goes
/// through existential containers, `allKeys` and a lookup per key, and grows
/// its storage one element at a time; building them from the tape's items
/// or entries gives the same value several times faster. Errors carry the
/// same coding paths.
protocol NodeDirectlyDecodable: SendableMetatype {
    /// Decodes the value at `value`, the decoder's current one, as `T`, which is `Self`.
    static func decode<T>(tapeValue value: Int, with decoder: TapeDecoding, as type: T.Type) throws -> T
}

/// The results of `as? any NodeDirectlyDecodable.Type` so far.
let nodeDirectlyDecodableTypes = NodeConformanceCache<(any NodeDirectlyDecodable.Type)?>()

extension Array: NodeDirectlyDecodable where Element: Decodable {
    static func decode<T>(tapeValue value: Int, with decoder: TapeDecoding, as type: T.Type) throws -> T {
        let tape = decoder.tape
        guard tape.kind(value) == .sequence else {
            throw decoder.mismatch([Any].self, "a sequence", value, decoder.codingPath)
        }
        var result: [Element] = []
        result.reserveCapacity(tape.childCount(value))
        let end = tape.end(value)
        var item = tape.firstChild(value)
        var index = 0
        while item < end {
            result.append(try decoder.unbox(item, as: Element.self, extra: [], pushing: .index(index)))
            item = tape.next(item)
            index += 1
        }
        return unsafeBitCast(result, to: T.self)  // T is Self
    }
}

extension Dictionary: NodeDirectlyDecodable where Key == String, Value: Decodable {
    static func decode<T>(tapeValue value: Int, with decoder: TapeDecoding, as type: T.Type) throws -> T {
        let tape = decoder.tape
        guard tape.kind(value) == .mapping else {
            throw decoder.mismatch([String: Any].self, "a mapping", value, decoder.codingPath)
        }
        var result: [String: Value] = Dictionary(minimumCapacity: tape.childCount(value))
        let end = tape.end(value)
        var key = tape.firstChild(value)
        while key < end {
            let name = tape.string(key)
            let item = tape.next(key)
            let decoded = try decoder.unbox(
                item,
                as: Value.self,
                extra: [],
                pushing: .key(NodeCodingKey(stringValue: name))
            )
            result.updateValue(decoded, forKey: name)
            key = tape.next(item)
        }
        return unsafeBitCast(result, to: T.self)  // T is Self
    }
}
