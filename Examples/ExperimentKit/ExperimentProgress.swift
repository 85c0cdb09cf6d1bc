public import Giter

/// Where an experiment stands, as the producer sees it.
public enum ExperimentPhase: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Published; the consumer has not reported on this spec yet.
    case pending = "Pending"
    /// The consumer reports `Running`.
    case running = "Running"
    /// The consumer reports `Ready`; the producer is checking the digest.
    case verifying = "Verifying"
    /// `Ready`, and the producer's own run gave the same digest.
    case verified = "Verified"
    /// `Ready`, but the producer's own run gave another digest.
    case mismatch = "Mismatch"
    /// The consumer reports a terminal failure (`Stalled`), or the experiment disappeared.
    case failed = "Failed"
    /// The producer stopped waiting.
    case timedOut = "TimedOut"

    public var description: String { rawValue }

    /// Whether the experiment will not change phase any more.
    public var isFinal: Bool {
        switch self {
        case .pending, .running, .verifying: false
        case .verified, .mismatch, .failed, .timedOut: true
        }
    }

    /// Whether the experiment counts as a success.
    public var isSuccess: Bool { self == .verified }
}

/// One experiment's row in the producer's view.
public struct ExperimentProgress: Sendable, Hashable {
    /// The experiment's key.
    public var key: ResourceKey
    /// What it asks for.
    public var spec: ExperimentSpec
    /// Where it stands.
    public var phase: ExperimentPhase
    /// The consumer's latest words (the `Running` or `Stalled` message), or the producer's.
    public var message: String
    /// The consumer that ran it.
    public var runner: String?
    /// Repetitions finished.
    public var completedRepetitions: Int
    /// Their mean time, in milliseconds.
    public var meanMilliseconds: Double?
    /// The digest the consumer reported.
    public var digest: String?
    /// The digest the producer computed, once verified.
    public var expectedDigest: String?
    /// Whether it was moved under `archive/`.
    public var archived: Bool

    /// A row for an experiment just published.
    public init(key: ResourceKey, spec: ExperimentSpec) {
        self.key = key
        self.spec = spec
        self.phase = .pending
        self.message = "waiting for a consumer"
        self.completedRepetitions = 0
        self.archived = false
    }

    /// The experiment's name.
    public var name: String { key.name }

    /// Updates the row from what the store holds. Returns whether the
    /// consumer reports `Ready` for the current spec (then the caller verifies).
    mutating func update(from stored: StoredResource<Experiment>) -> Bool {
        guard stored.isStatusCurrent, let status = stored.resource.status else {
            phase = .pending
            return false
        }
        runner = status.runner
        completedRepetitions = status.completedRepetitions ?? 0
        meanMilliseconds = status.meanMilliseconds
        digest = status.digest
        if status.isStalled {
            phase = .failed
            let condition = status.condition(ofType: ExperimentConditions.stalled)
            message = condition.map { "\($0.reason): \($0.message)" } ?? "stalled"
            return false
        }
        if status.isReady {
            phase = .verifying
            message = status.condition(ofType: ExperimentConditions.ready)?.message ?? "ready"
            return true
        }
        phase = status.isRunning ? .running : .pending
        message = status.condition(ofType: ExperimentConditions.running)?.message ?? "waiting"
        return false
    }
}

/// How many experiments are in each phase.
public struct PhaseCounts: Sendable, Hashable, CustomStringConvertible {
    /// Count per phase; phases with none are missing.
    public var counts: [ExperimentPhase: Int]

    /// The counts of `rows`.
    public init(_ rows: some Sequence<ExperimentProgress>) {
        var counts: [ExperimentPhase: Int] = [:]
        for row in rows { counts[row.phase, default: 0] += 1 }
        self.counts = counts
    }

    /// The number in `phase`.
    public subscript(phase: ExperimentPhase) -> Int { counts[phase] ?? 0 }

    /// How many are final.
    public var finished: Int { counts.filter { $0.key.isFinal }.values.reduce(0, +) }

    /// `pending 3, running 2, verified 7`: the non-empty phases in their order.
    public var description: String {
        ExperimentPhase.allCases.compactMap { phase in
            counts[phase].map { "\(phase.rawValue.lowercased()) \($0)" }
        }.joined(separator: ", ")
    }
}
