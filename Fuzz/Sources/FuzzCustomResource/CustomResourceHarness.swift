// libFuzzer harness: a CustomResource decoded from a resource file.

import Giter

/// Reads the input as the store reads a live resource file: exactly one
/// YAML document whose root is a mapping, decoded into a
/// `CustomResource<Spec, Status>` with a small Codable spec and a
/// ReconcilableStatus, then validated and written back as the store writes
/// (DocumentEncoder and YAMLWriter; the spec with sorted keys, as for its
/// digest).
///
/// Errors are expected; a crash, a trap, a hang or unbounded memory is a
/// finding.
enum CustomResourceHarness {
    /// A small spec with the shapes host apps use: scalars, optionals, a
    /// list of structs and a dictionary.
    struct Spec: Codable, Sendable {
        struct Port: Codable, Sendable {
            var name: String
            var port: Int
        }

        var image: String
        var replicas: Int?
        var ratio: Double?
        var enabled: Bool?
        var ports: [Port]?
        var env: [String: String]?
    }

    /// A status with observed generation, conditions and a field of its own.
    struct Status: ReconcilableStatus {
        var observedGeneration: Int64?
        var conditions: [Condition] = []
        var phase: String?

        init() {}
    }

    typealias Resource = CustomResource<Spec, Status>

    /// The store's limits (the defaults).
    static let limits = ParseLimits.default

    /// Runs the harness on one input; always returns 0.
    static func run(_ bytes: [UInt8]) -> CInt {
        guard let node = try? YAMLReader(limits: limits).readDocument(bytes), node.mapping != nil,
            let resource = try? DocumentDecoder(limits: limits).decode(Resource.self, from: node)
        else { return 0 }
        _ = try? resource.validate()
        _ = resource.isStatusCurrent
        _ = YAMLWriter(options: .sortedKeys).writeBytes(node["spec"] ?? .null)
        if let encoded = try? DocumentEncoder().encodeNode(resource) {
            _ = YAMLWriter().writeBytes(encoded)
        }
        return 0
    }
}
