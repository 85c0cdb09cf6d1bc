// ExchangeBenchmark: apply → Ready observed by the producer, over a local
// bare remote, one resource at a time (p50, p99) and in bulk (resources/s),
// for both backends, against the naive `git pull; edit; add; commit; push`
// loop. See Documentation/Performance.md, "Exchange".
import Giter
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

LoggingSystem.bootstrap(StreamLogHandler.standardError)

let options: Options
do {
    options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
} catch {
    progress("\(error)")
    exit(2)
}

// The isolated git environment, for the naive loop's children and the backends alike.
let gitEnvironment = [
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C",
    "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
]
for (key, value) in gitEnvironment { setenv(key, value, 1) }
let spawner = Spawner(overrides: gitEnvironment)
let scratch = try makeScratchFolder(prefix: "giter-exchange")
progress("scratch folder: \(scratch)")

func gitVersion() -> String {
    let output = scratch + "/git-version.txt"
    guard (try? spawner.run(["git", "--version"], output: output)) != nil else { return "?" }
    return (readText(output) ?? "?").split(separator: "\n").first.map(String.init) ?? "?"
}

var results = Results(
    machine: machineDescription(),
    date: Results.now(),
    git: gitVersion(),
    scratch: scratch.hasPrefix("/dev/shm") ? "/dev/shm (tmpfs)" : "/tmp",
    loadBefore: loadAverage(),
    loadAfter: "",
    mode: options.quick ? "quick" : "full"
)

func folder(_ name: String) throws -> String {
    let path = scratch + "/" + name
    try spawner.run(["mkdir", "-p", path])
    return path
}

func remove(_ path: String) {
    if !options.keep { try? spawner.run(["rm", "-rf", path]) }
}

// MARK: 1. Round trips, one resource at a time

var revision = 0
for backend in options.backends {
    for detection in options.detections {
        let settings = options.settings(detection, bulk: false)
        progress("round trips: \(backend.name), \(settings.description)")
        let path = try folder("round-trips-\(backend.rawValue)-\(detection.rawValue)")
        let exchange = try await Exchange.start(backend: backend, settings: settings, folder: path, spawner: spawner)
        let names = (0..<options.population).map { "w-\($0)" }
        revision += 1
        _ = try await exchange.producer.apply(names.map { widget($0, revision: revision) })
        if detection == .trigger { exchange.controller.trigger() }
        _ = try await exchange.producer.waitAll(
            for: names.map(widgetKey),
            timeout: .seconds(300),
            pollInterval: .milliseconds(5)
        )
        for index in 0..<options.warmupRoundTrips {
            revision += 1
            _ = try await exchange.roundTrip(name: names[index % names.count], revision: revision)
        }
        _ = exchange.timeline.take()
        var totals: [UInt64] = []
        var parts: [RoundTripParts] = []
        let cpuBefore = cpuNanoseconds()
        for index in 0..<options.roundTrips {
            revision += 1
            let trip = try await exchange.roundTrip(name: names[index % names.count], revision: revision)
            totals.append(trip.total)
            if let cutTrip = cut(trip, events: exchange.timeline.take()) { parts.append(cutTrip) }
        }
        let cpu = Double(cpuNanoseconds() - cpuBefore) / Double(max(options.roundTrips, 1)) / 1e6
        try await exchange.stop()
        remove(path)
        let statistics = Statistics(totals.map { Double($0) })
        let summary = BreakdownSummary(parts, totals: totals)
        var breakdown = summary.lines.map {
            Results.Part(
                part: $0.segment.name,
                medianMilliseconds: $0.median / 1e6,
                meanMilliseconds: $0.mean / 1e6,
                calls: $0.calls
            )
        }
        breakdown.append(
            Results.Part(
                part: "(after the push, inside apply: producer view update)",
                medianMilliseconds: summary.applyAfterPush.median / 1e6,
                meanMilliseconds: summary.applyAfterPush.mean / 1e6,
                calls: "overlaps the consumer's parts"
            )
        )
        results.roundTrips.append(
            Results.RoundTrips(
                backend: backend.name,
                detection: detection.rawValue,
                settings: settings.description,
                count: totals.count,
                p50Milliseconds: statistics.median / 1e6,
                p99Milliseconds: statistics.p99 / 1e6,
                meanMilliseconds: statistics.mean / 1e6,
                minMilliseconds: statistics.minimum / 1e6,
                cpuMilliseconds: cpu,
                breakdown: breakdown,
                uncut: totals.count - parts.count
            )
        )
        progress("  p50 \(milliseconds(statistics.median)) ms, p99 \(milliseconds(statistics.p99)) ms")
    }
}

// MARK: 2. The naive loop

if options.naiveRoundTrips > 0 {
    progress("naive loop: \(options.naiveRoundTrips) round trips")
    let path = try folder("naive")
    let loop = try NaiveLoop(folder: path, files: options.population, spawner: spawner)
    var samples: [NaiveLoop.Sample] = []
    for index in 0..<(options.naiveRoundTrips + 3) {
        let sample = try loop.roundTrip(index, revision: index + 1)
        if index >= 3 { samples.append(sample) }
    }
    remove(path)
    let statistics = Statistics(samples.map { Double($0.total) })
    func mean(_ part: (NaiveLoop.Sample) -> UInt64) -> Double {
        Double(samples.map(part).reduce(0, +)) / Double(samples.count) / 1e6
    }
    results.naive = Results.Naive(
        count: samples.count,
        p50Milliseconds: statistics.median / 1e6,
        p99Milliseconds: statistics.p99 / 1e6,
        meanMilliseconds: statistics.mean / 1e6,
        minMilliseconds: statistics.minimum / 1e6,
        producerPushMilliseconds: mean(\.producerPush),
        consumerMilliseconds: mean(\.consumer),
        producerPullMilliseconds: mean(\.producerPull)
    )
    progress("  p50 \(milliseconds(statistics.median)) ms")
}

// MARK: 3. Bulk

if options.bulkCount > 0 && options.bulkRuns > 0 {
    for backend in options.backends {
        for detection in options.detections {
            let settings = options.settings(detection, bulk: true)
            progress(
                "bulk: \(options.bulkCount) resources, \(options.batch) per commit, \(backend.name), "
                    + settings.description
            )
            var runs: [Results.Run] = []
            for run in 0..<options.bulkRuns {
                let path = try folder("bulk-\(backend.rawValue)-\(detection.rawValue)-\(run)")
                let exchange = try await Exchange.start(
                    backend: backend,
                    settings: settings,
                    folder: path,
                    spawner: spawner
                )
                // Both sides loaded and the controller running before the clock starts.
                revision += 1
                _ = try await exchange.roundTrip(name: "seed", revision: revision)
                let cpuBefore = cpuNanoseconds()
                let bulk = try await exchange.bulk(prefix: "bulk", count: options.bulkCount, batch: options.batch)
                let cpu = Double(cpuNanoseconds() - cpuBefore) / 1e9
                try await exchange.stop()
                remove(path)
                runs.append(
                    Results.Run(
                        applySeconds: Double(bulk.applyNanoseconds) / 1e9,
                        totalSeconds: Double(bulk.totalNanoseconds) / 1e9,
                        resourcesPerSecond: bulk.resourcesPerSecond,
                        producerCommits: bulk.producerCommits,
                        statusCommits: bulk.statusCommits,
                        pushRetries: bulk.retries,
                        cpuSeconds: cpu,
                        callMilliseconds: bulk.callTime.mapValues { Double($0) / 1e6 }
                    )
                )
                let calls = bulk.callTime.sorted { $0.value > $1.value }.prefix(8).map {
                    "\($0.key) ×\(bulk.callCount[$0.key] ?? 0) \(milliseconds(Double($0.value)))"
                }
                progress(
                    "  run \(run + 1): \(format(bulk.resourcesPerSecond, decimals: 0)) resources/s; "
                        + "ms in calls: \(calls.joined(separator: ", "))"
                )
            }
            results.bulk.append(
                Results.Bulk(
                    backend: backend.name,
                    detection: detection.rawValue,
                    settings: settings.description,
                    resources: options.bulkCount,
                    batch: options.batch,
                    runs: runs,
                    medianResourcesPerSecond: Statistics(runs.map(\.resourcesPerSecond)).median
                )
            )
        }
    }
}

// MARK: 4. Over the network (--remotes)

if !options.remotes.isEmpty {
    results.network = try await runNetwork(options: options, scratch: scratch, spawner: spawner, firstRevision: revision + 1)
}

// MARK: Targets and report

for roundTrips in results.roundTrips where roundTrips.backend == Backend.libgit2.name {
    results.targets.append(
        Results.Target(
            target: "libgit2 round trip p50 ≤ 30 ms (\(roundTrips.detection))",
            measured: "\(format(roundTrips.p50Milliseconds, decimals: 1)) ms",
            pass: roundTrips.p50Milliseconds <= 30
        )
    )
}
for bulk in results.bulk {
    results.targets.append(
        Results.Target(
            target: "\(bulk.backend) bulk ≥ 1,000 resources/s (\(bulk.detection))",
            measured: "\(grouped(Int(bulk.medianResourcesPerSecond.rounded()))) resources/s",
            pass: bulk.medianResourcesPerSecond >= 1_000
        )
    )
}
results.targets += networkTargets(results.network)
results.loadAfter = loadAverage()
remove(scratch)

if options.json {
    try results.printJSON()
} else {
    printReport(results, options: options)
    printNetworkReport(results.network, options: options)
}
