import ArgumentParser
import ExperimentKit
import Foundation
import Giter
import Logging

/// `giter-demo`: the whole exchange on this machine in one command.
@main
struct GiterDemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "giter-demo",
        abstract: "Run a producer and a consumer exchanging experiments through a new local Git repository.",
        discussion: """
            Creates a bare repository in a temporary folder, commits the \
            exchange's contract as its admin (a policy naming the producer, the \
            consumer and the admin, and the Experiment CustomResourceDefinition), \
            installs the server's guard with 'giter guard install' (when this \
            build's giter has it), starts the example consumer (experiment-consumer, built next to this executable; in this \
            process when it is missing), publishes a batch of experiments as the \
            producer, shows their phases live, checks every digest, archives the \
            verified experiments, stops the consumer with SIGTERM and prints a \
            summary. Then the consumer's identity forges a spec with plain git \
            push: the guard refuses it (without a guard, 'giter verify' reports \
            it), and 'giter history' shows the audit trail, as does git log.

            Exit status: 0 when every experiment was verified, 1 otherwise.
            """
    )

    enum ConsumerMode: String, ExpressibleByArgument, CaseIterable {
        case auto, spawn, inProcess = "in-process"
    }

    @Option(help: "How many experiments to publish.")
    var count = 12

    @Option(help: "Size factor of the workloads (default 1 in a release build, 0.05 in a debug build).")
    var scale: Double?

    @Option(help: "The Git backend: libgit2 or git.")
    var backend: Backend = .libgit2

    @Option(help: "How to run the consumer: auto (spawn when built), spawn or in-process.")
    var consumer: ConsumerMode = .auto

    @Option(help: "Seconds to wait for all results.")
    var timeout = 120.0

    @Flag(help: "Plain progress lines even on a terminal.")
    var plain = false

    @Flag(help: "Keep the temporary folder (repository, mirrors, consumer log).")
    var keep = false

    func validate() throws {
        guard (1...200).contains(count) else { throw ValidationError("--count must be between 1 and 200.") }
        guard effectiveScale > 0, effectiveScale <= 20 else {
            throw ValidationError("--scale must be above 0 and at most 20.")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        let folder = NSTemporaryDirectory() + "giter-demo-\(UInt32.random(in: 0x1000_0000...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer {
            if keep {
                print("Kept \(folder) (repository, mirrors, consumer log).")
            } else {
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
        let session = DemoSession(
            folder: folder,
            count: count,
            scale: effectiveScale,
            backend: backend,
            timeout: timeout,
            interactive: !plain && LiveView.standardOutputIsTerminal
        )
        let repository = try await LocalExchangeRepository.create(at: folder + "/exchange.git")
        print(bold("Giter demo") + ": a producer and a consumer exchange experiments through a Git repository.\n")
        print("  exchange  \(repository.path)  (bare, made with git init --bare)")
        let contract = DemoContract(session: session, repository: repository, giter: DemoContract.locateGiter())
        try await contract.commitContract()
        let guarded = try await contract.installGuard()

        let report: CampaignReport
        let binary = consumer == .inProcess ? nil : ConsumerProcess.locate()
        if consumer == .spawn, binary == nil {
            throw ValidationError(
                "experiment-consumer is not built next to giter-demo; run: swift build --product experiment-consumer"
            )
        }
        if let binary {
            let process = ConsumerProcess(
                executable: binary,
                arguments: session.consumerArguments(remote: repository.path),
                logPath: folder + "/consumer.log"
            )
            let (result, ending) = try await process.run { pid in
                print("  consumer  experiment-consumer, pid \(pid), \(backend) backend (log: \(process.logPath))")
                return try await session.produce(repository)
            }
            report = result
            print(
                "\nConsumer stopped with SIGTERM after finishing its work: \(ending.status)"
                    + (ending.graceful ? " (graceful shutdown)." : ".")
            )
            if !ending.graceful {
                for line in process.logTail(10) { print("  | \(line)") }
            }
        } else {
            print("  consumer  in this process (experiment-consumer not found next to giter-demo), \(backend) backend")
            report = try await session.produceWithInProcessConsumer(repository)
            print("\nConsumer stopped gracefully.")
        }

        print("\n" + bold("Summary"))
        print(report.table())
        print("\n" + report.summaryLine)
        try await contract.forgePush(guarded: guarded)
        try await printAuditTrail(repository)
        if !report.succeeded {
            for line in report.failures() { print("  \(line)") }
            throw ExitCode.failure
        }
    }

    private func printAuditTrail(_ repository: LocalExchangeRepository) async throws {
        let entries = try await repository.auditTrail().map { entry in
            var entry = entry
            if entry.role == nil, entry.email == DemoContract.adminIdentity.email { entry.role = "admin" }
            return entry
        }
        print(
            "\n" + bold("Audit trail") + " — every write is a commit; its trailers say who wrote which spec or status:"
        )
        print("  $ git --git-dir \(repository.path) log --format='%h %an %(trailers)'")
        let shown: [AuditEntry]
        if entries.count > 10 {
            shown = Array(entries.prefix(7)) + Array(entries.suffix(2))
        } else {
            shown = entries
        }
        for (index, entry) in shown.enumerated() {
            if entries.count > 10, index == 7 { print("  … \(entries.count - 9) more commits …") }
            print("  \(entry.line)")
        }
        let producers = entries.filter { $0.role == "producer" }.count
        let consumers = entries.filter { $0.role == "consumer" }.count
        print(
            "  \(entries.count) commits: \(producers) by the producer (specs, archive), \(consumers) by the consumer (statuses)."
        )
    }

    /// The workloads' size factor: unoptimized code computes about twenty times slower.
    private var effectiveScale: Double {
        #if DEBUG
        scale ?? 0.05
        #else
        scale ?? 1
        #endif
    }

    private func bold(_ text: String) -> String {
        LiveView.standardOutputIsTerminal && !plain ? "\u{1B}[1m\(text)\u{1B}[0m" : text
    }
}
