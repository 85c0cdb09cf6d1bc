// The Swift samples of README.md and Documentation/*.md, verbatim, so that
// they compile with every build. DocumentationSampleTests checks that each
// sample in the documents appears here (or in another test file), and runs
// the ones that can run on their own.

import Giter
import GiterLibGit2
import GiterTesting
import Logging
import ServiceLifecycle
import UnixSignals

// MARK: WritingAReconciler.md — the types

struct ReportSpec: ResourceSpec {
    var query: String
    var format: String
}

struct ReportStatus: ReconcilableStatus, Equatable {
    var observedGeneration: Int64?
    var conditions: [Condition] = []
    var url: String?
}

typealias Report = CustomResource<ReportSpec, ReportStatus>

// MARK: WritingAReconciler.md — conforming to Reconciler

struct ReportReconciler: Reconciler {
    func reconcile(_ report: Report, context: ReconcileContext) async throws -> ReconcileResult<ReportStatus> {
        guard ["pdf", "csv"].contains(report.spec.format) else {
            throw TerminalError(reason: "UnsupportedFormat", message: "format \(report.spec.format) is not pdf or csv")
        }
        var status = report.status ?? ReportStatus()
        // The idempotency key is the same for every delivery of this generation.
        status.url = "https://reports.example.com/\(context.idempotencyKey).\(report.spec.format)"
        status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Rendered"))
        return .done(status)
    }
}

// MARK: WritingAReconciler.md — subclassing BaseReconciler

final class AuditedReportReconciler: BaseReconciler<Report>, @unchecked Sendable {
    let renderer: ReportReconciler

    init(renderer: ReportReconciler) {
        self.renderer = renderer
        super.init()
    }

    override func reconcile(_ report: Report, context: ReconcileContext) async throws -> ReconcileResult<ReportStatus> {
        context.logger.info("rendering")
        return try await renderer.reconcile(report, context: context)
    }
}

// MARK: WritingAReconciler.md — running it

func runConsumer() async throws {
    let transport = try await LibGit2Transport(
        configuration: RemoteConfiguration(
            url: "ssh://git@git.example.com/exchange.git",
            mirrorPath: "/var/cache/report-consumer/mirror",
            credentials: Credentials(
                sshKey: .init(privateKeyPath: "/etc/report-consumer/id_ed25519"),
                knownHostsPath: "/etc/report-consumer/known_hosts")))
    let store = GitResourceStore<Report>(
        transport: transport,
        resourceType: ResourceType(apiVersion: "reports.example.com/v1", kind: "Report"),
        options: StoreOptions(
            identity: ExchangeIdentity(name: "Report renderer", email: "renderer@example.com", role: .consumer),
            roles: RoleAssignments(producers: ["analytics@example.com"], consumers: ["renderer@example.com"])))
    let controller = Controller(
        store: store, reconciler: ReportReconciler(),
        options: ControllerOptions(pollInterval: .seconds(10), maxConcurrentReconciles: 8))
    let group = ServiceGroup(
        services: [controller], gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "report-consumer"))
    try await group.run()
}

// MARK: WritingAReconciler.md — testing it

func renderOne() async throws -> Report? {
    let remote = InMemoryRemote()
    let type = ResourceType(apiVersion: "reports.example.com/v1", kind: "Report")
    let producer = Producer(
        store: remote.store(
            for: Report.self, type: type,
            identity: ExchangeIdentity(name: "Analytics", email: "analytics@example.com", role: .producer)))
    let consumer = remote.store(
        for: Report.self, type: type,
        identity: ExchangeIdentity(name: "Renderer", email: "renderer@example.com", role: .consumer))
    let controller = Controller(store: consumer, reconciler: ReportReconciler())
    let running = Task { try await controller.run() }

    let report = Report(
        apiVersion: type.apiVersion, kind: type.kind, metadata: ObjectMeta(name: "weekly"),
        spec: ReportSpec(query: "select 1", format: "pdf"))
    try await producer.apply(report)
    controller.trigger()
    let done = try await producer.wait(for: report.key, timeout: .seconds(60))

    controller.shutdown()
    try await running.value
    return done.resource
}

// MARK: WritingAReconciler.md — time without waiting

func renderOnTheNextPoll() async throws -> Report? {
    let remote = InMemoryRemote()
    let type = ResourceType(apiVersion: "reports.example.com/v1", kind: "Report")
    let producer = Producer(
        store: remote.store(
            for: Report.self, type: type,
            identity: ExchangeIdentity(name: "Analytics", email: "analytics@example.com", role: .producer)))
    let consumer = remote.store(
        for: Report.self, type: type,
        identity: ExchangeIdentity(name: "Renderer", email: "renderer@example.com", role: .consumer))
    let clock = TestClock()
    let controller = Controller(
        store: consumer, reconciler: ReportReconciler(),
        options: ControllerOptions(pollInterval: .seconds(30), pollJitter: 0, statusWriteWindow: .zero), clock: clock)
    let running = Task { try await controller.run() }
    await controller.waitUntilIdle()  // the first check of the remote found nothing

    let report = Report(
        apiVersion: type.apiVersion, kind: type.kind, metadata: ObjectMeta(name: "weekly"),
        spec: ReportSpec(query: "select 1", format: "pdf"))
    try await producer.apply(report)
    try await clock.waitForSleepers(1)  // the controller waits for its next poll
    clock.advance(by: .seconds(30))  // the poll is due: no real time passes
    try await clock.waitForSleepers(1)  // it checked the remote and waits for the next poll
    await controller.waitUntilIdle()  // reconciled and the status written

    controller.shutdown()
    try await running.value
    return try await producer.get(report.key)?.resource
}

// MARK: GettingStarted.md — a first producer

func publishWeeklyReport() async throws {
    let transport = try await LibGit2Transport(
        configuration: RemoteConfiguration(url: "/srv/git/exchange.git", mirrorPath: "/tmp/analytics-mirror"))
    let producer = Producer(
        store: GitResourceStore<Report>(
            transport: transport,
            resourceType: ResourceType(apiVersion: "reports.example.com/v1", kind: "Report"),
            options: StoreOptions(
                identity: ExchangeIdentity(name: "Analytics", email: "analytics@example.com", role: .producer))))

    let report = Report(
        apiVersion: "reports.example.com/v1", kind: "Report",
        metadata: ObjectMeta(name: "weekly", namespace: "sales"),
        spec: ReportSpec(query: "select * from orders", format: "pdf"))
    print(try await producer.apply(report))  // created (generation 1)

    let done = try await producer.wait(for: report.key, timeout: .seconds(120))
    print(done.resource.status?.url ?? "no url")
    try await producer.archive(report.key)
}

// MARK: GettingStarted.md — a first consumer

func renderReports() async throws {
    let transport = try await LibGit2Transport(
        configuration: RemoteConfiguration(url: "/srv/git/exchange.git", mirrorPath: "/tmp/renderer-mirror"))
    let store = GitResourceStore<Report>(
        transport: transport,
        resourceType: ResourceType(apiVersion: "reports.example.com/v1", kind: "Report"),
        options: StoreOptions(
            identity: ExchangeIdentity(name: "Renderer", email: "renderer@example.com", role: .consumer)))
    try await Controller(store: store, reconciler: ReportReconciler()).run()
}

// MARK: README.md — a host app in a few lines

struct NoteSpec: ResourceSpec { var text: String }
struct NoteStatus: ReconcilableStatus, Equatable { var observedGeneration: Int64?; var conditions: [Condition] = []; var words = 0 }
typealias Note = CustomResource<NoteSpec, NoteStatus>

struct WordCounter: Reconciler {  // the consumer's logic
    func reconcile(_ note: Note, context: ReconcileContext) async throws -> ReconcileResult<NoteStatus> {
        var status = note.status ?? NoteStatus()
        status.words = note.spec.text.split(separator: " ").count
        status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Counted"))
        return .done(status)
    }
}

func store(_ role: ExchangeRole, _ remote: String, mirror: String) async throws -> GitResourceStore<Note> {
    let transport = try await LibGit2Transport(configuration: RemoteConfiguration(url: remote, mirrorPath: mirror))
    let identity = ExchangeIdentity(name: "Notes \(role)", email: "\(role)@notes.example.com", role: role)
    return GitResourceStore(transport: transport, resourceType: ResourceType(apiVersion: "notes.example.com/v1", kind: "Note"), options: StoreOptions(identity: identity))
}

func countWords(remote: String, scratch: String) async throws -> Int? {
    let consumer = Controller(store: try await store(.consumer, remote, mirror: scratch + "/c"), reconciler: WordCounter())
    let running = Task { try await consumer.run() }
    defer { consumer.shutdown(); _ = running }
    let producer = Producer(store: try await store(.producer, remote, mirror: scratch + "/p"))
    let note = Note(apiVersion: "notes.example.com/v1", kind: "Note", metadata: ObjectMeta(name: "hello"), spec: NoteSpec(text: "hello git world"))
    try await producer.apply(note)
    return try await producer.wait(for: note.key, timeout: .seconds(60)).resource.status?.words  // 3
}
