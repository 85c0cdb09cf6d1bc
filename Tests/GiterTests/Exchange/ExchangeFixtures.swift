import Giter
import GiterTesting
import Synchronization

let reportType = ResourceType(apiVersion: "reports.example.com/v1", kind: "Report")
let producerIdentity = ExchangeIdentity(name: "Report producer", email: "producer@example.com", role: .producer)
let consumerIdentity = ExchangeIdentity(name: "Report consumer", email: "consumer@example.com", role: .consumer)
let namedRoles = RoleAssignments(producers: ["producer@example.com"], consumers: ["consumer@example.com"])

/// A remote with a producer store and a consumer store, roles named.
struct Exchange {
    let remote = InMemoryRemote()
    let events = EventLog()
    let producerStore: GitResourceStore<Report>
    let consumerStore: GitResourceStore<Report>

    init(retry: RetryPolicy = RetryPolicy(maxAttempts: 6, initialDelay: .milliseconds(1), maxDelay: .milliseconds(5))) {
        producerStore = Self.makeStore(remote, events, identity: producerIdentity, retry: retry)
        consumerStore = Self.makeStore(remote, events, identity: consumerIdentity, retry: retry)
    }

    func makeStore(identity: ExchangeIdentity, retry: RetryPolicy = .default) -> GitResourceStore<Report> {
        Self.makeStore(remote, events, identity: identity, retry: retry)
    }

    static func makeStore(
        _ remote: InMemoryRemote, _ events: EventLog, identity: ExchangeIdentity, retry: RetryPolicy
    ) -> GitResourceStore<Report> {
        remote.store(
            for: Report.self, type: reportType,
            options: StoreOptions(identity: identity, roles: namedRoles, retry: retry, eventHandler: { events.append($0) }))
    }

    var producer: Producer<Report> { Producer(store: producerStore) }

    /// The bytes of a file at the remote's tip.
    func file(_ path: String) async throws -> String? {
        let transport = remote.transport()
        guard let tip = remote.tip() else { return nil }
        guard let entry = try await transport.treeEntries(at: tip, under: nil).first(where: { $0.path == path }) else {
            return nil
        }
        return String(decoding: try await transport.blob(entry.id), as: UTF8.self)
    }
}

/// Events a store reported.
final class EventLog: Sendable {
    private let events = Mutex<[StoreEvent]>([])
    /// Told after each event (for ``waitFor(_:)``).
    private let appended = ChangeNotifier()

    func append(_ event: StoreEvent) {
        events.withLock { $0.append(event) }
        appended.notify()
    }

    var all: [StoreEvent] { events.withLock { $0 } }

    /// Returns once an event that `matches` was reported (before or after
    /// the call), or the task is cancelled.
    func waitFor(_ matches: (StoreEvent) -> Bool) async {
        let hints = appended.subscribe()
        if all.contains(where: matches) { return }
        for await _ in hints where all.contains(where: matches) { return }
    }

    var violations: [ContractViolation] {
        events.withLock { events in
            events.compactMap { if case .contractViolation(let violation) = $0 { violation } else { nil } }
        }
    }
}

func report(_ name: String, schedule: String = "0 2 * * *", labels: [String: String]? = ["app": "reporter"], namespace: String = "reports") -> Report {
    Report(
        apiVersion: reportType.apiVersion, kind: reportType.kind,
        metadata: ObjectMeta(name: name, namespace: namespace, labels: labels),
        spec: ReportSpec(schedule: schedule, retries: 3, outputs: [ReportSpec.Output(bucket: "b", format: "pdf")]))
}

func readyStatus(_ message: String = "done") -> TestStatus {
    var status = TestStatus()
    status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Rendered", message: message))
    status.url = "https://example.com/\(message)"
    return status
}
