import GiterCodec
import GiterSchema
import Testing

/// The `.status` section with Giter's own fields, and defaulting.
struct StatusAndDefaultsTests {
    typealias F = SchemaFixtures

    static let statusSchema = "type: object\nproperties:\n  phase: {type: string, enum: [Running, Done]}\n"

    static func statusErrors(_ status: String) throws -> [String] {
        let version = try F.version(spec: "type: object\n", status: statusSchema)
        return version.validate(try F.resource("spec: {}\nstatus:\n" + F.indent(status, by: 2)), sections: [.status])
            .map(\.description)
    }

    @Test func giterStatusFieldsAreAlwaysAllowed() throws {
        let status = """
            phase: Running
            observedGeneration: 3
            observedSpecDigest: sha256:abc
            conditions:
            - type: Ready
              status: "True"
              observedGeneration: 3
              lastTransitionTime: "2024-05-01T12:30:00Z"
              reason: ReportPublished
              message: ""
            """
        #expect(try Self.statusErrors(status) == [])
        #expect(
            try Self.statusErrors("phase: Paused\n") == [
                "status.phase: Unsupported value: \"Paused\": supported values: \"Running\", \"Done\""
            ]
        )
        #expect(try Self.statusErrors("other: 1\n") == ["status.other: Unknown field"])
    }

    @Test func giterStatusFieldsAreCheckedByTheirShape() throws {
        #expect(
            try Self.statusErrors("observedGeneration: -1\n") == [
                "status.observedGeneration: Invalid value: -1: must be greater than or equal to 0"
            ]
        )
        #expect(
            try Self.statusErrors("observedSpecDigest: 1\n") == [
                "status.observedSpecDigest: Invalid value: 1: must be of type string"
            ]
        )
        let conditions = """
            conditions:
            - type: Ready
              status: Maybe
              lastTransitionTime: yesterday
              reason: "not a reason"
              message: m
              extra: 1
            - type: Ready
              status: "False"
              lastTransitionTime: "2024-05-01T12:30:00Z"
            """
        #expect(
            try Self.statusErrors(conditions) == [
                "status.conditions[0].extra: Unknown field",
                "status.conditions[0].status: Unsupported value: \"Maybe\": supported values: \"True\", \"False\", \"Unknown\"",
                "status.conditions[0].lastTransitionTime: Invalid value: \"yesterday\": must be of format date-time",
                "status.conditions[0].reason: Invalid value: \"not a reason\": must start with a letter and hold only letters, digits, '_', ',' and ':', ending with a letter, digit or '_' (UpperCamelCase, for example \"ReportPublished\")",
                "status.conditions[1].reason: Required value",
                "status.conditions[1].message: Required value",
                "status.conditions[1].type: Duplicate value: \"Ready\"",
            ]
        )
    }

    @Test func sectionsAreIndependent() throws {
        let version = try F.version(
            spec: "type: object\nproperties:\n  size: {type: integer}\n",
            status: Self.statusSchema
        )
        let resource = try F.resource("spec: {size: x}\nstatus: {phase: Paused}\n")
        #expect(version.validate(resource, sections: [.spec]).map(\.field) == ["spec.size"])
        #expect(version.validate(resource, sections: [.status]).map(\.field) == ["status.phase"])
        #expect(version.validate(resource, sections: [.spec, .status]).count == 2)
        #expect(version.validate(resource, sections: []).isEmpty)
    }

    @Test func statusMustBeAMapping() throws {
        let version = try F.version(spec: "type: object\n", status: Self.statusSchema)
        let errors = version.validate(try F.resource("status: [1]\n"), sections: [.status])
        #expect(errors.map(\.description) == ["status: Invalid value: [1]: must be of type object"])
    }

    @Test func defaultsAreAppliedUnderSpecOnly() throws {
        let schema = """
            type: object
            properties:
              replicas: {type: integer, default: 1}
              mode: {type: string, default: fast}
              limits:
                type: object
                default: {}
                properties:
                  cpu: {type: string, default: "1"}
              ports:
                type: array
                items:
                  type: object
                  properties:
                    port: {type: integer}
                    protocol: {type: string, default: TCP}
              nullable: {type: string, nullable: true, default: x}

            """
        let version = try F.version(
            spec: schema,
            status: "type: object\nproperties:\n  phase: {type: string, default: New}\n"
        )
        let resource = try F.resource("spec:\n  mode: slow\n  ports: [{port: 80}]\n  nullable: null\n")
        let defaulted = version.applyingDefaults(to: resource)
        let expected: Node = [
            "mode": "slow", "ports": [["port": 80, "protocol": "TCP"]], "nullable": nil, "replicas": 1,
            "limits": ["cpu": "1"],
        ]
        #expect(defaulted["spec"] == expected)
        #expect(defaulted["spec"]?["replicas"]?.location == nil, "a defaulted value has no location in the resource")
        #expect(defaulted["status"] == nil, "never into status")
        #expect(defaulted["metadata"] == resource["metadata"])
        #expect(version.validate(defaulted, sections: [.spec]) == [])
        // A null that is not nullable gets the default, as the API server prunes it first.
        let withNull = version.applyingDefaults(to: try F.resource("spec: {replicas: null}\n"))
        #expect(withNull["spec"]?["replicas"] == 1)
    }

    @Test func specSectionRequiresWhatTheRootRequires() throws {
        let text = F.definitionText(spec: "type: object\n")
            .replacing(
                "        type: object\n        properties:",
                with: "        type: object\n        required: [spec, status]\n        properties:"
            )
        let version = try #require(
            try CustomResourceDefinition(YAMLReader().readDocument(text), file: "w.yaml").version(named: "v1")
        )
        let resource = try F.resource("")
        #expect(version.validate(resource, sections: [.spec]).map(\.description) == ["spec: Required value"])
        #expect(version.validate(resource, sections: [.status]).map(\.description) == ["status: Required value"])
    }

    @Test func aDefaultIsCheckedWithItsNestedDefaults() throws {
        // `{}` alone lacks the required `size`, but defaulting fills it in, as the API server does.
        let schema = """
            type: object
            properties:
              limits:
                type: object
                default: {}
                required: [size]
                properties:
                  size: {type: integer, default: 1}

            """
        let version = try F.version(spec: schema)
        let defaulted = version.applyingDefaults(to: try F.resource("spec: {}\n"))
        #expect(defaulted["spec"] == ["limits": ["size": 1]])
        #expect(throws: SchemaError.self) {
            try F.version(spec: schema.replacing("{type: integer, default: 1}", with: "{type: integer}"))
        }
    }
}
