import ExperimentKit
import Foundation
import GitServerFixtures
import Giter
import Testing

/// The pipeline example over two real bare repositories: experiments in A,
/// `experiment-consumer --stage pipeline` makes an Analysis of each in B,
/// `experiment-consumer --stage analysis` writes the analyses' status, and
/// the experiments' status follows. Every wait has a deadline.
@Suite("The pipeline example", .serialized)
struct PipelineExampleTests {
    @Test(
        "Two stages: provenance on every analysis, the outcome back in the experiment, nothing twice after a kill",
        .timeLimit(.minutes(4)),
        arguments: Backend.allCases
    )
    func twoStages(_ backend: Backend) async throws {
        let folder = NSTemporaryDirectory() + "giter-pipeline-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let experiments = try await LocalExchangeRepository.create(at: folder + "/experiments.git")
        let analyses = try await LocalExchangeRepository.create(at: folder + "/analyses.git")
        let common = ["--backend", backend.rawValue, "--poll-interval", "0.1"]
        let pipeline =
            common + [
                "--remote", experiments.path, "--stage", "pipeline", "--output-remote", analyses.path,
                "--cache", folder + "/pipeline",
            ]

        let lab = try await Self.store(
            Experiment.self,
            ExperimentAPI.resourceType,
            experiments.path,
            .producer,
            folder + "/lab",
            backend
        )
        let batch = ExperimentAPI.batch("p1", count: 3, scale: 0.01, repetitions: 1)
        try await Producer(store: lab).apply(batch)
        let reader = try await Self.store(
            Analysis.self,
            AnalysisAPI.resourceType,
            analyses.path,
            .consumer,
            folder + "/reader",
            backend
        )

        // Stage 1, killed with SIGKILL once every analysis is in B.
        let first = FailoverTests.Replica(runner: "pipeline")
        try await first.running(pipeline) { kill in
            // Each move of B's branch wakes the check (the watcher gives one hint once set up).
            let hints = ChangeNotifier()
            let moves = hints.subscribe()
            let watching = Task {
                try await RefWatcher(LocalRemote(gitFolder: analyses.path, reference: "refs/heads/main")).run(notifying: hints)
            }
            defer { watching.cancel() }
            try await withDeadline(.seconds(90)) {
                for await _ in moves {
                    if try await reader.refresh() != nil, try await reader.list(.all).count >= batch.count { return }
                }
            }
            kill()
        }
        try await reader.refresh()
        let made = try await reader.list(.all)
        #expect(made.count == batch.count, "\(first.log)")
        try await lab.refresh()
        for stored in made {
            let experiment = try #require(
                try await lab.get(
                    ResourceKey(namespace: "default", kind: ExperimentAPI.kind, name: stored.resource.metadata.name)
                )
            )
            let annotations = stored.resource.metadata.annotations ?? [:]
            #expect(annotations[Provenance.repository] == experiments.path)
            #expect(annotations[Provenance.branch] == "main")
            #expect(annotations[Provenance.resource] == "default/Experiment/\(experiment.resource.metadata.name)")
            #expect(annotations[Provenance.generation] == "1")
            #expect(annotations[Provenance.specDigest] == (try Provenance.specDigest(of: experiment.resource.spec)))
            let commit = try #require(annotations[Provenance.commit])
            let exists = try await LocalExchangeRepository.git([
                "--git-dir", experiments.path, "cat-file", "-t", commit,
            ])
            #expect(exists == "commit\n")
            #expect(stored.resource.spec == AnalysisSpec(of: experiment.resource))
        }

        // Stage 2 analyses them and stops once all are done.
        let analysed = try await withDeadline(.seconds(90)) {
            try await ExecutablesTests.run(
                "experiment-consumer",
                common + [
                    "--remote", analyses.path, "--stage", "analysis", "--cache", folder + "/analyst", "--runner",
                    "analyst-1", "--exit-when-idle",
                ]
            )
        }
        #expect(analysed.status == 0, "\(analysed.output)")
        let afterAnalysis = try await LocalExchangeRepository.git(["--git-dir", analyses.path, "rev-parse", "main"])

        // Stage 1 again, after its kill: it writes nothing more to B and finishes the experiments.
        let resumed = try await withDeadline(.seconds(90)) {
            try await ExecutablesTests.run(
                "experiment-consumer",
                pipeline + ["--runner", "pipeline", "--exit-when-idle"]
            )
        }
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(
            try await LocalExchangeRepository.git(["--git-dir", analyses.path, "rev-parse", "main"]) == afterAnalysis
        )
        // Each analysis file was added once in B's whole history.
        let added = try await LocalExchangeRepository.git([
            "--git-dir", analyses.path, "log", "--format=", "--name-only", "--diff-filter=A", "main", "--", "resources",
        ])
        #expect(added.split(separator: "\n").count == batch.count, "\(added)")
        try await reader.refresh()
        #expect(try await reader.list(.all).count == batch.count)

        try await lab.refresh()
        for experiment in batch {
            let stored = try #require(
                try await lab.get(
                    ResourceKey(namespace: "default", kind: ExperimentAPI.kind, name: experiment.metadata.name)
                )
            )
            let status = try #require(stored.resource.status)
            #expect(stored.isStatusCurrent)
            #expect(status.condition(ofType: "Ready")?.reason == "OutputReady", "\(status)")
            #expect(status.isReady)
            #expect(status.digest == experiment.spec.computeOnce().digest)
            #expect(status.runner == "analyst-1")
        }
    }

    /// A store of `type` over `remote` with its own mirror, writing in `role`.
    static func store<Resource: ExchangedResource>(
        _: Resource.Type,
        _ type: ResourceType,
        _ remote: String,
        _ role: ExchangeRole,
        _ mirror: String,
        _ backend: Backend
    ) async throws -> GitResourceStore<Resource> {
        let transport = try await backend.open(RemoteConfiguration(url: remote, mirrorPath: mirror))
        let identity = ExchangeIdentity(name: "Lab", email: "lab@giter.example", role: role)
        return GitResourceStore(transport: transport, resourceType: type, options: StoreOptions(identity: identity))
    }
}
