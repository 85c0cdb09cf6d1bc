public import Foundation
public import Giter

/// What the consumer reports about an experiment: progress in conditions,
/// and the results once it has run.
///
/// ```yaml
/// status:
///   observedGeneration: 1
///   conditions:
///   - type: Running
///     status: "False"
///     reason: Completed
///     message: 3 of 3 repetitions done
///   - type: Ready
///     status: "True"
///     reason: Completed
///     message: 3 repetitions, mean 41.2 ms
///   runner: testbed-1
///   digest: 9c1f…
///   summary: 148933 primes up to 2000000, largest 1999993
///   repetitionMilliseconds: [43.1, 40.6, 39.9]
///   completedRepetitions: 3
/// ```
public struct ExperimentStatus: ReconcilableStatus, Hashable {
    /// The generation the status describes (set by the controller).
    public var observedGeneration: Int64?
    /// `Running` (with progress in its message), `Ready`, and on a
    /// terminal failure `Stalled`; see ``ExperimentConditions``.
    public var conditions: [Condition]
    /// The name of the consumer that ran the experiment.
    public var runner: String?
    /// The SHA-256 of the workload's output, identical for every repetition.
    public var digest: String?
    /// A one-line description of the output.
    public var summary: String?
    /// The wall time of each finished repetition, in milliseconds.
    public var repetitionMilliseconds: [Double]?
    /// How many repetitions have finished.
    public var completedRepetitions: Int?
    /// When the first repetition started.
    public var startedAt: Date?
    /// When the last repetition finished.
    public var finishedAt: Date?

    /// An empty status.
    public init() {
        conditions = []
    }

    /// The mean of ``repetitionMilliseconds``, or `nil` before the first finished.
    public var meanMilliseconds: Double? {
        guard let timings = repetitionMilliseconds, !timings.isEmpty else { return nil }
        return timings.reduce(0, +) / Double(timings.count)
    }

    /// Whether the `Ready` condition is `True`.
    public var isReady: Bool { isTrue(ExperimentConditions.ready) }
    /// Whether the `Running` condition is `True`.
    public var isRunning: Bool { isTrue(ExperimentConditions.running) }
    /// Whether the `Stalled` condition is `True`: the experiment failed for good.
    public var isStalled: Bool { isTrue(ExperimentConditions.stalled) }
}

/// The condition types and reasons an experiment's status uses.
public enum ExperimentConditions {
    /// `True` while repetitions run; its message says how far along.
    public static let running = "Running"
    /// `True` once every repetition ran and the results are in the status.
    public static let ready = "Ready"
    /// `True` when the spec cannot be run (set from a ``TerminalError``).
    public static let stalled = "Stalled"

    /// Reason while work is under way.
    public static let reasonRunning = "Running"
    /// Reason once every repetition finished.
    public static let reasonCompleted = "Completed"
    /// Reason before the first repetition finished.
    public static let reasonStarted = "Started"
}
