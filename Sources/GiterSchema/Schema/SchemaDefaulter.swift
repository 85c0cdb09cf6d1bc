import GiterCodec

/// Applies a schema's `default`s the way the Kubernetes API server does: an
/// absent property with a default gets it, and so does a `null` one that is
/// not `nullable`; defaults apply recursively into objects that exist or
/// have just been defaulted, into list items and map values. Nothing is
/// removed (Giter never prunes). Stops at ``SchemaValidator/maxDepth``.
enum SchemaDefaulter {
    static func applying(_ schema: StructuralSchema, to node: Node, depth: Int) -> Node {
        guard depth <= SchemaValidator.maxDepth else { return node }
        var result = node
        switch node.content {
        case .mapping(var mapping):
            fill(&mapping, schema: schema, depth: depth, skipping: [])
            result.content = .mapping(mapping)
        case .sequence(let items):
            guard let itemSchema = schema.items?.value else { return node }
            result.content = .sequence(items.map { applying(itemSchema, to: $0, depth: depth + 1) })
        default:
            break
        }
        return result
    }

    /// Fills the defaults of `schema`'s properties into `mapping` and recurses
    /// into its values; keys in `skipping` are left alone.
    static func fill(_ mapping: inout Node.Mapping, schema: StructuralSchema, depth: Int, skipping: Set<String>) {
        for name in schema.propertyOrder where !skipping.contains(name) {
            guard let property = schema.properties[name], let defaultValue = property.defaultValue else { continue }
            if let existing = mapping[name], !(existing.isNull && !property.nullable) { continue }
            if let index = mapping.index(forKey: name) {
                mapping[index].value = defaultValue
            } else {
                mapping[name] = defaultValue
            }
        }
        for index in mapping.indices where !skipping.contains(mapping[index].key) {
            guard let valueSchema = schema.schema(forProperty: mapping[index].key) else { continue }
            mapping[index].value = applying(valueSchema, to: mapping[index].value, depth: depth + 1)
        }
    }
}
