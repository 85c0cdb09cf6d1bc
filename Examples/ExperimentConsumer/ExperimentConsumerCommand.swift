import ArgumentParser
import ExperimentKit
import Foundation
import Giter
import Logging

/// `experiment-consumer`: a testbed that runs the experiments published to
/// an exchange and reports progress and results in their status.
@main
struct ExperimentConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment-consumer",
        abstract: "Run the experiments published to a Giter exchange and report their results.",
        usage: """
            experiment-consumer --remote /srv/git/lab.git
            experiment-consumer --remote ssh://git@example.com/lab.git --backend git --poll-interval 5
            experiment-consumer --remote /tmp/lab.git --exit-when-idle --runner ci-runner
            experiment-consumer --remote /srv/git/lab.git --leader-election --lease-duration 15
            experiment-consumer --remote /srv/git/lab.git --shards auto --cache /var/cache/giter/replica-2
            experiment-consumer --remote https://git.example.com/lab.git --webhook-listen 0.0.0.0:8080 --webhook-secret-file /etc/giter/hook-secret
            experiment-consumer --remote /srv/git/lab.git --stage pipeline --output-remote /srv/git/analyses.git
            experiment-consumer --remote /srv/git/analyses.git --stage analysis
            """,
        discussion: """
            A testbed: a Giter Controller that watches the exchange for Experiment \
            resources (giter.example/v1), runs each one's built-in workload \
            (sha256Chain, primeSieve or sortGeneratedData) the number of times it \
            asks, and writes progress (the Running condition), timings, the \
            output's digest and Ready into the status. Nothing from a spec is \
            ever executed: sizes are bounded and only the built-in workloads run.

            With --webhook-listen it serves POST /hooks/<provider> (github, gitea, \
            forgejo, gitlab, bitbucket, generic), GET /metrics and GET /healthz: \
            each signed push to the branch makes it check the exchange at once, \
            and the poll (30 s unless --poll-interval says otherwise) is a \
            safety net.

            With --leader-election several replicas may run against one exchange \
            (each with its own --cache): they elect a leader through the lease \
            ref refs/giter/leases/consumer, only the leader runs experiments and \
            writes statuses (each commit carries the lease's generation as a \
            fencing token), and a standby takes over within --lease-duration \
            plus a third of it after the leader dies.

            With --shards auto the replicas split the experiments instead: 16 \
            shards (ranges of a hash of the name), each a lease \
            refs/giter/leases/consumer-shard-<k>, shared out evenly among the \
            live replicas (each holds a member lease consumer-member-<i>). A \
            replica that joins gets its share once the others have finished what \
            they run in the shards they give up; the shards of one that dies are \
            taken over within --lease-duration plus up to two thirds of it.

            Runs until SIGINT or SIGTERM, then finishes the repetitions under way \
            and pushes their statuses before exiting. With --exit-when-idle it \
            exits as soon as every experiment in the exchange is finished.

            With --stage pipeline it is the first stage of a pipeline instead: \
            each Experiment of --remote gets an Analysis of the same name in \
            --output-remote (a PipelineStage, with giter.dev/source-* \
            provenance annotations), and the experiment's status follows the \
            analysis' (Ready, digest, summary). With --stage analysis it is the \
            second: it recomputes each Analysis of --remote once and writes its \
            status.

            Exit status: 0 after a graceful stop, 1 on an error, 64 for a usage error.
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @OptionGroup var webhooks: WebhookOptions

    @Option(help: "The name written into each result's status.runner (default: the host name).")
    var runner: String?

    @Option(help: "The most experiments run at once (default: the number of processors).")
    var parallel: Int?

    @Option(help: "Milliseconds to gather statuses before writing them in one commit.")
    var statusWindow = 100

    @Flag(help: "Exit once every experiment in the exchange is finished (for scripts).")
    var exitWhenIdle = false

    @Flag(help: "Run as one of several replicas: only the holder of the lease refs/giter/leases/consumer reconciles.")
    var leaderElection = false

    @Option(
        help: ArgumentHelp(
            "Run as one of several replicas that split the experiments by hash range (16 shards, leases refs/giter/leases/consumer-shard-*).",
            valueName: "auto"))
    var shards: String?

    @Option(help: "With --leader-election or --shards auto: seconds a lease renewal counts (a standby waits this long, plus a third).")
    var leaseDuration = 15.0

    @Option(
        help: ArgumentHelp(
            "testbed (run the experiments), pipeline (make an Analysis of each experiment in --output-remote) "
                + "or analysis (analyse the Analyses of --remote).",
            valueName: "stage"))
    var stage: ConsumerStage = .testbed

    @Option(
        help: ArgumentHelp(
            "With --stage pipeline: the exchange the analyses go to (same credentials as --remote).",
            valueName: "url"))
    var outputRemote: String?

    func validate() throws {
        if stage == .pipeline, outputRemote == nil {
            throw ValidationError("--stage pipeline needs --output-remote URL.")
        }
        if stage != .testbed, leaderElection || shards != nil || webhooks.isEnabled {
            throw ValidationError("--stage \(stage.rawValue) runs one replica without webhooks.")
        }
        if let parallel, !(1...64).contains(parallel) {
            throw ValidationError("--parallel must be between 1 and 64.")
        }
        guard (0...60_000).contains(statusWindow) else {
            throw ValidationError("--status-window must be between 0 and 60000 milliseconds.")
        }
        guard (0.1...86_400).contains(leaseDuration) else {
            throw ValidationError("--lease-duration must be between 0.1 and 86400 seconds.")
        }
        if let shards, shards != "auto" {
            throw ValidationError("--shards takes 'auto': the replicas split the shards between them.")
        }
        if shards != nil && leaderElection {
            throw ValidationError("Give --leader-election or --shards auto, not both.")
        }
    }

    func run() async throws {
        // A consumer of a large exchange: large blocks go back to the system when freed (Documentation/Performance.md).
        MemorySettings.returnLargeBlocksToTheSystem()
        exchange.bootstrapLogging()
        let registry = webhooks.bootstrapMetrics()
        let logger = Logger(label: "experiment-consumer")
        if stage != .testbed { return try await runStage(logger: logger) }
        let host = Self.hostName()
        let runnerName = runner ?? (host.isEmpty ? "testbed" : host)
        let identity = exchange.exchangeIdentity(
            role: .consumer,
            fallback: "Testbed \(runnerName) <testbed@giter.example>"
        )
        let holder = "\(runnerName) \(ProcessInfo.processInfo.processIdentifier) \(UInt32.random(in: 0...UInt32.max))"
        let duration = Duration.milliseconds(Int64(leaseDuration * 1000))
        var election: LeaderElection?
        var sharding: ShardCoordinator?
        if leaderElection {
            election = try await exchange.makeLeaderElection(
                identity: identity, holder: holder, duration: duration, logger: Logger(label: "experiment-consumer.lease"))
            logger.info("electing a leader through refs/giter/leases/consumer as \(holder)")
        } else if shards != nil {
            sharding = try await exchange.makeShardCoordinator(
                identity: identity, holder: holder, duration: duration, logger: Logger(label: "experiment-consumer.shards"))
            logger.info("sharing the experiments by hash range through refs/giter/leases/consumer-shard-* as \(holder)")
        }
        let store = try await exchange.makeStore(
            identity: identity, logger: Logger(label: "experiment-consumer.store"), fencing: election ?? sharding)
        let processors = ProcessInfo.processInfo.activeProcessorCount
        var options = ControllerOptions(
            pollInterval: exchange.pollDuration(webhooks: webhooks.isEnabled),
            maxConcurrentReconciles: parallel ?? max(1, processors),
            statusWriteWindow: .milliseconds(statusWindow),
            watchesLocalRemote: exchange.watchesLocalRemote,
            logger: Logger(label: "experiment-consumer.controller")
        )
        options.leaderElection = election
        options.sharding = sharding
        logger.info(
            "watching \(exchange.resolvedRemote ?? "") (\(exchange.branch), \(exchange.backend)) as \(identity), runner \(runnerName)"
        )
        let changes = ChangeNotifier()
        let server = try webhooks.makeServer(
            branch: exchange.branch, notifier: changes, registry: registry,
            logger: Logger(label: "experiment-consumer.webhooks"),
            onListening: { [logger, webhooks] in logger.info("listening for webhooks on \(webhooks.webhookListen ?? "")") })
        let testbed = Testbed(
            store: store, runner: runnerName, options: options, logger: logger, events: server == nil ? nil : changes)
        try await testbed.run(stopOnSignals: true, exitWhenIdle: exitWhenIdle, services: server.map { [$0] } ?? [])
        logger.info("stopped")
    }

    /// This machine's name, without a DNS lookup.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
