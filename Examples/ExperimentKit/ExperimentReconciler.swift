import Foundation
public import Giter
import Logging

/// The testbed's logic: runs an experiment's workload, one repetition per
/// reconcile, and reports progress and results in its status.
///
/// 1. The first reconcile of a generation validates the spec (a size out
///    of range is a ``TerminalError``: `Ready=False`, `Stalled=True`) and
///    publishes `Running=True` ("started").
/// 2. Each following reconcile runs one repetition on a thread of its own
///    (``WorkloadExecutor``) and publishes `Running=True` with
///    "k of n repetitions done" and the timings so far.
/// 3. The last one publishes `Ready=True`, `Running=False`, the digest,
///    the summary and every repetition's time.
///
/// Every repetition must produce the same digest; a difference is a
/// terminal `NondeterministicOutput` failure. The reconciler only ever runs
/// the built-in ``Workload``s: nothing in a spec is executed.
public struct ExperimentReconciler: Reconciler {
    /// The resource it reconciles.
    public typealias Resource = Experiment

    /// The name written in ``ExperimentStatus/runner``.
    public let runner: String
    /// Repetitions finished so far, per experiment.
    public let book: ProgressBook
    /// Where workloads run.
    public let executor: WorkloadExecutor

    /// A reconciler that reports results as `runner`.
    public init(runner: String, book: ProgressBook = ProgressBook(), executor: WorkloadExecutor = WorkloadExecutor()) {
        self.runner = runner
        self.book = book
        self.executor = executor
    }

    /// Validates the spec, then announces `Running`, runs one repetition, or reports `Ready`; see the type's overview.
    public func reconcile(_ experiment: Experiment, context: ReconcileContext) async throws -> ReconcileResult<
        ExperimentStatus
    > {
        let spec = try experiment.spec.validated()
        var entry = book.entry(for: context.key, idempotencyKey: context.idempotencyKey)
        var status = experiment.status ?? ExperimentStatus()
        let generation = context.generation
        if !entry.announced {
            // Say that work started before the first repetition, which may take a while.
            entry.announced = true
            book.update(context.key, to: entry)
            return .requeue(started(status, spec: spec, entry: entry, generation: generation), after: .zero)
        }

        let run = await executor.run(spec)
        if let first = entry.output, first.digest != run.output.digest {
            book.remove(context.key)
            throw TerminalError(
                reason: "NondeterministicOutput",
                message:
                    "repetition \(entry.milliseconds.count + 1) gave digest \(run.output.digest), the first gave \(first.digest)"
            )
        }
        entry.output = run.output
        entry.milliseconds.append(run.milliseconds)
        context.logger.debug(
            "repetition \(entry.milliseconds.count) of \(spec.repetitions) took \(run.milliseconds) ms"
        )

        status.runner = runner
        status.startedAt = entry.startedAt
        status.repetitionMilliseconds = entry.milliseconds
        status.completedRepetitions = entry.milliseconds.count
        status.conditions.removeCondition(ofType: ExperimentConditions.stalled)
        let done = entry.milliseconds.count
        guard done >= spec.repetitions else {
            book.update(context.key, to: entry)
            status.conditions.setCondition(
                Condition(
                    type: ExperimentConditions.running,
                    status: .true,
                    observedGeneration: generation,
                    reason: ExperimentConditions.reasonRunning,
                    message: "\(done) of \(spec.repetitions) repetitions done (\(spec.shortDescription))"
                )
            )
            status.conditions.setCondition(
                Condition(
                    type: ExperimentConditions.ready,
                    status: .false,
                    observedGeneration: generation,
                    reason: ExperimentConditions.reasonRunning,
                    message: "running"
                )
            )
            return .requeue(status, after: .zero)
        }

        book.remove(context.key)
        status.digest = run.output.digest
        status.summary = run.output.summary
        status.finishedAt = Date()
        let mean = status.meanMilliseconds.map { String(format: "%.1f", $0) } ?? "?"
        status.conditions.setCondition(
            Condition(
                type: ExperimentConditions.running,
                status: .false,
                observedGeneration: generation,
                reason: ExperimentConditions.reasonCompleted,
                message: "\(done) of \(spec.repetitions) repetitions done"
            )
        )
        status.conditions.setCondition(
            Condition(
                type: ExperimentConditions.ready,
                status: .true,
                observedGeneration: generation,
                reason: ExperimentConditions.reasonCompleted,
                message: "\(done) repetitions, mean \(mean) ms on \(runner)"
            )
        )
        context.logger.info("experiment done: \(run.output.summary), mean \(mean) ms")
        return .done(status)
    }

    /// `Ready=False` and `Stalled=True` with the error, and `Running=False`.
    public func status(for experiment: Experiment, afterTerminalError error: TerminalError) -> ExperimentStatus {
        var status = error.failedStatus(of: experiment)
        status.runner = runner
        status.conditions.setCondition(
            Condition(
                type: ExperimentConditions.running,
                status: .false,
                observedGeneration: experiment.metadata.generation,
                reason: error.reason,
                message: "not run"
            )
        )
        return status
    }

    private func started(
        _ status: ExperimentStatus,
        spec: ExperimentSpec,
        entry: ProgressBook.Entry,
        generation: Int64
    ) -> ExperimentStatus {
        var status = status
        status.runner = runner
        status.startedAt = entry.startedAt
        status.digest = nil
        status.summary = nil
        status.finishedAt = nil
        status.repetitionMilliseconds = []
        status.completedRepetitions = 0
        status.conditions.removeCondition(ofType: ExperimentConditions.stalled)
        status.conditions.setCondition(
            Condition(
                type: ExperimentConditions.running,
                status: .true,
                observedGeneration: generation,
                reason: ExperimentConditions.reasonStarted,
                message: "0 of \(spec.repetitions) repetitions done (\(spec.shortDescription))"
            )
        )
        status.conditions.setCondition(
            Condition(
                type: ExperimentConditions.ready,
                status: .false,
                observedGeneration: generation,
                reason: ExperimentConditions.reasonStarted,
                message: "running"
            )
        )
        return status
    }
}
