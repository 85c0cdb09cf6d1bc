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
            let watcher = IdleWatcher(interval: options.pollInterval) {
                try await IdleWatcher.allFinished(in: store) {
                    $0.isTrue(ExperimentConditions.ready) || $0.isTrue(ExperimentConditions.stalled)
                }
            }
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
