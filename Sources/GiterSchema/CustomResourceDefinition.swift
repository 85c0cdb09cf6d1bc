public import GiterCodec

/// A parsed `apiextensions.k8s.io/v1` CustomResourceDefinition document:
/// the contract's schema for one kind.
///
/// Ordinary Kubernetes definitions work as they are. Reading one checks
/// that it is a definition, well formed, and that every version's
/// `openAPIV3Schema` is structural (Kubernetes' rules: every field has a
/// `type`, unless `x-kubernetes-int-or-string` or
/// `x-kubernetes-preserve-unknown-fields` says otherwise; no `$ref`;
/// `allOf`, `anyOf`, `oneOf` and `not` only restrict values). What Giter
/// does not enforce is listed in ``notEnforced``, never silently passed.
public struct CustomResourceDefinition: Sendable {
    /// `spec.group`: `example.com`.
    public let group: String
    /// `spec.names.kind`: `Experiment`.
    public let kind: String
    /// `spec.names.plural`: `experiments`.
    public let plural: String
    /// `spec.versions`, in document order.
    public let versions: [CustomResourceVersion]
    /// Features present in the document that Giter does not enforce (CEL
    /// `x-kubernetes-validations`, a conversion webhook, a `pattern`
    /// ``LinearRegex`` cannot handle, an unknown `format`, …), each once.
    public let notEnforced: [NotEnforcedFeature]

    /// Reads a definition. `file` is the repository path, used in errors.
    ///
    /// - Throws: ``SchemaError`` (`FILE:LINE:COLUMN: message`) for a document
    ///   that is not a CustomResourceDefinition, is malformed, or whose
    ///   schema is not structural.
    public init(_ document: Node, file: String) throws(SchemaError) {
        var reader = DefinitionReader(file: file)
        let root = try reader.mapping(document, path: "")
        try reader.checkKeys(
            root,
            allowed: ["apiVersion", "kind", "metadata", "spec", "status"],
            path: "",
            node: document
        )
        let apiVersion = try reader.string(root, "apiVersion", path: "", parent: document)
        guard apiVersion == "apiextensions.k8s.io/v1" else {
            throw reader.error(
                "apiVersion: Unsupported value: \(FieldValue.quoted(apiVersion)): supported values: "
                    + "\"apiextensions.k8s.io/v1\" (convert older definitions to v1)",
                at: root["apiVersion"]
            )
        }
        let kind = try reader.string(root, "kind", path: "", parent: document)
        guard kind == "CustomResourceDefinition" else {
            throw reader.error(
                "kind: Unsupported value: \(FieldValue.quoted(kind)): supported values: \"CustomResourceDefinition\"",
                at: root["kind"]
            )
        }
        let specNode = try reader.required(root, "spec", path: "", parent: document)
        let spec = try reader.mapping(specNode, path: "spec")
        try reader.checkKeys(
            spec,
            allowed: ["group", "names", "scope", "versions", "conversion", "preserveUnknownFields"],
            path: "spec",
            node: specNode
        )
        group = try reader.string(spec, "group", path: "spec", parent: specNode)
        guard DefinitionReader.isDNSSubdomain(group), group.contains(".") else {
            throw reader.error(
                "spec.group: Invalid value: \(FieldValue.quoted(group)): must be a lowercase DNS subdomain with at "
                    + "least one dot (for example \"example.com\")",
                at: spec["group"]
            )
        }
        let namesNode = try reader.required(spec, "names", path: "spec", parent: specNode)
        let names = try reader.mapping(namesNode, path: "spec.names")
        try reader.checkKeys(
            names,
            allowed: ["plural", "singular", "kind", "listKind", "shortNames", "categories"],
            path: "spec.names",
            node: namesNode
        )
        self.kind = try reader.string(names, "kind", path: "spec.names", parent: namesNode)
        plural = try reader.string(names, "plural", path: "spec.names", parent: namesNode)
        guard DefinitionReader.isDNSLabel(plural) else {
            throw reader.error(
                "spec.names.plural: Invalid value: \(FieldValue.quoted(plural)): must be a lowercase DNS label "
                    + "(for example \"experiments\")",
                at: names["plural"]
            )
        }
        // As the API server: the kind, lowercased, is a DNS-1035 label.
        guard DefinitionReader.isDNSLabel(self.kind.lowercased()),
            let firstLetter = self.kind.utf8.first, firstLetter | 0x20 >= 0x61, firstLetter | 0x20 <= 0x7A
        else {
            throw reader.error(
                "spec.names.kind: Invalid value: \(FieldValue.quoted(self.kind)): must be at most 63 letters, digits "
                    + "and '-', starting with a letter (for example \"Experiment\")",
                at: names["kind"]
            )
        }
        try reader.checkMetadata(root, expectedName: "\(plural).\(group)")
        let scope = try reader.string(spec, "scope", path: "spec", parent: specNode)
        guard scope == "Namespaced" || scope == "Cluster" else {
            throw reader.error(
                "spec.scope: Unsupported value: \(FieldValue.quoted(scope)): supported values: \"Cluster\", \"Namespaced\"",
                at: spec["scope"]
            )
        }
        if let preserve = spec["preserveUnknownFields"], preserve.bool != false {
            throw reader.error(
                "spec.preserveUnknownFields: Invalid value: \(FieldValue.text(preserve)): must be false in "
                    + "apiextensions.k8s.io/v1 (use x-kubernetes-preserve-unknown-fields in the schema)",
                at: preserve
            )
        }
        try reader.readConversion(spec["conversion"])
        versions = try reader.readVersions(spec, parent: specNode)
        notEnforced = reader.notEnforced
    }

    /// The version named `name` (`v1` for a resource of `apiVersion: example.com/v1`), if the definition has it.
    public func version(named name: String) -> CustomResourceVersion? { versions.first { $0.name == name } }
}
