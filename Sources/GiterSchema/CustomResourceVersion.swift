public import GiterCodec

/// One version of a ``CustomResourceDefinition``: its name, whether it is
/// served, and the schema that resources of this version must follow.
public struct CustomResourceVersion: Sendable {
    /// `spec.versions[].name`: `v1`, `v1alpha1`.
    public let name: String
    /// Whether resources may use this version.
    public let served: Bool
    /// Whether this is the version the definition stores.
    public let storage: Bool
    /// Whether `subresources.status` is present.
    public let hasStatusSubresource: Bool
    /// What this version's schema has that Giter does not enforce, each once.
    public let notEnforced: [NotEnforcedFeature]

    /// The `openAPIV3Schema`.
    let schema: StructuralSchema

    /// The top-level keys that are never part of the `.spec` section.
    static let reservedKeys: Set<String> = ["apiVersion", "kind", "metadata", "status"]

    init(
        name: String,
        served: Bool,
        storage: Bool,
        hasStatusSubresource: Bool,
        schema: StructuralSchema,
        notEnforced: [NotEnforcedFeature]
    ) {
        self.name = name
        self.served = served
        self.storage = storage
        self.hasStatusSubresource = hasStatusSubresource
        self.schema = schema
        self.notEnforced = notEnforced
    }

    /// Validates the sections of a resource document (the whole file's
    /// mapping) against `openAPIV3Schema`.
    ///
    /// - `.spec`: every top-level key except `apiVersion`, `kind`,
    ///   `metadata` and `status` (so `spec`, and any other top-level property
    ///   the schema declares; a top-level key the schema does not declare is
    ///   an unknown-field error).
    /// - `.status`: the `status` entry, where Giter's own fields are always
    ///   allowed and checked by their own shape: `status.observedGeneration`
    ///   (integer >= 0), `status.observedSpecDigest` (string) and
    ///   `status.conditions` (a list of `metav1.Condition`: `type`, `status`
    ///   True|False|Unknown, `reason`, `message`, `lastTransitionTime`
    ///   date-time, `observedGeneration`).
    ///
    /// `apiVersion`, `kind` and `metadata` are not validated here: the caller
    /// checks them with Giter's name rules. Unknown fields are errors, never
    /// pruned. A field marked `x-giter-encrypted: true` must hold an
    /// envelope of the right shape (``SealedValue``); see
    /// ``validate(_:sections:encryptedFields:)`` for the producer's check of
    /// the plaintext. Validation is bounded: a document nested deeper than 128
    /// levels, or one that needs more than a million steps, gets an error.
    ///
    /// - Returns: every problem found, in document order per section; empty when valid.
    public func validate(_ resource: Node.Mapping, sections: Set<ResourceSection>) -> [FieldError] {
        validate(resource, sections: sections, stepLimit: SchemaValidator.maxSteps)
    }

    /// ``validate(_:sections:)`` with another work limit (tests use a small one).
    func validate(
        _ resource: Node.Mapping,
        sections: Set<ResourceSection>,
        stepLimit: Int,
        encryptedFields: EncryptedFieldCheck = .sealed
    ) -> [FieldError] {
        var validator = SchemaValidator(stepLimit: stepLimit, encryptedFields: encryptedFields)
        if encryptedFields == .plaintext, schema.containsEncrypted {
            // The plaintext of these fields is never quoted in an error, nor any value that holds it.
            _ = mappingEncryptedFields(in: resource) { path, value in
                validator.secretPaths.append(path)
                return value
            }
            validator.hidesValue = true
        }
        if sections.contains(.spec) { validateSpec(resource, into: &validator) }
        if sections.contains(.status) { validateStatus(resource, into: &validator) }
        return validator.errors
    }

    private func validateSpec(_ resource: Node.Mapping, into validator: inout SchemaValidator) {
        validator.checkObject(
            resource,
            at: nil,
            schema: schema,
            path: "",
            depth: 0,
            mode: .structural,
            ignoring: Self.reservedKeys
        )
        if !schema.allOf.isEmpty || !schema.anyOf.isEmpty || !schema.oneOf.isEmpty || schema.not != nil {
            var view = resource
            view.entries.removeAll { Self.reservedKeys.contains($0.key) }
            validator.checkJunctors(.mapping(view), schema: schema, path: "", depth: 0)
        }
    }

    private func validateStatus(_ resource: Node.Mapping, into validator: inout SchemaValidator) {
        guard let status = resource["status"] else {
            if schema.required.contains("status") { validator.add(.required, "status", nil, "", at: nil) }
            return
        }
        var statusSchema = schema.properties["status"] ?? StructuralSchema()
        if schema.properties["status"] == nil {
            statusSchema.type = .object
            statusSchema.preservesUnknownFields = schema.allowsUnknownFields
        }
        guard let mapping = status.mapping else {
            if status.isNull && statusSchema.nullable { return }
            validator.add(.invalid, "status", status, "must be of type object", at: status.location)
            return
        }
        if let type = statusSchema.type, type != .object {
            validator.add(
                .invalid,
                "status",
                status,
                "must be of type \(type.rawValue)",
                at: status.location
            )
            return
        }
        validator.checkObject(
            mapping,
            at: status.location,
            schema: statusSchema,
            path: "status",
            depth: 1,
            mode: .structural,
            ignoring: GiterStatusFields.names
        )
        var view = mapping
        view.entries.removeAll { GiterStatusFields.names.contains($0.key) }
        validator.checkJunctors(
            Node(.mapping(view), location: status.location),
            schema: statusSchema,
            path: "status",
            depth: 1
        )
        GiterStatusFields.check(mapping, path: "status", into: &validator)
    }

    /// The resource with the schema's `default`s applied under the `.spec`
    /// sections, as the API server defaults: an absent property with a
    /// default gets it (and so does a `null` one that is not `nullable`),
    /// recursively, into objects that exist or are being defaulted; never
    /// into `apiVersion`, `kind`, `metadata` or `status`. Defaulted values
    /// carry no source location.
    public func applyingDefaults(to resource: Node.Mapping) -> Node.Mapping {
        var result = resource
        SchemaDefaulter.fill(&result, schema: schema, depth: 0, skipping: Self.reservedKeys)
        return result
    }
}
