import GiterCodec

/// Reads an `openAPIV3Schema` node into a ``StructuralSchema``, rejecting
/// what is not structural (Kubernetes' rules) or not understood, and
/// collecting what Giter does not enforce.
struct SchemaParser {
    /// Schema objects nested deeper than this are refused: a definition
    /// cannot make validation recurse without bound.
    static let maxDepth = 64
    /// A definition with more schema objects than this is refused, so that
    /// reading one (even a node tree built in code that shares subtrees)
    /// takes bounded work.
    static let maxSchemas = 100_000

    /// Where a schema sits: in the definition's document and in the resources it validates.
    struct Place {
        /// The path in the definition, for errors: `spec.versions[0].schema.openAPIV3Schema.properties.spec`.
        var documentPath: String
        /// The resource field the schema validates, for reports: `spec.replicas`.
        var fieldPath: String
        var depth: Int

        func child(document: String, field: String) -> Place {
            Place(documentPath: documentPath + document, fieldPath: field, depth: depth + 1)
        }
    }

    /// Whether a schema describes the structure (`properties`, `items`,
    /// `additionalProperties`) or only restricts values (inside `allOf`,
    /// `anyOf`, `oneOf`, `not`), where the structure must already be given
    /// outside: its counterpart.
    enum Context {
        case structural
        case junctor(counterpart: StructuralSchema?)

        var isJunctor: Bool { if case .junctor = self { true } else { false } }
    }

    let file: String
    private(set) var notEnforced: [NotEnforcedFeature] = []
    private var schemaCount = 0

    init(file: String) { self.file = file }

    // MARK: Errors and reports

    func error(_ message: String, at place: Place, keyword: String? = nil, node: Node) -> SchemaError {
        let path = keyword.map { "\(place.documentPath).\($0)" } ?? place.documentPath
        return SchemaError(file: file, location: node.location, message: "\(path): \(message)")
    }

    mutating func report(_ feature: String, field: String, node: Node) {
        guard !notEnforced.contains(where: { $0.field == field && $0.feature == feature }) else { return }
        notEnforced.append(NotEnforcedFeature(field: field, feature: feature, location: node.location))
    }

    // MARK: Parsing

    /// The root `openAPIV3Schema`: a structural object schema.
    mutating func parseRoot(_ node: Node, documentPath: String) throws(SchemaError) -> StructuralSchema {
        let place = Place(documentPath: documentPath, fieldPath: "", depth: 0)
        let schema = try parse(node, at: place, context: .structural)
        guard schema.type == .object else {
            throw error(
                "Invalid value: must be type: object at the root of a schema",
                at: place,
                keyword: "type",
                node: node
            )
        }
        if let metadata = node["properties"]?["metadata"], let entries = metadata.mapping,
            entries.keys.contains(where: { $0 != "type" })
        {
            report(
                "a schema for metadata (Giter checks metadata by its own name rules)",
                field: "metadata",
                node: metadata
            )
        }
        return schema
    }

    mutating func parse(_ node: Node, at place: Place, context: Context) throws(SchemaError) -> StructuralSchema {
        guard let mapping = node.mapping else {
            throw error(
                "Invalid value: must be a schema (a mapping), not \(node.kindDescription)",
                at: place,
                node: node
            )
        }
        guard place.depth <= Self.maxDepth else {
            throw error(
                "Forbidden: schemas nested deeper than \(Self.maxDepth) levels are not supported",
                at: place,
                node: node
            )
        }
        schemaCount += 1
        guard schemaCount <= Self.maxSchemas else {
            throw error(
                "Forbidden: the schema has more than \(Self.maxSchemas) schema objects",
                at: place,
                node: node
            )
        }
        var schema = StructuralSchema()
        var later: [Mapping.Entry] = []
        for entry in mapping {
            if context.isJunctor, Self.structuralOnly.contains(entry.key),
                !(entry.key == "type" && Self.isIntOrStringBranch(entry.value, context: context))
            {
                throw error(
                    "Forbidden: must not be used inside allOf, anyOf, oneOf or not; give it outside them",
                    at: place,
                    keyword: entry.key,
                    node: entry.value
                )
            }
            switch entry.key {
            case "properties", "items", "additionalProperties", "allOf", "anyOf", "oneOf", "not", "default":
                later.append(entry)
            default:
                try parseKeyword(entry, into: &schema, at: place)
            }
        }
        for entry in later where !Self.junctors.contains(entry.key) && entry.key != "default" {
            try parseStructure(entry, into: &schema, at: place, context: context)
        }
        for entry in later where Self.junctors.contains(entry.key) {
            try parseJunctor(entry, into: &schema, at: place, context: context)
        }
        if case .structural = context { try checkStructural(&schema, mapping: mapping, at: place, node: node) }
        schema.hasEncryptedDescendant = schema.structuralChildren.contains(where: \.containsEncrypted)
        if schema.isEncrypted, schema.hasEncryptedDescendant {
            throw error(
                "Forbidden: x-giter-encrypted inside a field that is encrypted as a whole; mark one of them",
                at: place,
                keyword: "x-giter-encrypted",
                node: node
            )
        }
        if let entry = later.first(where: { $0.key == "default" }) {
            try parseDefault(entry.value, into: &schema, at: place)
        }
        return schema
    }

    typealias Mapping = Node.Mapping

    static let junctors: Set<String> = ["allOf", "anyOf", "oneOf", "not"]
    /// Keywords Kubernetes forbids inside `allOf`, `anyOf`, `oneOf` and `not`.
    static let structuralOnly: Set<String> = [
        "type", "default", "nullable", "additionalProperties", "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-int-or-string", "x-kubernetes-embedded-resource", "x-kubernetes-list-type",
        "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-giter-encrypted",
    ]
    /// Keywords of JSON Schema that Kubernetes does not allow in a CustomResourceDefinition.
    static let disallowed: Set<String> = [
        "$ref", "$schema", "id", "definitions", "dependencies", "additionalItems", "patternProperties",
    ]

    /// `type: integer` or `type: string` in a branch under `x-kubernetes-int-or-string: true`.
    private static func isIntOrStringBranch(_ type: Node, context: Context) -> Bool {
        guard case .junctor(let counterpart) = context, counterpart?.isIntOrString == true else { return false }
        return type.string == "integer" || type.string == "string"
    }
}
