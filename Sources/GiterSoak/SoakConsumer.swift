import Foundation
import Giter
import Logging

/// A soak consumer process: a ``Controller`` whose reconciler reports
/// `Ready` for every spec at once, until the stop file appears.
struct SoakConsumer {
    /// Reports the spec's revision and `Ready=True`; the controller sets
    /// `observedGeneration`.
    struct Reconciler: Giter.Reconciler {
        typealias Resource = SoakItem
        let consumer: String

        func reconcile(_ item: SoakItem, context: ReconcileContext) async throws -> ReconcileResult<SoakStatus> {
            var status = item.status ?? SoakStatus()
            status.consumer = consumer
            status.revision = item.spec.revision
            status.conditions.setCondition(
                Condition(
                    type: "Ready", status: .true, observedGeneration: context.generation, reason: "Observed",
                    message: "revision \(item.spec.revision) seen by \(consumer)"))
            return .done(status)
        }
    }

    let options: ChildOptions
    let logger: Logger

    func run() async throws {
        let store = GitResourceStore<SoakItem>(
            transport: try await options.openTransport(),
            resourceType: SoakAPI.resourceType,
            options: StoreOptions(
                identity: SoakAPI.identity(options.id, role: .consumer), logger: Logger(label: "soak.\(options.id).store"))
        )
        let controller = Controller(
            store: store,
            reconciler: Reconciler(consumer: options.id),
            options: ControllerOptions(
                pollInterval: .milliseconds(200),
                maxConcurrentReconciles: 4,
                statusWriteWindow: .milliseconds(50),
                errorBackoff: RetryPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(2)),
                logger: Logger(label: "soak.\(options.id).controller")
            )
        )
        let options = options
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await controller.run() }
            group.addTask {
                // The driver's stop file ends the controller gracefully: pending statuses are pushed.
                while !options.stopRequested { try await Task.sleep(for: .milliseconds(100)) }
                controller.shutdown()
            }
            // The first error ends the group, which cancels the other task.
            try await group.waitForAll()
        }
    }
}
