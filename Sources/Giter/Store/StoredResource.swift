/// A resource as a store read it, with what the runtime needs to know about
/// it beyond its fields.
public struct StoredResource<Resource: ExchangedResource>: Sendable, Equatable {
    /// The resource as it stands in force: a commit that broke the contract
    /// changed nothing of it (see ``ExchangeLedger``).
    public var resource: Resource
    /// A digest of the spec's content (not of its text): two specs that
    /// read the same have the same digest, whatever their formatting.
    public var specDigest: String
    /// The spec digest the consumer recorded with the status it last wrote
    /// (`status.observedSpecDigest`), or `nil`.
    public var observedSpecDigest: String?
    /// Whether the resource is under `archive/`.
    public var isArchived: Bool

    /// A stored resource from its parts.
    public init(resource: Resource, specDigest: String, observedSpecDigest: String?, isArchived: Bool = false) {
        self.resource = resource
        self.specDigest = specDigest
        self.observedSpecDigest = observedSpecDigest
        self.isArchived = isArchived
    }

    /// The resource's key.
    public var key: ResourceKey {
        ResourceKey(
            namespace: resource.metadata.effectiveNamespace, kind: resource.kind, name: resource.metadata.name)
    }

    /// The spec's generation; `0` when the producer set none.
    public var generation: Int64 { resource.metadata.generation ?? 0 }

    /// Whether the status describes this exact spec: it exists, its
    /// `observedGeneration` is the spec's generation and, when the consumer
    /// recorded a spec digest, the digest matches. A producer that changed
    /// the spec without bumping the generation still gets it reconciled.
    public var isStatusCurrent: Bool {
        guard let status = resource.status else { return false }
        guard (status.observedGeneration ?? 0) == generation else { return false }
        if let observedSpecDigest { return observedSpecDigest == specDigest }
        return true
    }

    /// The key a reconciler can use to make its side effects idempotent:
    /// `<uid>/<generation>` (the name stands in for a missing uid). Giter
    /// delivers each generation at least once, so one key may be seen again
    /// after a crash or a lost status write.
    public var idempotencyKey: String {
        "\(resource.metadata.uid ?? key.description)/\(generation)"
    }
}

/// Which resources to list.
public struct ResourceQuery: Sendable, Hashable {
    /// Only this namespace; `nil` for all of them.
    public var namespace: String?
    /// Only resources whose labels match.
    public var labelSelector: LabelSelector
    /// List archived resources instead of live ones.
    public var archived: Bool

    /// A query; the default lists every live resource.
    public init(namespace: String? = nil, labelSelector: LabelSelector = LabelSelector(), archived: Bool = false) {
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.archived = archived
    }

    /// Every live resource.
    public static var all: ResourceQuery { ResourceQuery() }

    func matches(_ key: ResourceKey, labels: [String: String]?) -> Bool {
        if let namespace, key.namespace != namespace { return false }
        return labelSelector.matches(labels ?? [:])
    }
}
