import GiterCodec
import GiterSchema
import Testing

/// Reading CustomResourceDefinition documents: what is accepted, and the
/// errors (with line and column) for what is not.
struct DefinitionTests {
    typealias F = SchemaFixtures

    static let minimal = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: experiments.giter.dev
        spec:
          group: giter.dev
          scope: Namespaced
          names:
            kind: Experiment
            plural: experiments
          versions:
          - name: v1alpha1
            served: true
            storage: false
            schema:
              openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
          - name: v1
            served: true
            storage: true
            subresources:
              status: {}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec: {type: object, properties: {replicas: {type: integer}}}
        """

    static func read(_ text: String) throws -> CustomResourceDefinition {
        try CustomResourceDefinition(YAMLReader().readDocument(text), file: ".giter/crds/experiment.yaml")
    }

    /// The error for `text`, as printed.
    static func failure(_ text: String) -> String? {
        do {
            _ = try read(text)
            return nil
        } catch let error as SchemaError {
            return error.description
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func readsADefinition() throws {
        let definition = try Self.read(Self.minimal)
        #expect(definition.group == "giter.dev")
        #expect(definition.kind == "Experiment")
        #expect(definition.plural == "experiments")
        #expect(definition.versions.map(\.name) == ["v1alpha1", "v1"])
        #expect(definition.notEnforced.isEmpty)
        let v1 = try #require(definition.version(named: "v1"))
        #expect(v1.served && v1.storage && v1.hasStatusSubresource)
        let alpha = try #require(definition.version(named: "v1alpha1"))
        #expect(!alpha.storage && !alpha.hasStatusSubresource)
        #expect(definition.version(named: "v2") == nil)
    }

    @Test(arguments: [
        (
            "apiVersion: apiextensions.k8s.io/v1", "apiVersion: apiextensions.k8s.io/v1beta1",
            ".giter/crds/experiment.yaml:1:13: apiVersion: Unsupported value: \"apiextensions.k8s.io/v1beta1\": supported values: \"apiextensions.k8s.io/v1\" (convert older definitions to v1)"
        ),
        (
            "kind: CustomResourceDefinition", "kind: Deployment",
            ".giter/crds/experiment.yaml:2:7: kind: Unsupported value: \"Deployment\": supported values: \"CustomResourceDefinition\""
        ),
        (
            "  name: experiments.giter.dev", "  name: other.giter.dev",
            ".giter/crds/experiment.yaml:4:9: metadata.name: Invalid value: \"other.giter.dev\": must be spec.names.plural+\".\"+spec.group (\"experiments.giter.dev\")"
        ),
        (
            "  group: giter.dev\n", "  group: Giter\n",
            ".giter/crds/experiment.yaml:6:10: spec.group: Invalid value: \"Giter\": must be a lowercase DNS subdomain with at least one dot (for example \"example.com\")"
        ),
        (
            "    kind: Experiment\n", "    kind: 1Experiment\n",
            ".giter/crds/experiment.yaml:9:11: spec.names.kind: Invalid value: \"1Experiment\": must be at most 63 letters, digits and '-', starting with a letter (for example \"Experiment\")"
        ),
        (
            "  scope: Namespaced\n", "",
            ".giter/crds/experiment.yaml:6:3: spec.scope: Required value"
        ),
        (
            "    plural: experiments\n", "    plural: experiments\n    colour: red\n",
            ".giter/crds/experiment.yaml:11:5: spec.names.colour: Unknown field: supported fields: categories, kind, listKind, plural, shortNames, singular"
        ),
        (
            "    storage: false\n", "    storage: true\n",
            ".giter/crds/experiment.yaml:12:3: spec.versions: Invalid value: must have exactly one version marked as storage version"
        ),
        (
            "spec: {type: object, properties: {replicas: {type: integer}}}",
            "spec: {type: object, properties: {replicas: {minimum: 0}}}",
            ".giter/crds/experiment.yaml:26:55: spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.replicas.type: Required value: must not be empty for specified object fields (or set x-kubernetes-preserve-unknown-fields or x-kubernetes-int-or-string)"
        ),
        (
            "{replicas: {type: integer}}", "{replicas: {$ref: '#/x'}}",
            ".giter/crds/experiment.yaml:26:62: spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.replicas.$ref: Forbidden: $ref is not allowed in a CustomResourceDefinition schema"
        ),
        (
            "{replicas: {type: integer}}", "{replicas: {type: integer, minimun: 0}}",
            ".giter/crds/experiment.yaml:26:80: spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.replicas.minimun: Unknown field: not a schema keyword Giter knows; check the spelling (Giter refuses what it cannot enforce)"
        ),
        (
            "{replicas: {type: integer}}", "{replicas: {type: integer, default: x}}",
            ".giter/crds/experiment.yaml:26:80: spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.replicas.default: Invalid value: the default is not valid against its schema: spec.replicas: Invalid value: \"x\": must be of type integer"
        ),
        (
            "{replicas: {type: integer}}", "{replicas: {type: array}}",
            ".giter/crds/experiment.yaml:26:55: spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.replicas.items: Required value: type: array needs items (a schema)"
        ),
        (
            "spec: {type: object, properties: {replicas: {type: integer}}}",
            "spec: {type: object, properties: {a: {type: string}}, anyOf: [{properties: {b: {type: string}}}]}",
            ".giter/crds/experiment.yaml:26:90: spec.versions[1].schema.openAPIV3Schema.properties.spec.anyOf[0].properties.b: Forbidden: a property inside allOf, anyOf, oneOf or not must also be declared outside them"
        ),
    ])
    func rejectsMalformedDefinitions(original: String, replacement: String, expected: String) throws {
        let text = Self.minimal.replacing(original, with: replacement, maxReplacements: 1)
        #expect(text != Self.minimal)
        #expect(Self.failure(text) == expected)
    }

    @Test func rejectsANonStructuralRoot() {
        let text = Self.minimal.replacing(
            "openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}",
            with: "openAPIV3Schema: {type: array, items: {type: string}}"
        )
        #expect(
            Self.failure(text)?.hasPrefix(
                ".giter/crds/experiment.yaml:16:24: spec.versions[0].schema.openAPIV3Schema.type: "
            ) == true
        )
    }

    @Test func reportsWhatIsNotEnforcedOnce() throws {
        let text = Self.minimal
            .replacing("  scope: Namespaced\n", with: "  scope: Namespaced\n  conversion:\n    strategy: Webhook\n")
            .replacing(
                "{replicas: {type: integer}}",
                with: "{replicas: {type: integer, x-kubernetes-validations: [{rule: 'self > 0'}]}}"
            )
            .replacing(
                "openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}",
                with:
                    "openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {replicas: {type: integer, x-kubernetes-validations: [{rule: 'self > 1'}]}}}}}"
            )
        let definition = try Self.read(text)
        #expect(
            definition.notEnforced.map(\.description) == [
                "spec.conversion.strategy: conversion webhook (resources are validated against the version their apiVersion names, never converted) is not enforced",
                "spec.replicas: x-kubernetes-validations (CEL rules) is not enforced",
            ]
        )
        #expect(definition.notEnforced.first?.location?.line == 9)
        #expect(definition.versions.map { $0.notEnforced.count } == [1, 1])
    }

    @Test func readsAJSONDefinition() throws {
        let yaml = try YAMLReader().readDocument(Self.minimal)
        let json = try JSONWriter().write(yaml)
        let definition = try CustomResourceDefinition(JSONReader().read(json), file: "x.json")
        #expect(definition.versions.count == 2)
    }

    @Test func rejectsADocumentThatIsNotAMapping() {
        #expect(
            Self.failure("- a\n")
                == ".giter/crds/experiment.yaml:1:1: the document: Invalid value: must be a mapping, not a sequence"
        )
    }

    /// The sample of the DocC catalog's overview, as written there.
    @Test func catalogSample() throws {
        let crdText = F.definitionText(spec: "type: object\nproperties:\n  replicas: {type: integer, minimum: 0}\n")
        let resource = try F.resource("spec:\n  replicas: -1\n")
        var printed: [String] = []
        func print(_ line: String) { printed.append(line) }

        let crd = try CustomResourceDefinition(YAMLReader().readDocument(crdText), file: ".giter/crds/widget.yaml")
        let errors = crd.version(named: "v1")?.validate(resource, sections: [.spec]) ?? []
        for error in errors {
            print("\(error.location?.description ?? "-"): \(error)")
        }

        #expect(printed == ["6:13: spec.replicas: Invalid value: -1: must be greater than or equal to 0"])
    }
}
