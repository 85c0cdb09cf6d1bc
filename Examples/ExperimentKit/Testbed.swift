public import Giter
public import Logging
import ServiceLifecycle
import UnixSignals

/// The consumer side of the example: a ``Giter/Controller`` running
/// ``ExperimentReconciler`` over an exchange, as a service.
///
/// ```swift
/// let testbed = Testbed(store: store, runner: "testbed-1", options: ControllerOptions(pollInterval: .seconds(1)))
/// try await testbed.run()                                     // until SIGINT or SIGTERM
/// try await testbed.run(stopOnSignals: false, exitWhenIdle: true) // a one-shot run, for scripts
/// ```
///
/// On SIGINT/SIGTERM (or cancellation of the calling task) it shuts down
/// gracefully: repetitions under way finish and pending statuses are
/// pushed before ``run(signals:exitWhenIdle:)`` returns.
public struct Testbed: Sendable {
    /// The consumer's store; its identity must be a consumer's.
    public let store: any ResourceStore<Experiment>
    /// The reconciler the controller runs.
    public let reconciler: ExperimentReconciler
    /// How the controller polls, batches and retries.
    public let options: ControllerOptions
    /// Where the testbed logs.
    public let logger: Logger

    /// A testbed over `store` that reports results as `runner`.
    public init(
        store: some ResourceStore<Experiment>,
        runner: String,
        options: ControllerOptions = ControllerOptions(),
        logger: Logger = Logger(label: "giter.example.testbed")
    ) {
        self.store = store
        self.reconciler = ExperimentReconciler(runner: runner)
        self.options = options
        self.logger = logger
    }

    /// Runs the controller until SIGINT or SIGTERM arrives (with
    /// `stopOnSignals`), the calling task is cancelled, or — with `exitWhenIdle` — every experiment in
    /// the exchange has a current, finished status (`Ready` or `Stalled`)
    /// and nothing runs.
    ///
    /// Experiments left `Running` by a consumer that stopped part-way are
    /// restarted first (see ``resumeInterrupted()``).
    public func run(stopOnSignals: Bool = true, exitWhenIdle: Bool = false) async throws {
        let signals: [UnixSignal] = stopOnSignals ? [.sigterm, .sigint] : []
        let resumed = try await resumeInterrupted()
        if !resumed.isEmpty {
            logger.notice("restarting \(resumed.count) experiment(s) left running by an earlier run")
        }
        let controller = Controller(store: store, reconciler: reconciler, options: options)
        var services = [ServiceGroupConfiguration.ServiceConfiguration(service: controller)]
        if exitWhenIdle {
            let watcher = IdleWatcher(store: store, book: reconciler.book, interval: options.pollInterval)
            services.append(.init(service: watcher, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: signals,
                logger: logger
            )
        )
        try await group.run()
    }

    /// Makes experiments that an earlier consumer left `Running` be run again.
    ///
    /// The controller reconciles resources whose status does not describe
    /// the current spec; a consumer that stopped between two repetitions
    /// left a status that does (`observedGeneration` is current) but says
    /// `Running`. This writes such statuses back without an observed
    /// generation and with `Running=Unknown`, so the controller picks them
    /// up. Call it only when no other consumer works on the same
    /// experiments (it cannot tell a stopped consumer from a busy one).
    ///
    /// - Returns: The experiments reset.
    @discardableResult
    public func resumeInterrupted() async throws -> [ResourceKey] {
        try await store.refresh()
        var writes: [ResourceWrite<Experiment>] = []
        for stored in try await store.list(.all) where stored.isStatusCurrent {
            guard var status = stored.resource.status, status.isRunning else { continue }
            status.observedGeneration = nil
            status.conditions.setCondition(
                Condition(
                    type: ExperimentConditions.running,
                    status: .unknown,
                    reason: "Interrupted",
                    message: "the consumer stopped part-way; restarting"
                )
            )
            writes.append(.status(stored.key, status, specDigest: stored.specDigest))
        }
        guard !writes.isEmpty else { return [] }
        let result = try await store.write(writes)
        return zip(writes, result.outcomes).filter { $0.1 == .statusWritten }.map { $0.0.key }
    }
}

/// Ends the service group once the exchange holds nothing left to run.
struct IdleWatcher: Service {
    let store: any ResourceStore<Experiment>
    let book: ProgressBook
    let interval: Duration

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                // Two idle checks in a row, a poll apart: the first may see the
                // exchange just before the controller queued what it found.
                var idleChecks = 0
                while idleChecks < 2 {
                    try await Task.sleep(for: interval)
                    idleChecks = try await isIdle() ? idleChecks + 1 : 0
                }
            }
        } catch is CancellationError {
            return
        }
    }

    private func isIdle() async throws -> Bool {
        guard book.inProgress == 0 else { return false }
        try await store.refresh()
        return try await store.list(.all).allSatisfy { stored in
            guard stored.isStatusCurrent, let status = stored.resource.status else { return false }
            return !status.isRunning && (status.isReady || status.isStalled)
        }
    }
}
