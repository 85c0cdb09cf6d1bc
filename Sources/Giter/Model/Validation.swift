// Validation of resources against Kubernetes' rules for the fields Giter
// knows: identity, metadata and, for statuses that carry them, conditions.

extension CustomResource {
    /// Checks the resource against Kubernetes' rules and reports every
    /// problem at once.
    ///
    /// - `apiVersion` is `group/version`; the group is a lowercase DNS name
    ///   with at least one dot (`batch.example.com`), the version a lowercase
    ///   RFC 1035 label (`v1`, `v1beta2`, `v2alpha1`).
    /// - `kind` is UpperCamelCase ASCII: an uppercase letter, then letters and
    ///   digits, at most 63 characters.
    /// - `metadata` follows ``ObjectMeta/validate()``: the name is an RFC 1123
    ///   subdomain and the namespace an RFC 1123 label, so that neither can
    ///   be a path such as `../x`, `a/b`, `.git` or `..`.
    /// - When `Status` conforms to ``ReconcilableStatus``: `observedGeneration`
    ///   is not negative and every condition has a valid, unique type, a
    ///   valid reason and a message of at most 32,768 characters.
    ///
    /// The spec and any other status fields are the host app's to check.
    ///
    /// - Throws: ``ValidationErrors`` listing every problem, in field order.
    public func validate() throws(ValidationErrors) {
        var errors = NameRules.checkAPIVersion(apiVersion, field: "apiVersion")
        errors += NameRules.checkKind(kind, field: "kind")
        errors += metadata.validationErrors(at: "metadata")
        if let status = status as? any ReconcilableStatus {
            errors += status.validationErrors(at: "status")
        }
        if !errors.isEmpty { throw ValidationErrors(errors) }
    }
}

extension ObjectMeta {
    /// Checks the metadata against Kubernetes' rules, reporting fields as
    /// `metadata.name`, `metadata.labels[app]` and so on.
    ///
    /// - `name`: an RFC 1123 subdomain of at most 253 characters: lowercase
    ///   letters, digits, `-` and `.`, a letter or digit at both ends and on
    ///   each side of every dot.
    /// - `namespace`, when set: an RFC 1123 label of at most 63 characters:
    ///   lowercase letters, digits and `-`, a letter or digit at both ends.
    /// - label and annotation keys and finalizers: qualified names, an
    ///   optional DNS prefix and `/`, then at most 63 letters, digits, `-`,
    ///   `_` and `.` with a letter or digit at both ends.
    /// - label values: empty, or at most 63 characters of the same form.
    /// - annotations: at most 256 KiB of keys and values in all.
    /// - `generation`: not negative.
    ///
    /// - Throws: ``ValidationErrors`` listing every problem.
    public func validate() throws(ValidationErrors) {
        let errors = validationErrors(at: "metadata")
        if !errors.isEmpty { throw ValidationErrors(errors) }
    }

    func validationErrors(at path: String) -> [ValidationError] {
        var errors = NameRules.checkName(name, field: "\(path).name")
        if let namespace {
            errors += NameRules.checkNamespace(namespace, field: "\(path).namespace")
        }
        for (key, value) in (labels ?? [:]).sorted(by: { $0.key < $1.key }) {
            errors += NameRules.checkQualifiedName(key, field: "\(path).labels", what: "a label key")
            errors += NameRules.checkLabelValue(value, field: "\(path).labels[\(key)]")
        }
        if let annotations {
            var size = 0
            for (key, value) in annotations.sorted(by: { $0.key < $1.key }) {
                errors += NameRules.checkQualifiedName(key, field: "\(path).annotations", what: "an annotation key")
                size += key.utf8.count + value.utf8.count
            }
            if size > NameRules.maxAnnotationsSize {
                errors.append(
                    ValidationError(
                        .tooLong,
                        field: "\(path).annotations",
                        value: nil,
                        message: "annotations may hold at most \(NameRules.maxAnnotationsSize) bytes of keys and "
                            + "values in all, not \(size); keep large data in the spec or status"
                    )
                )
            }
        }
        if let generation, generation < 0 {
            errors.append(
                ValidationError(
                    .invalid,
                    field: "\(path).generation",
                    value: String(generation),
                    message: "a generation must not be negative; it counts changes to the spec from 1"
                )
            )
        }
        for (index, finalizer) in (finalizers ?? []).enumerated() {
            errors += NameRules.checkQualifiedName(
                finalizer,
                field: "\(path).finalizers[\(index)]",
                what: "a finalizer"
            )
        }
        return errors
    }
}

extension ReconcilableStatus {
    func validationErrors(at path: String) -> [ValidationError] {
        var errors: [ValidationError] = []
        if let observedGeneration, observedGeneration < 0 {
            errors.append(
                ValidationError(
                    .invalid,
                    field: "\(path).observedGeneration",
                    value: String(observedGeneration),
                    message: "an observed generation must not be negative; copy it from metadata.generation"
                )
            )
        }
        var seenTypes = Set<String>()
        for (index, condition) in conditions.enumerated() {
            let conditionPath = "\(path).conditions[\(index)]"
            errors += condition.validationErrors(at: conditionPath)
            if !seenTypes.insert(condition.type).inserted {
                errors.append(
                    ValidationError(
                        .duplicate,
                        field: "\(conditionPath).type",
                        value: condition.type,
                        message: "a status has at most one condition of each type; set conditions with setCondition(_:)"
                    )
                )
            }
        }
        return errors
    }
}

extension Condition {
    func validationErrors(at path: String) -> [ValidationError] {
        var errors = NameRules.checkQualifiedName(
            type,
            field: "\(path).type",
            what: "a condition type",
            maxLength: NameRules.maxConditionTypeLength
        )
        if let observedGeneration, observedGeneration < 0 {
            errors.append(
                ValidationError(
                    .invalid,
                    field: "\(path).observedGeneration",
                    value: String(observedGeneration),
                    message: "an observed generation must not be negative; copy it from metadata.generation"
                )
            )
        }
        errors += NameRules.checkReason(reason, field: "\(path).reason")
        let messageLength = message.unicodeScalars.count
        if messageLength > NameRules.maxMessageLength {
            errors.append(
                ValidationError(
                    .tooLong,
                    field: "\(path).message",
                    value: message,
                    message: "a condition message must be at most \(NameRules.maxMessageLength) characters, "
                        + "not \(messageLength); shorten it"
                )
            )
        }
        return errors
    }
}
