/// Command-line options.
struct Options: Sendable {
    var roundTrips = 200
    var warmupRoundTrips = 10
    var naiveRoundTrips = 50
    var bulkCount = 1_000
    var batch = 100
    var bulkRuns = 3
    /// Widgets in the repository during round trips (each round trip updates one).
    var population = 100
    var backends: [Backend] = [.libgit2, .gitCLI]
    var detections: [Detection] = [.poll, .watch, .trigger]
    var consumerPoll: Duration = .milliseconds(2)
    var producerPoll: Duration = .milliseconds(1)
    var statusWindow: Duration = .milliseconds(1)
    var bulkProducerPoll: Duration = .milliseconds(5)
    var bulkStatusWindow: Duration = .milliseconds(5)
    var concurrency = 4
    var json = false
    var quick = false
    var keep = false
    /// Remotes of the network section (none: the section is skipped).
    var remotes: [RemoteKind] = []
    /// Whether the network section runs each row with webhooks too.
    var webhooks = false
    var networkRoundTrips = 50
    var floorSamples = 20
    /// How many slices the floor's samples are measured in: one before the round trips, the others spread over them.
    var floorSlices = 4
    /// Both sides' polls in the network section without webhooks.
    var networkPoll: Duration = .milliseconds(5)
    /// Both sides' safety polls in the network section with webhooks.
    var safetyPoll: Duration = .seconds(1)
    /// The raw libgit2 floor program (run-exchange.sh builds it).
    var floorHelper: String?

    var webhookModes: [Bool] { webhooks ? [false, true] : [false] }

    static let usage = """
        usage: ExchangeBenchmark [--round-trips N] [--naive N] [--bulk N] [--batch N] [--bulk-runs N]
                                 [--backends libgit2,cli] [--modes poll,watch,trigger] [--consumer-poll-ms X]
                                 [--producer-poll-ms X] [--window-ms X] [--bulk-window-ms X]
                                 [--bulk-poll-ms X] [--concurrency N] [--json] [--quick] [--keep]
                                 [--remotes local,daemon,http,ssh] [--webhooks] [--network-round-trips N]
                                 [--floor-samples N] [--floor-slices N] [--network-poll-ms X] [--safety-poll-ms X] [--floor-helper PATH]
        (--modes '' --naive 0 --bulk 0 --remotes …: the network section only)
        """

    init(arguments: [String]) throws(BenchmarkError) {
        var arguments = arguments[...]
        func value(_ name: String) throws(BenchmarkError) -> String {
            guard let value = arguments.popFirst() else { throw BenchmarkError("\(name) needs a value\n\(Self.usage)") }
            return value
        }
        func integer(_ name: String) throws(BenchmarkError) -> Int {
            let text = try value(name)
            guard let number = Int(text), number >= 0 else { throw BenchmarkError("\(name): '\(text)' is not a count") }
            return number
        }
        func duration(_ name: String) throws(BenchmarkError) -> Duration {
            let text = try value(name)
            guard let number = Double(text), number >= 0 else {
                throw BenchmarkError("\(name): '\(text)' is not a number")
            }
            return .microseconds(Int64((number * 1000).rounded()))
        }
        while let argument = arguments.popFirst() {
            switch argument {
            case "--round-trips": roundTrips = try integer(argument)
            case "--naive": naiveRoundTrips = try integer(argument)
            case "--bulk": bulkCount = try integer(argument)
            case "--batch": batch = max(1, try integer(argument))
            case "--bulk-runs": bulkRuns = try integer(argument)
            case "--concurrency": concurrency = max(1, try integer(argument))
            case "--consumer-poll-ms": consumerPoll = try duration(argument)
            case "--producer-poll-ms": producerPoll = try duration(argument)
            case "--window-ms": statusWindow = try duration(argument)
            case "--bulk-window-ms": bulkStatusWindow = try duration(argument)
            case "--bulk-poll-ms": bulkProducerPoll = try duration(argument)
            case "--backends":
                backends = try value(argument).split(separator: ",").map { name throws(BenchmarkError) in
                    guard let backend = Backend(rawValue: String(name)) else {
                        throw BenchmarkError("unknown backend '\(name)' (libgit2, cli)")
                    }
                    return backend
                }
            case "--modes":
                detections = try value(argument).split(separator: ",").map { name throws(BenchmarkError) in
                    guard let detection = Detection(rawValue: String(name)) else {
                        throw BenchmarkError("unknown mode '\(name)' (poll, watch, trigger)")
                    }
                    return detection
                }
            case "--remotes":
                remotes = try value(argument).split(separator: ",").map { name throws(BenchmarkError) in
                    guard let remote = RemoteKind(rawValue: String(name)) else {
                        throw BenchmarkError("unknown remote '\(name)' (local, daemon, http, ssh)")
                    }
                    return remote
                }
            case "--webhooks": webhooks = true
            case "--network-round-trips": networkRoundTrips = try integer(argument)
            case "--floor-samples": floorSamples = max(1, try integer(argument))
            case "--floor-slices": floorSlices = max(1, try integer(argument))
            case "--network-poll-ms": networkPoll = try duration(argument)
            case "--safety-poll-ms": safetyPoll = try duration(argument)
            case "--floor-helper": floorHelper = try value(argument)
            case "--json": json = true
            case "--keep": keep = true
            case "--quick":
                quick = true
                roundTrips = 20
                warmupRoundTrips = 3
                naiveRoundTrips = 5
                bulkCount = 200
                bulkRuns = 1
                networkRoundTrips = 10
                floorSamples = 5
            case "--help", "-h":
                throw BenchmarkError(Self.usage)
            default:
                throw BenchmarkError("unknown argument \(argument)\n\(Self.usage)")
            }
        }
    }

    func settings(_ detection: Detection, bulk: Bool) -> ExchangeSettings {
        ExchangeSettings(
            detection: detection,
            consumerPoll: consumerPoll,
            producerPoll: bulk ? bulkProducerPoll : producerPoll,
            statusWindow: bulk ? bulkStatusWindow : statusWindow,
            maxConcurrentReconciles: concurrency
        )
    }
}

extension Options {
    /// The network section's settings: polls of ``networkPoll``, or with
    /// webhooks safety polls of ``safetyPoll``.
    func networkSettings(webhooks: Bool) -> ExchangeSettings {
        let poll = webhooks ? safetyPoll : networkPoll
        return ExchangeSettings(
            detection: .poll,
            consumerPoll: poll,
            producerPoll: poll,
            statusWindow: statusWindow,
            maxConcurrentReconciles: concurrency
        )
    }
}
