import ExperimentKit
import Foundation
import Giter
import Logging

/// One run of the demo: who the two sides are, and the producer's part.
struct DemoSession: Sendable {
    static let producerIdentity = ExchangeIdentity(
        name: "Experiment producer",
        email: "producer@giter.example",
        role: .producer
    )
    static let consumerIdentity = ExchangeIdentity(
        name: "Testbed consumer",
        email: "testbed@giter.example",
        role: .consumer
    )
    static let runner = "testbed-1"
    static let pollInterval = 0.2

    let folder: String
    let count: Int
    let scale: Double
    let backend: Backend
    let timeout: Double
    let interactive: Bool

    /// Both sides name the other's identity, so each checks who wrote what.
    var roles: RoleAssignments {
        RoleAssignments(producers: [Self.producerIdentity.email], consumers: [Self.consumerIdentity.email])
    }

    /// The command line of the spawned `experiment-consumer`.
    func consumerArguments(remote: String) -> [String] {
        [
            "--remote", remote,
            "--backend", backend.rawValue,
            "--identity", Self.consumerIdentity.description,
            "--producer-email", Self.producerIdentity.email,
            "--consumer-email", Self.consumerIdentity.email,
            "--poll-interval", String(Self.pollInterval),
            "--cache", folder + "/consumer-cache",
            "--runner", Self.runner,
            "--parallel", "2",
            "--status-window", "100",
            "--log-level", "info",
        ]
    }

    /// Publishes the batch, follows it with a live view, verifies and archives.
    func produce(_ repository: LocalExchangeRepository) async throws -> CampaignReport {
        let store = try await makeStore(repository, identity: Self.producerIdentity, mirror: "producer-mirror.git")
        let batch = ExperimentAPI.newBatchName()
        let experiments = ExperimentAPI.batch(batch, count: count, scale: scale)
        print("  producer  this process, batch \(batch): \(experiments.count) experiments, 3 repetitions each\n")
        let campaign = ExperimentCampaign(
            producer: Producer(store: store),
            options: ExperimentCampaign.Options(
                pollInterval: .milliseconds(150),
                timeout: .milliseconds(Int64(timeout * 1000))
            )
        )
        let view = LiveView(interactive: interactive)
        return try await campaign.run(experiments) { event in
            switch event {
            case .published(let count, let revision):
                let commit = revision.map { " (commit \($0.rawValue.prefix(7)))" } ?? ""
                print(
                    "Published \(count) Experiment specs in one commit\(commit); the consumer polls every \(Self.pollInterval) s.\n"
                )
            case .updated(let rows):
                view.show(rows)
            case .archived(let count):
                print("\nArchived \(count) verified experiment(s): moved from resources/ to archive/ in one commit.")
            case .finished:
                break
            }
        }
    }

    /// ``produce(_:)`` with the consumer's controller running in this process.
    func produceWithInProcessConsumer(_ repository: LocalExchangeRepository) async throws -> CampaignReport {
        let store = try await makeStore(repository, identity: Self.consumerIdentity, mirror: "consumer-mirror.git")
        var logger = Logger(label: "giter-demo.consumer")
        logger.logLevel = .error
        let testbed = Testbed(
            store: store,
            runner: Self.runner,
            options: ControllerOptions(
                pollInterval: .milliseconds(Int64(Self.pollInterval * 1000)),
                maxConcurrentReconciles: 2,
                statusWriteWindow: .milliseconds(100),
                logger: logger
            ),
            logger: logger
        )
        let consumer = Task { try await testbed.run(stopOnSignals: false) }
        do {
            let report = try await produce(repository)
            consumer.cancel()
            try await consumer.value
            return report
        } catch {
            consumer.cancel()
            _ = try? await consumer.value
            throw error
        }
    }

    func makeStore(
        _ repository: LocalExchangeRepository,
        identity: ExchangeIdentity,
        mirror: String
    ) async throws -> GitResourceStore<Experiment> {
        let configuration = RemoteConfiguration(
            url: repository.path,
            branch: repository.branch,
            mirrorPath: folder + "/" + mirror
        )
        let transport = try await backend.open(configuration)
        var logger = Logger(label: "giter-demo.store")
        logger.logLevel = .error
        return GitResourceStore(
            transport: transport,
            resourceType: ExperimentAPI.resourceType,
            options: StoreOptions(identity: identity, roles: roles, logger: logger)
        )
    }
}
