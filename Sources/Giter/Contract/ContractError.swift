public import GiterCodec

/// A contract file in `.giter/` that cannot be used: what is wrong, and where.
///
/// ``description`` reads `FILE:LINE:COLUMN: message`.
public struct ContractError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The repository path of the file.
    public var file: String
    /// Where in the file, when known.
    public var location: SourceLocation?
    /// What is wrong and what to do.
    public var message: String

    public init(file: String, location: SourceLocation?, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    public var description: String {
        "\(file):\(location.map { "\($0)" } ?? "1:1"): \(message)"
    }
}

/// Reads a mapping of a contract file strictly: every key must be known,
/// every value of the expected shape, and an error names the file and the
/// position.
struct StrictMapping {
    let file: String
    let field: String
    let node: Node
    let mapping: Node.Mapping

    init(_ node: Node, file: String, field: String) throws(ContractError) {
        guard let mapping = node.mapping else {
            throw ContractError(file: file, location: node.location, message: "\(field) must be a mapping, not \(node.kindDescription)")
        }
        self.file = file
        self.field = field
        self.node = node
        self.mapping = mapping
    }

    func path(_ key: String) -> String { field.isEmpty ? key : "\(field).\(key)" }

    /// Refuses keys outside `known`.
    func onlyKeys(_ known: Set<String>) throws(ContractError) {
        for entry in mapping where !known.contains(entry.key) {
            throw ContractError(
                file: file, location: entry.keyLocation ?? entry.value.location,
                message: "\(path(entry.key)): Unknown field; expected one of \(known.sorted().joined(separator: ", "))")
        }
    }

    func required(_ key: String) throws(ContractError) -> Node {
        guard let value = mapping[key], !value.isNull else {
            throw ContractError(file: file, location: node.location, message: "\(path(key)): Required value")
        }
        return value
    }

    func string(_ key: String) throws(ContractError) -> String? {
        guard let value = mapping[key], !value.isNull else { return nil }
        guard let text = value.string else {
            throw ContractError(file: file, location: value.location, message: "\(path(key)): must be a string, not \(value.kindDescription)")
        }
        return text
    }

    func requiredString(_ key: String) throws(ContractError) -> String {
        _ = try required(key)
        return try string(key) ?? ""
    }

    func bool(_ key: String) throws(ContractError) -> Bool? {
        guard let value = mapping[key], !value.isNull else { return nil }
        guard let flag = value.bool else {
            throw ContractError(file: file, location: value.location, message: "\(path(key)): must be true or false, not \(value.kindDescription)")
        }
        return flag
    }

    func strings(_ key: String) throws(ContractError) -> [String]? {
        guard let value = mapping[key], !value.isNull else { return nil }
        guard let items = value.sequence else {
            throw ContractError(file: file, location: value.location, message: "\(path(key)): must be a list of strings, not \(value.kindDescription)")
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = item.string else {
                throw ContractError(
                    file: file, location: item.location, message: "\(path(key))[\(index)]: must be a string, not \(item.kindDescription)")
            }
            result.append(text)
        }
        return result
    }

    func sequence(_ key: String) throws(ContractError) -> [Node]? {
        guard let value = mapping[key], !value.isNull else { return nil }
        guard let items = value.sequence else {
            throw ContractError(file: file, location: value.location, message: "\(path(key)): must be a list, not \(value.kindDescription)")
        }
        return items
    }

    func location(of key: String) -> SourceLocation? { mapping[key]?.location ?? node.location }
}
