import ExperimentKit
import Giter
import GiterTesting
import Logging
import Synchronization

/// A producer store and a consumer store over one exchange (in memory
/// unless given), with the example's identities and named roles.
struct InMemoryLab: Sendable {
    static let producer = ExchangeIdentity(
        name: "Experiment producer",
        email: "producer@giter.example",
        role: .producer
    )
    static let consumer = ExchangeIdentity(name: "Testbed", email: "testbed@giter.example", role: .consumer)
    static let roles = RoleAssignments(producers: [producer.email], consumers: [consumer.email])
    static var quiet: Logger {
        var logger = Logger(label: "examples-test")
        logger.logLevel = .critical
        return logger
    }

    let events = StoreEvents()
    let producerStore: GitResourceStore<Experiment>
    let consumerStore: GitResourceStore<Experiment>

    /// Two stores over a new in-memory remote.
    init() {
        let remote = InMemoryRemote()
        let events = self.events
        func store(_ identity: ExchangeIdentity) -> GitResourceStore<Experiment> {
            remote.store(
                for: Experiment.self,
                type: ExperimentAPI.resourceType,
                options: StoreOptions(
                    identity: identity,
                    roles: Self.roles,
                    logger: Self.quiet,
                    eventHandler: { events.append($0) }
                )
            )
        }
        producerStore = store(Self.producer)
        consumerStore = store(Self.consumer)
    }

    /// Two given stores.
    init(producerStore: GitResourceStore<Experiment>, consumerStore: GitResourceStore<Experiment>) {
        self.producerStore = producerStore
        self.consumerStore = consumerStore
    }

    /// A testbed over the consumer store that polls often.
    var testbed: Testbed {
        Testbed(
            store: consumerStore,
            runner: "testbed-test",
            options: ControllerOptions(
                pollInterval: .milliseconds(20),
                maxConcurrentReconciles: 2,
                statusWriteWindow: .milliseconds(20),
                logger: Self.quiet
            ),
            logger: Self.quiet
        )
    }

    /// A campaign over the producer store that polls often.
    func campaign() -> ExperimentCampaign {
        ExperimentCampaign(
            producer: Producer(store: producerStore),
            options: ExperimentCampaign.Options(pollInterval: .milliseconds(20), timeout: .seconds(60))
        )
    }

    /// Runs `body` while a testbed runs, then stops the testbed (as on SIGTERM) and waits for it.
    func withTestbed<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let testbed = self.testbed
        let consumer = Task { try await testbed.run(stopOnSignals: false) }
        do {
            let value = try await body()
            consumer.cancel()
            try await consumer.value
            return value
        } catch {
            consumer.cancel()
            _ = try? await consumer.value
            throw error
        }
    }
}

/// Events stores reported.
final class StoreEvents: Sendable {
    private let events = Mutex<[StoreEvent]>([])

    func append(_ event: StoreEvent) { events.withLock { $0.append(event) } }

    var violations: [ContractViolation] {
        events.withLock { events in
            events.compactMap { if case .contractViolation(let violation) = $0 { violation } else { nil } }
        }
    }
}
