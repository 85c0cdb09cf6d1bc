#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The condition types of the kstatus conventions, which Giter's
/// ``Controller`` writes and its producer API reads (see
/// `Documentation/Concepts.md`, "Conditions other tools understand").
public enum StandardCondition {
    /// `True` when the consumer finished the work the spec asks for.
    public static let ready = "Ready"
    /// `True` while work spans more than one reconcile (a requeue); absent otherwise.
    public static let reconciling = "Reconciling"
    /// `True` when the consumer gave up on the spec (a terminal error); absent otherwise.
    public static let stalled = "Stalled"
}

/// How far the consumer got with a resource's current spec, with kstatus'
/// names: `kstatus`-style tooling computes the same from the same status.
public enum ReconcileState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The status describes the current spec and says neither
    /// `Reconciling=True` nor `Stalled=True`.
    case current = "Current"
    /// No status describes the current spec yet, or it says `Reconciling=True`.
    case inProgress = "InProgress"
    /// The status describes the current spec and says `Stalled=True`.
    case failed = "Failed"

    public var description: String { rawValue }
}

extension StoredResource {
    /// The resource's ``ReconcileState``: ``ReconcileState/inProgress``
    /// until the status describes this exact spec (``isStatusCurrent``),
    /// then ``ReconcileState/failed`` with `Stalled=True`,
    /// ``ReconcileState/inProgress`` with `Reconciling=True`, else
    /// ``ReconcileState/current``.
    public var reconcileState: ReconcileState {
        guard isStatusCurrent, let status = resource.status else { return .inProgress }
        if status.isTrue(StandardCondition.stalled) { return .failed }
        if status.isTrue(StandardCondition.reconciling) { return .inProgress }
        return .current
    }

    /// Whether condition `type` holds for the current spec: the status
    /// describes it (``isStatusCurrent``), the condition is `True` and was
    /// set for this generation (its `observedGeneration`, when it has one),
    /// and — unless `type` is `Reconciling` itself — the work is not still
    /// under way (`Reconciling=True`). What `giter wait` and
    /// ``Producer/wait(for:until:timeout:pollInterval:events:clock:)`` wait for.
    public func conditionHolds(_ type: String) -> Bool {
        guard isStatusCurrent, let status = resource.status, let condition = status.condition(ofType: type),
            condition.status == .true
        else { return false }
        if let observed = condition.observedGeneration, observed != generation { return false }
        return type == StandardCondition.reconciling || !status.isTrue(StandardCondition.reconciling)
    }
}

extension ReconcilableStatus {
    /// Applies the kstatus conventions to a status a reconcile of
    /// `generation` returned (`requeued`: it asked to be called again).
    /// The messages say no delay, so a status requeued again reads the same
    /// and costs no commit:
    /// - `Stalled` is removed: the spec was reconciled.
    /// - Asked to be called again without `Ready=True` (work in progress,
    ///   not a resync of finished work): `Reconciling=True`. Otherwise
    ///   `Reconciling` is removed, and `Ready=True` is added when the
    ///   reconciler set no `Ready` — so a one-shot reconcile writes one status.
    /// - `observedGeneration` is `generation`, on the status and on every condition.
    mutating func conformReconciled(generation: Int64?, requeued: Bool, now: Date = .wholeSecondsNow) {
        conditions.removeCondition(ofType: StandardCondition.stalled)
        if requeued, !isTrue(StandardCondition.ready) {
            conditions.setCondition(
                Condition(
                    type: StandardCondition.reconciling, status: .true, reason: "Requeued",
                    message: "work spans more than one reconcile: the consumer reconciles it again later"),
                now: now)
        } else {
            conditions.removeCondition(ofType: StandardCondition.reconciling)
            if condition(ofType: StandardCondition.ready) == nil {
                conditions.setCondition(
                    Condition(type: StandardCondition.ready, status: .true, reason: "Reconciled"), now: now)
            }
        }
        setObservedGeneration(generation)
    }

    /// Applies the kstatus conventions to the status published after a
    /// terminal error: `Reconciling` is removed, `Stalled=True` is added
    /// when the status has not set it, `Ready=True` becomes `False`, and
    /// `observedGeneration` is `generation` on the status and every condition.
    mutating func conformTerminal(generation: Int64?, error: TerminalError, now: Date = .wholeSecondsNow) {
        conditions.removeCondition(ofType: StandardCondition.reconciling)
        if !isTrue(StandardCondition.stalled) {
            conditions.setCondition(
                Condition(type: StandardCondition.stalled, status: .true, reason: error.reason, message: error.message),
                now: now)
        }
        if condition(ofType: StandardCondition.ready)?.status != .false {
            conditions.setCondition(
                Condition(type: StandardCondition.ready, status: .false, reason: error.reason, message: error.message),
                now: now)
        }
        setObservedGeneration(generation)
    }

    /// Sets `observedGeneration` to `generation` on the status and on every condition.
    public mutating func setObservedGeneration(_ generation: Int64?) {
        observedGeneration = generation
        for index in conditions.indices { conditions[index].observedGeneration = generation }
    }
}

extension Date {
    /// Now, to the second, as Kubernetes writes condition times
    /// (`metav1.Time`): a time that reads back exactly as written, so a
    /// status written again unchanged is unchanged byte for byte.
    public static var wholeSecondsNow: Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }
}
