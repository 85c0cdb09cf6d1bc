/// A status that reports how far the consumer got with the resource's spec:
/// the generation it last acted on and a list of conditions.
///
/// Conform a resource's status type to it so that Giter's helpers can tell
/// whether the status describes the current spec
/// (``CustomResource/isStatusCurrent``), read and set conditions, and
/// validate them. The convention is Kubernetes': the consumer copies
/// `metadata.generation` into ``observedGeneration`` once it has acted on
/// that spec, and sets a `Ready` condition (or another agreed type) to say
/// what came of it.
///
/// ```swift
/// struct ReportStatus: ReconcilableStatus {
///     var observedGeneration: Int64?
///     var conditions: [Condition] = []
///     var url: String?
/// }
/// ```
///
/// Encode the two properties as `observedGeneration` and `conditions`, the
/// names Kubernetes uses; the synthesized `Codable` conformance does. The
/// empty status (``init()``) is where a consumer starts, for example when it
/// reports a terminal failure of a resource that had no status yet.
public protocol ReconcilableStatus: Codable, Sendable {
    /// An empty status: no observed generation and no conditions.
    init()

    /// The `metadata.generation` of the spec this status describes, or
    /// `nil` before the consumer has acted on any.
    var observedGeneration: Int64? { get set }
    /// The conditions, at most one per type. Set them with
    /// ``Swift/Array/setCondition(_:now:)``.
    var conditions: [Condition] { get set }
}

extension ReconcilableStatus {
    /// The condition of the given type, if any.
    public func condition(ofType type: String) -> Condition? {
        conditions.condition(ofType: type)
    }

    /// Whether the condition of the given type is `True`.
    public func isTrue(_ type: String) -> Bool {
        conditions.isTrue(type)
    }
}
