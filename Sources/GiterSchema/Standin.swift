// TEMPORARY stand-in with the agreed API (replaced by helper A's and B's work at merge).
public import GiterCodec

public struct CustomResourceDefinition: Sendable {
    public let group: String
    public let kind: String
    public let plural: String
    public let versions: [CustomResourceVersion]
    public let notEnforced: [NotEnforcedFeature]
    public init(_ document: Node, file: String) throws(SchemaError) {
        guard let group = document["spec"]?["group"]?.string, let kind = document["spec"]?["names"]?["kind"]?.string else {
            throw SchemaError(file: file, location: document.location, message: "not a CustomResourceDefinition")
        }
        self.group = group
        self.kind = kind
        self.plural = document["spec"]?["names"]?["plural"]?.string ?? ""
        self.versions = (document["spec"]?["versions"]?.sequence ?? []).map {
            CustomResourceVersion(
                name: $0["name"]?.string ?? "", served: $0["served"]?.bool ?? false, storage: $0["storage"]?.bool ?? false,
                hasStatusSubresource: $0["subresources"]?["status"] != nil)
        }
        self.notEnforced = []
    }
    public func version(named name: String) -> CustomResourceVersion? { versions.first { $0.name == name } }
}
public struct CustomResourceVersion: Sendable {
    public let name: String
    public let served: Bool
    public let storage: Bool
    public let hasStatusSubresource: Bool
    public func validate(_ resource: Node.Mapping, sections: Set<ResourceSection>) -> [FieldError] { [] }
    public func applyingDefaults(to resource: Node.Mapping) -> Node.Mapping { resource }
}
public enum ResourceSection: Sendable, Hashable { case spec, status }
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case invalid = "Invalid value", required = "Required value", unsupported = "Unsupported value"
        case duplicate = "Duplicate value", tooLong = "Too long", tooMany = "Too many", unknownField = "Unknown field"
        case forbidden = "Forbidden"
    }
    public var field: String
    public var kind: Kind
    public var value: String?
    public var detail: String
    public var location: SourceLocation?
    public var description: String { "\(field): \(kind.rawValue)" + (value.map { ": \($0)" } ?? "") + ": \(detail)" }
}
public struct NotEnforcedFeature: Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var feature: String
    public var location: SourceLocation?
    public var description: String { "\(field): \(feature)" }
}
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var location: SourceLocation?
    public var message: String
    public var description: String { "\(file):\(location.map { "\($0)" } ?? "1:1"): \(message)" }
}
