import GiterCodec

/// Reads the parts of a CustomResourceDefinition document around its
/// schemas, with errors that name the file, line and column.
struct DefinitionReader {
    let file: String
    private(set) var notEnforced: [NotEnforcedFeature] = []

    init(file: String) { self.file = file }

    func error(_ message: String, at node: Node?) -> SchemaError {
        SchemaError(file: file, location: node?.location, message: message)
    }

    private static func path(_ parent: String, _ key: String) -> String { FieldValue.join(parent, key) }

    func mapping(_ node: Node, path: String) throws(SchemaError) -> Node.Mapping {
        guard let mapping = node.mapping else {
            let what = path.isEmpty ? "the document" : path
            throw error("\(what): Invalid value: must be a mapping, not \(node.kindDescription)", at: node)
        }
        return mapping
    }

    func required(_ mapping: Node.Mapping, _ key: String, path: String, parent: Node) throws(SchemaError) -> Node {
        guard let value = mapping[key] else { throw error("\(Self.path(path, key)): Required value", at: parent) }
        return value
    }

    func string(_ mapping: Node.Mapping, _ key: String, path: String, parent: Node) throws(SchemaError) -> String {
        let value = try required(mapping, key, path: path, parent: parent)
        guard let text = value.string, !text.isEmpty else {
            throw error(
                "\(Self.path(path, key)): Invalid value: \(FieldValue.text(value)): must be a non-empty string",
                at: value
            )
        }
        return text
    }

    func bool(_ mapping: Node.Mapping, _ key: String, path: String, parent: Node) throws(SchemaError) -> Bool {
        let value = try required(mapping, key, path: path, parent: parent)
        guard let flag = value.bool else {
            throw error(
                "\(Self.path(path, key)): Invalid value: \(FieldValue.text(value)): must be true or false",
                at: value
            )
        }
        return flag
    }

    /// Fails closed on a key the reader does not know: a misspelt key would otherwise be ignored.
    func checkKeys(_ mapping: Node.Mapping, allowed: Set<String>, path: String, node: Node) throws(SchemaError) {
        if let entry = mapping.first(where: { !allowed.contains($0.key) }) {
            throw SchemaError(
                file: file,
                location: entry.keyLocation ?? entry.value.location,
                message: "\(Self.path(path, entry.key)): Unknown field: supported fields: "
                    + allowed.sorted().joined(separator: ", ")
            )
        }
    }

    /// `metadata.name` must be `<plural>.<group>`, as the API server requires.
    func checkMetadata(_ root: Node.Mapping, expectedName: String) throws(SchemaError) {
        guard let metadata = root["metadata"] else { throw error("metadata: Required value", at: nil) }
        let name = try string(try mapping(metadata, path: "metadata"), "name", path: "metadata", parent: metadata)
        guard name == expectedName else {
            throw error(
                "metadata.name: Invalid value: \(FieldValue.quoted(name)): must be spec.names.plural+\".\"+spec.group "
                    + "(\(FieldValue.quoted(expectedName)))",
                at: metadata["name"]
            )
        }
    }

    /// `spec.conversion`: `None` is enforced (there is nothing to do); a webhook is reported.
    mutating func readConversion(_ node: Node?) throws(SchemaError) {
        guard let node else { return }
        let conversion = try mapping(node, path: "spec.conversion")
        let strategy = try string(conversion, "strategy", path: "spec.conversion", parent: node)
        switch strategy {
        case "None": break
        case "Webhook":
            notEnforced.append(
                NotEnforcedFeature(
                    field: "spec.conversion.strategy",
                    feature: "conversion webhook (resources are validated against the version their apiVersion names, "
                        + "never converted)",
                    location: conversion["strategy"]?.location
                )
            )
        default:
            throw error(
                "spec.conversion.strategy: Unsupported value: \(FieldValue.quoted(strategy)): supported values: "
                    + "\"None\", \"Webhook\"",
                at: conversion["strategy"]
            )
        }
    }

    mutating func readVersions(_ spec: Node.Mapping, parent: Node) throws(SchemaError) -> [CustomResourceVersion] {
        let node = try required(spec, "versions", path: "spec", parent: parent)
        guard let items = node.sequence, !items.isEmpty else {
            throw error("spec.versions: Invalid value: must be a non-empty list of versions", at: node)
        }
        var versions: [CustomResourceVersion] = []
        for (index, item) in items.enumerated() {
            let version = try readVersion(item, path: "spec.versions[\(index)]")
            if versions.contains(where: { $0.name == version.name }) {
                throw error(
                    "spec.versions[\(index)].name: Duplicate value: \(FieldValue.quoted(version.name))",
                    at: item["name"]
                )
            }
            versions.append(version)
        }
        let storageCount = versions.filter(\.storage).count
        guard storageCount == 1 else {
            throw error(
                "spec.versions: Invalid value: must have exactly one version marked as storage version",
                at: node
            )
        }
        return versions
    }

    private mutating func readVersion(_ node: Node, path: String) throws(SchemaError) -> CustomResourceVersion {
        let version = try mapping(node, path: path)
        try checkKeys(
            version,
            allowed: [
                "name", "served", "storage", "deprecated", "deprecationWarning", "schema", "subresources",
                "additionalPrinterColumns", "selectableFields",
            ],
            path: path,
            node: node
        )
        let name = try string(version, "name", path: path, parent: node)
        guard Self.isDNSLabel(name) else {
            throw error(
                "\(path).name: Invalid value: \(FieldValue.quoted(name)): must be a lowercase DNS label (for example \"v1\")",
                at: version["name"]
            )
        }
        let served = try bool(version, "served", path: path, parent: node)
        let storage = try bool(version, "storage", path: path, parent: node)
        var hasStatus = false
        if let subresourcesNode = version["subresources"] {
            let subresources = try mapping(subresourcesNode, path: "\(path).subresources")
            try checkKeys(
                subresources,
                allowed: ["status", "scale"],
                path: "\(path).subresources",
                node: subresourcesNode
            )
            if let status = subresources["status"] {
                guard status.mapping?.isEmpty == true else {
                    throw error("\(path).subresources.status: Invalid value: must be an empty mapping ({})", at: status)
                }
                hasStatus = true
            }
        }
        let schemaNode = try required(version, "schema", path: path, parent: node)
        let schemaMapping = try mapping(schemaNode, path: "\(path).schema")
        try checkKeys(schemaMapping, allowed: ["openAPIV3Schema"], path: "\(path).schema", node: schemaNode)
        let rootNode = try required(schemaMapping, "openAPIV3Schema", path: "\(path).schema", parent: schemaNode)
        var parser = SchemaParser(file: file)
        let schema = try parser.parseRoot(rootNode, documentPath: "\(path).schema.openAPIV3Schema")
        for feature in parser.notEnforced
        where !notEnforced.contains(where: { $0.field == feature.field && $0.feature == feature.feature }) {
            notEnforced.append(feature)
        }
        return CustomResourceVersion(
            name: name,
            served: served,
            storage: storage,
            hasStatusSubresource: hasStatus,
            schema: schema,
            notEnforced: parser.notEnforced
        )
    }

    // MARK: Names

    /// A lowercase RFC 1123 label: at most 63 of `a-z`, `0-9`, `-`, starting and ending alphanumeric.
    static func isDNSLabel(_ text: String) -> Bool {
        let bytes = text.utf8
        let alnum = { (byte: UInt8) in (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) }
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
        return alnum(first) && alnum(last) && bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// Lowercase RFC 1123 labels separated by dots, at most 253 characters.
    static func isDNSSubdomain(_ text: String) -> Bool {
        text.utf8.count <= 253
            && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }
}
