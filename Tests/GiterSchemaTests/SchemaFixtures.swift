import GiterCodec
import GiterSchema

/// Definitions and resources for the tests, built from YAML text.
enum SchemaFixtures {
    /// A definition of `Widget` whose `v1` schema's `spec` is `specSchema`
    /// (YAML, indented to sit under `spec:`) and whose status is `statusSchema`.
    static func definitionText(spec specSchema: String, status statusSchema: String = "type: object\n") -> String {
        """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names:
            kind: Widget
            plural: widgets
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
                  spec:
        \(indent(specSchema, by: 12))
                  status:
        \(indent(statusSchema, by: 12))
        """
    }

    static func indent(_ text: String, by spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : pad + $0 }
            .joined(separator: "\n")
    }

    static func definition(spec: String, status: String = "type: object\n") throws -> CustomResourceDefinition {
        try CustomResourceDefinition(
            YAMLReader().readDocument(definitionText(spec: spec, status: status)),
            file: "crds/widget.yaml"
        )
    }

    static func version(spec: String, status: String = "type: object\n") throws -> CustomResourceVersion {
        let definition = try definition(spec: spec, status: status)
        guard let version = definition.version(named: "v1") else { throw FixtureError() }
        return version
    }

    /// A resource document whose top level is `body` (YAML).
    static func resource(_ body: String) throws -> Node.Mapping {
        let text = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: a\n" + body
        guard let mapping = try YAMLReader().readDocument(text).mapping else { throw FixtureError() }
        return mapping
    }

    /// The errors of `spec` (YAML under `spec:`) against a spec schema.
    static func specErrors(_ schema: String, _ spec: String) throws -> [String] {
        let version = try version(spec: schema)
        return version.validate(try resource("spec:\n" + indent(spec, by: 2)), sections: [.spec]).map(\.description)
    }

    /// The errors of a spec schema's `value` property holding `value` (a YAML flow value).
    static func valueErrors(_ valueSchema: String, _ value: String) throws -> [String] {
        try specErrors("type: object\nproperties:\n  value:\n" + indent(valueSchema, by: 4), "value: \(value)\n")
    }

    struct FixtureError: Error {}
}
