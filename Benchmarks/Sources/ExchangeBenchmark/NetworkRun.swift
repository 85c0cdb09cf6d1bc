import Giter

/// What one remote × backend × event source measured (`--remotes`).
struct NetworkResult: Codable, Sendable {
    var remote: String
    var backend: String
    var webhooks: Bool
    var settings: String
    var count: Int
    var p50Milliseconds: Double
    var p95Milliseconds: Double
    var meanMilliseconds: Double
    /// Median of the floor program's pushes and of its no-op fetches.
    var floorPushMilliseconds: Double
    var floorFetchMilliseconds: Double
    /// Two pushes and two no-op fetches: issue 13's floor.
    var floorMilliseconds: Double
    var ratio: Double { p50Milliseconds / floorMilliseconds }
    /// Median fetch of the floor program's second repository, which brings the commit just pushed.
    var floorFetchNewMilliseconds: Double
    /// Two pushes and two fetches that each bring the other side's commit:
    /// what a round trip cannot beat (a side learns of a change only by
    /// fetching it, and a server packs what it sends).
    var floorWithNewFetchesMilliseconds: Double { floorMilliseconds - 2 * floorFetchMilliseconds + 2 * floorFetchNewMilliseconds }
    var ratioToNewFetches: Double { p50Milliseconds / floorWithNewFetchesMilliseconds }
    /// libgit2 rows: 2 × push + 2 × new-commit fetch of raw libgit2 with
    /// the socket options Giter's libgit2 backend sets (no 40 ms stalls).
    var floorWithoutStallsMilliseconds: Double?
    var ratioToFloorWithoutStalls: Double? { floorWithoutStallsMilliseconds.map { p50Milliseconds / $0 } }
    /// Mean milliseconds per part (Breakdown.swift), and per part the Transport calls of its side.
    var breakdown: [Results.Part]
    var uncut: Int
    var webhookDeliveries: Int
}

/// The network section: for each remote of `--remotes`, each backend and
/// with and without webhooks, the floor of that remote for that backend
/// (raw libgit2 or git processes, in the same run), then round trips.
func runNetwork(options: Options, scratch: String, spawner: Spawner, firstRevision: Int) async throws
    -> [NetworkResult]
{
    var revision = firstRevision
    let root = scratch + "/network"
    try spawner.run(["mkdir", "-p", root])
    let servers = try NetworkServers.start(options.remotes, root: root, spawner: spawner)
    defer { servers.stop() }
    var results: [NetworkResult] = []
    for remote in options.remotes {
        for backend in options.backends {
            for webhooks in options.webhookModes {
                let label = "\(remote.rawValue)-\(backend.rawValue)-\(webhooks ? "webhooks" : "polls")"
                let folder = root + "/" + label
                try spawner.run(["mkdir", "-p", folder])
                let settings = options.networkSettings(webhooks: webhooks)
                let description =
                    webhooks
                    ? "webhooks, safety polls \(milliseconds(settings.consumerPoll)) ms"
                    : "polls \(milliseconds(settings.consumerPoll)) ms (consumer), \(milliseconds(settings.producerPoll)) ms (producer)"
                progress("network: \(remote.name), \(backend.name), \(description)")
                // The floor in slices: one before the exchange, the others spread over its round trips.
                let slices = floorSliceSizes(total: options.floorSamples, slices: options.floorSlices)
                var floorSamples = FloorSamples()
                func measureFloorSlice(_ slice: Int) throws {
                    floorSamples.append(
                        try measureFloor(
                            backend: backend, remote: remote, servers: servers, folder: folder, options: options,
                            spawner: spawner, count: slices[slice], slice: slice))
                }
                try measureFloorSlice(0)
                /// The round trip after which each later slice is measured: evenly spread, the last after the last
                /// round trip, so that the slices' mean time is the round trips'.
                let sliceAfter = (1..<slices.count).map { $0 * options.networkRoundTrips / (slices.count - 1) }
                try spawner.run(["git", "init", "-q", "--bare", "-b", "main", folder + "/remote.git"])
                let endpoint = try servers.endpoint(remote, repository: folder + "/remote.git")
                let forge = webhooks ? try await ForgeStandIn.start() : nil
                let exchange = try await Exchange(
                    backend: backend, settings: settings, remote: endpoint.url, credentials: endpoint.credentials,
                    forge: forge, folder: folder)
                let names = (0..<options.population).map { "w-\($0)" }
                revision += 1
                _ = try await exchange.producer.apply(names.map { widget($0, revision: revision) })
                _ = try await exchange.producer.waitAll(
                    for: names.map(widgetKey), timeout: .seconds(300), pollInterval: .milliseconds(5),
                    events: forge?.producerEvents)
                for index in 0..<options.warmupRoundTrips {
                    revision += 1
                    _ = try await exchange.roundTrip(name: names[index % names.count], revision: revision)
                }
                _ = exchange.timeline.take()
                var totals: [UInt64] = []
                var parts: [RoundTripParts] = []
                for index in 0..<options.networkRoundTrips {
                    revision += 1
                    let trip = try await exchange.roundTrip(name: names[index % names.count], revision: revision)
                    totals.append(trip.total)
                    if let cutTrip = cut(trip, events: exchange.timeline.take()) { parts.append(cutTrip) }
                    for (offset, after) in sliceAfter.enumerated() where after == index + 1 {
                        try measureFloorSlice(offset + 1)
                        _ = exchange.timeline.take()
                    }
                }
                try await exchange.stop()
                let floor = floorSamples.floor
                progress(
                    "  floor: push \(format(floor.push, decimals: 1)) ms, no-op fetch \(format(floor.fetch, decimals: 1)) ms, "
                        + "fetch of a new commit \(format(floor.fetchNew, decimals: 1)) ms"
                        + (floor.withoutStalls.map {
                            "; without stalls: push \(format($0.push, decimals: 1)) ms, "
                                + "fetch of a new commit \(format($0.fetchNew, decimals: 1)) ms"
                        } ?? ""))
                let deliveries = forge?.delivered ?? 0
                await forge?.stop()
                if !options.keep { try? spawner.run(["rm", "-rf", folder]) }
                let statistics = Statistics(totals.map { Double($0) })
                let summary = BreakdownSummary(parts, totals: totals)
                let result = NetworkResult(
                    remote: remote.name,
                    backend: backend.name,
                    webhooks: webhooks,
                    settings: description,
                    count: totals.count,
                    p50Milliseconds: statistics.median / 1e6,
                    p95Milliseconds: statistics.percentile(0.95) / 1e6,
                    meanMilliseconds: statistics.mean / 1e6,
                    floorPushMilliseconds: floor.push,
                    floorFetchMilliseconds: floor.fetch,
                    floorMilliseconds: 2 * floor.push + 2 * floor.fetch,
                    floorFetchNewMilliseconds: floor.fetchNew,
                    floorWithoutStallsMilliseconds: floor.withoutStalls.map { 2 * $0.push + 2 * $0.fetchNew },
                    breakdown: summary.lines.map {
                        Results.Part(
                            part: $0.segment.name, medianMilliseconds: $0.median / 1e6, meanMilliseconds: $0.mean / 1e6,
                            calls: $0.calls)
                    },
                    uncut: totals.count - parts.count,
                    webhookDeliveries: deliveries
                )
                progress(
                    "  p50 \(format(result.p50Milliseconds, decimals: 1)) ms, p95 \(format(result.p95Milliseconds, decimals: 1)) ms, "
                        + "floor \(format(result.floorMilliseconds, decimals: 1)) ms, ratio \(format(result.ratio, decimals: 2)); "
                        + "with fetches of new commits \(format(result.floorWithNewFetchesMilliseconds, decimals: 1)) ms, "
                        + "ratio \(format(result.ratioToNewFetches, decimals: 2))")
                results.append(result)
            }
        }
    }
    return results
}

/// Prints the network table and, per row, where the round trip goes.
func printNetworkReport(_ results: [NetworkResult], options: Options) {
    guard !results.isEmpty else { return }
    print("")
    print(
        "Over the network: round trip (apply → Ready seen by the producer), \(options.networkRoundTrips) per row "
            + "after \(options.warmupRoundTrips) warm-up; floor = 2 × push + 2 × no-op fetch, median of "
            + "\(options.floorSamples) each, measured in \(options.floorSlices) slices (one before the round trips, the "
            + "others spread over them), against the same server (libgit2 rows: raw libgit2; git CLI rows: "
            + "`git push` / `git fetch` processes); floor with new-commit fetches = 2 × push + 2 × the fetch, by a second "
            + "repository, of the commit just pushed; libgit2 rows: floor without stalls = the same with raw libgit2 "
            + "given the socket options Giter's libgit2 backend sets (TCP_NODELAY, TCP_QUICKACK)")
    print("")
    printTable(
        [
            "Remote", "Backend", "Consumer learns by", "p50 ms", "p95 ms", "push ms", "fetch ms", "floor ms", "p50 ÷ floor",
            "new-commit fetch ms", "floor with those ms", "p50 ÷ that", "floor without stalls ms", "p50 ÷ that",
        ],
        results.map {
            [
                $0.remote, $0.backend, $0.settings, oneDecimal($0.p50Milliseconds), oneDecimal($0.p95Milliseconds),
                oneDecimal($0.floorPushMilliseconds), oneDecimal($0.floorFetchMilliseconds), oneDecimal($0.floorMilliseconds),
                format($0.ratio, decimals: 2) + "×", oneDecimal($0.floorFetchNewMilliseconds),
                oneDecimal($0.floorWithNewFetchesMilliseconds), format($0.ratioToNewFetches, decimals: 2) + "×",
                $0.floorWithoutStallsMilliseconds.map(oneDecimal) ?? "–",
                $0.ratioToFloorWithoutStalls.map { format($0, decimals: 2) + "×" } ?? "–",
            ]
        },
        numericFrom: 3
    )
    print("")
    print("Where a network round trip goes (mean ms per part):")
    print("")
    var header = ["Part"]
    for result in results { header.append("\(result.remote), \(result.backend)\(result.webhooks ? ", hooks" : "")") }
    var rows: [[String]] = []
    for (index, part) in results[0].breakdown.enumerated() {
        rows.append([part.part] + results.map { index < $0.breakdown.count ? oneDecimal($0.breakdown[index].meanMilliseconds) : "" })
    }
    rows.append(["round trip (mean)"] + results.map { oneDecimal($0.meanMilliseconds) })
    printTable(header, rows, numericFrom: 1)
    print("")
    for result in results {
        print("Calls per part, \(result.remote), \(result.backend), \(result.settings) (\(result.uncut) uncut):")
        for part in result.breakdown { print("- \(part.part): \(part.calls)") }
        print("")
    }
}

private func oneDecimal(_ value: Double) -> String { format(value, decimals: 1) }

/// Issue 13's targets: with webhooks, p50 within 1.3× of the floor (libgit2
/// on every network remote; the git CLI against its own floor).
func networkTargets(_ results: [NetworkResult]) -> [Results.Target] {
    results.filter { $0.webhooks && $0.remote != RemoteKind.local.name }.map {
        Results.Target(
            target: "\($0.backend) round trip over \($0.remote) with webhooks ≤ 1.3 × floor",
            measured: "\(format($0.p50Milliseconds, decimals: 1)) ms = \(format($0.ratio, decimals: 2)) × "
                + "\(format($0.floorMilliseconds, decimals: 1)) ms",
            pass: $0.ratio <= 1.3
        )
    }
}
