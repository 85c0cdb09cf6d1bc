import GiterCodec

/// Validates values against a ``StructuralSchema`` and collects
/// ``FieldError``s worded like the Kubernetes API server's.
///
/// Bounded: values nested deeper than ``maxDepth`` levels are an error, not
/// a deeper recursion, and a validation that needs more than ``maxSteps``
/// steps (nested `anyOf` and `oneOf` multiply the work) stops with an error.
struct SchemaValidator {
    static let maxDepth = 128
    static let maxSteps = 1_000_000

    /// `structural`: the schema gives the structure, so keys it does not
    /// declare are unknown fields. `valuesOnly`: a branch of `allOf`,
    /// `anyOf`, `oneOf` or `not`, which only restricts values.
    enum Mode { case structural, valuesOnly }

    private(set) var errors: [FieldError] = []
    private(set) var steps = 0
    private(set) var exhausted = false
    /// The work limit: ``maxSteps``, lower in tests.
    let stepLimit: Int

    /// How `x-giter-encrypted` fields are checked.
    let encryptedFields: EncryptedFieldCheck

    /// The paths of the `x-giter-encrypted` fields the document holds, in
    /// `.plaintext` checks: an error at, inside or around one of them (an
    /// ancestor's value holds the plaintext) never quotes a value.
    var secretPaths: [String] = []
    /// Whether the node being checked is, or is inside, an `x-giter-encrypted`
    /// field checked as plaintext.
    private(set) var inSecret = false
    /// Whether the errors of the node being checked leave its value out: it
    /// is secret, or its schema has a secret inside.
    var hidesValue = false

    init(stepLimit: Int = Self.maxSteps, encryptedFields: EncryptedFieldCheck = .sealed) {
        self.stepLimit = stepLimit
        self.encryptedFields = encryptedFields
    }

    /// A validator for a branch of `anyOf`, `oneOf` or `not`: the same
    /// limits and the same secrets.
    private func validatorForBranch() -> SchemaValidator {
        var validator = SchemaValidator(stepLimit: stepLimit, encryptedFields: encryptedFields)
        validator.steps = steps
        validator.secretPaths = secretPaths
        validator.inSecret = inSecret
        validator.hidesValue = hidesValue
        return validator
    }

    mutating func add(
        _ kind: FieldError.Kind,
        _ path: String,
        _ value: Node?,
        _ detail: String,
        at location: SourceLocation?
    ) {
        record(FieldError(field: path, kind: kind, value: value.map(FieldValue.text), detail: detail, location: location))
    }

    /// Records `error`, without its value when the value is (or holds) the
    /// plaintext of an `x-giter-encrypted` field: a producer's refusal
    /// travels into logs, statuses and commits, so it says which field and
    /// which rule, never what the secret is.
    private mutating func record(_ error: FieldError) {
        var error = error
        if error.value != nil, hidesValue || inSecret || touchesSecret(error.field) { error.value = nil }
        errors.append(error)
    }

    /// Whether `path` is a secret field, inside one, or around one.
    private func touchesSecret(_ path: String) -> Bool {
        secretPaths.contains { secret in
            FieldValue.isWithin(path, secret) || FieldValue.isWithin(secret, path)
        }
    }

    /// The name a key of a mapping takes in error paths: inside a secret,
    /// a key the schema does not declare is part of the plaintext and
    /// shows as `*`.
    private func displayedKey(_ key: String, at path: String, schema: StructuralSchema) -> String {
        guard schema.properties[key] == nil, inSecret || secretPaths.contains(where: { FieldValue.isWithin(path, $0) })
        else { return key }
        return "*"
    }

    /// Counts one step; `false` once the work or depth limit is reached (the
    /// error is recorded). The location is computed only for that error: a
    /// node read from text computes it from the text.
    private mutating func step(_ path: String, depth: Int, location: @autoclosure () -> SourceLocation?) -> Bool {
        guard !exhausted else { return false }
        steps += 1
        if steps > stepLimit {
            exhausted = true
            add(
                .forbidden,
                path,
                nil,
                "validation needs more than \(stepLimit) steps; simplify the schema's "
                    + "allOf, anyOf and oneOf or the document",
                at: location()
            )
            return false
        }
        if depth > Self.maxDepth {
            add(.forbidden, path, nil, "nested deeper than \(Self.maxDepth) levels", at: location())
            return false
        }
        return true
    }

    mutating func validate(_ node: Node, against schema: StructuralSchema, path: String, depth: Int, mode: Mode) {
        guard step(path, depth: depth, location: node.location) else { return }
        if schema.isEncrypted, encryptedFields == .sealed || node.string.map(SealedValue.looksSealed) == true {
            return checkSealed(node, path: path)
        }
        let (wasSecret, wasHiding) = (inSecret, hidesValue)
        defer { (inSecret, hidesValue) = (wasSecret, wasHiding) }
        if encryptedFields == .plaintext {
            inSecret = inSecret || schema.isEncrypted
            hidesValue = inSecret || schema.containsEncrypted
        }
        if node.isNull {
            if schema.nullable { return }
            if let type = schema.type {
                return add(.invalid, path, node, "must be of type \(type.rawValue)", at: node.location)
            }
            if schema.isIntOrString {
                return add(.invalid, path, node, "must be an integer or a string", at: node.location)
            }
        }
        if schema.isIntOrString, !(node.string != nil || node.number?.isInteger == true) {
            return add(.invalid, path, node, "must be an integer or a string", at: node.location)
        }
        if let type = schema.type, !Self.matches(node, type) {
            return add(.invalid, path, node, "must be of type \(type.rawValue)", at: node.location)
        }
        if let values = schema.enumValues { checkEnum(node, values, path: path, depth: depth) }
        switch node.content {
        case .string(let text): checkString(text, node: node, schema: schema, path: path)
        case .number(let number): checkNumber(number, node: node, schema: schema, path: path)
        case .sequence(let items): checkArray(items, node: node, schema: schema, path: path, depth: depth, mode: mode)
        case .mapping(let mapping):
            checkObject(mapping, at: node.location, schema: schema, path: path, depth: depth, mode: mode, ignoring: [])
        default: break
        }
        checkJunctors(node, schema: schema, path: path, depth: depth)
    }

    /// An `x-giter-encrypted` field as a file holds it: an envelope of the
    /// right shape, whatever the value inside.
    private mutating func checkSealed(_ node: Node, path: String) {
        // The value is not repeated: it is meant to be secret.
        guard let text = node.string, SealedValue.looksSealed(text) else {
            return add(
                .invalid, path, nil,
                "must be an encrypted value (x-giter-encrypted: a \(SealedValue.prefix)… string); encrypt it "
                    + "with the producer's SDK or giter apply, which seal it for the policy's encryptionKeys",
                at: node.location)
        }
        do {
            _ = try SealedValue(text: text)
        } catch {
            add(.invalid, path, nil, "the encrypted value \(error.message)", at: node.location)
        }
    }

    static func matches(_ node: Node, _ type: StructuralSchema.ValueType) -> Bool {
        switch (type, node.content) {
        case (.object, .mapping), (.array, .sequence), (.string, .string), (.boolean, .bool): true
        case (.integer, .number(let number)): number.isInteger
        case (.number, .number(let number)): number.doubleValue.isFinite
        default: false
        }
    }

    // MARK: Keywords by kind of value

    private mutating func checkEnum(_ node: Node, _ values: [Node], path: String, depth: Int) {
        let limit = Self.maxDepth - depth
        guard let key = FieldValue.canonical(node, depthLimit: limit) else {
            return add(.forbidden, path, nil, "nested deeper than \(Self.maxDepth) levels", at: node.location)
        }
        if values.contains(where: { FieldValue.canonical($0, depthLimit: Self.maxDepth) == key }) { return }
        add(
            .unsupported,
            path,
            node,
            "supported values: " + values.map(FieldValue.text).joined(separator: ", "),
            at: node.location
        )
    }

    private mutating func checkString(_ text: String, node: Node, schema: StructuralSchema, path: String) {
        let length = text.unicodeScalars.count
        if let minLength = schema.minLength, length < minLength {
            add(.invalid, path, node, "must be at least \(minLength) characters long", at: node.location)
        }
        if let maxLength = schema.maxLength, length > maxLength {
            add(.tooLong, path, node, "may not be longer than \(maxLength)", at: node.location)
        }
        if let pattern = schema.pattern, !pattern.regex.matches(text) {
            add(.invalid, path, node, "must match '\(pattern.text)'", at: node.location)
        }
        if let format = schema.format, !format.accepts(text) {
            add(.invalid, path, node, "must be of format \(format.rawValue)", at: node.location)
        }
    }

    private mutating func checkNumber(_ number: Node.Number, node: Node, schema: StructuralSchema, path: String) {
        if let format = schema.format, !format.accepts(number) {
            add(.invalid, path, node, "must be of format \(format.rawValue)", at: node.location)
        }
        if let minimum = schema.minimum, let order = Self.compare(number, minimum) {
            if schema.exclusiveMinimum, order <= 0 {
                add(.invalid, path, node, "must be greater than \(minimum.text)", at: node.location)
            } else if order < 0 {
                add(.invalid, path, node, "must be greater than or equal to \(minimum.text)", at: node.location)
            }
        }
        if let maximum = schema.maximum, let order = Self.compare(number, maximum) {
            if schema.exclusiveMaximum, order >= 0 {
                add(.invalid, path, node, "must be less than \(maximum.text)", at: node.location)
            } else if order > 0 {
                add(.invalid, path, node, "must be less than or equal to \(maximum.text)", at: node.location)
            }
        }
        if let factor = schema.multipleOf, !Self.isMultiple(number, of: factor) {
            add(.invalid, path, node, "must be a multiple of \(factor.text)", at: node.location)
        }
    }

    private mutating func checkArray(
        _ items: [Node],
        node: Node,
        schema: StructuralSchema,
        path: String,
        depth: Int,
        mode: Mode
    ) {
        if let minItems = schema.minItems, items.count < minItems {
            record(
                FieldError(
                    field: path,
                    kind: .invalid,
                    value: String(items.count),
                    detail: "must have at least \(minItems) items",
                    location: node.location
                )
            )
        }
        if let maxItems = schema.maxItems, items.count > maxItems {
            record(
                FieldError(
                    field: path,
                    kind: .tooMany,
                    value: String(items.count),
                    detail: "must have at most \(maxItems) items",
                    location: node.location
                )
            )
        }
        if let itemSchema = schema.items?.value {
            for (index, item) in items.enumerated() {
                validate(item, against: itemSchema, path: FieldValue.element(path, index), depth: depth + 1, mode: mode)
                if exhausted { return }
            }
        }
        var mapKeys: [String]?
        if case .map(let keys) = schema.listType { mapKeys = keys }
        var isSet = schema.uniqueItems
        if case .set = schema.listType { isSet = true }
        guard isSet || mapKeys != nil else { return }
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            guard step(path, depth: depth, location: item.location) else { return }
            var keyNode = item
            if let mapKeys {
                var identity = Node.Mapping()
                for key in mapKeys { identity[key] = item[key] ?? .null }
                keyNode = .mapping(identity)
            }
            guard let key = FieldValue.canonical(keyNode, depthLimit: Self.maxDepth - depth) else {
                return add(
                    .forbidden,
                    "\(path)[\(index)]",
                    nil,
                    "nested deeper than \(Self.maxDepth) levels",
                    at: item.location
                )
            }
            if !seen.insert(key).inserted {
                add(.duplicate, "\(path)[\(index)]", keyNode, "", at: item.location)
            }
        }
    }

    mutating func checkObject(
        _ mapping: Node.Mapping,
        at location: @autoclosure () -> SourceLocation?,
        schema: StructuralSchema,
        path: String,
        depth: Int,
        mode: Mode,
        ignoring: Set<String>
    ) {
        var count = 0
        for entry in mapping where !ignoring.contains(entry.key) {
            count += 1
            let field = FieldValue.join(path, displayedKey(entry.key, at: path, schema: schema))
            if let entrySchema = schema.schema(forProperty: entry.key) {
                validate(entry.value, against: entrySchema, path: field, depth: depth + 1, mode: mode)
                if exhausted { return }
            } else if mode == .structural, !schema.allowsUnknownFields,
                !(schema.isEmbeddedResource && ["apiVersion", "kind", "metadata"].contains(entry.key))
            {
                add(.unknownField, field, nil, "", at: entry.keyLocation ?? entry.value.location)
            }
        }
        for name in schema.required where !ignoring.contains(name) && !mapping.contains(key: name) {
            add(.required, FieldValue.join(path, name), nil, "", at: location())
        }
        if let minProperties = schema.minProperties, count < minProperties {
            record(
                FieldError(
                    field: path,
                    kind: .invalid,
                    value: String(count),
                    detail: "must have at least \(minProperties) properties",
                    location: location()
                )
            )
        }
        if let maxProperties = schema.maxProperties, count > maxProperties {
            record(
                FieldError(
                    field: path,
                    kind: .tooMany,
                    value: String(count),
                    detail: "must have at most \(maxProperties) properties",
                    location: location()
                )
            )
        }
    }

    /// `allOf`, `anyOf`, `oneOf` and `not` on `node`.
    mutating func checkJunctors(_ node: Node, schema: StructuralSchema, path: String, depth: Int) {
        for branch in schema.allOf {
            validate(node, against: branch, path: path, depth: depth, mode: .valuesOnly)
        }
        if !schema.anyOf.isEmpty {
            let valid = countValid(node, schema.anyOf, path: path, depth: depth, stopAt: 1)
            if !exhausted, valid == 0 {
                add(.invalid, path, node, "must validate at least one schema (anyOf)", at: node.location)
            }
        }
        if !schema.oneOf.isEmpty {
            let valid = countValid(node, schema.oneOf, path: path, depth: depth, stopAt: 2)
            if !exhausted, valid != 1 {
                let found = valid == 0 ? "found none valid" : "found more than one valid"
                add(.invalid, path, node, "must validate one and only one schema (oneOf): \(found)", at: node.location)
            }
        }
        if let not = schema.not?.value, countValid(node, [not], path: path, depth: depth, stopAt: 1) == 1, !exhausted {
            add(.invalid, path, node, "must not validate the schema (not)", at: node.location)
        }
    }

    /// How many of `branches` accept `node`, counting up to `stopAt`.
    private mutating func countValid(
        _ node: Node,
        _ branches: [StructuralSchema],
        path: String,
        depth: Int,
        stopAt: Int
    ) -> Int {
        var valid = 0
        for branch in branches {
            var branchValidator = validatorForBranch()
            branchValidator.validate(node, against: branch, path: path, depth: depth, mode: .valuesOnly)
            steps = branchValidator.steps
            if branchValidator.exhausted {
                exhausted = true
                errors += branchValidator.errors.filter { $0.kind == .forbidden }
                return valid
            }
            if branchValidator.errors.isEmpty { valid += 1 }
            if valid >= stopAt { break }
        }
        return valid
    }
}
