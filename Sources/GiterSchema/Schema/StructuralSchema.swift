import GiterCodec

/// One node of a structural `openAPIV3Schema`, as parsed from a
/// CustomResourceDefinition: the subset of OpenAPI v3.0 that Kubernetes
/// allows, with the `x-kubernetes-*` extensions Giter understands.
///
/// A value type: schemas are built once, when a definition is read, and
/// shared between validations.
struct StructuralSchema: Sendable {
    /// The `type` keyword.
    enum ValueType: String, Sendable, CaseIterable {
        case object, array, string, integer, number, boolean
    }

    /// The `additionalProperties` keyword.
    indirect enum AdditionalProperties: Sendable {
        /// Not given: a property the schema does not declare is an unknown field.
        case notSet
        /// `true` (any value, not checked) or `false` (none allowed).
        case allowed(Bool)
        /// Every property is a map entry validated by this schema.
        case schema(StructuralSchema)
    }

    /// A `pattern` that compiled.
    struct Pattern: Sendable {
        var text: String
        var regex: LinearRegex
    }

    /// `x-kubernetes-list-type`: `set` and `map` lists must not repeat an item
    /// (a `map` list: the values of its `x-kubernetes-list-map-keys`).
    enum ListType: Sendable {
        case atomic
        case set
        case map(keys: [String])
    }

    var type: ValueType?
    /// Declared properties, looked up by name.
    var properties: [String: StructuralSchema] = [:]
    /// The names of ``properties`` in document order (defaults are applied in this order).
    var propertyOrder: [String] = []
    var required: [String] = []
    var items: Box<StructuralSchema>?
    var additionalProperties: AdditionalProperties = .notSet
    var enumValues: [Node]?
    var pattern: Pattern?
    var format: SchemaFormat?
    var minimum: Node.Number?
    var maximum: Node.Number?
    /// `exclusiveMinimum` and `exclusiveMaximum`: booleans in OpenAPI v3.0, as Kubernetes uses.
    var exclusiveMinimum = false
    var exclusiveMaximum = false
    var multipleOf: Node.Number?
    var minLength: Int?
    var maxLength: Int?
    var minItems: Int?
    var maxItems: Int?
    var minProperties: Int?
    var maxProperties: Int?
    var uniqueItems = false
    var nullable = false
    /// The `default`, without source locations (they would point into the definition's file).
    var defaultValue: Node?
    var allOf: [StructuralSchema] = []
    var anyOf: [StructuralSchema] = []
    var oneOf: [StructuralSchema] = []
    var not: Box<StructuralSchema>?
    var preservesUnknownFields = false
    var isIntOrString = false
    var isEmbeddedResource = false
    var listType: ListType?
    /// `x-giter-encrypted: true`: the producer writes this field's value as a
    /// sealed envelope (see ``SealedValue``), and readers without a key check
    /// the envelope's shape instead of the value.
    var isEncrypted = false

    init() {}

    /// Whether a mapping validated by this schema may hold keys it does not declare.
    var allowsUnknownFields: Bool {
        if preservesUnknownFields { return true }
        if case .allowed(true) = additionalProperties { return true }
        return false
    }

    /// Whether a structural schema below this one (not this one) is
    /// `x-giter-encrypted`; set by the parser.
    var hasEncryptedDescendant = false

    /// Whether this schema or one below it is `x-giter-encrypted`.
    var containsEncrypted: Bool { isEncrypted || hasEncryptedDescendant }

    /// The structural children: declared properties, items, additional properties.
    var structuralChildren: [StructuralSchema] {
        var children = Array(properties.values)
        if let items { children.append(items.value) }
        if case .schema(let entry) = additionalProperties { children.append(entry) }
        return children
    }

    /// The schema for the value of `key` in a mapping, if any.
    func schema(forProperty key: String) -> StructuralSchema? {
        if let declared = properties[key] { return declared }
        if case .schema(let entry) = additionalProperties { return entry }
        return nil
    }
}

/// A reference to a value, so that a value type can hold one of its own kind.
final class Box<Value: Sendable>: Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
