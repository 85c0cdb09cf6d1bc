public import GiterCodec

extension CustomResourceVersion {
    /// Whether the schema marks any field `x-giter-encrypted: true`.
    public var hasEncryptedFields: Bool { schema.containsEncrypted }

    /// The resource with the value of every `x-giter-encrypted` field that
    /// it holds replaced by `transform(path, value)`, where `path` names the
    /// field as validation errors do (`spec.password`,
    /// `spec.users[2].token`, `spec.secrets.db`). Fields that are absent
    /// are not visited; nothing outside the producer's section is.
    public func mappingEncryptedFields(
        in resource: Node.Mapping,
        _ transform: (_ path: String, _ value: Node) throws -> Node
    ) rethrows -> Node.Mapping {
        guard schema.containsEncrypted else { return resource }
        var result = resource
        for index in result.indices where !Self.reservedKeys.contains(result[index].key) {
            let key = result[index].key
            guard let child = schema.schema(forProperty: key), child.containsEncrypted else { continue }
            result[index].value = try Self.transformed(result[index].value, schema: child, path: key, transform)
        }
        return result
    }

    /// Whether the field path `path` is `ancestor` or a field inside it
    /// (`spec.door.code` in `spec.door`, `spec.users[2]` in `spec.users`),
    /// with paths spelt as ``mappingEncryptedFields(in:_:)`` and validation
    /// errors spell them.
    public static func isField(_ path: String, within ancestor: String) -> Bool {
        FieldValue.isWithin(path, ancestor)
    }

    private static func transformed(
        _ node: Node,
        schema: StructuralSchema,
        path: String,
        _ transform: (String, Node) throws -> Node
    ) rethrows -> Node {
        if schema.isEncrypted { return try transform(path, node) }
        guard schema.hasEncryptedDescendant else { return node }
        var node = node
        switch node.content {
        case .mapping(var mapping):
            for index in mapping.indices {
                let key = mapping[index].key
                guard let child = schema.schema(forProperty: key), child.containsEncrypted else { continue }
                mapping[index].value = try transformed(
                    mapping[index].value, schema: child, path: FieldValue.join(path, key), transform)
            }
            node.content = .mapping(mapping)
        case .sequence(var items):
            guard let child = schema.items?.value else { return node }
            for index in items.indices {
                items[index] = try transformed(items[index], schema: child, path: FieldValue.element(path, index), transform)
            }
            node.content = .sequence(items)
        default:
            break
        }
        return node
    }

    /// ``validate(_:sections:)`` with `x-giter-encrypted` fields checked as
    /// `encryptedFields` says: `.plaintext` before the producer seals them,
    /// `.sealed` (what ``validate(_:sections:)`` does) in a resource file.
    public func validate(
        _ resource: Node.Mapping,
        sections: Set<ResourceSection>,
        encryptedFields: EncryptedFieldCheck
    ) -> [FieldError] {
        validate(resource, sections: sections, stepLimit: SchemaValidator.maxSteps, encryptedFields: encryptedFields)
    }
}
