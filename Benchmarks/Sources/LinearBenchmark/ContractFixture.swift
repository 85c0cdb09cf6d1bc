import Foundation
import Giter
import GiterCodec

/// The contract the contract-check paths judge commits by: a policy with a
/// producer and a consumer party, and one CustomResourceDefinition per
/// shape's kind whose schema covers the shape, so that validation walks
/// every node of the growing part.
enum ContractFixture {
    static let producer = "producer@bench.example"
    static let consumer = "consumer@bench.example"
    /// Levels of the nesting shapes' trees that the schema spells out; the
    /// rest is `x-kubernetes-preserve-unknown-fields` (each level costs the
    /// definition two levels of nesting, and it is itself bounded by
    /// ParseLimits.maxDepth).
    static let schemaTreeLevels = 50

    static let policy = """
        apiVersion: giter.dev/v1alpha1
        kind: ExchangePolicy
        metadata:
          name: linear
        spec:
          parties:
          - name: lab
            role: producer
            namespaces: ["\(Shape.namespace)"]
            members:
            - email: \(producer)
          - name: runner
            role: consumer
            namespaces: ["\(Shape.namespace)"]
            members:
            - email: \(consumer)
          unknownKinds: reject

        """

    static let statusSchema =
        "{type: object, properties: {observedGeneration: {type: integer, minimum: 0}, phase: {type: string, enum: [Pending, Running, Done]}}}"

    static func specSchema(kind: String) -> String {
        let printable = "{type: string, pattern: '^[^<>]*$'}"
        switch kind {
        case "BlockKeys": return "{type: object, additionalProperties: {type: string, maxLength: 64}}"
        case "FlowKeys": return "{type: object, additionalProperties: {type: integer, minimum: 0}}"
        case "Sequence":
            return
                "{type: object, properties: {items: {type: array, items: {type: object, required: [name, port], properties: {name: {type: string, pattern: '^item-[0-9]+$'}, port: {type: integer, minimum: 0, maximum: 65535}}}}}}"
        case "LongString", "BlockScalar": return "{type: object, required: [text], properties: {text: \(printable)}}"
        case "NestBlock", "NestFlow":
            var tree = "{type: object, x-kubernetes-preserve-unknown-fields: true}"
            for _ in 0..<(schemaTreeLevels - 1) {
                tree = "{type: object, properties: {v: {type: integer}, c: \(tree)}}"
            }
            return "{type: object, properties: {trees: {type: array, items: \(tree)}}}"
        default:
            return "{type: object, required: [name, port], properties: {name: {type: string, maxLength: 253}, port: {type: integer, minimum: 0, maximum: 65535}}}"
        }
    }

    static func definition(kind: String) -> String {
        let group = String(Shape.apiVersion.split(separator: "/")[0])
        let plural = kind.lowercased() + "s"
        return """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: \(plural).\(group)
            spec:
              group: \(group)
              names:
                kind: \(kind)
                plural: \(plural)
              scope: Namespaced
              versions:
              - name: v1
                served: true
                storage: true
                subresources:
                  status: {}
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec: \(specSchema(kind: kind))
                      status: \(statusSchema)

            """
    }

    static func contract() throws -> Contract {
        var files: [String: [UInt8]] = [ExchangePolicy.path: Array(policy.utf8)]
        for kind in Set(Shape.allCases.map(\.kind)) {
            files[".giter/crds/\(kind.lowercased()).yaml"] = Array(definition(kind: kind).utf8)
        }
        return try Contract.load(files: files)
    }

    /// A made-up object id: the checker reads blobs through its closure, never from Git.
    static func objectID(_ number: Int) -> ObjectID {
        let hex = String(number, radix: 16)
        return ObjectID(hex: String(repeating: "0", count: 40 - hex.count) + hex)!
    }

    static func commit(author: String) -> CommitInfo {
        let signature = Signature(name: "Bench", email: author, date: Date(timeIntervalSince1970: 1_800_000_000))
        return CommitInfo(
            id: objectID(0xC0_FFEE), parents: [objectID(0xBEEF)], author: signature, committer: signature,
            message: "linear benchmark")
    }

    /// Where a resource file of the shape lives in an exchange.
    static func path(ofFile text: String, shape: Shape) throws -> String {
        let node = try YAMLReader().readDocument(text)
        guard let name = node["metadata"]?["name"]?.string else { throw LinearError.setup("a file without metadata.name") }
        return ResourceKey(namespace: Shape.namespace, kind: shape.kind, name: name).repositoryPath
    }
}
