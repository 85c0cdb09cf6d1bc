import ExperimentKit
import Foundation
import Giter
import GiterTesting
import Logging
import Synchronization
import Testing

@Suite("Producer and consumer end to end")
struct ExampleExchangeTests {
    @Test("Over an in-memory remote: every experiment runs, verifies and is archived")
    func inMemoryExchange() async throws {
        let lab = InMemoryLab()
        let finished = Mutex<[ExperimentProgress]>([])
        let report = try await lab.withTestbed {
            try await lab.campaign().run(ExperimentAPI.batch("mem", count: 6, scale: 0.01)) { event in
                if case .finished(let row, _) = event { finished.withLock { $0.append(row) } }
            }
        }
        #expect(report.succeeded, "\(report.failures())")
        #expect(report.rows.count == 6)
        #expect(report.archivedCount == 6)
        for row in report.rows {
            #expect(row.phase == .verified)
            #expect(row.digest == row.spec.computeOnce().digest)
            #expect(row.expectedDigest == row.digest)
            #expect(row.runner == "testbed-test")
            #expect(row.completedRepetitions == row.spec.repetitions)
        }
        #expect(finished.withLock { $0.count } == 6)

        try await lab.producerStore.refresh()
        #expect(try await lab.producerStore.list(.all).isEmpty)
        let archived = try await lab.producerStore.list(ResourceQuery(archived: true))
        #expect(archived.count == 6)
        #expect(archived.allSatisfy { $0.isStatusCurrent && $0.resource.status?.isReady == true })
        #expect(lab.events.violations.isEmpty)
    }

    @Test("An experiment out of bounds fails for good; the others still verify")
    func invalidExperimentFails() async throws {
        let lab = InMemoryLab()
        var experiments = ExperimentAPI.batch("bad", count: 2, scale: 0.01)
        experiments.append(
            ExperimentAPI.experiment(
                name: "too-big",
                batch: "bad",
                spec: ExperimentSpec(workload: .primeSieve, size: 2_000_000_000)
            )
        )
        let report = try await lab.withTestbed { try await lab.campaign().run(experiments) }
        #expect(!report.succeeded)
        let rows = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.name, $0) })
        let failed = try #require(rows["too-big"])
        #expect(failed.phase == .failed)
        #expect(failed.message.contains("SizeOutOfRange"))
        #expect(!failed.archived)
        #expect(report.rows.filter { $0.phase == .verified && $0.archived }.count == 2)
        #expect(report.failures().count == 1)
    }

    @Test("--exit-when-idle: the testbed stops by itself once everything is finished")
    func exitWhenIdle() async throws {
        let lab = InMemoryLab()
        let experiments = ExperimentAPI.batch("idle", count: 3, scale: 0.01)
        try await Producer(store: lab.producerStore).apply(experiments)
        try await lab.testbed.run(stopOnSignals: false, exitWhenIdle: true)
        let stored = try await Producer(store: lab.producerStore).list()
        #expect(stored.count == 3)
        #expect(stored.allSatisfy { $0.isStatusCurrent && $0.resource.status?.isReady == true })
    }

    @Test("An experiment a stopped consumer left Running is run again")
    func resumesInterruptedRuns() async throws {
        let lab = InMemoryLab()
        let experiment = ExperimentAPI.experiment(
            name: "interrupted",
            spec: ExperimentSpec(workload: .sha256Chain, size: 1000, repetitions: 2)
        )
        try await Producer(store: lab.producerStore).apply(experiment)
        try await lab.consumerStore.refresh()
        let stored = try #require(try await lab.consumerStore.get(experiment.key))
        var running = ExperimentStatus()
        running.observedGeneration = 1
        running.completedRepetitions = 1
        running.conditions.setCondition(Condition(type: "Running", status: .true, reason: "Running", message: "1 of 2"))
        #expect(
            try await lab.consumerStore.write(.status(experiment.key, running, specDigest: stored.specDigest))
                == .statusWritten
        )

        try await lab.testbed.run(stopOnSignals: false, exitWhenIdle: true)
        let done = try #require(try await Producer(store: lab.producerStore).get(experiment.key))
        #expect(done.isStatusCurrent)
        #expect(done.resource.status?.isReady == true)
        #expect(done.resource.status?.digest == experiment.spec.computeOnce().digest)
    }

    @Test(
        "Over a real bare repository: results verify, and git log shows who wrote which spec and status",
        arguments: Backend.allCases
    )
    func localBareRepository(backend: Backend) async throws {
        let folder = NSTemporaryDirectory() + "giter-examples-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = try await LocalExchangeRepository.create(at: folder + "/exchange.git")
        func store(_ identity: ExchangeIdentity) async throws -> GitResourceStore<Experiment> {
            let transport = try await backend.open(
                RemoteConfiguration(url: repository.path, mirrorPath: folder + "/\(identity.role)-mirror.git")
            )
            return GitResourceStore(
                transport: transport,
                resourceType: ExperimentAPI.resourceType,
                options: StoreOptions(identity: identity, roles: InMemoryLab.roles, logger: InMemoryLab.quiet)
            )
        }
        let lab = InMemoryLab(
            producerStore: try await store(InMemoryLab.producer),
            consumerStore: try await store(InMemoryLab.consumer)
        )
        let report = try await lab.withTestbed {
            try await lab.campaign().run(ExperimentAPI.batch("git", count: 3, scale: 0.01, repetitions: 2))
        }
        #expect(report.succeeded, "\(report.failures())")
        #expect(report.archivedCount == 3)

        let trail = try await repository.auditTrail()
        let oldest = try #require(trail.last)
        #expect(oldest.role == "producer")
        #expect(oldest.email == InMemoryLab.producer.email)
        #expect(oldest.applies.count == 3)
        #expect(oldest.applies.allSatisfy { $0.hasSuffix("generation=1") })
        let newest = try #require(trail.first)
        #expect(newest.role == "producer")
        #expect(newest.archives.count == 3)
        let statusCommits = trail.filter { !$0.statuses.isEmpty }
        #expect(!statusCommits.isEmpty)
        #expect(statusCommits.allSatisfy { $0.role == "consumer" && $0.email == InMemoryLab.consumer.email })
        #expect(statusCommits.allSatisfy { $0.applies.isEmpty && $0.archives.isEmpty })
        #expect(oldest.line.contains("[producer]") && oldest.line.contains("spec ×3"))
    }
}
