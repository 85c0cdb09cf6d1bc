public import Giter
public import Logging
public import ServiceLifecycle
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
    /// Hints that the exchange moved (a webhook receiver posts into it): each makes the controller check at once.
    public let events: ChangeNotifier?

    /// A testbed over `store` that reports results as `runner`.
    public init(
        store: some ResourceStore<Experiment>,
        runner: String,
        options: ControllerOptions = ControllerOptions(),
        logger: Logger = Logger(label: "giter.example.testbed"),
        events: ChangeNotifier? = nil
    ) {
        self.store = store
        self.reconciler = ExperimentReconciler(runner: runner)
        self.options = options
        self.logger = logger
        self.events = events
    }

    /// Runs the controller until SIGINT or SIGTERM arrives (with
    /// `stopOnSignals`), the calling task is cancelled, or — with `exitWhenIdle` — every experiment in
    /// the exchange has a current, finished status (`Ready` or `Stalled`)
    /// and nothing runs.
    ///
    /// Experiments left `Running` by a consumer that stopped part-way are
    /// run again: their status describes the current spec but has neither
    /// `Ready` nor `Stalled` true, which the controller treats as work in
    /// progress (`ControllerOptions.finishedConditions`).
    ///
    /// `services` (a webhook server) run beside the controller and stop with it.
    public func run(stopOnSignals: Bool = true, exitWhenIdle: Bool = false, services extra: [any Service] = [])
        async throws
    {
        let signals: [UnixSignal] = stopOnSignals ? [.sigterm, .sigint] : []
        let controller = Controller(store: store, reconciler: reconciler, options: options)
        if let events {
            await controller.addEventSource(events.subscribe())
        }
        var services = [ServiceGroupConfiguration.ServiceConfiguration(service: controller)]
        services += extra.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
        if exitWhenIdle {
            let book = reconciler.book
            // Nothing left to run: no run in progress, and every experiment ready or stalled.
            let watcher = IdleWatcher(interval: options.pollInterval) {
                guard book.inProgress == 0 else { return false }
                return try await IdleWatcher.allFinished(in: store) { !$0.isRunning && ($0.isReady || $0.isStalled) }
            }
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
}

/// Ends the service group once `isIdle` holds twice in a row, a poll apart:
/// the first look may see the exchange just before the controller queued what
/// it found.
struct IdleWatcher: Service {
    let interval: Duration
    let isIdle: @Sendable () async throws -> Bool

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
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

    /// Whether every resource of `store` has a current status that `isFinished` accepts.
    static func allFinished<Resource: ExchangedResource>(
        in store: any ResourceStore<Resource>, _ isFinished: (Resource.Status) -> Bool
    ) async throws -> Bool {
        try await store.refresh()
        return try await store.list(.all).allSatisfy { stored in
            guard stored.isStatusCurrent, let status = stored.resource.status else { return false }
            return isFinished(status)
        }
    }
}
