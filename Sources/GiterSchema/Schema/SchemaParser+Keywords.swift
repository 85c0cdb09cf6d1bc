import GiterCodec

extension SchemaParser {
    /// A keyword that restricts values or describes the schema.
    mutating func parseKeyword(
        _ entry: Node.Mapping.Entry,
        into schema: inout StructuralSchema,
        at place: Place
    ) throws(SchemaError) {
        let value = entry.value
        let key = entry.key
        switch key {
        case "type":
            guard let text = value.string, let type = StructuralSchema.ValueType(rawValue: text) else {
                throw error(
                    "Unsupported value: \(FieldValue.text(value)): supported values: "
                        + StructuralSchema.ValueType.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "),
                    at: place,
                    keyword: key,
                    node: value
                )
            }
            schema.type = type
        case "format":
            let text = try string(value, at: place, keyword: key)
            if let format = SchemaFormat(rawValue: text) {
                schema.format = format
            } else {
                report("format \"\(text)\" (Giter does not know this format)", field: place.fieldPath, node: value)
            }
        case "title", "description", "example", "externalDocs":
            break
        case "nullable": schema.nullable = try bool(value, at: place, keyword: key)
        case "uniqueItems": schema.uniqueItems = try bool(value, at: place, keyword: key)
        case "x-kubernetes-preserve-unknown-fields":
            schema.preservesUnknownFields = try bool(value, at: place, keyword: key)
        case "x-kubernetes-int-or-string": schema.isIntOrString = try bool(value, at: place, keyword: key)
        case "x-giter-encrypted":
            schema.isEncrypted = try bool(value, at: place, keyword: key)
            if schema.isEncrypted { try checkEncryptedPlace(place, node: value) }
        case "x-kubernetes-embedded-resource":
            schema.isEmbeddedResource = try bool(value, at: place, keyword: key)
            if schema.isEmbeddedResource {
                report(
                    "x-kubernetes-embedded-resource (apiVersion, kind and metadata of the embedded object are allowed "
                        + "but not checked)",
                    field: place.fieldPath,
                    node: value
                )
            }
        case "enum":
            guard let values = value.sequence, !values.isEmpty else {
                throw error("Invalid value: must be a non-empty list of values", at: place, keyword: key, node: value)
            }
            schema.enumValues = values
        case "minimum", "maximum":
            guard let number = value.number else {
                throw error(
                    "Invalid value: must be a number, not \(value.kindDescription)",
                    at: place,
                    keyword: key,
                    node: value
                )
            }
            if key == "minimum" { schema.minimum = number } else { schema.maximum = number }
        case "exclusiveMinimum", "exclusiveMaximum":
            guard let flag = value.bool else {
                throw error(
                    "Invalid value: must be a boolean (OpenAPI v3.0, as Kubernetes uses), not \(value.kindDescription)",
                    at: place,
                    keyword: key,
                    node: value
                )
            }
            if key == "exclusiveMinimum" { schema.exclusiveMinimum = flag } else { schema.exclusiveMaximum = flag }
        case "multipleOf":
            guard let number = value.number, number.doubleValue > 0, number.doubleValue.isFinite else {
                throw error("Invalid value: must be a number greater than 0", at: place, keyword: key, node: value)
            }
            schema.multipleOf = number
        case "minLength": schema.minLength = try count(value, at: place, keyword: key)
        case "maxLength": schema.maxLength = try count(value, at: place, keyword: key)
        case "minItems": schema.minItems = try count(value, at: place, keyword: key)
        case "maxItems": schema.maxItems = try count(value, at: place, keyword: key)
        case "minProperties": schema.minProperties = try count(value, at: place, keyword: key)
        case "maxProperties": schema.maxProperties = try count(value, at: place, keyword: key)
        case "pattern":
            let text = try string(value, at: place, keyword: key)
            do {
                schema.pattern = StructuralSchema.Pattern(text: text, regex: try LinearRegex(text))
            } catch {
                report("pattern \(FieldValue.quoted(text)) (\(error.message))", field: place.fieldPath, node: value)
            }
        case "required":
            guard let names = value.sequence?.compactMap(\.string), names.count == value.sequence?.count else {
                throw error("Invalid value: must be a list of property names", at: place, keyword: key, node: value)
            }
            guard Set(names).count == names.count else {
                throw error("Duplicate value: a property is listed twice", at: place, keyword: key, node: value)
            }
            schema.required = names
        case "x-kubernetes-list-type":
            switch value.string {
            case "atomic": schema.listType = .atomic
            case "set": schema.listType = .set
            case "map": schema.listType = .map(keys: [])
            default:
                throw error(
                    "Unsupported value: \(FieldValue.text(value)): supported values: \"atomic\", \"set\", \"map\"",
                    at: place,
                    keyword: key,
                    node: value
                )
            }
        case "x-kubernetes-list-map-keys", "x-kubernetes-map-type":
            break  // read with the list type below; the map type only affects merging
        case "x-kubernetes-validations":
            report("x-kubernetes-validations (CEL rules)", field: place.fieldPath, node: value)
        default:
            if Self.disallowed.contains(key) {
                throw error(
                    "Forbidden: \(key) is not allowed in a CustomResourceDefinition schema",
                    at: place,
                    keyword: key,
                    node: value
                )
            }
            throw error(
                "Unknown field: not a schema keyword Giter knows; check the spelling (Giter refuses what it cannot enforce)",
                at: place,
                keyword: key,
                node: value
            )
        }
    }

    /// `properties`, `items` and `additionalProperties`.
    mutating func parseStructure(
        _ entry: Node.Mapping.Entry,
        into schema: inout StructuralSchema,
        at place: Place,
        context: Context
    ) throws(SchemaError) {
        let value = entry.value
        let counterpart: StructuralSchema?? = if case .junctor(let outer) = context { .some(outer) } else { .none }
        switch entry.key {
        case "properties":
            guard let properties = value.mapping else {
                throw error(
                    "Invalid value: must be a mapping of property schemas",
                    at: place,
                    keyword: "properties",
                    node: value
                )
            }
            for property in properties {
                let field = FieldValue.join(place.fieldPath, property.key)
                let child = place.child(document: ".properties.\(property.key)", field: field)
                var childContext = Context.structural
                if let counterpart {
                    guard let outer = counterpart?.schema(forProperty: property.key) else {
                        throw error(
                            "Forbidden: a property inside allOf, anyOf, oneOf or not must also be declared outside them",
                            at: child,
                            node: property.value
                        )
                    }
                    try checkNotEncrypted(outer, at: child, node: property.value)
                    childContext = .junctor(counterpart: outer)
                }
                schema.properties[property.key] = try parse(property.value, at: child, context: childContext)
                schema.propertyOrder.append(property.key)
            }
        case "items":
            if value.sequence != nil {
                throw error(
                    "Forbidden: items must be one schema; lists of schemas are not allowed",
                    at: place,
                    keyword: "items",
                    node: value
                )
            }
            var childContext = Context.structural
            if let counterpart {
                guard let outer = counterpart?.items?.value else {
                    throw error(
                        "Forbidden: items inside allOf, anyOf, oneOf or not must also be given outside them",
                        at: place,
                        keyword: "items",
                        node: value
                    )
                }
                try checkNotEncrypted(outer, at: place, node: value)
                childContext = .junctor(counterpart: outer)
            }
            let child = place.child(document: ".items", field: place.fieldPath + "[*]")
            schema.items = Box(try parse(value, at: child, context: childContext))
        default:  // additionalProperties
            if let flag = value.bool {
                schema.additionalProperties = .allowed(flag)
            } else {
                let child = place.child(document: ".additionalProperties", field: place.fieldPath + "[*]")
                schema.additionalProperties = .schema(try parse(value, at: child, context: .structural))
            }
        }
    }

    /// `allOf`, `anyOf`, `oneOf` and `not`: value restrictions on the same value.
    mutating func parseJunctor(
        _ entry: Node.Mapping.Entry,
        into schema: inout StructuralSchema,
        at place: Place,
        context: Context
    ) throws(SchemaError) {
        let counterpart: StructuralSchema? = if case .junctor(let outer) = context { outer } else { schema }
        let inner = Context.junctor(counterpart: counterpart)
        if entry.key == "not" {
            let child = place.child(document: ".not", field: place.fieldPath)
            schema.not = Box(try parse(entry.value, at: child, context: inner))
            return
        }
        guard let branches = entry.value.sequence, !branches.isEmpty else {
            throw error(
                "Invalid value: must be a non-empty list of schemas",
                at: place,
                keyword: entry.key,
                node: entry.value
            )
        }
        var parsed: [StructuralSchema] = []
        for (index, branch) in branches.enumerated() {
            let child = place.child(document: ".\(entry.key)[\(index)]", field: place.fieldPath)
            parsed.append(try parse(branch, at: child, context: inner))
        }
        switch entry.key {
        case "allOf": schema.allOf = parsed
        case "anyOf": schema.anyOf = parsed
        default: schema.oneOf = parsed
        }
    }

    // MARK: Values of keywords

    func string(_ value: Node, at place: Place, keyword: String) throws(SchemaError) -> String {
        guard let text = value.string else {
            throw error(
                "Invalid value: must be a string, not \(value.kindDescription)",
                at: place,
                keyword: keyword,
                node: value
            )
        }
        return text
    }

    /// `x-giter-encrypted: true` is allowed on a field of the producer's
    /// section only (`spec.password`, `spec.items[*].token`): never on the
    /// root, `metadata` or `status`, which readers without a key must read.
    func checkEncryptedPlace(_ place: Place, node: Node) throws(SchemaError) {
        let field = place.fieldPath
        let top = field.split(separator: ".", maxSplits: 1).first.map { String($0.prefix { $0 != "[" }) } ?? ""
        guard !field.isEmpty, !["metadata", "status", "apiVersion", "kind"].contains(top) else {
            throw error(
                "Forbidden: x-giter-encrypted is allowed on fields of the spec only, not on "
                    + (field.isEmpty ? "the root" : field) + " (readers without a key must read it)",
                at: place,
                keyword: "x-giter-encrypted",
                node: node
            )
        }
    }

    /// A branch of `allOf`, `anyOf`, `oneOf` or `not` cannot restrict an
    /// `x-giter-encrypted` field: readers without the key see only its envelope.
    func checkNotEncrypted(_ outer: StructuralSchema, at place: Place, node: Node) throws(SchemaError) {
        guard outer.isEncrypted else { return }
        throw error(
            "Forbidden: an x-giter-encrypted field cannot be restricted inside allOf, anyOf, oneOf or not; "
                + "give its restrictions outside them",
            at: place,
            node: node
        )
    }

    func bool(_ value: Node, at place: Place, keyword: String) throws(SchemaError) -> Bool {
        guard let flag = value.bool else {
            throw error(
                "Invalid value: must be true or false, not \(value.kindDescription)",
                at: place,
                keyword: keyword,
                node: value
            )
        }
        return flag
    }

    func count(_ value: Node, at place: Place, keyword: String) throws(SchemaError) -> Int {
        guard let number = value.number, number.isInteger, let count = number.integer(as: Int.self), count >= 0 else {
            throw error("Invalid value: must be an integer of at least 0", at: place, keyword: keyword, node: value)
        }
        return count
    }
}
