import Foundation
import Giter
import GiterGitCLI
import GiterLibGit2
import Logging
import Synchronization

enum Backend: String, CaseIterable, Sendable {
    case libgit2
    case gitCLI = "cli"

    var name: String { self == .libgit2 ? "libgit2" : "git CLI" }

    func open(_ configuration: RemoteConfiguration) async throws -> any Transport {
        switch self {
        case .libgit2: try await LibGit2Transport(configuration: configuration)
        case .gitCLI: try await GitCLITransport(configuration: configuration)
        }
    }
}

/// How the consumer learns that the producer pushed.
enum Detection: String, CaseIterable, Sendable {
    /// The consumer polls the remote every `consumerPoll`.
    case poll
    /// The producer calls the consumer controller's `trigger()` as soon as
    /// `apply` returns (what a post-receive hook or webhook would do); the
    /// consumer's own poll is slow (1 s) and only a fallback.
    case trigger
    /// The default for a remote on this machine: the consumer's controller
    /// and the producer's waits watch the remote's ref with Giter's
    /// `RefWatcher` (inotify), which fires when a push moves the ref. The
    /// controller's own poll is slow (1 s). In the other modes the watch is off.
    case watch
}

/// The knobs of one exchange.
struct ExchangeSettings: Sendable {
    var detection: Detection
    /// The consumer controller's poll interval in `.poll` mode (1 s in `.trigger` mode).
    var consumerPoll: Duration
    /// The producer's `wait`/`waitAll` poll interval.
    var producerPoll: Duration
    /// The controller's `statusWriteWindow`.
    var statusWindow: Duration
    var maxConcurrentReconciles: Int

    var description: String {
        let poll =
            switch detection {
            case .poll: "consumer poll \(milliseconds(consumerPoll)) ms"
            case .trigger: "trigger() on apply"
            case .watch: "ref watcher (the default)"
            }
        return
            "\(poll), producer poll \(milliseconds(producerPoll)) ms, status window \(milliseconds(statusWindow)) ms, "
            + "\(maxConcurrentReconciles) reconciles at once"
    }
}

func milliseconds(_ duration: Duration) -> String {
    let value = Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
    return value == value.rounded() ? "\(Int(value))" : "\(value)"
}

let producerIdentity = ExchangeIdentity(name: "Bench producer", email: "producer@bench.example", role: .producer)
let consumerIdentity = ExchangeIdentity(name: "Bench consumer", email: "consumer@bench.example", role: .consumer)
let benchRoles = RoleAssignments(producers: [producerIdentity.email], consumers: [consumerIdentity.email])

/// Counts the store events that say a push was retried.
final class RetryCounter: Sendable {
    private let count = Atomic<Int>(0)
    func note(_ event: StoreEvent) {
        if case .pushRetried = event { count.add(1, ordering: .relaxed) }
    }
    var value: Int { count.load(ordering: .relaxed) }
}

/// One producer store and one consumer controller, each with its own
/// mirror, over one local bare remote; the controller runs from `start` to `stop`.
struct Exchange: Sendable {
    let backend: Backend
    let settings: ExchangeSettings
    let timeline: Timeline
    let retries: RetryCounter
    let producer: Producer<Widget>
    let controller: Controller<ReadyReconciler>
    let running: Task<Void, any Error>
    /// The webhook receivers and the forge that posts to them (`--webhooks`).
    let forge: ForgeStandIn?

    /// Creates `folder/remote.git` (empty) and the two sides' mirrors, and starts the controller.
    static func start(
        backend: Backend,
        settings: ExchangeSettings,
        folder: String,
        spawner: Spawner
    ) async throws -> Exchange {
        let remote = folder + "/remote.git"
        try spawner.run(["git", "init", "-q", "--bare", "-b", "main", remote])
        return try await Exchange(backend: backend, settings: settings, remote: remote, folder: folder)
    }

    /// An exchange over `remote` (a path, or a URL with `credentials`);
    /// with `forge`, each side's pushes are announced to the other by webhook.
    init(
        backend: Backend, settings: ExchangeSettings, remote: String, credentials: Credentials = .none,
        forge: ForgeStandIn? = nil, folder: String
    ) async throws {
        self.backend = backend
        self.settings = settings
        self.forge = forge
        var logger = Logger(label: "giter.bench")
        logger.logLevel = .warning
        let timeline = Timeline()
        let retries = RetryCounter()
        self.timeline = timeline
        self.retries = retries
        func store(_ identity: ExchangeIdentity, side: Timeline.Side) async throws -> GitResourceStore<Widget> {
            let configuration = RemoteConfiguration(
                url: remote, mirrorPath: folder + "/mirror-\(side.rawValue).git", credentials: credentials)
            let timed = TimedTransport(inner: try await backend.open(configuration), side: side, timeline: timeline)
            let transport: any Transport = forge.map { ForgeTransport(inner: timed, side: side, forge: $0) } ?? timed
            return GitResourceStore(
                transport: transport,
                resourceType: widgetType,
                options: StoreOptions(
                    identity: identity,
                    roles: benchRoles,
                    retry: RetryPolicy(maxAttempts: 100, initialDelay: .milliseconds(2), maxDelay: .milliseconds(100)),
                    logger: logger,
                    eventHandler: { retries.note($0) }
                )
            )
        }
        producer = Producer(
            store: try await store(producerIdentity, side: .producer), watchesLocalRemote: settings.detection == .watch)
        let consumerStore = try await store(consumerIdentity, side: .consumer)
        let options = ControllerOptions(
            pollInterval: settings.detection == .poll ? settings.consumerPoll : .seconds(1),
            pollJitter: 0,
            maxConcurrentReconciles: settings.maxConcurrentReconciles,
            statusWriteWindow: settings.statusWindow,
            errorBackoff: RetryPolicy(initialDelay: .milliseconds(5), maxDelay: .milliseconds(100)),
            watchesLocalRemote: settings.detection == .watch,
            logger: logger
        )
        let controller = Controller(
            store: consumerStore,
            reconciler: ReadyReconciler(timeline: timeline),
            options: options
        )
        if let forge { await controller.addEventSource(forge.consumerEvents.subscribe()) }
        self.controller = controller
        running = Task { try await controller.run() }
    }

    func stop() async throws {
        controller.shutdown()
        try await running.value
    }

    /// Applies `revision` of widget `name`, then waits until the producer
    /// sees it Ready for that generation.
    func roundTrip(name: String, revision: Int) async throws -> RoundTrip {
        let start = nowNanoseconds()
        let outcome = try await producer.apply(widget(name, revision: revision))
        let applied = nowNanoseconds()
        switch outcome {
        case .created, .configured: break
        default: throw BenchmarkError("apply of \(name) revision \(revision) gave \(outcome)")
        }
        if settings.detection == .trigger { controller.trigger() }
        let stored = try await producer.wait(
            for: widgetKey(name),
            until: "Ready",
            timeout: .seconds(60),
            pollInterval: settings.producerPoll,
            events: forge?.producerEvents
        )
        let end = nowNanoseconds()
        guard let status = stored.resource.status, status.observedGeneration == stored.resource.metadata.generation,
            status.revision == revision
        else {
            throw BenchmarkError(
                "\(name) is Ready with status \(String(describing: stored.resource.status)) for revision \(revision)"
            )
        }
        return RoundTrip(start: start, applied: applied, end: end)
    }

    /// Applies `count` new widgets, `batch` per commit, then waits until the
    /// producer sees every one Ready.
    func bulk(prefix: String, count: Int, batch: Int) async throws -> BulkRun {
        let names = (0..<count).map { "\(prefix)-\($0)" }
        let retriesBefore = retries.value
        _ = timeline.take()
        let start = nowNanoseconds()
        for first in stride(from: 0, to: count, by: batch) {
            let widgets = names[first..<min(first + batch, count)].map { widget($0, revision: 1) }
            let outcomes = try await producer.apply(widgets)
            guard outcomes.allSatisfy({ $0 == .created(generation: 1) }) else {
                throw BenchmarkError("bulk apply gave \(outcomes.filter { $0 != .created(generation: 1) }.prefix(3))")
            }
            if settings.detection == .trigger { controller.trigger() }
        }
        let applied = nowNanoseconds()
        let ready = try await producer.waitAll(
            for: names.map(widgetKey),
            until: "Ready",
            timeout: .seconds(600),
            pollInterval: settings.producerPoll
        )
        let end = nowNanoseconds()
        guard ready.count == count,
            ready.allSatisfy({ $0.resource.status?.observedGeneration == $0.resource.metadata.generation })
        else { throw BenchmarkError("bulk: not every widget is Ready for its generation") }
        let events = timeline.take()
        Self.dumpTimeline(events, from: start, applied: applied, end: end)
        let statusCommits = events.filter { $0.side == .consumer && $0.operation == .push && $0.commit != nil }.count
        let producerCommits = events.filter { $0.side == .producer && $0.operation == .push && $0.commit != nil }.count
        var callTime: [String: UInt64] = [:]
        var callCount: [String: Int] = [:]
        for event in events where event.start >= start && event.end <= end {
            callTime["\(event.side.rawValue) \(event.operation.rawValue)", default: 0] += event.duration
            callCount["\(event.side.rawValue) \(event.operation.rawValue)", default: 0] += 1
        }
        return BulkRun(
            count: count,
            applyNanoseconds: applied - start,
            totalNanoseconds: end - start,
            producerCommits: producerCommits,
            statusCommits: statusCommits,
            retries: retries.value - retriesBefore,
            callTime: callTime,
            callCount: callCount
        )
    }
}

extension Exchange {
    /// With `GITER_BENCH_TIMELINE=FILE`, appends every call of a bulk run to
    /// FILE, one per line: side, call, start and end in ms from the run's
    /// start, the commit it returned. A diagnostic for where a run waits.
    static func dumpTimeline(_ events: [Timeline.Event], from start: UInt64, applied: UInt64, end: UInt64) {
        guard let path = ProcessInfo.processInfo.environment["GITER_BENCH_TIMELINE"] else { return }
        func ms(_ time: UInt64) -> String { format(Double(Int64(bitPattern: time &- start)) / 1e6, decimals: 2) }
        var text = "# bulk run: applied at \(ms(applied)) ms, all Ready at \(ms(end)) ms\n"
        for event in events where event.end >= start {
            let commit = event.commit.map { String($0.hex.prefix(8)) } ?? "-"
            text += "\(event.side.rawValue)\t\(event.operation.rawValue)\t\(ms(event.start))\t\(ms(event.end))\t\(commit)\n"
        }
        guard let handle = FileHandle(forWritingAtPath: path) ?? {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() else { return }
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try? handle.close()
    }
}

/// When a round trip started, when `apply` returned and when the producer saw Ready.
struct RoundTrip: Sendable {
    var start: UInt64
    var applied: UInt64
    var end: UInt64
    var total: UInt64 { end - start }
}

struct BulkRun: Sendable {
    var count: Int
    var applyNanoseconds: UInt64
    var totalNanoseconds: UInt64
    var producerCommits: Int
    var statusCommits: Int
    var retries: Int
    /// Time in each kind of Transport call (and in reconciles), by side: "consumer fetch" → nanoseconds.
    var callTime: [String: UInt64]
    var callCount: [String: Int]

    var resourcesPerSecond: Double { Double(count) / (Double(totalNanoseconds) / 1e9) }
}
