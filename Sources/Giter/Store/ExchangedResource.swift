/// What a resource's spec must be to be exchanged: `Codable` (it is written
/// to the repository), `Sendable` and `Equatable` (Giter compares what a
/// producer applies with what the repository holds).
///
/// ```swift
/// struct ReportSpec: ResourceSpec {
///     var schedule: String
///     var retries: Int
/// }
/// ```
public protocol ResourceSpec: Codable, Sendable, Equatable {}

/// A resource type that can be exchanged: in practice a
/// ``CustomResource`` whose spec is a ``ResourceSpec`` and whose status is a
/// ``ReconcilableStatus``.
///
/// ``ResourceStore``, ``Reconciler``, ``Controller`` and ``Producer`` are
/// generic over it, so a host app names its resource once:
///
/// ```swift
/// typealias Report = CustomResource<ReportSpec, ReportStatus>
/// ```
public protocol ExchangedResource: Codable, Sendable, Equatable {
    /// The producer's desired state.
    associatedtype Spec: ResourceSpec
    /// The consumer's observed state.
    associatedtype Status: ReconcilableStatus, Equatable

    /// The API group and version, `group/version`.
    var apiVersion: String { get set }
    /// The kind, in UpperCamelCase.
    var kind: String { get set }
    /// Name, namespace, generation and the other metadata.
    var metadata: ObjectMeta { get set }
    /// The desired state, written by the producer.
    var spec: Spec { get set }
    /// The observed state, written by the consumer.
    var status: Status? { get set }

    /// A resource from its parts.
    init(apiVersion: String, kind: String, metadata: ObjectMeta, spec: Spec, status: Status?)
}

extension CustomResource: ExchangedResource where Spec: ResourceSpec, Status: ReconcilableStatus & Equatable {}

/// The API version and kind a store, controller or producer works with.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    /// `group/version`, for example `giter.example/v1`.
    public var apiVersion: String
    /// The kind, for example `Experiment`.
    public var kind: String

    /// A resource type from its API version and kind.
    public init(apiVersion: String, kind: String) {
        self.apiVersion = apiVersion
        self.kind = kind
    }

    /// `kind.group/version`, kubectl's spelling.
    public var description: String { "\(kind) (\(apiVersion))" }
}
