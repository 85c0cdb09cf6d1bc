/// One value of a YAML or JSON document: the ordered tree that sits between
/// text and `Codable`.
///
/// Readers produce nodes that carry the ``location`` where they start in the
/// source text; nodes built in code have no location. Two nodes are equal
/// when their contents are equal: locations never take part in `==`.
///
/// A node read from text is a view of the parsed text (the reader's tape and
/// the text, shared by every node read with it): its ``content`` is read from
/// there on each access, and its location is computed when asked for.
/// Changing such a node gives it content of its own (one level, not the tree).
///
/// Scalars are resolved with the YAML 1.2 core schema: plain `true`, `null`,
/// `12` or `1.5` become ``Content/bool(_:)``, ``Content/null``,
/// ``Content/number(_:)``; quoted scalars and every other plain scalar
/// (`no`, `on`, `2024-01-01`) are strings.
public struct Node: Sendable, Hashable {
    /// The value a node holds.
    public enum Content: Sendable, Hashable {
        case null
        case bool(Bool)
        case number(Number)
        case string(String)
        case sequence([Node])
        case mapping(Mapping)
    }

    /// What a node is made of: its own content (a node built or changed in
    /// code), or a value on the tape of the text it was read from (a view:
    /// its content is read from the tape when asked for).
    enum Storage: Sendable {
        case owned(Content, PackedLocation)
        case tape(TapeDocument, Int)
    }

    var storage: Storage

    /// The node's value.
    ///
    /// A node read from text reads its value from the parsed text on each
    /// access: a sequence's items and a mapping's entries are views of their
    /// own values, so asking for the content of a large tree costs one level,
    /// not the tree. Setting the content (or changing it in place) gives the
    /// node content of its own; its location is kept.
    public var content: Content {
        get {
            switch storage {
            case .owned(let content, _): content
            case .tape(let document, let index): document.content(at: index)
            }
        }
        set { storage = .owned(newValue, packedLocation) }
        _modify {
            if case .tape(let document, let index) = storage {
                storage = .owned(document.content(at: index), PackedLocation(document.location(ofValueAt: index)))
            }
            guard case .owned(var content, let location) = storage else { preconditionFailure("owned above") }
            // Leave no second reference while the caller changes the content in place.
            storage = .owned(.null, location)
            defer { storage = .owned(content, location) }
            yield &content
        }
    }

    /// Where the node starts, packed; `.none` for a node built in code.
    var packedLocation: PackedLocation {
        switch storage {
        case .owned(_, let location): location
        case .tape(let document, let index): PackedLocation(document.location(ofValueAt: index))
        }
    }

    /// Where the node starts in the source text, when it was read from text.
    public var location: SourceLocation? {
        get {
            switch storage {
            case .owned(_, let location): location.location
            case .tape(let document, let index): document.location(ofValueAt: index)
            }
        }
        set { storage = .owned(content, PackedLocation(newValue)) }
    }

    public init(_ content: Content, location: SourceLocation? = nil) {
        self.storage = .owned(content, PackedLocation(location))
    }

    /// The view of the value at `index` of `document`'s tape.
    init(tape document: TapeDocument, index: Int) {
        self.storage = .tape(document, index)
    }

    public static func == (lhs: Node, rhs: Node) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.owned(let left, _), .owned(let right, _)): return left == right
        case (.tape(let left, let leftIndex), .tape(let right, let rightIndex)) where left === right:
            if leftIndex == rightIndex { return true }
        default: break
        }
        return lhs.content == rhs.content
    }
    public func hash(into hasher: inout Hasher) {
        if case .owned(let content, _) = storage { hasher.combine(content) } else { hasher.combine(content) }
    }
}

// MARK: - Convenience constructors and accessors

extension Node {
    /// The null node.
    public static var null: Node { Node(.null) }
    /// A boolean node.
    public static func bool(_ value: Bool) -> Node { Node(.bool(value)) }
    /// A string node.
    public static func string(_ value: String) -> Node { Node(.string(value)) }
    /// A number node.
    public static func number(_ value: Number) -> Node { Node(.number(value)) }
    /// A sequence node.
    public static func sequence(_ items: [Node]) -> Node { Node(.sequence(items)) }
    /// A mapping node.
    public static func mapping(_ mapping: Mapping) -> Node { Node(.mapping(mapping)) }
    /// A mapping node from key–value pairs, in order. Later duplicates replace earlier ones.
    public static func mapping(_ pairs: KeyValuePairs<String, Node>) -> Node {
        var mapping = Mapping()
        for (key, value) in pairs { mapping[key] = value }
        return Node(.mapping(mapping))
    }

    /// Whether the node is null.
    public var isNull: Bool {
        if case .tape(let document, let index) = storage { return document.withView { $0.kind(index) == .null } }
        if case .null = content { return true } else { return false }
    }
    /// The string, if the node is a string.
    public var string: String? {
        if case .tape(let document, let index) = storage {
            return document.withView { $0.isStringValue(index) ? $0.string(index) : nil }
        }
        if case .string(let value) = content { return value } else { return nil }
    }
    /// The boolean, if the node is a boolean.
    public var bool: Bool? {
        if case .tape(let document, let index) = storage {
            return document.withView {
                switch $0.kind(index) {
                case .true: true
                case .false: false
                default: nil
                }
            }
        }
        if case .bool(let value) = content { return value } else { return nil }
    }
    /// The number, if the node is a number.
    public var number: Number? {
        if case .tape(let document, let index) = storage {
            return document.withView { $0.isNumber(index) ? Number(validated: $0.string(index)) : nil }
        }
        if case .number(let value) = content { return value } else { return nil }
    }
    /// The items, if the node is a sequence.
    public var sequence: [Node]? { if case .sequence(let value) = content { value } else { nil } }
    /// The entries, if the node is a mapping.
    public var mapping: Mapping? { if case .mapping(let value) = content { value } else { nil } }

    /// The value for `key`, if the node is a mapping that has it.
    public subscript(key: String) -> Node? {
        if case .tape(let document, let index) = storage { return document.value(forKey: key, inMappingAt: index) }
        return mapping?[key]
    }
    /// The item at `index`, if the node is a sequence that long.
    public subscript(index: Int) -> Node? {
        if case .tape(let document, let head) = storage { return document.item(index, ofSequenceAt: head) }
        guard let items = sequence, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// A short name of the node's kind, for messages: "null", "a boolean", "a mapping"…
    public var kindDescription: String {
        if case .tape(let document, let index) = storage { return document.withView { $0.kindDescription(index) } }
        return switch content {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .sequence: "a sequence"
        case .mapping: "a mapping"
        }
    }
}

extension Node: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self.init(.null) }
    public init(booleanLiteral value: Bool) { self.init(.bool(value)) }
    public init(stringLiteral value: String) { self.init(.string(value)) }
    public init(integerLiteral value: Int) { self.init(.number(Number(value))) }
    public init(floatLiteral value: Double) { self.init(.number(Number(value))) }
    public init(arrayLiteral elements: Node...) { self.init(.sequence(elements)) }
    public init(dictionaryLiteral elements: (String, Node)...) {
        var mapping = Mapping()
        for (key, value) in elements { mapping[key] = value }
        self.init(.mapping(mapping))
    }
}
