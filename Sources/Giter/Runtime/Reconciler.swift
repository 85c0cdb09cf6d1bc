public import Logging

/// The host app's logic on the consumer side: given a resource, do the work
/// its spec asks for and return the status to publish.
///
/// ```swift
/// struct ReportReconciler: Reconciler {
///     func reconcile(_ report: Report, context: ReconcileContext) async throws -> ReconcileResult<ReportStatus> {
///         var status = report.status ?? ReportStatus()
///         status.url = try await render(report.spec, idempotencyKey: context.idempotencyKey)
///         status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Rendered"))
///         return .done(status)
///     }
/// }
/// ```
///
/// The ``Controller`` sets `observedGeneration` to the generation it
/// reconciled, on the status and on every condition; the reconciler does not
/// need to. It also writes the kstatus conditions (``StandardCondition``):
/// `Reconciling=True` across a requeue without `Ready=True`, `Ready=True`
/// after `.done` when the status sets no `Ready`, and it removes `Stalled`
/// once a spec reconciles. A thrown error is retried
/// with per-resource exponential backoff; a ``TerminalError`` marks the
/// resource failed (``status(for:afterTerminalError:)``) and stops retrying
/// until its spec changes. Reconcile may run more than once for one
/// generation (after a crash or a lost write): make side effects idempotent
/// with ``ReconcileContext/idempotencyKey``.
public protocol Reconciler<Resource>: Sendable {
    /// The resource type it reconciles.
    associatedtype Resource: ExchangedResource

    /// Acts on `resource`'s spec and returns the status to publish and
    /// what to do next.
    func reconcile(_ resource: Resource, context: ReconcileContext) async throws -> ReconcileResult<Resource.Status>

    /// The status to publish after `reconcile` threw `error`. The default
    /// keeps the current status and sets `Ready` to `False` and `Stalled`
    /// to `True`, both with the error's reason and message. Whatever it
    /// returns, the controller makes sure of `Stalled=True` and
    /// `Ready=False` and removes `Reconciling`.
    func status(for resource: Resource, afterTerminalError error: TerminalError) -> Resource.Status
}

extension Reconciler {
    public func status(for resource: Resource, afterTerminalError error: TerminalError) -> Resource.Status {
        error.failedStatus(of: resource)
    }
}

/// What a reconcile returns: the status to publish and what comes next.
public struct ReconcileResult<Status: ReconcilableStatus>: Sendable {
    /// What the controller does after publishing the status.
    public enum Next: Sendable, Hashable {
        /// Nothing until the spec changes.
        case done
        /// Reconcile again after the delay, for work still in progress.
        case requeue(after: Duration)
    }

    /// The status to publish.
    public var status: Status
    /// What comes next.
    public var next: Next

    /// A result from its parts.
    public init(status: Status, next: Next = .done) {
        self.status = status
        self.next = next
    }

    /// Publish `status`; done until the spec changes.
    public static func done(_ status: Status) -> ReconcileResult { ReconcileResult(status: status) }

    /// Publish `status` and reconcile again after `delay`.
    public static func requeue(_ status: Status, after delay: Duration) -> ReconcileResult {
        ReconcileResult(status: status, next: .requeue(after: delay))
    }
}

/// What a reconcile knows besides the resource.
public struct ReconcileContext: Sendable {
    /// The resource's key.
    public var key: ResourceKey
    /// The generation being reconciled.
    public var generation: Int64
    /// `<uid>/<generation>`: the same for every delivery of one generation.
    public var idempotencyKey: String
    /// 1 for the first attempt, more after errors.
    public var attempt: Int
    /// A logger with the resource key in its metadata.
    public var logger: Logger

    /// A context from its parts.
    public init(key: ResourceKey, generation: Int64, idempotencyKey: String, attempt: Int, logger: Logger) {
        self.key = key
        self.generation = generation
        self.idempotencyKey = idempotencyKey
        self.attempt = attempt
        self.logger = logger
    }
}

/// An error that retrying cannot fix: the spec asks for something
/// impossible. Throw it from ``Reconciler/reconcile(_:context:)`` to mark
/// the resource failed until its spec changes.
public struct TerminalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A CamelCase reason for the conditions, for example `InvalidWorkload`.
    public var reason: String
    /// What is wrong and what the producer can do.
    public var message: String

    /// A terminal error with a reason and a message.
    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason): \(message)" }

    /// `resource`'s status (or an empty one) with `Ready=False` and
    /// `Stalled=True`, both with this error's reason and message.
    public func failedStatus<Resource: ExchangedResource>(of resource: Resource) -> Resource.Status {
        var status = resource.status ?? Resource.Status()
        let generation = resource.metadata.generation
        status.conditions.setCondition(
            Condition(type: "Ready", status: .false, observedGeneration: generation, reason: reason, message: message))
        status.conditions.setCondition(
            Condition(type: "Stalled", status: .true, observedGeneration: generation, reason: reason, message: message))
        return status
    }
}

/// An open base class for reconcilers: subclass it and override
/// ``reconcile(_:context:)`` (and, if needed, ``status(for:afterTerminalError:)``).
///
/// ```swift
/// final class ReportReconciler: BaseReconciler<Report>, @unchecked Sendable {
///     override func reconcile(_ report: Report, context: ReconcileContext) async throws -> ReconcileResult<ReportStatus> {
///         ...
///     }
/// }
/// ```
///
/// Subclasses are shared between concurrent reconciles: keep their stored
/// properties immutable, or protect them (a `Mutex`, an actor).
open class BaseReconciler<Resource: ExchangedResource>: Reconciler, @unchecked Sendable {
    public init() {}

    /// Override this. The base implementation throws a ``TerminalError``
    /// saying the subclass did not.
    open func reconcile(_ resource: Resource, context: ReconcileContext) async throws -> ReconcileResult<Resource.Status> {
        throw TerminalError(reason: "NotImplemented", message: "\(Self.self) does not override reconcile(_:context:)")
    }

    /// Sets `Ready=False` and `Stalled=True`; override for another shape.
    open func status(for resource: Resource, afterTerminalError error: TerminalError) -> Resource.Status {
        error.failedStatus(of: resource)
    }
}
