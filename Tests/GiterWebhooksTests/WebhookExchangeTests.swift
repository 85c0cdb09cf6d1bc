import Foundation
import GitServerFixtures
import Giter
import GiterGitCLI
import GiterLibGit2
import GiterTesting
import GiterWebhooks
import HTTPTypes
import Logging
import Metrics
import Prometheus
import Synchronization
import Testing

/// The registry this test process bootstrapped swift-metrics with, once, as
/// a host app does at start-up.
let metricsRegistry: PrometheusCollectorRegistry = {
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    return registry
}()

enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case libgit2
    case gitCLI

    var description: String { rawValue }

    func open(_ configuration: RemoteConfiguration) async throws -> any Transport {
        switch self {
        case .libgit2: try await LibGit2Transport(configuration: configuration)
        case .gitCLI: try await GitCLITransport(configuration: configuration)
        }
    }
}

struct NoteSpec: ResourceSpec { var text: String }
struct NoteStatus: ReconcilableStatus, Equatable {
    var observedGeneration: Int64?
    var conditions: [Condition] = []
    var words = 0
}
typealias Note = CustomResource<NoteSpec, NoteStatus>
let noteType = ResourceType(apiVersion: "notes.giter.example/v1", kind: "Note")

/// Counts words, and tells the test each time it ran.
struct WordCounter: Reconciler {
    let reconciled: AsyncStream<ResourceKey>.Continuation

    func reconcile(_ note: Note, context: ReconcileContext) async throws -> ReconcileResult<NoteStatus> {
        var status = note.status ?? NoteStatus()
        status.words = note.spec.text.split(separator: " ").count
        status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Counted"))
        reconciled.yield(note.key)
        return .done(status)
    }
}

/// A webhook is what wakes the consumer: its poll is an hour on a test
/// clock that never moves, so only the hint can make it see the push.
@Suite(.timeLimit(.minutes(3)))
struct WebhookExchangeTests {
    @Test(arguments: Backend.allCases)
    func aSignedWebhookMakesTheConsumerReconcileAPush(backend: Backend) async throws {
        let registry = metricsRegistry
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "giter-hooks-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: scratch) }
        let repository = try await BareRepository.create(
            at: scratch.appendingPathComponent("exchange.git"),
            seeded: false
        )
        var quiet = Logger(label: "giter.test.hooks")
        quiet.logLevel = .error
        let logger = quiet
        func store(_ role: ExchangeRole) async throws -> GitResourceStore<Note> {
            let configuration = RemoteConfiguration(
                url: repository.path,
                branch: "main",
                mirrorPath: scratch.appendingPathComponent("mirror-\(role)").path
            )
            let identity = ExchangeIdentity(name: "Notes \(role)", email: "\(role)@notes.example", role: role)
            return GitResourceStore(
                transport: try await backend.open(configuration),
                resourceType: noteType,
                options: StoreOptions(identity: identity, logger: logger)
            )
        }
        let producer = Producer(store: try await store(.producer))
        // The branch exists before the consumer starts (an empty exchange).
        _ = try await producer.apply(note("first", "one two"))

        let changes = ChangeNotifier()
        let (reconciled, reconciledInput) = AsyncStream.makeStream(of: ResourceKey.self)
        let clock = TestClock()
        let controller = Controller(
            store: try await store(.consumer),
            reconciler: WordCounter(reconciled: reconciledInput),
            // Not watching the repository (it is on this machine): only the webhook may wake the consumer.
            options: ControllerOptions(
                pollInterval: .seconds(3600), statusWriteWindow: .zero, watchesLocalRemote: false, logger: logger),
            clock: clock
        )
        await controller.addEventSource(changes.subscribe())
        let receiver = try WebhookReceiver(configuration: try testConfiguration(), notifier: changes, logger: logger)

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await controller.run() }
            defer { controller.shutdown() }
            // The first sync at start-up reconciles what is there.
            #expect(try await first(of: reconciled) == note("first", "").key)
            try await withDeadline { await controller.waitUntilIdle() }

            // Another store pushes; nothing but a webhook tells the consumer.
            _ = try await producer.apply(note("second", "three little words"))
            try await withLiveReceiver(receiver, metrics: registry) { server in
                let body = pushPayload()
                let response = try await server.post(
                    "/hooks/github",
                    headers: signedHeaders(.github, body: body),
                    body: body
                )
                #expect(response.status == .accepted)
            }
            #expect(try await first(of: reconciled) == note("second", "").key)
            try await withDeadline { await controller.waitUntilIdle() }
            try await producer.store.refresh()
            let answer = try await producer.get(note("second", "").key)
            #expect(answer?.resource.status?.words == 3)
            #expect(clock.now == TestClock.Instant(offset: .zero), "no poll ran: the clock never moved")

            // What the runtime emitted is served, in the Prometheus text format.
            try await withLiveReceiver(receiver, metrics: registry) { server in
                let metrics = try await server.get("/metrics")
                #expect(metrics.status == .ok)
                let text = metrics.text
                #expect(text.contains("giter_reconciles_total"))
                #expect(text.contains("giter_webhook_requests_total"))
                let health = try await server.get("/healthz")
                #expect(health.status == .ok)
                #expect(health.text == "ok\n")
            }
            // run() returns once pending work is written (the suite's time limit bounds it).
            controller.shutdown()
            try await tasks.waitForAll()
        }
    }

    private func note(_ name: String, _ text: String) -> Note {
        Note(
            apiVersion: noteType.apiVersion,
            kind: noteType.kind,
            metadata: ObjectMeta(name: name),
            spec: NoteSpec(text: text)
        )
    }
}

/// The next element of `stream`, or a failure after `limit` of real time.
func first<T: Sendable>(of stream: AsyncStream<T>, within limit: Duration = .seconds(60)) async throws -> T? {
    try await withDeadline(limit) {
        var iterator = stream.makeAsyncIterator()
        return await iterator.next()
    }
}
