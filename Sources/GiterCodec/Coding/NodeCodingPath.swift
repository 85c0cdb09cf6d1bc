/// One step of a coding path, kept unboxed until an error or a caller needs
/// the `[any CodingKey]` form.
///
/// The decoder and encoder keep the path of the value being worked on as a
/// stack of these: pushing an index costs no allocation, and the
/// `CodingKey` array is only built when an error is thrown or someone reads
/// `codingPath`.
enum NodeCodingPathComponent {
    case key(any CodingKey)
    case index(Int)

    var codingKey: any CodingKey {
        switch self {
        case .key(let key): key
        case .index(let index): NodeCodingKey(index)
        }
    }

    /// The component for the conventional `super` key.
    static var superKey: NodeCodingPathComponent { .key(NodeCodingKey.superKey) }
}

/// The coding keys the codec makes itself: sequence items, the entries of a
/// dictionary it decodes directly, and the `super` key of `superDecoder()` /
/// `superEncoder()`.
///
/// An item key reads `Index 2` with integer value 2, as Foundation's coders
/// use, so code that formats coding paths treats both the same way.
///
/// It keeps either the string or the index (17 bytes), so it fits in the
/// inline buffer of an `any CodingKey` and pushing `.key(NodeCodingKey(…))`
/// for each entry of a dictionary allocates no box, as a stored `String`
/// and `Int?` (25 bytes) did; an item's string is made when asked for.
struct NodeCodingKey: CodingKey {
    private enum Value {
        case string(String)
        case index(Int)
    }

    private let value: Value

    var stringValue: String {
        switch value {
        case .string(let string): string
        case .index(let index): "Index \(index)"
        }
    }

    var intValue: Int? {
        switch value {
        case .string: nil
        case .index(let index): index
        }
    }

    init(_ index: Int) { value = .index(index) }

    init(stringValue: String) { value = .string(stringValue) }

    init(intValue: Int) { self.init(intValue) }

    static let superKey = NodeCodingKey(stringValue: "super")
}

extension [NodeCodingPathComponent] {
    /// The coding path made of the first `depth` components followed by
    /// `extra` and `last`.
    func codingPath(
        depth: Int,
        extra: [NodeCodingPathComponent] = [],
        last: NodeCodingPathComponent? = nil
    ) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        keys.reserveCapacity(Swift.min(depth, count) + extra.count + 1)
        for component in prefix(Swift.max(0, depth)) { keys.append(component.codingKey) }
        for component in extra { keys.append(component.codingKey) }
        if let last { keys.append(last.codingKey) }
        return keys
    }
}

extension SourceLocation? {
    /// ` at line L, column C`, or nothing when there is no location: the end
    /// of a decoding error message.
    var messageSuffix: String {
        guard let self else { return "" }
        return " at line \(self.line), column \(self.column)"
    }
}
