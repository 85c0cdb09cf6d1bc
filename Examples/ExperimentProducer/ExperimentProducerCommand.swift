import ArgumentParser
import ExperimentKit
import Foundation
import Giter
import Logging
import ServiceLifecycle

/// `experiment-producer`: publishes a batch of experiments to an exchange,
/// waits for a consumer to run them, checks every digest and archives the
/// experiments that check out.
@main
struct ExperimentProducerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment-producer",
        abstract: "Publish a batch of experiments to a Giter exchange, wait for the results and check them.",
        usage: """
            experiment-producer --remote /srv/git/lab.git --count 12
            experiment-producer --remote ssh://git@example.com/lab.git --backend git --scale 4 --timeout 600
            experiment-producer --remote https://git.example.com/lab.git --webhook-listen 0.0.0.0:8081 --webhook-secret-file /etc/giter/hook-secret
            """,
        discussion: """
            Publishes COUNT Experiment resources (giter.example/v1) in one commit, \
            cycling through the built-in workloads, then follows them: one line \
            per finished experiment with the counts of each phase. Each result a \
            consumer reports Ready is checked by running the workload here and \
            comparing digests; verified experiments are moved under archive/. \
            Ends with a summary table.

            With --webhook-listen it serves POST /hooks/<provider>, GET /metrics \
            and GET /healthz while it waits: each signed push to the branch (a \
            consumer's status) makes it look at once, and the poll (30 s unless \
            --poll-interval says otherwise) is a safety net.

            Exit status: 0 when every experiment was verified, 1 when any failed, \
            did not verify or timed out (or on an error), 64 for a usage error.
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @OptionGroup var webhooks: WebhookOptions

    @Option(help: "How many experiments to publish.")
    var count = 12

    @Option(help: "How many times each experiment runs.")
    var repetitions = 3

    @Option(help: "Size factor of the workloads (1 = about half a second per repetition in a release build).")
    var scale = 1.0

    @Option(help: "The batch name, used in experiment names and the giter.example/batch label (default: random).")
    var batch: String?

    @Option(help: "Seconds to wait for all results.")
    var timeout = 300.0

    @Flag(help: "Do not recompute results to check their digests.")
    var noVerify = false

    @Flag(help: "Leave verified experiments live instead of archiving them.")
    var noArchive = false

    func validate() throws {
        guard (1...1000).contains(count) else { throw ValidationError("--count must be between 1 and 1000.") }
        guard (1...ExperimentSpec.maxRepetitions).contains(repetitions) else {
            throw ValidationError("--repetitions must be between 1 and \(ExperimentSpec.maxRepetitions).")
        }
        guard scale > 0, scale <= 100 else { throw ValidationError("--scale must be above 0 and at most 100.") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive.") }
        if let batch, batch.isEmpty || batch.count > 20 || !batch.allSatisfy({ $0.isLowercase || $0.isNumber }) {
            throw ValidationError("--batch must be 1 to 20 lowercase letters or digits.")
        }
    }

    func run() async throws {
        exchange.bootstrapLogging()
        let registry = webhooks.bootstrapMetrics()
        let logger = Logger(label: "experiment-producer")
        let identity = exchange.exchangeIdentity(
            role: .producer,
            fallback: "Experiment producer <producer@giter.example>"
        )
        let store = try await exchange.makeStore(identity: identity, logger: Logger(label: "experiment-producer.store"))
        let batchName = batch ?? ExperimentAPI.newBatchName()
        let experiments = ExperimentAPI.batch(
            batchName,
            count: count,
            scale: scale,
            repetitions: repetitions,
            namespace: exchange.namespace
        )
        let changes = ChangeNotifier()
        let (listening, listeningInput) = AsyncStream.makeStream(of: Void.self)
        let server = try webhooks.makeServer(
            branch: exchange.branch, notifier: changes, registry: registry,
            logger: Logger(label: "experiment-producer.webhooks"), onListening: { listeningInput.yield() })
        let campaign = ExperimentCampaign(
            producer: Producer(store: store, watchesLocalRemote: exchange.watchesLocalRemote),
            options: ExperimentCampaign.Options(
                pollInterval: exchange.pollDuration(webhooks: webhooks.isEnabled),
                timeout: .milliseconds(Int64(timeout * 1000)),
                verify: !noVerify,
                archive: !noArchive,
                events: server == nil ? nil : changes
            )
        )
        logger.info("publishing batch \(batchName) to \(exchange.resolvedRemote ?? "") as \(identity)")

        let total = experiments.count
        let report = try await Self.serving(server, listening: listening, listeningInput) {
            try await campaign.run(experiments) { event in
                switch event {
                case .published(let count, let revision):
                    let commit = revision.map { " in commit \($0.rawValue.prefix(12))" } ?? ""
                    print("published \(count) experiments (batch \(batchName))\(commit); waiting for a consumer…")
                case .finished(let row, let counts):
                    let done = String(counts.finished).leftPadded(to: String(total).count)
                    let mean = row.meanMilliseconds.map { String(format: " mean %.1f ms", $0) } ?? ""
                    let runner = row.runner.map { " on \($0)" } ?? ""
                    print("[\(done)/\(total)] \(row.name)  \(row.phase)\(mean)\(runner) — \(row.message)   (\(counts))")
                case .archived(let count):
                    print("archived \(count) verified experiment(s)")
                case .updated:
                    break
                }
                fflush(nil)
            }
        }
        print("")
        print(report.table())
        print("")
        print(report.summaryLine)
        let failures = report.failures()
        if !failures.isEmpty {
            print("not verified:")
            for line in failures { print("  \(line)") }
            throw ExitCode.failure
        }
    }
}

extension ExperimentProducerCommand {
    /// Runs `work` while `server` (the webhook server, if any) serves: once
    /// it listens (so that no status pushed meanwhile goes unheard), until the
    /// work ends.
    static func serving<T: Sendable>(
        _ server: (any Service)?, listening: AsyncStream<Void>, _ listeningInput: AsyncStream<Void>.Continuation,
        _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard let server else { return try await work() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                defer { listeningInput.finish() }
                try await server.run()
                throw CampaignError("the webhook server stopped")
            }
            group.addTask {
                var iterator = listening.makeAsyncIterator()
                guard await iterator.next() != nil else { return nil }  // the server failed: its error ends the group
                return try await work()
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let value = result { return value }
            }
            throw CampaignError("the campaign did not finish")
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
