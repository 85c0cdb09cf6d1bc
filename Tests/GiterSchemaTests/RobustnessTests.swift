import GiterCodec
import GiterSchema
import Testing

/// Any definition and any resource give a definition or a `SchemaError`,
/// and a list of field errors: never a crash.
struct RobustnessTests {
    static let definition = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        spec:
          group: example.com
          scope: Namespaced
          names: {kind: Widget, plural: widgets}
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [size]
                    properties:
                      size: {type: integer, minimum: 0, maximum: 9, default: 1, format: int32}
                      name: {type: string, minLength: 1, maxLength: 8, pattern: '^[a-z]+$', format: hostname}
                      mode: {type: string, enum: [a, b], default: a}
                      port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
                      tags: {type: array, items: {type: string}, maxItems: 3, x-kubernetes-list-type: set}
                      labels: {type: object, additionalProperties: {type: string}}
                      extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
                      ratio: {type: number, exclusiveMinimum: true, minimum: 0, multipleOf: 0.5, nullable: true}
                    oneOf: [{required: [name]}, {required: [port]}]
                  status:
                    type: object
                    properties:
                      phase: {type: string, not: {enum: [Bad]}}
        """

    static let resources = [
        "spec: {size: 3, name: abc}\nstatus: {phase: Ok, observedGeneration: 1}\n",
        "spec: {size: -1, name: ABC, mode: c, tags: [a, a, b, c], labels: {a: 1}, ratio: 0.25}\n",
        "spec: [1]\nstatus: {conditions: [{type: Ready, status: 'True'}], phase: Bad}\n",
        "spec: {size: 1, port: 1, extra: {x: [1, {y: 2}]}, ratio: null}\n",
    ]

    /// SplitMix64: a small seeded generator, so that a failure can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func mutatedDefinitionsAndResourcesNeverCrash() throws {
        var generator = Generator(state: 42)
        let original = Array(Self.definition.utf8)
        let replacements = Array("{}[]:,- '\"\n0a-1.5tTnull".utf8)
        var accepted = 0
        var refused = 0
        for _ in 0..<600 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...2, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = replacements.randomElement(using: &generator) ?? 0x20
            }
            guard let document = try? YAMLReader().readDocument(bytes) else { continue }
            do {
                let definition = try CustomResourceDefinition(document, file: "mutant.yaml")
                accepted += 1
                for version in definition.versions {
                    for text in Self.resources {
                        let resource = try YAMLReader().readDocument(text).mapping ?? Node.Mapping()
                        _ = version.validate(resource, sections: [.spec, .status])
                        _ = version.validate(version.applyingDefaults(to: resource), sections: [.spec])
                    }
                }
            } catch let error as SchemaError {
                #expect(error.description.hasPrefix("mutant.yaml"))
                refused += 1
            }
        }
        // Both outcomes were exercised.
        #expect(accepted > 10)
        #expect(refused > 10)
    }

    @Test func theUnmutatedDefinitionValidatesTheSampleResources() throws {
        let definition = try CustomResourceDefinition(YAMLReader().readDocument(Self.definition), file: "w.yaml")
        let version = try #require(definition.version(named: "v1"))
        let results = try Self.resources.map { text in
            version.validate(try YAMLReader().readDocument(text).mapping ?? Node.Mapping(), sections: [.spec, .status])
                .map(\.description)
        }
        #expect(results[0] == [])
        #expect(results[3] == [])
        #expect(results[2].contains("status.phase: Invalid value: \"Bad\": must not validate the schema (not)"))
        #expect(results[1].contains("spec.tags: Too many: 4: must have at most 3 items"))
        #expect(results[1].contains("spec.tags[1]: Duplicate value: \"a\""))
        #expect(results[1].contains("spec.ratio: Invalid value: 0.25: must be a multiple of 0.5"))
        #expect(results[1].contains("spec.labels.a: Invalid value: 1: must be of type string"))
    }
}
