import Foundation
import GitServerFixtures
import Giter
@testable import GiterGitCLI
@testable import GiterLibGit2
import Testing

/// A branch per exchange (``ExchangeBranches``) against git daemon guarded
/// by `giter guard pre-receive`: every transport backend with every guard
/// backend. A producer and a consumer complete create → status → archive
/// on an exchange branch of its own, many branches are found with one
/// listing, and the guard refuses a forged base, a non-linear branch, a
/// rewrite, a deletion without archive and a misplaced archive ref.
@Suite("A branch per exchange", .timeLimit(.minutes(4)))
struct ExchangeBranchTests {
    typealias Seen = Rejection.Seen
    static let type = GuardRuleStoreTests.type

    /// The branches of `person`, whose transports (`backend`) share one mirror.
    static func branches(_ person: Person, backend: ToolBackend, exchange: GuardedExchange) async throws
        -> ExchangeBranches
    {
        let url = exchange.fixture.url
        let mirror = exchange.fixture.scratch.appending("mirror-\(person.name)").path
        let main = try await GuardTransportPushTests.transport(backend, url: url, mirror: mirror)
        return ExchangeBranches(main: main) { branch in
            try await Self.transport(backend, url: url, branch: branch, mirror: mirror)
        }
    }

    static func transport(_ backend: ToolBackend, url: String, branch: String, mirror: String) async throws
        -> any Transport
    {
        let configuration = RemoteConfiguration(url: url, branch: branch, mirrorPath: mirror)
        return switch backend {
        case .libgit2: try await LibGit2Transport(configuration: configuration)
        case .git: try await GitCLITransport(configuration: configuration)
        }
    }

    /// A store of `person` in `role` over `group`'s branch.
    static func store(
        _ person: Person, _ role: ExchangeRole, _ branches: ExchangeBranches, _ group: ExchangeGroup, log: ViolationLog
    ) async throws -> GitResourceStore<LabExperiment> {
        let options = StoreOptions(
            identity: ExchangeIdentity(name: person.name, email: person.email, role: role),
            retry: RetryPolicy(maxAttempts: 1),
            eventHandler: { log.record($0) }
        )
        return GitResourceStore(transport: try await branches.transport(for: group), resourceType: type, options: options)
    }

    @Test(arguments: GuardRuleStoreTests.backendPairs)
    func producerAndConsumerCompleteAnExchangeOnItsBranch(backends: (transport: ToolBackend, guard: ToolBackend))
        async throws
    {
        try await GuardedExchange.with(.gitDaemon, backend: backends.guard) { exchange in
            let log = ViolationLog()
            let mainBefore = try #require(try await exchange.refs()["refs/heads/main"])
            let producer = try await Self.branches(.alice, backend: backends.transport, exchange: exchange)
            let group = try ExchangeGroup(key: GuardedExchange.exp2)
            #expect(group.branch == "giter/x/lab.Experiment.exp-2")
            #expect(try await producer.start(group).hex == mainBefore)
            #expect(try await producer.start(group).hex == mainBefore, "starting twice moves nothing")

            let producerStore = try await Self.store(.alice, .producer, producer, group, log: log)
            let experiment = LabExperiment(
                apiVersion: Self.type.apiVersion, kind: Self.type.kind,
                metadata: ObjectMeta(name: "exp-2", namespace: "lab"),
                spec: LabExperimentSpec(image: "lab/runner:3", replicas: 1))
            #expect(try await Producer(store: producerStore).apply(experiment) == .created(generation: 1))
            var refs = try await exchange.refs()
            #expect(refs["refs/heads/main"] == mainBefore, "the exchange's writes stay on its branch")
            let created = try #require(refs[group.reference.rawValue])
            let parent = try await exchange.fixture.repository.git(["rev-parse", created + "^"]).trimmedStdout
            #expect(parent == mainBefore)

            let consumer = try await Self.branches(.runner, backend: backends.transport, exchange: exchange)
            #expect(try await consumer.list().live.keys.sorted() == [group])
            #expect(try await consumer.verifyBase(of: group).hex == mainBefore)
            let consumerStore = try await Self.store(.runner, .consumer, consumer, group, log: log)
            try await consumerStore.refresh()
            let stored = try #require(try await consumerStore.get(GuardedExchange.exp2))
            let status = LabExperimentStatus(observedGeneration: stored.resource.metadata.generation, phase: "Done")
            #expect(
                try await consumerStore.write(.status(GuardedExchange.exp2, status, specDigest: stored.specDigest))
                    == .statusWritten)

            try await producerStore.refresh()
            #expect(try await producerStore.get(GuardedExchange.exp2)?.resource.status?.phase == "Done")
            let tip = try #require(try await exchange.refs()[group.reference.rawValue])
            #expect(try await producer.archive(group)?.hex == tip)
            #expect(try await producer.archive(group) == nil, "archiving twice finds nothing live")
            refs = try await exchange.refs()
            #expect(refs[group.reference.rawValue] == nil)
            #expect(refs[group.archiveReference.rawValue] == tip)
            #expect(refs["refs/heads/main"] == mainBefore)
            let listing = try await consumer.list()
            #expect(listing.live.isEmpty)
            #expect(listing.archived.mapValues(\.hex) == [group: tip])

            // Retention: an archive whose last commit is younger than the policy's age stays.
            let retention = BranchRetention(deleteArchivedAfter: .seconds(3600))
            #expect(try await producer.collect(retention, now: Date()).isEmpty)
            #expect(try await producer.collect(retention, now: Date().addingTimeInterval(7200)) == [group])
            #expect(try await exchange.refs()[group.archiveReference.rawValue] == nil)
            #expect(log.violations.isEmpty, "\(log.violations)")
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func manyBranchesAreFoundWithOneListing(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.gitDaemon, backend: .git) { exchange in
            let clone = try await exchange.clone()
            let groups = try (1...60).map { try ExchangeGroup("batch-\($0)") }
            // One push starts them all, each judged by the guard.
            let specs = groups.map { "HEAD:\($0.reference.rawValue)" }
            let push = try await runGit(["push", "--quiet", "origin"] + specs, in: clone.folder, environment: clone.environment)
            #expect(push.succeeded, "\(push)")
            try await runGitChecked(
                ["push", "--quiet", "origin", "HEAD:\(groups[0].archiveReference.rawValue)", ":\(groups[0].reference.rawValue)"],
                in: clone.folder, environment: clone.environment)

            let branches = try await Self.branches(.alice, backend: backend, exchange: exchange)
            let launches = (branches.main as? GitCLITransport)?.processLaunches
            let listing = try await branches.list()
            if let launches, let cli = branches.main as? GitCLITransport {
                #expect(cli.processLaunches - launches == 1, "one ls-remote")
            }
            #expect(Set(listing.live.keys) == Set(groups.dropFirst()))
            #expect(Array(listing.archived.keys) == [groups[0]])
            #expect(listing.ignored.isEmpty)

            // A follower of the set fetches only the branch that moved.
            let main = try await clone.head()
            try clone.write(GuardedExchange.exp2.repositoryPath, GuardedExchange.experiment("exp-2"))
            try await clone.commit(as: .alice, "Create exp-2 on batch-7")
            try await runGitChecked(
                [
                    "push", "--quiet", "origin", "HEAD:\(groups[6].reference.rawValue)",
                    "\(main):\(groups[1].archiveReference.rawValue)", ":\(groups[1].reference.rawValue)",
                ],
                in: clone.folder, environment: clone.environment)
            let next = try await branches.list()
            #expect(next.moved(since: listing) == [groups[6]])
            #expect(next.gone(since: listing) == [groups[1]])
            #expect(next.moved(since: nil).count == groups.count - 2)
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func theGuardRefusesForgedExchangeBranches(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.gitDaemon, backend: backend) { exchange in
            let group = try ExchangeGroup("forged")
            let branch = group.reference.rawValue
            let clone = try await exchange.clone()
            let main = try await clone.head()

            // A base that is not on main: a root commit with a copy of the contract.
            try await clone.git(["checkout", "--quiet", "--orphan", "elsewhere"])
            let orphan = try await clone.commit(as: .owner, "A contract of my own")
            var before = try await exchange.refs()
            try await exchange.expectRefused(try await clone.push("HEAD:\(branch)"), [Seen(.history, nil, orphan)], refsBefore: before)

            // Two lines after the base: a merge.
            try await clone.git(["checkout", "--quiet", "-B", "work", main])
            try clone.write(GuardedExchange.exp2.repositoryPath, GuardedExchange.experiment("exp-2"))
            try await clone.commit(as: .alice, "Create exp-2")
            try await clone.git(["checkout", "--quiet", "-B", "side", main])
            try clone.write("README.md", "# Changed on the side\n")
            try await clone.commit(as: .alice, "Side")
            try await clone.git(["checkout", "--quiet", "work"])
            try await clone.git(as: .alice, ["merge", "--quiet", "--no-edit", "side"])
            let merge = try await clone.head()
            try await exchange.expectRefused(try await clone.push("HEAD:\(branch)"), [Seen(.history, nil, merge)], refsBefore: before)

            // A good start, then a consumer forging the spec and an admin changing the contract there.
            try await clone.git(["reset", "--quiet", "--hard", "HEAD^"])
            let good = try await clone.head()
            let started = try await clone.push("HEAD:\(branch)")
            #expect(started.succeeded, "\(started)")
            before = try await exchange.refs()
            let path = GuardedExchange.exp2.repositoryPath
            try clone.write(path, GuardedExchange.experiment("exp-2", image: "evil/miner:1"))
            let forged = try await clone.commit(as: .runner, "Forge the spec")
            try await exchange.expectRefused(try await clone.push("HEAD:\(branch)"), [Seen(.role, path, forged)], refsBefore: before)
            try await clone.git(["reset", "--quiet", "--hard", good])
            try clone.write(GuardedExchange.policyPath, GuardedExchange.policyPromotingRunner)
            let contract = try await clone.commit(as: .owner, "Promote the runner on a side branch")
            try await exchange.expectRefused(
                try await clone.push("HEAD:\(branch)"), [Seen(.contract, GuardedExchange.policyPath, contract)], refsBefore: before)

            // A rewrite of the branch.
            try await clone.git(["reset", "--quiet", "--hard", main])
            try clone.write(path, GuardedExchange.experiment("exp-2", image: "lab/runner:9"))
            let rewritten = try await clone.commit(as: .alice, "Rewrite exp-2")
            try await exchange.expectRefused(
                try await clone.push("HEAD:\(branch)", force: true), [Seen(.history, nil, rewritten)], refsBefore: before)

            // Deleting it without an archive; an archive that is not its tip.
            try await exchange.expectRefused(try await clone.push(":\(branch)"), [Seen(.history, nil, good)], refsBefore: before)
            try await exchange.expectRefused(
                try await clone.push("\(main):\(group.archiveReference.rawValue)"), [Seen(.ref, nil, main)], refsBefore: before)

            // Archived and deleted in one push: accepted.
            let archived = try await clone.push("\(good):\(group.archiveReference.rawValue)", ":\(branch)")
            #expect(archived.succeeded, "\(archived)")
            let after = try await exchange.refs()
            #expect(after[branch] == nil)
            #expect(after[group.archiveReference.rawValue] == good)

            // The archived group started again, and its archive moved off its history: both refused.
            try await exchange.expectRefused(try await clone.push("\(main):\(branch)"), [Seen(.history, nil, main)], refsBefore: after)
            try await exchange.expectRefused(
                try await clone.push("\(main):\(group.archiveReference.rawValue)", force: true), [Seen(.ref, nil, main)],
                refsBefore: after)
            // The same with the live branch at that commit (put there on the server, past the guard): only the
            // archive's forward rule refuses it now.
            try await exchange.fixture.repository.git(["update-ref", branch, main])
            let live = try await exchange.refs()
            try await exchange.expectRefused(
                try await clone.push("\(main):\(group.archiveReference.rawValue)", force: true), [Seen(.ref, nil, main)],
                refsBefore: live)
            try await exchange.fixture.repository.git(["update-ref", "-d", branch])

            // Once main's contract changed, a new branch may not start from a commit under the old one.
            try await clone.git(["checkout", "--quiet", "-B", "main", main])
            try clone.write(GuardedExchange.policyPath, GuardedExchange.policyPromotingRunner)
            try await clone.commit(as: .owner, "Promote the runner")
            #expect(try await clone.push("HEAD:refs/heads/main").succeeded)
            let late = try ExchangeGroup("late").reference.rawValue
            let changed = try await exchange.refs()
            try await exchange.expectRefused(try await clone.push("\(main):\(late)"), [Seen(.contract, nil, main)], refsBefore: changed)
            #expect(try await clone.push("HEAD:\(late)").succeeded, "from main's tip it starts")
        }
    }
}
