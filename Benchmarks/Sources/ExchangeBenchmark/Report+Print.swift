/// Prints the results as Markdown tables.
func printReport(_ results: Results, options: Options) {
    print("Machine: \(results.machine); load average before/after: \(results.loadBefore) / \(results.loadAfter)")
    print("Date: \(results.date)   Mode: \(results.mode)   Scratch: \(results.scratch)   \(results.git)")
    print(
        "Round trips: \(options.roundTrips) per backend and mode (after \(options.warmupRoundTrips) warm-up), "
            + "each updating 1 of \(options.population) widgets; naive loop: \(options.naiveRoundTrips)"
    )
    print("")

    let naive = results.naive
    var rows: [[String]] = []
    for trips in results.roundTrips {
        let ratio = naive.map { format($0.p50Milliseconds / trips.p50Milliseconds, decimals: 1) + "×" } ?? ""
        rows.append([
            "Giter, \(trips.backend)", detectionText(trips.detection, options: options),
            "\(trips.count)", ms(trips.p50Milliseconds), ms(trips.p99Milliseconds), ms(trips.meanMilliseconds),
            ms(trips.minMilliseconds), ms(trips.cpuMilliseconds), ratio,
        ])
    }
    if let naive {
        rows.append([
            "naive git loop", "back to back, no poll", "\(naive.count)", ms(naive.p50Milliseconds),
            ms(naive.p99Milliseconds), ms(naive.meanMilliseconds), ms(naive.minMilliseconds), "", "1.0×",
        ])
    }
    print("Round trip: apply one resource → Ready (observedGeneration == generation) observed by the producer")
    print("")
    printTable(
        [
            "Implementation", "Consumer learns of the push", "Runs", "p50 ms", "p99 ms", "Mean ms", "Min ms", "CPU ms",
            "naive ÷ this",
        ],
        rows,
        numericFrom: 2
    )
    print("")

    if !results.roundTrips.isEmpty {
        print("Where a round trip goes (mean ms; the parts add up to the mean round trip):")
        print("")
        var header = ["Part"]
        for trips in results.roundTrips { header.append("\(trips.backend), \(trips.detection)") }
        var partRows: [[String]] = []
        for (index, part) in results.roundTrips[0].breakdown.enumerated() {
            var row = [part.part]
            for trips in results.roundTrips { row.append(ms(trips.breakdown[index].meanMilliseconds)) }
            partRows.append(row)
        }
        var total = ["round trip (mean)"]
        for trips in results.roundTrips { total.append(ms(trips.meanMilliseconds)) }
        partRows.append(total)
        printTable(header, partRows, numericFrom: 1)
        print("")
        for trips in results.roundTrips {
            print(
                "Transport calls per part, \(trips.backend), \(trips.detection) "
                    + "(mean per round trip; \(trips.settings)):"
            )
            print("")
            printTable(
                ["Part", "Median ms", "Mean ms", "Transport calls in it (mean count, mean ms)"],
                trips.breakdown.filter { !$0.calls.isEmpty || $0.medianMilliseconds.isFinite }.map {
                    [$0.part, ms($0.medianMilliseconds), ms($0.meanMilliseconds), $0.calls]
                },
                numericFrom: 1
            )
            if trips.uncut > 0 { print("(\(trips.uncut) round trips could not be cut and are left out of this table)") }
            print("")
        }
    }

    if let naive {
        print(
            "Naive loop, mean ms: producer pull+edit+add+commit+push \(ms(naive.producerPushMilliseconds)), "
                + "consumer pull+edit+add+commit+push \(ms(naive.consumerMilliseconds)), "
                + "producer pull \(ms(naive.producerPullMilliseconds))"
        )
        print("")
    }

    if !results.bulk.isEmpty {
        print(
            "Bulk: \(options.bulkCount) new resources, \(options.batch) per commit "
                + "→ all Ready observed by the producer"
        )
        print("")
        var bulkRows: [[String]] = []
        for bulk in results.bulk {
            let runs = bulk.runs
            func median(_ values: [Double]) -> Double { Statistics(values).median }
            bulkRows.append([
                "Giter, \(bulk.backend)", bulk.detection, "\(runs.count)",
                format(median(runs.map(\.applySeconds)), decimals: 2),
                format(median(runs.map(\.totalSeconds)), decimals: 2),
                grouped(Int(bulk.medianResourcesPerSecond.rounded())),
                runs.map { "\($0.producerCommits)" }.joined(separator: "/"),
                runs.map { "\($0.statusCommits)" }.joined(separator: "/"),
                runs.map { "\($0.pushRetries)" }.joined(separator: "/"),
                grouped(Int((Double(bulk.resources) / median(runs.map(\.cpuSeconds))).rounded())),
            ])
        }
        printTable(
            [
                "Implementation", "Detection", "Runs", "Apply s", "Total s", "Resources/s", "Spec commits",
                "Status commits",
                "Push retries", "Resources/CPU-s",
            ],
            bulkRows,
            numericFrom: 2
        )
        print("")
        print("Bulk settings: \(results.bulk[0].settings); per-run counts separated by /.")
        print("")
    }

    var anchors: [[String]] = []
    if let naive {
        anchors.append([
            "hand-written git loop (issue 4 anchor)", "~150 ms per round trip",
            "measured: \(ms(naive.p50Milliseconds)) ms p50",
        ])
    }
    anchors.append([
        "Flux source-controller (documented default, not measured)", "polls every 60 s",
        "30 s mean wait to notice a push",
    ])
    printTable(["Peer", "Anchor", "Here"], anchors, numericFrom: 99)
    print("")

    printTable(
        ["Target (issue 4)", "Measured", "Result"],
        results.targets.map { [$0.target, $0.measured, $0.pass ? "PASS" : "FAIL"] },
        numericFrom: 99
    )
}

private func detectionText(_ detection: String, options: Options) -> String {
    switch Detection(rawValue: detection) {
    case .poll: "consumer polls every \(milliseconds(options.consumerPoll)) ms"
    case .watch: "Giter's ref watcher (the default for a remote on this machine)"
    case .trigger: "trigger() after apply returns"
    case nil: detection
    }
}

private func ms(_ value: Double) -> String {
    milliseconds(value * 1e6)
}
