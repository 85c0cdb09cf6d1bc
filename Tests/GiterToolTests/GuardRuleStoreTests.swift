import Foundation
import GitServerFixtures
import Giter
import Synchronization
import Testing

struct LabExperimentSpec: ResourceSpec {
    var image: String
    var replicas: Int
}

struct LabExperimentStatus: ReconcilableStatus, Equatable {
    var observedGeneration: Int64?
    var conditions: [Condition] = []
    var phase: String?
}

/// The guarded exchange's `Experiment`, as a host app types it.
typealias LabExperiment = CustomResource<LabExperimentSpec, LabExperimentStatus>

/// The contract violations stores report.
final class ViolationLog: Sendable {
    private let list = Mutex<[ContractViolation]>([])
    func record(_ event: StoreEvent) {
        if case .contractViolation(let violation) = event { list.withLock { $0.append(violation) } }
    }
    var violations: [ContractViolation] { list.withLock { $0 } }
}

/// Giter's own push path into a guarded exchange: a producer's `apply`
/// and a consumer's status write, through ``GitResourceStore`` over both
/// transports, pass the guard (on both of its backends) — they go through
/// receive-pack, so the hook judged them, and no store saw a violation.
@Suite("The guard passes Giter's own writes", .timeLimit(.minutes(3)))
struct GuardRuleStoreTests {
    static let type = ResourceType(apiVersion: "lab.example/v1", kind: "Experiment")
    /// Every transport backend with every guard backend.
    static let backendPairs: [(transport: ToolBackend, guard: ToolBackend)] = ToolBackend.allCases.flatMap {
        transport in
        ToolBackend.allCases.map { (transport, $0) }
    }

    /// A store of `person` in `role`, over a `backend` transport with its own mirror.
    static func store(
        _ person: Person,
        _ role: ExchangeRole,
        backend: ToolBackend,
        exchange: GuardedExchange,
        log: ViolationLog
    ) async throws -> (GitResourceStore<LabExperiment>, any Transport) {
        let mirror = exchange.fixture.scratch.appending("mirror-\(person.name)").path
        let transport = try await GuardTransportPushTests.transport(backend, url: exchange.fixture.url, mirror: mirror)
        let options = StoreOptions(
            identity: ExchangeIdentity(name: person.name, email: person.email, role: role),
            // One attempt: a push the guard refused comes back as notApplied at once.
            retry: RetryPolicy(maxAttempts: 1),
            eventHandler: { log.record($0) }
        )
        return (GitResourceStore(transport: transport, resourceType: type, options: options), transport)
    }

    /// The author e-mail of the server's `main`.
    static func mainAuthor(_ exchange: GuardedExchange) async throws -> String {
        try await exchange.fixture.repository.git(["log", "-1", "--format=%ae", "refs/heads/main"]).trimmedStdout
    }

    /// The same writes over a local path (receive-pack forced by the hook)
    /// and over git daemon.
    @Test(arguments: [GuardRemote.localPath, .gitDaemon], backendPairs)
    func anApplyAndAStatusWritePass(remote: GuardRemote, backends: (transport: ToolBackend, guard: ToolBackend))
        async throws
    {
        let backend = backends.transport
        try await GuardedExchange.with(remote, backend: backends.guard) { exchange in
            let log = ViolationLog()
            let (producerStore, producerTransport) = try await Self.store(
                .alice,
                .producer,
                backend: backend,
                exchange: exchange,
                log: log
            )
            let experiment = LabExperiment(
                apiVersion: Self.type.apiVersion,
                kind: Self.type.kind,
                metadata: ObjectMeta(name: "exp-2", namespace: "lab"),
                spec: LabExperimentSpec(image: "lab/runner:3", replicas: 1)
            )
            #expect(try await Producer(store: producerStore).apply(experiment) == .created(generation: 1))
            if remote == .localPath { #expect(GuardTransportPushTests.receivePackPushes(producerTransport) == 1) }
            #expect(try await Self.mainAuthor(exchange) == Person.alice.email)

            let (consumerStore, consumerTransport) = try await Self.store(
                .runner,
                .consumer,
                backend: backend,
                exchange: exchange,
                log: log
            )
            try await consumerStore.refresh()
            let stored = try #require(try await consumerStore.get(GuardedExchange.exp2))
            let status = LabExperimentStatus(observedGeneration: stored.resource.metadata.generation, phase: "Running")
            let outcome = try await consumerStore.write(
                .status(GuardedExchange.exp2, status, specDigest: stored.specDigest)
            )
            #expect(outcome == .statusWritten)
            if remote == .localPath { #expect(GuardTransportPushTests.receivePackPushes(consumerTransport) == 1) }
            #expect(try await Self.mainAuthor(exchange) == Person.runner.email)

            try await producerStore.refresh()
            #expect(try await producerStore.get(GuardedExchange.exp2)?.resource.status?.phase == "Running")
            #expect(log.violations.isEmpty, "\(log.violations)")
        }
    }
}
