import Foundation
import GitServerFixtures
import Giter
import GiterGitCLI
import GiterLibGit2
import Logging
import Synchronization
import Testing

/// The backends the end-to-end tests run on.
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

struct JobSpec: ResourceSpec {
    var payload: String
    var round: Int
}

struct JobStatus: ReconcilableStatus, Equatable {
    var observedGeneration: Int64?
    var conditions: [Condition] = []
    var digest: String?
    var reconciledBy: String?
}

typealias Job = CustomResource<JobSpec, JobStatus>

let jobType = ResourceType(apiVersion: "jobs.giter.example/v1", kind: "Job")

func job(_ name: String, payload: String, round: Int) -> Job {
    Job(
        apiVersion: jobType.apiVersion, kind: jobType.kind, metadata: ObjectMeta(name: name, namespace: "lab"),
        spec: JobSpec(payload: payload, round: round))
}

/// What a test consumer computes: a digest of the spec, so the checker can tell which spec a status describes.
func expectedDigest(_ spec: JobSpec) -> String {
    var hash: UInt64 = 1_469_598_103_934_665_603
    for byte in "\(spec.payload)#\(spec.round)".utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
    return String(hash, radix: 16)
}

/// Marks every job Ready with the digest of its spec.
struct DigestReconciler: Reconciler {
    var name: String

    func reconcile(_ job: Job, context: ReconcileContext) async throws -> ReconcileResult<JobStatus> {
        var status = job.status ?? JobStatus()
        status.digest = expectedDigest(job.spec)
        status.reconciledBy = name
        status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Done", message: "digest computed"))
        return .done(status)
    }
}

func producerIdentity(_ index: Int) -> ExchangeIdentity {
    ExchangeIdentity(name: "Producer \(index)", email: "producer\(index)@lab.example", role: .producer)
}

func consumerIdentity(_ index: Int) -> ExchangeIdentity {
    ExchangeIdentity(name: "Consumer \(index)", email: "consumer\(index)@lab.example", role: .consumer)
}

let labRoles = RoleAssignments(
    producers: Set((0..<8).map { producerIdentity($0).email }), consumers: Set((0..<8).map { consumerIdentity($0).email }))

/// Collects store events across stores.
final class Events: Sendable {
    private let events = Mutex<[StoreEvent]>([])
    func append(_ event: StoreEvent) { events.withLock { $0.append(event) } }
    var violations: [ContractViolation] {
        events.withLock { $0.compactMap { if case .contractViolation(let v) = $0 { v } else { nil } } }
    }
}

/// A git daemon serving one empty repository, and a scratch folder for mirrors.
struct Lab: Sendable {
    let backend: Backend
    let url: String
    let repository: BareRepository
    let scratch: URL
    let events = Events()

    func store(_ identity: ExchangeIdentity, mirror: String, historyCheck: StoreOptions.HistoryCheck = .fullHistory)
        async throws -> GitResourceStore<Job>
    {
        let configuration = RemoteConfiguration(
            url: url, branch: "main", mirrorPath: scratch.appendingPathComponent("mirror-\(mirror)").path)
        let transport = try await backend.open(configuration)
        let events = self.events
        var logger = Logger(label: "giter.test.\(mirror)")
        logger.logLevel = .error
        return GitResourceStore(
            transport: transport, resourceType: jobType,
            options: StoreOptions(
                identity: identity, roles: labRoles,
                retry: RetryPolicy(maxAttempts: 300, initialDelay: .milliseconds(5), maxDelay: .milliseconds(300)),
                historyCheck: historyCheck, logger: logger, eventHandler: { events.append($0) }))
    }

    func controllerOptions(_ name: String) -> ControllerOptions {
        var logger = Logger(label: "giter.test.\(name)")
        logger.logLevel = .error
        return ControllerOptions(
            pollInterval: .milliseconds(50), maxConcurrentReconciles: 4, statusWriteWindow: .milliseconds(200),
            errorBackoff: RetryPolicy(initialDelay: .milliseconds(10), maxDelay: .milliseconds(200)), logger: logger)
    }
}

/// Serves an empty repository with `git daemon` and runs `body`.
func withLab(_ backend: Backend, _ body: (Lab) async throws -> Void) async throws {
    guard try TestRequirements.available(ServerKind.gitDaemon.unavailableReason, for: "the git daemon end-to-end test")
    else { return }
    let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("giter-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    try await withGitServer(.gitDaemon) { server in
        let repository = try await server.createRepository(named: "lab", seeded: false)
        try await body(Lab(backend: backend, url: try server.url(for: "lab"), repository: repository, scratch: scratch))
    }
}
