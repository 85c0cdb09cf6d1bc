import GiterCodec
import Testing

@testable import GiterSchema

/// Bounded work and depth: hostile definitions and documents get errors,
/// never a stack overflow or a hang.
struct BoundsTests {
    typealias F = SchemaFixtures

    /// `{a: {a: … value …}}`, `depth` mappings deep, built without recursion.
    static func nested(depth: Int, key: String, innermost: Node) -> Node {
        var node = innermost
        for _ in 0..<depth { node = [key: node] }
        return node
    }

    @Test func aSchemaNested10000DeepIsAnError() throws {
        let innermost: Node = ["type": "object"]
        var schema = innermost
        for _ in 0..<10_000 { schema = ["type": "object", "properties": ["a": schema]] }
        var document = try YAMLReader().readDocument(F.definitionText(spec: "type: object\n"))
        var spec = try #require(document["spec"]?.mapping)
        var versions = try #require(spec["versions"]?.sequence)
        var version = try #require(versions[0].mapping)
        version["schema"] = ["openAPIV3Schema": schema]
        versions[0] = .mapping(version)
        spec["versions"] = .sequence(versions)
        var root = try #require(document.mapping)
        root["spec"] = .mapping(spec)
        document = .mapping(root)
        #expect {
            try CustomResourceDefinition(document, file: "deep.yaml")
        } throws: { error in
            (error as? SchemaError)?.message.contains(
                "Forbidden: schemas nested deeper than 64 levels are not supported"
            ) == true
        }
    }

    @Test func aDocumentNested10000DeepIsAnError() throws {
        let version = try F.version(
            spec: "type: object\nproperties:\n  a: {type: object, x-kubernetes-preserve-unknown-fields: true}\n"
        )
        // Under preserve-unknown-fields nothing is walked: valid.
        var resource = try F.resource("")
        resource["spec"] = ["a": Self.nested(depth: 10_000, key: "a", innermost: 1)]
        #expect(version.validate(resource, sections: [.spec]) == [])

        // A recursive-looking schema can only be as deep as the definition, so
        // the deepest walk is a schema that allows any object value: a map of maps.
        let maps = try F.version(
            spec: "type: object\nadditionalProperties:\n  type: object\n  x-kubernetes-preserve-unknown-fields: true\n"
        )
        var deep = try F.resource("")
        deep["spec"] = Self.nested(depth: 10_000, key: "a", innermost: 1)
        #expect(maps.validate(deep, sections: [.spec]) == [])

        // Comparing values (uniqueItems, enum) walks the whole value: bounded.
        let unique = try F.version(
            spec: """
                type: object
                properties:
                  list:
                    type: array
                    uniqueItems: true
                    items: {type: object, x-kubernetes-preserve-unknown-fields: true}

                """
        )
        var list = try F.resource("")
        list["spec"] = ["list": [Self.nested(depth: 10_000, key: "a", innermost: 1), ["b": 1]]]
        let errors = unique.validate(list, sections: [.spec]).map(\.description)
        #expect(errors == ["spec.list[0]: Forbidden: nested deeper than 128 levels"])
    }

    @Test func defaultsOfADeepDocumentStop() throws {
        let version = try F.version(
            spec: "type: object\nadditionalProperties:\n  type: object\n  x-kubernetes-preserve-unknown-fields: true\n"
        )
        var resource = try F.resource("")
        resource["spec"] = Self.nested(depth: 10_000, key: "a", innermost: 1)
        #expect(version.applyingDefaults(to: resource) == resource)
    }

    @Test func validationWorkIsBounded() throws {
        // Every item tries ten anyOf branches: eleven steps an item.
        let branches = (1...10).map { "- maximum: -\($0)\n" }.joined()
        let version = try F.version(
            spec: "type: object\nproperties:\n  n:\n    type: array\n    items:\n      type: integer\n      anyOf:\n"
                + F.indent(branches, by: 6)
        )
        #expect(SchemaValidator.maxSteps == 1_000_000)
        // The mechanism, with a limit of 10,000 steps for speed: each item takes eleven steps, item 908 passes the limit.
        var resource = try F.resource("")
        resource["spec"] = ["n": .sequence(Array(repeating: 1, count: 1_000))]
        let errors = version.validate(resource, sections: [.spec], stepLimit: 10_000).map(\.description)
        #expect(errors.last?.hasPrefix("spec.n[908]: Forbidden: validation needs more than 10000 steps") == true)
        #expect(errors.count == 909, "stops there: one anyOf error per item before it, then the limit")
        // Within the limit the document is validated in full.
        resource["spec"] = ["n": .sequence(Array(repeating: 1, count: 900))]
        #expect(version.validate(resource, sections: [.spec], stepLimit: 10_000).count == 900)
    }

    @Test func aSchemaSharedManyTimesIsRefused() throws {
        // A node tree built in code can share one subtree 2^30 times; reading
        // it must stop, not walk every copy.
        var schema: Node = ["maximum": -1]
        for _ in 0..<30 { schema = ["anyOf": [schema, schema]] }
        let nested: Node = ["type": "object", "properties": ["n": ["type": "integer", "anyOf": [schema]]]]
        let root = try #require(nested.mapping)
        var document = try YAMLReader().readDocument(F.definitionText(spec: "type: object\n"))
        var spec = try #require(document["spec"]?.mapping)
        var versions = try #require(spec["versions"]?.sequence)
        var version = try #require(versions[0].mapping)
        version["schema"] = ["openAPIV3Schema": .mapping(root)]
        versions[0] = .mapping(version)
        spec["versions"] = .sequence(versions)
        var top = try #require(document.mapping)
        top["spec"] = .mapping(spec)
        document = .mapping(top)
        #expect {
            try CustomResourceDefinition(document, file: "wide.yaml")
        } throws: { error in
            (error as? SchemaError)?.message.contains("more than 100000 schema objects") == true
        }
    }
}
