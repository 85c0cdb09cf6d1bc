import Foundation

/// Runs workloads on threads of their own, never on Swift concurrency's
/// cooperative pool.
///
/// A workload is seconds of pure CPU: run on the cooperative pool it would
/// hold one of its few threads (two on a two-core machine) and starve the
/// controller, the store and the status writes of the same process. Here
/// each run gets a dedicated thread, and the caller awaits its result.
/// The controller's ``Giter/ControllerOptions/maxConcurrentReconciles``
/// bounds how many run at once.
public struct WorkloadExecutor: Sendable {
    /// One timed run.
    public struct Run: Sendable, Hashable {
        /// What the workload produced.
        public var output: WorkloadOutput
        /// How long it took, in milliseconds.
        public var milliseconds: Double
    }

    /// The stack size of the threads that run workloads.
    public var stackSize: Int

    /// An executor; workloads need little stack (they iterate, never recurse).
    public init(stackSize: Int = 1 << 20) {
        self.stackSize = stackSize
    }

    /// Runs `spec`'s workload once on a new thread and returns its output and duration.
    public func run(_ spec: ExperimentSpec) async -> Run {
        await withCheckedContinuation { (continuation: CheckedContinuation<Run, Never>) in
            let thread = Thread {
                let clock = ContinuousClock()
                var output: WorkloadOutput?
                let elapsed = clock.measure {
                    output = spec.computeOnce()
                }
                let components = elapsed.components
                let milliseconds = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
                // `output` is always set by the measured closure.
                continuation.resume(
                    returning: Run(
                        output: output ?? WorkloadOutput(digest: "", summary: ""),
                        milliseconds: (milliseconds * 10).rounded() / 10
                    )
                )
            }
            thread.stackSize = stackSize
            thread.name = "workload \(spec.workload)"
            thread.start()
        }
    }
}
