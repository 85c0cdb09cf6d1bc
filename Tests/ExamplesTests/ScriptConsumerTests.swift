import ExperimentKit
import Foundation
import GitServerFixtures
import Subprocess
import Testing

/// The shell and Python consumers of `Examples/Scripts`, each run by
/// `giter reconcile --exec` as the consumer of the example producer's
/// experiments, over a real `git daemon`.
@Suite("Script consumers through giter reconcile --exec", .serialized)
struct ScriptConsumerTests {
    enum Script: String, CaseIterable, CustomTestStringConvertible {
        case shell
        case python

        /// The command `giter reconcile --exec` runs.
        var command: String {
            let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Examples/Scripts").path
            return switch self {
            case .shell: "sh '\(folder)/experiment-consumer.sh'"
            case .python: "python3 '\(folder)/experiment-consumer.py'"
            }
        }

        /// The runner the script reports.
        var runner: String { self == .shell ? "sh" : "python" }

        var testDescription: String { rawValue }
    }

    @Test(
        "The example producer's experiments are run by the script, and giter stops gracefully on SIGTERM",
        .timeLimit(.minutes(3)), arguments: Script.allCases)
    func scriptConsumesTheProducersExperiments(_ script: Script) async throws {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        if script == .python {
            guard try TestRequirements.available(python == nil ? "python3 not found; install python3" : nil, for: "the Python consumer")
            else { return }
        }
        let folder = NSTemporaryDirectory() + "giter-scripts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withGitDaemon { server in
            _ = try await server.createRepository(named: "lab", seeded: true)
            let url = try server.url(for: "lab")
            let consumer = ConsumerUnderTest(
                executable: try ExecutablesTests.productsFolder() + "/giter",
                arguments: [
                    "reconcile", "Experiment", "--exec", script.command, "--remote", url, "--cache",
                    folder + "/giter-cache", "--poll-interval", "100ms", "--identity", "Script <script@example.com>",
                ])
            let (produced, log, ending) = try await consumer.runningWithStatus(after: "giter reconcile: reconciling") {
                try await ExecutablesTests.run(
                    "experiment-producer",
                    [
                        "--remote", url, "--cache", folder + "/cache", "--poll-interval", "0.1", "--count", "2",
                        "--scale", "0.01", "--timeout", "120", "--batch", "s1", "--no-verify",
                    ])
            }
            #expect(produced.status == 0, "\(produced.output)\nconsumer:\n\(log)")
            #expect(produced.output.contains("verified 2; 2 archived"), "\(produced.output)")
            #expect(produced.output.contains("on \(script.runner)"), "\(produced.output)")
            #expect(ending == .exited(0), "giter reconcile after SIGTERM: \(ending)\n\(log)")

            // Every status commit is the consumer's, and says so.
            let repository = LocalExchangeRepository(path: server.repositoriesURL.appendingPathComponent("lab.git").path)
            let statuses = try await repository.auditTrail().filter { !$0.statuses.isEmpty }
            #expect(!statuses.isEmpty)
            #expect(statuses.allSatisfy { $0.role == "consumer" && $0.email == "script@example.com" })
        }
    }

    @Test("SIGTERM while a program runs: the run finishes, its status is pushed, giter exits 0", .timeLimit(.minutes(2)))
    func sigtermLetsTheRunFinish() async throws {
        let folder = NSTemporaryDirectory() + "giter-scripts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = try await LocalExchangeRepository.create(at: folder + "/lab.git")
        let giter = try ExecutablesTests.productsFolder() + "/giter"
        let common = ["--remote", repository.path, "--cache", folder + "/cache"]
        let initialized = try await ExecutablesTests.run("giter", ["init"] + common)
        try #require(initialized.status == 0, "\(initialized.output)")
        try Data("apiVersion: giter.example/v1\nkind: Job\nmetadata:\n  name: slow\nspec:\n  size: 1\n".utf8)
            .write(to: URL(fileURLWithPath: folder + "/job.yaml"))
        let applied = try await ExecutablesTests.run("giter", ["apply", "-f", folder + "/job.yaml"] + common)
        try #require(applied.status == 0, "\(applied.output)")

        let started = folder + "/started"
        let consumer = ConsumerUnderTest(
            executable: giter,
            arguments: ["reconcile", "Job", "--exec", "touch '\(started)'; sleep 2; echo '{\"phase\": \"Done\"}'"] + common)
        let (_, log, ending) = try await consumer.runningWithStatus(after: "giter reconcile: reconciling") {
            // SIGTERM goes out once the program runs.
            try await withDeadline(.seconds(60)) {
                while !FileManager.default.fileExists(atPath: started) { try await Task.sleep(for: .milliseconds(20)) }
            }
        }
        #expect(ending == .exited(0), "\(log)")
        let shown = try await ExecutablesTests.run("giter", ["get", "Job/slow", "-o", "yaml"] + common)
        #expect(shown.output.contains("phase: Done"), "the run under way finished and its status was pushed: \(shown.output)\n\(log)")
    }
}
