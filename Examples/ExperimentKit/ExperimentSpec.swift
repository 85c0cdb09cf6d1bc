public import Giter

/// What the producer asks for: one built-in workload, its size, and how
/// many times to run it.
///
/// ```yaml
/// spec:
///   workload: primeSieve
///   size: 2000000
///   repetitions: 3
///   seed: 7
/// ```
///
/// The consumer checks the spec with ``validated()`` before running
/// anything: a size outside the workload's ``Workload/sizeRange`` or too
/// many repetitions is a ``TerminalError`` (the experiment is marked
/// failed), never an attempt.
public struct ExperimentSpec: ResourceSpec, Hashable {
    /// The most repetitions a spec may ask for.
    public static let maxRepetitions = 10

    /// The computation to run.
    public var workload: Workload
    /// The workload's size; see ``Workload/sizeUnit``.
    public var size: Int
    /// How many times to run it (each run is timed; all must give the same digest).
    public var repetitions: Int
    /// The seed of the workload's input, so different experiments compute different things.
    public var seed: UInt64

    /// A spec from its parts.
    public init(workload: Workload, size: Int, repetitions: Int = 3, seed: UInt64 = 0) {
        self.workload = workload
        self.size = size
        self.repetitions = repetitions
        self.seed = seed
    }

    /// The spec itself when it is within bounds.
    ///
    /// - Throws: ``TerminalError`` with reason `SizeOutOfRange` or
    ///   `RepetitionsOutOfRange`, and a message that says the allowed range.
    @discardableResult
    public func validated() throws(TerminalError) -> ExperimentSpec {
        let range = workload.sizeRange
        guard range.contains(size) else {
            throw TerminalError(
                reason: "SizeOutOfRange",
                message:
                    "size \(size) is outside \(range.lowerBound)...\(range.upperBound) for \(workload) (\(workload.sizeUnit))"
            )
        }
        guard (1...Self.maxRepetitions).contains(repetitions) else {
            throw TerminalError(
                reason: "RepetitionsOutOfRange",
                message: "repetitions \(repetitions) is outside 1...\(Self.maxRepetitions)"
            )
        }
        return self
    }

    /// Runs the workload once (on the calling thread). See ``WorkloadExecutor`` to run it off the cooperative pool.
    public func computeOnce() -> WorkloadOutput {
        workload.compute(size: size, seed: seed)
    }

    /// `sieve 2000000 ×3`.
    public var shortDescription: String {
        "\(workload.shortName) \(size) ×\(repetitions)"
    }
}
