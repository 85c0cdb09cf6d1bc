import ExperimentKit
import Giter
import Logging
import Testing

@Suite("The testbed's reconciler")
struct ExperimentReconcilerTests {
    func context(for experiment: Experiment, generation: Int64 = 1) -> ReconcileContext {
        ReconcileContext(
            key: experiment.key,
            generation: generation,
            idempotencyKey: "uid-\(experiment.metadata.name)/\(generation)",
            attempt: 1,
            logger: InMemoryLab.quiet
        )
    }

    func experiment(_ spec: ExperimentSpec) -> Experiment {
        var experiment = ExperimentAPI.experiment(name: "exp-1", spec: spec)
        experiment.metadata.generation = 1
        return experiment
    }

    @Test("Announces Running, runs one repetition per reconcile, then reports Ready with the digest")
    func progressThenReady() async throws {
        let reconciler = ExperimentReconciler(runner: "bench-7")
        let spec = ExperimentSpec(workload: .primeSieve, size: 20_000, repetitions: 3, seed: 1)
        var resource = experiment(spec)
        let context = context(for: resource)

        let started = try await reconciler.reconcile(resource, context: context)
        #expect(started.next == .requeue(after: .zero))
        #expect(started.status.isRunning)
        #expect(!started.status.isReady)
        #expect(started.status.completedRepetitions == 0)
        #expect(started.status.condition(ofType: "Running")?.message.hasPrefix("0 of 3") == true)
        #expect(reconciler.book.inProgress == 1)

        var messages: [String] = []
        var result = started
        for _ in 1...3 {
            resource.status = result.status
            result = try await reconciler.reconcile(resource, context: context)
            messages.append(result.status.condition(ofType: "Running")?.message ?? "")
        }
        #expect(messages[0].hasPrefix("1 of 3 repetitions done"))
        #expect(messages[1].hasPrefix("2 of 3 repetitions done"))
        #expect(result.next == .done)
        let status = result.status
        #expect(status.isReady)
        #expect(!status.isRunning)
        #expect(status.runner == "bench-7")
        #expect(status.completedRepetitions == 3)
        #expect(status.repetitionMilliseconds?.count == 3)
        #expect(status.digest == spec.computeOnce().digest)
        #expect(status.summary == "2262 primes up to 20000, largest 19997")
        #expect(status.finishedAt != nil && status.startedAt != nil)
        #expect(reconciler.book.inProgress == 0)
    }

    @Test("A spec out of bounds is a terminal error and runs nothing")
    func outOfBounds() async throws {
        let reconciler = ExperimentReconciler(runner: "bench")
        let resource = experiment(ExperimentSpec(workload: .sortGeneratedData, size: 400_000_000, repetitions: 1))
        let error = await #expect(throws: TerminalError.self) {
            try await reconciler.reconcile(resource, context: context(for: resource))
        }
        #expect(error?.reason == "SizeOutOfRange")
        #expect(reconciler.book.inProgress == 0)
        let failed = reconciler.status(for: resource, afterTerminalError: try #require(error))
        #expect(failed.isStalled)
        #expect(!failed.isReady)
        #expect(failed.condition(ofType: "Running")?.status == .false)
        #expect(failed.condition(ofType: "Stalled")?.reason == "SizeOutOfRange")
    }

    @Test("A new generation starts its repetitions over")
    func newGenerationRestarts() async throws {
        let reconciler = ExperimentReconciler(runner: "bench")
        var resource = experiment(ExperimentSpec(workload: .sha256Chain, size: 100, repetitions: 2))
        _ = try await reconciler.reconcile(resource, context: context(for: resource))
        let first = try await reconciler.reconcile(resource, context: context(for: resource))
        #expect(first.status.completedRepetitions == 1)

        resource.spec.size = 200
        resource.metadata.generation = 2
        let restarted = try await reconciler.reconcile(resource, context: context(for: resource, generation: 2))
        #expect(restarted.status.completedRepetitions == 0)
        #expect(restarted.status.condition(ofType: "Running")?.observedGeneration == 2)
        let next = try await reconciler.reconcile(resource, context: context(for: resource, generation: 2))
        #expect(next.status.completedRepetitions == 1)
        let last = try await reconciler.reconcile(resource, context: context(for: resource, generation: 2))
        #expect(last.status.digest == Workload.sha256Chain(rounds: 200, seed: 0).digest)
    }

    @Test("The executor runs a workload off the cooperative pool and times it")
    func executor() async {
        let spec = ExperimentSpec(workload: .sortGeneratedData, size: 50_000, repetitions: 1, seed: 2)
        let runs = await withTaskGroup(of: WorkloadExecutor.Run.self) { group in
            for _ in 0..<4 { group.addTask { await WorkloadExecutor().run(spec) } }
            var runs: [WorkloadExecutor.Run] = []
            for await run in group { runs.append(run) }
            return runs
        }
        #expect(runs.count == 4)
        #expect(Set(runs.map(\.output)).count == 1)
        #expect(runs.allSatisfy { $0.milliseconds >= 0 })
        #expect(runs.first?.output == spec.computeOnce())
    }
}
