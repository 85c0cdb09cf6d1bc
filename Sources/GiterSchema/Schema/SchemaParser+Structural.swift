import GiterCodec

extension SchemaParser {
    /// Kubernetes' rules for a structural schema (outside `allOf`, `anyOf`,
    /// `oneOf` and `not`): every field has a type, structure keywords match it.
    mutating func checkStructural(
        _ schema: inout StructuralSchema,
        mapping: Node.Mapping,
        at place: Place,
        node: Node
    ) throws(SchemaError) {
        if schema.isIntOrString {
            if schema.type != nil {
                throw error(
                    "Forbidden: must be empty when x-kubernetes-int-or-string is true",
                    at: place,
                    keyword: "type",
                    node: mapping["type"] ?? node
                )
            }
        } else if schema.type == nil && !schema.preservesUnknownFields {
            throw error(
                "Required value: must not be empty for specified object fields (or set "
                    + "x-kubernetes-preserve-unknown-fields or x-kubernetes-int-or-string)",
                at: place,
                keyword: "type",
                node: node
            )
        }
        let hasProperties = mapping.contains(key: "properties")
        if hasProperties, mapping.contains(key: "additionalProperties") {
            throw error(
                "Forbidden: additionalProperties and properties are mutually exclusive",
                at: place,
                keyword: "additionalProperties",
                node: mapping["additionalProperties"] ?? node
            )
        }
        if let type = schema.type {
            if (hasProperties || mapping.contains(key: "additionalProperties")) && type != .object {
                throw error("Forbidden: properties need type: object, not \(type.rawValue)", at: place, node: node)
            }
            if schema.items != nil && type != .array {
                throw error(
                    "Forbidden: items need type: array, not \(type.rawValue)",
                    at: place,
                    keyword: "items",
                    node: node
                )
            }
            if type == .array && schema.items == nil {
                throw error(
                    "Required value: type: array needs items (a schema)",
                    at: place,
                    keyword: "items",
                    node: node
                )
            }
            if schema.isEmbeddedResource && type != .object {
                throw error(
                    "Forbidden: x-kubernetes-embedded-resource needs type: object",
                    at: place,
                    keyword: "x-kubernetes-embedded-resource",
                    node: node
                )
            }
        }
        try checkListType(&schema, mapping: mapping, at: place, node: node)
    }

    private mutating func checkListType(
        _ schema: inout StructuralSchema,
        mapping: Node.Mapping,
        at place: Place,
        node: Node
    ) throws(SchemaError) {
        let keysNode = mapping["x-kubernetes-list-map-keys"]
        if schema.listType != nil, schema.type != .array {
            throw error("Forbidden: needs type: array", at: place, keyword: "x-kubernetes-list-type", node: node)
        }
        guard case .map = schema.listType else {
            if let keysNode {
                throw error(
                    "Forbidden: only allowed with x-kubernetes-list-type: map",
                    at: place,
                    keyword: "x-kubernetes-list-map-keys",
                    node: keysNode
                )
            }
            return
        }
        guard let keysNode, let keys = keysNode.sequence?.compactMap(\.string), !keys.isEmpty,
            keys.count == keysNode.sequence?.count, Set(keys).count == keys.count
        else {
            throw error(
                "Required value: x-kubernetes-list-type: map needs x-kubernetes-list-map-keys, a list of distinct "
                    + "property names",
                at: place,
                keyword: "x-kubernetes-list-map-keys",
                node: keysNode ?? node
            )
        }
        guard let item = schema.items?.value, item.type == .object,
            keys.allSatisfy({ item.properties[$0] != nil })
        else {
            throw error(
                "Invalid value: x-kubernetes-list-map-keys must name properties of the items' object schema",
                at: place,
                keyword: "x-kubernetes-list-map-keys",
                node: keysNode
            )
        }
        if let key = keys.first(where: { item.properties[$0]?.isEncrypted == true }) {
            throw error(
                "Forbidden: the list map key \(key) must not be x-giter-encrypted (its items are told apart by it)",
                at: place,
                keyword: "x-kubernetes-list-map-keys",
                node: keysNode
            )
        }
        schema.listType = .map(keys: keys)
    }

    /// `default`: kept without source locations, and checked against the
    /// schema it belongs to (an invalid default would make every defaulted
    /// resource invalid).
    mutating func parseDefault(_ value: Node, into schema: inout StructuralSchema, at place: Place) throws(SchemaError)
    {
        guard let stripped = FieldValue.withoutLocations(value, depthLimit: SchemaValidator.maxDepth) else {
            throw error(
                "Forbidden: the default is nested deeper than \(SchemaValidator.maxDepth) levels",
                at: place,
                keyword: "default",
                node: value
            )
        }
        if place.fieldPath == "metadata" || place.fieldPath.hasPrefix("metadata.") {
            throw error("Forbidden: defaults are not allowed in metadata", at: place, keyword: "default", node: value)
        }
        // Checked as it will be applied: with the defaults of its own properties filled in.
        let applied = SchemaDefaulter.applying(schema, to: value, depth: 0)
        var validator = SchemaValidator()
        validator.validate(applied, against: schema, path: place.fieldPath, depth: 0, mode: .structural)
        if let first = validator.errors.first {
            throw error(
                "Invalid value: the default is not valid against its schema: \(first)",
                at: place,
                keyword: "default",
                node: value
            )
        }
        schema.defaultValue = stripped
    }
}
