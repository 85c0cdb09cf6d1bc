#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The metadata every resource carries: Kubernetes' `ObjectMeta`, reduced to
/// the fields an exchange through Git uses.
///
/// The fields encode with Kubernetes' JSON names, in the order they are
/// declared here, and fields that are `nil` are left out. ``labels`` and
/// ``annotations`` encode with their keys sorted, as `kubectl` prints them,
/// so the same metadata always gives the same bytes. Only `name` is required
/// when decoding; other fields Kubernetes has (`resourceVersion`,
/// `ownerReferences`, …) are ignored and not written back.
///
/// ```yaml
/// metadata:
///   name: nightly-report
///   namespace: reports
///   labels:
///     app.kubernetes.io/name: reporter
///   generation: 3
/// ```
public struct ObjectMeta: Sendable, Hashable {
    /// The namespace of resources that do not name one, as in Kubernetes.
    public static let defaultNamespace = "default"

    /// The name, unique among resources of the same kind in a namespace. A
    /// lowercase RFC 1123 subdomain (see ``validate()``).
    public var name: String
    /// The namespace; `nil` means ``defaultNamespace``. A lowercase RFC 1123 label.
    public var namespace: String?
    /// Identifying key–value pairs for selecting resources.
    public var labels: [String: String]?
    /// Free-form key–value pairs for tools and people.
    public var annotations: [String: String]?
    /// The version of the desired state. The producer increments it on
    /// every change to `spec`; the consumer copies it into the status's
    /// `observedGeneration` once it has acted on that spec.
    public var generation: Int64?
    /// A unique identifier that distinguishes this resource from an earlier
    /// one with the same name.
    public var uid: String?
    /// When the resource was first created.
    public var creationTimestamp: Date?
    /// Keys of cleanups that must finish before the resource may be deleted.
    public var finalizers: [String]?

    /// Metadata from its fields.
    public init(
        name: String,
        namespace: String? = nil,
        labels: [String: String]? = nil,
        annotations: [String: String]? = nil,
        generation: Int64? = nil,
        uid: String? = nil,
        creationTimestamp: Date? = nil,
        finalizers: [String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.generation = generation
        self.uid = uid
        self.creationTimestamp = creationTimestamp
        self.finalizers = finalizers
    }

    /// The namespace, or ``defaultNamespace`` when none is set.
    public var effectiveNamespace: String { namespace ?? Self.defaultNamespace }
}

extension ObjectMeta: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name
        case namespace
        case labels
        case annotations
        case generation
        case uid
        case creationTimestamp
        case finalizers
    }

    /// The metadata keys this type reads and writes; others are ignored
    /// when decoding (and kept in place by a store's updates).
    static var fieldNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        namespace = try container.decodeIfPresent(String.self, forKey: .namespace)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels)
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations)
        generation = try container.decodeIfPresent(Int64.self, forKey: .generation)
        uid = try container.decodeIfPresent(String.self, forKey: .uid)
        creationTimestamp = try container.decodeIfPresent(Date.self, forKey: .creationTimestamp)
        finalizers = try container.decodeIfPresent([String].self, forKey: .finalizers)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(namespace, forKey: .namespace)
        if let labels { try Self.encodeSorted(labels, in: &container, forKey: .labels) }
        if let annotations { try Self.encodeSorted(annotations, in: &container, forKey: .annotations) }
        try container.encodeIfPresent(generation, forKey: .generation)
        try container.encodeIfPresent(uid, forKey: .uid)
        try container.encodeIfPresent(creationTimestamp, forKey: .creationTimestamp)
        try container.encodeIfPresent(finalizers, forKey: .finalizers)
    }

    /// Encodes a string map with its keys in sorted order: a `Dictionary`
    /// would encode in its hash order, which changes from run to run.
    private static func encodeSorted(
        _ map: [String: String],
        in container: inout KeyedEncodingContainer<CodingKeys>,
        forKey key: CodingKeys
    ) throws {
        var nested = container.nestedContainer(keyedBy: MapKey.self, forKey: key)
        for (mapKey, value) in map.sorted(by: { $0.key < $1.key }) {
            try nested.encode(value, forKey: MapKey(mapKey))
        }
    }
}

/// A coding key for the entries of a string-keyed map.
struct MapKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) { stringValue = string }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
