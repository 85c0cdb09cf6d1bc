import Foundation
import GitServerFixtures
import Giter
import Synchronization
import Testing

/// ``BranchSetStore`` against real repositories guarded by `giter guard`,
/// on both transport backends: a ``Controller`` and a ``Producer`` follow
/// every exchange branch (on a repository on this machine, woken only by
/// the watch of `refs/heads/giter/x/`: their polls are an hour apart), and
/// a reader refuses branches a server without the guard held (a forged
/// base, a contract edited on the branch) while it serves the others.
@Suite("A store over every exchange branch, on real servers", .timeLimit(.minutes(4)))
struct BranchSetStoreServerTests {
    static let type = GuardRuleStoreTests.type

    final class PhaseReconciler: Reconciler {
        let seen = Mutex<[ResourceKey]>([])

        func reconcile(_ resource: LabExperiment, context: ReconcileContext) async throws
            -> ReconcileResult<LabExperimentStatus>
        {
            seen.withLock { $0.append(context.key) }
            var status = LabExperimentStatus(phase: "Done")
            status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Ran", message: "ran \(resource.spec.image)"))
            return .done(status)
        }
    }

    static func experiment(_ name: String) -> LabExperiment {
        LabExperiment(
            apiVersion: type.apiVersion, kind: type.kind, metadata: ObjectMeta(name: name, namespace: "lab"),
            spec: LabExperimentSpec(image: "lab/\(name):1", replicas: 1))
    }

    static func store(_ person: Person, _ role: ExchangeRole, backend: ToolBackend, exchange: GuardedExchange, log: RefusalLog)
        async throws -> BranchSetStore<LabExperiment>
    {
        let options = StoreOptions(
            identity: ExchangeIdentity(name: person.name, email: person.email, role: role), eventHandler: { log.record($0) })
        return BranchSetStore(
            branches: try await ExchangeBranchTests.branches(person, backend: backend, exchange: exchange),
            resourceType: type, options: options)
    }

    static let cases = ToolBackend.allCases.flatMap { backend in [GuardRemote.localPath, .gitDaemon].map { (backend, $0) } }

    @Test(arguments: cases)
    func aControllerAndAProducerFollowEveryBranch(backend: ToolBackend, remote: GuardRemote) async throws {
        try await GuardedExchange.with(remote, backend: .git) { exchange in
            let log = RefusalLog()
            let mainBefore = try #require(try await exchange.refs()["refs/heads/main"])
            let producerStore = try await Self.store(.alice, .producer, backend: backend, exchange: exchange, log: log)
            let producer = Producer(store: producerStore)
            #expect(try await producer.apply([Self.experiment("exp-2"), Self.experiment("exp-3")]) == [.created(generation: 1), .created(generation: 1)])
            var refs = try await exchange.refs()
            #expect(refs["refs/heads/main"] == mainBefore, "each resource went to a branch of its own")
            let groups = try ["exp-2", "exp-3"].map { try ExchangeGroup(key: Self.experiment($0).key) }
            for group in groups { #expect(refs[group.reference.rawValue] != nil, "\(group)") }

            let consumerStore = try await Self.store(.runner, .consumer, backend: backend, exchange: exchange, log: log)
            // On this machine nothing but the watch of the branches' folder wakes the loops: polls are an hour apart.
            let poll: Duration = remote == .localPath ? .seconds(3600) : .milliseconds(50)
            #expect((consumerStore.localRemote != nil) == (remote == .localPath))
            let reconciler = PhaseReconciler()
            let controller = Controller(
                store: consumerStore, reconciler: reconciler,
                options: ControllerOptions(pollInterval: poll, statusWriteWindow: .milliseconds(10)))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await controller.run() }
                defer { controller.shutdown() }
                let keys = ["exp-2", "exp-3"].map { Self.experiment($0).key }
                let ready = try await producer.waitAll(for: keys, timeout: .seconds(120), pollInterval: poll)
                #expect(ready.map { $0.resource.status?.conditions.first { $0.type == "Ready" }?.message } == ["ran lab/exp-2:1", "ran lab/exp-3:1"])

                // A new exchange after the controller went idle: it wakes on the new branch.
                await controller.waitUntilIdle()
                #expect(try await producer.apply(Self.experiment("exp-4")) == .created(generation: 1))
                let fourth = try await producer.wait(for: Self.experiment("exp-4").key, timeout: .seconds(120), pollInterval: poll)
                #expect(fourth.resource.status?.conditions.first { $0.type == "Ready" }?.message == "ran lab/exp-4:1")
                controller.shutdown()
                try await tasks.waitForAll()
            }
            refs = try await exchange.refs()
            #expect(refs["refs/heads/main"] == mainBefore, "statuses went to the branches too")
            #expect(await consumerStore.groups.count == 3)
            // exp-1 lives in main's folders, so every branch holds its file too: it is no branch's to serve.
            #expect(reconciler.seen.withLock { $0.map(\.name).sorted() } == ["exp-2", "exp-3", "exp-4"])
            #expect(log.refusals.isEmpty, "\(log.refusals)")
            #expect(log.violations.isEmpty, "\(log.violations)")
        }
    }

    /// The exchange's seed, then two branches pushed before the guard was
    /// installed: one from a root of its own whose contract makes Mallory
    /// a producer, one started from main whose contract it edits.
    static func seedWithBadBranches(_ fixture: GuardFixture) async throws {
        try await GuardedExchange.seed(fixture)
        let environment = WorkClone.committerFree(fixture.client)
        let forged = WorkClone(folder: fixture.scratch.appending("forged", isDirectory: true), environment: environment)
        try await runGitChecked(["init", "--quiet", "-b", "main", forged.folder.path], environment: environment)
        try forged.write(GuardedExchange.policyPath, GuardedExchange.policy.replacingOccurrences(of: Person.alice.email, with: Person.mallory.email))
        try forged.write(GuardedExchange.definitionPath, GuardedExchange.definition)
        try await forged.commit(as: .mallory, "A contract of my own")
        try forged.write(experiment("forged").key.repositoryPath, GuardedExchange.experiment("forged"))
        try await forged.commit(as: .mallory, "Create forged")
        try await forged.git(["push", "--quiet", fixture.repository.path, "main:refs/heads/giter/x/lab.Experiment.forged"])

        let edited = WorkClone(folder: fixture.scratch.appending("edited", isDirectory: true), environment: environment)
        try await runGitChecked(["clone", "--quiet", fixture.repository.path, edited.folder.path], environment: environment)
        try edited.write(GuardedExchange.policyPath, GuardedExchange.policy + "# edited on the branch\n")
        try await edited.commit(as: .owner, "Edit the contract on the branch")
        try await edited.git(["push", "--quiet", "origin", "HEAD:refs/heads/giter/x/lab.Experiment.edited"])
    }

    @Test(arguments: ToolBackend.allCases)
    func aReaderRefusesBadBranchesAndServesTheRest(backend: ToolBackend) async throws {
        try await GuardFixture.with(.gitDaemon, backend: .git, seed: Self.seedWithBadBranches) { fixture in
            let exchange = GuardedExchange(fixture: fixture)
            let log = RefusalLog()
            let producer = Producer(store: try await Self.store(.alice, .producer, backend: backend, exchange: exchange, log: log))
            #expect(try await producer.apply(Self.experiment("exp-2")) == .created(generation: 1))

            let consumer = try await Self.store(.runner, .consumer, backend: backend, exchange: exchange, log: log)
            try await consumer.refresh()
            let forged = try ExchangeGroup("lab.Experiment.forged")
            let edited = try ExchangeGroup("lab.Experiment.edited")
            #expect(await consumer.groups == [try ExchangeGroup(key: Self.experiment("exp-2").key)])
            let listed = try await consumer.list(.all)
            #expect(listed.map(\.key.name) == ["exp-2"], "\(listed.map(\.key))")
            #expect(try await consumer.get(Self.experiment("forged").key) == nil)
            let refused = await consumer.refusedGroups
            #expect(refused.keys.sorted() == [edited, forged])
            #expect(refused[forged]?.message.contains("its base is not on the main branch main") == true, "\(refused)")
            #expect(refused[edited]?.message.contains("changes \(GuardedExchange.policyPath)") == true, "\(refused)")
            #expect(log.refusals.count == 2, "\(log.refusals)")
            #expect(try await consumer.remoteMoved() == false, "refused branches are not fetched again until they move")
            #expect(log.violations.isEmpty, "the bad branches were never judged: \(log.violations)")
        }
    }
}

extension BranchSetStoreServerTests {
    /// A group whose transport fails (here: its branch's transport points at
    /// a repository that does not exist) is left out of the view and tried
    /// again; the other groups are served, and the refresh does not throw.
    @Test(arguments: ToolBackend.allCases)
    func aGroupThatCannotBeFetchedDoesNotBlockTheOthers(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: .git) { exchange in
            let log = RefusalLog()
            let producer = Producer(store: try await Self.store(.alice, .producer, backend: backend, exchange: exchange, log: log))
            #expect(try await producer.apply([Self.experiment("exp-2"), Self.experiment("exp-3")]).count == 2)
            let broken = try ExchangeGroup(key: Self.experiment("exp-3").key)
            let url = exchange.fixture.url
            let mirror = exchange.fixture.scratch.appending("mirror-broken").path
            let main = try await GuardTransportPushTests.transport(backend, url: url, mirror: mirror)
            let branches = ExchangeBranches(main: main) { branch in
                let target = branch == broken.branch ? exchange.fixture.scratch.appending("missing.git").path : url
                return try await ExchangeBranchTests.transport(backend, url: target, branch: branch, mirror: mirror + "-" + branch.replacingOccurrences(of: "/", with: "-"))
            }
            let consumer = BranchSetStore<LabExperiment>(
                branches: branches, resourceType: Self.type,
                options: StoreOptions(identity: ExchangeIdentity(name: "Runner", email: Person.runner.email, role: .consumer)))
            try await consumer.refresh()
            #expect(await consumer.groups == [try ExchangeGroup(key: Self.experiment("exp-2").key)])
            #expect(try await consumer.list(.all).map(\.key.name) == ["exp-2"])
            #expect(await consumer.refusedGroups.isEmpty, "a transport failure is no refusal")
            #expect(try await consumer.remoteMoved(), "the broken group is tried again")
        }
    }
}

/// The contract violations and refused histories stores report.
final class RefusalLog: Sendable {
    private let events = Mutex<[StoreEvent]>([])
    func record(_ event: StoreEvent) { events.withLock { $0.append(event) } }
    var refusals: [String] { events.withLock { $0.compactMap { if case .historyRefused(let reason) = $0 { reason } else { nil } } } }
    var violations: [ContractViolation] {
        events.withLock { $0.compactMap { if case .contractViolation(let violation) = $0 { violation } else { nil } } }
    }
}
