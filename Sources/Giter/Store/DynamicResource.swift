/// A node tree can be a resource's spec: a tool that does not know a host
/// app's Swift types, such as the `giter` command, reads and writes specs as
/// the trees they are.
extension Node: ResourceSpec {}

/// A resource whose spec and status are not modelled by Swift types: the
/// spec is the `Node` tree of the document, the status a
/// ``DynamicStatus``.
///
/// Tools that handle any kind use it with stores made per kind:
///
/// ```swift
/// let store = GitResourceStore<DynamicResource>(
///     transport: transport,
///     resourceType: ResourceType(apiVersion: "giter.example/v1", kind: "Experiment"),
///     options: StoreOptions(identity: identity))
/// try await store.refresh()
/// for stored in try await store.list(.all) {
///     print(stored.key, stored.resource.status?.isTrue("Ready") ?? false)
/// }
/// ```
public typealias DynamicResource = CustomResource<Node, DynamicStatus>

/// A status read without knowing its type: ``observedGeneration`` and
/// ``conditions`` typed, every other field kept as it was written.
///
/// Decoding keeps the order of the status's keys and encoding writes them
/// back in that order, so a status decoded and encoded again reads the same:
/// nothing is lost on a round trip. `observedGeneration: null` is written
/// back as an absent key, which means the same.
public struct DynamicStatus: ReconcilableStatus, Hashable {
    /// The `metadata.generation` of the spec this status describes.
    public var observedGeneration: Int64?
    /// The conditions, at most one per type.
    public var conditions: [Condition]
    /// Every other field of the status, in document order (for example the
    /// `observedSpecDigest` Giter's consumers record, or a host app's results).
    public var fields: Node.Mapping
    /// The order of the keys as decoded, the typed ones included; only
    /// encoding uses it, equality does not.
    private var keyOrder: [String]

    /// An empty status: no observed generation, no conditions, no fields.
    public init() {
        self.init(observedGeneration: nil, conditions: [], fields: Node.Mapping())
    }

    /// A status from its parts.
    public init(observedGeneration: Int64?, conditions: [Condition], fields: Node.Mapping = Node.Mapping()) {
        self.observedGeneration = observedGeneration
        self.conditions = conditions
        self.fields = fields
        self.keyOrder = []
    }

    /// The value of a field other than `observedGeneration` and `conditions`.
    public subscript(field: String) -> Node? {
        get { fields[field] }
        set { fields[field] = newValue }
    }

    public static func == (lhs: DynamicStatus, rhs: DynamicStatus) -> Bool {
        lhs.observedGeneration == rhs.observedGeneration && lhs.conditions == rhs.conditions
            && lhs.fields == rhs.fields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(observedGeneration)
        hasher.combine(conditions)
        hasher.combine(fields)
    }
}

extension DynamicStatus: Codable {
    private static let observedGenerationKey = "observedGeneration"
    private static let conditionsKey = "conditions"

    /// A coding key for any field name.
    private struct FieldKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }

        init(_ string: String) { stringValue = string }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes a status mapping: `observedGeneration` as a number and
    /// `conditions` as a list of ``Condition``s (type errors carry their
    /// coding path), every other key as a node.
    public init(from decoder: any Decoder) throws {
        // The whole mapping, in order (the document coders hand it over as it is).
        let whole = try Node(from: decoder)
        guard let mapping = whole.mapping else {
            throw DecodingError.typeMismatch(
                Node.Mapping.self,
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "Expected a status mapping but found \(whole.kindDescription)"
                )
            )
        }
        let container = try decoder.container(keyedBy: FieldKey.self)
        let generationKey = FieldKey(Self.observedGenerationKey)
        let conditionsKey = FieldKey(Self.conditionsKey)
        observedGeneration = try container.decodeIfPresent(Int64.self, forKey: generationKey)
        conditions = try container.decodeIfPresent([Condition].self, forKey: conditionsKey) ?? []
        fields = Node.Mapping()
        keyOrder = mapping.keys
        for entry in mapping where entry.key != Self.observedGenerationKey && entry.key != Self.conditionsKey {
            fields.entries.append(entry)
        }
    }

    /// Encodes the fields in the order they were decoded; fields added since
    /// come after them, `observedGeneration` and `conditions` first.
    /// `conditions` is written when there are some or when the decoded
    /// status had the key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FieldKey.self)
        var written = Set<String>()
        func write(_ key: String) throws {
            guard written.insert(key).inserted else { return }
            switch key {
            case Self.observedGenerationKey:
                try container.encodeIfPresent(observedGeneration, forKey: FieldKey(key))
            case Self.conditionsKey:
                if !conditions.isEmpty || keyOrder.contains(key) {
                    try container.encode(conditions, forKey: FieldKey(key))
                }
            default:
                if let value = fields[key] { try container.encode(value, forKey: FieldKey(key)) }
            }
        }
        for key in keyOrder { try write(key) }
        try write(Self.observedGenerationKey)
        try write(Self.conditionsKey)
        for key in fields.keys { try write(key) }
    }
}
