/// A Kubernetes-style custom resource: the unit Giter exchanges through a
/// Git repository.
///
/// The producer owns ``spec`` and the consumer owns ``status``. The
/// resource encodes with the keys Kubernetes uses, in this order:
///
/// ```yaml
/// apiVersion: batch.example.com/v1
/// kind: Job
/// metadata:
///   name: nightly-report
///   namespace: reports
///   generation: 3
/// spec:
///   schedule: "0 2 * * *"
/// status:
///   observedGeneration: 3
///   conditions: [...]
/// ```
///
/// `status` is left out when it is `nil`, and a missing or `null` status
/// decodes as `nil`. Decoding checks types only; call ``validate()`` to check
/// names, the API version and the kind against Kubernetes' rules.
public struct CustomResource<Spec, Status> {
    /// The API group and version, `group/version` (for example `batch.example.com/v1`).
    public var apiVersion: String
    /// The kind of resource, in UpperCamelCase (for example `Job`).
    public var kind: String
    /// The name, namespace, labels and other metadata.
    public var metadata: ObjectMeta
    /// The desired state, written by the producer.
    public var spec: Spec
    /// The observed state, written by the consumer; `nil` until it writes one.
    public var status: Status?

    /// A resource from its parts.
    public init(apiVersion: String, kind: String, metadata: ObjectMeta, spec: Spec, status: Status? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

// MARK: - Conveniences

extension CustomResource {
    /// The API group: the part of ``apiVersion`` before the last `/`, or the
    /// empty string (Kubernetes' core group) when there is no `/`.
    public var group: String {
        guard let slash = apiVersion.lastIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    /// The API version: the part of ``apiVersion`` after the last `/`, or all
    /// of it when there is no `/`.
    public var version: String {
        guard let slash = apiVersion.lastIndex(of: "/") else { return apiVersion }
        return String(apiVersion[apiVersion.index(after: slash)...])
    }

    /// The namespace, kind and name that identify the resource in an
    /// exchange repository. A resource without a namespace is in
    /// ``ObjectMeta/defaultNamespace``.
    public var key: ResourceKey {
        ResourceKey(namespace: metadata.effectiveNamespace, kind: kind, name: metadata.name)
    }
}

extension CustomResource where Status: ReconcilableStatus {
    /// Whether the status describes the current spec: it exists and its
    /// `observedGeneration` equals `metadata.generation`.
    ///
    /// A producer waits for this, together with a condition such as `Ready`,
    /// before it trusts the status. A resource without a generation counts
    /// as current once it has any status with no observed generation either.
    public var isStatusCurrent: Bool {
        guard let status else { return false }
        return status.observedGeneration == metadata.generation
    }
}

// MARK: - Conditional conformances

extension CustomResource: Sendable where Spec: Sendable, Status: Sendable {}
extension CustomResource: Equatable where Spec: Equatable, Status: Equatable {}
extension CustomResource: Hashable where Spec: Hashable, Status: Hashable {}

extension CustomResource {
    enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case spec
        case status
    }
}

extension CustomResource: Encodable where Spec: Encodable, Status: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(apiVersion, forKey: .apiVersion)
        try container.encode(kind, forKey: .kind)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(spec, forKey: .spec)
        try container.encodeIfPresent(status, forKey: .status)
    }
}

extension CustomResource: Decodable where Spec: Decodable, Status: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decode(String.self, forKey: .apiVersion)
        kind = try container.decode(String.self, forKey: .kind)
        metadata = try container.decode(ObjectMeta.self, forKey: .metadata)
        spec = try container.decode(Spec.self, forKey: .spec)
        status = try container.decodeIfPresent(Status.self, forKey: .status)
    }
}
