public import Giter
public import Logging
import ServiceLifecycle
import UnixSignals

/// Runs a controller of one stage of the example's pipeline as a service:
/// the pipeline stage over experiments, or the analyst over analyses.
///
/// Like ``Testbed/run(stopOnSignals:exitWhenIdle:services:)``: SIGINT and
/// SIGTERM stop it gracefully, and with `exitWhenIdle` it ends once every
/// resource of `store` has a current status with `Ready` or `Stalled` true.
public struct StageRunner<Reconciling: Reconciler>: Sendable {
    public let store: any ResourceStore<Reconciling.Resource>
    public let reconciler: Reconciling
    public let options: ControllerOptions
    public let logger: Logger

    public init(
        store: some ResourceStore<Reconciling.Resource>,
        reconciler: Reconciling,
        options: ControllerOptions,
        logger: Logger
    ) {
        self.store = store
        self.reconciler = reconciler
        self.options = options
        self.logger = logger
    }

    public func run(stopOnSignals: Bool = true, exitWhenIdle: Bool = false) async throws {
        let controller = Controller(store: store, reconciler: reconciler, options: options)
        var services = [ServiceGroupConfiguration.ServiceConfiguration(service: controller)]
        if exitWhenIdle {
            let watcher = StageIdleWatcher(store: store, interval: options.pollInterval)
            services.append(.init(service: watcher, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: stopOnSignals ? [.sigterm, .sigint] : [],
                logger: logger
            )
        )
        try await group.run()
    }
}

/// Ends the service group once every resource of the store is finished.
struct StageIdleWatcher<Resource: ExchangedResource>: Service {
    let store: any ResourceStore<Resource>
    let interval: Duration

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                // Two idle checks in a row, a poll apart, as the testbed's watcher does.
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
        try await store.refresh()
        return try await store.list(.all).allSatisfy { stored in
            guard stored.isStatusCurrent, let status = stored.resource.status else { return false }
            return status.isTrue(ExperimentConditions.ready) || status.isTrue(ExperimentConditions.stalled)
        }
    }
}
