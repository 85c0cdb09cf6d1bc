import Foundation
import Giter
import GiterTesting
import Testing

/// ``BranchSetStore`` over the in-memory remote: a store that follows every
/// exchange branch, with a forged or edited branch refused and the others
/// served. The same against real servers, on both backends, is in
/// `GiterToolTests` (`BranchSetStoreServerTests`).
@Suite("A store over a set of exchange branches, in memory", .timeLimit(.minutes(2)))
struct BranchSetStoreTests {
    let remote = InMemoryRemote()
    let owner = Signature(name: "Owner", email: "owner@example.com")
    let events = EventLog()

    var branches: ExchangeBranches {
        let remote = remote
        return ExchangeBranches(main: remote.transport()) { branch in remote.transport(branch: branch) }
    }

    func store(_ identity: ExchangeIdentity) -> BranchSetStore<Report> {
        let events = events
        return BranchSetStore(
            branches: branches, resourceType: reportType,
            options: StoreOptions(identity: identity, roles: namedRoles, eventHandler: { events.append($0) }))
    }

    @discardableResult
    func withContract() throws -> ObjectID {
        try remote.forgeCommit(
            author: owner, edits: [.write(path: ExchangePolicy.path, contents: Array(PolicyStoreTests.policy().utf8))],
            message: "The contract")
    }

    var refusals: [String] {
        events.all.compactMap { if case .historyRefused(let reason) = $0 { reason } else { nil } }
    }

    @Test func aControllerReconcilesResourcesEachOnItsOwnBranch() async throws {
        let base = try withContract()
        let producer = Producer(store: store(producerIdentity))
        let names = ["a", "b", "c"]
        #expect(try await producer.apply(names.map { report($0) }) == Array(repeating: .created(generation: 1), count: 3))
        #expect(remote.tip() == base, "main never moves")
        let groups = try names.map { try ExchangeGroup(key: report($0).key) }
        for group in groups {
            let tip = try #require(remote.tip(of: group.branch), "\(group)")
            #expect(try await remote.transport().commits(from: tip, excluding: base, limit: nil).count == 1)
        }

        let consumer = store(consumerIdentity)
        let reconciler = ScriptedReconciler()
        let controller = Controller(store: consumer, reconciler: reconciler, options: fastOptions)
        try await withDeadline(.seconds(90)) {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await controller.run() }
                defer { controller.shutdown() }
                let ready = try await producer.waitAll(for: names.map { report($0).key }, timeout: .seconds(60))
                #expect(ready.allSatisfy { $0.isStatusCurrent && $0.resource.status?.isTrue("Ready") == true })
                controller.shutdown()
                try await tasks.waitForAll()
            }
        }
        #expect(Set(reconciler.calls.map(\.key.name)) == Set(names))
        #expect(reconciler.calls.count == names.count, "each resource once")
        #expect(await consumer.groups == groups.sorted())
        #expect(remote.tip() == base, "statuses went to the branches too")
        #expect(events.violations.isEmpty, "\(events.violations)")
        #expect(refusals.isEmpty, "\(refusals)")
    }

    static let forgedReport = """
        apiVersion: reports.example.com/v1
        kind: Report
        metadata:
          name: forged
          namespace: reports
        spec:
          schedule: "* * * * *"
          retries: 3
          outputs: []

        """

    @Test func aForgedOrEditedBranchIsLeftOutAndTheOthersServed() async throws {
        try withContract()
        let producer = store(producerIdentity)
        #expect(try await producer.write(.apply(report("good"))) == .created(generation: 1))

        // A root of its own with a contract that makes Mallory a producer: what a server without the guard could hold.
        let forged = try ExchangeGroup(key: report("forged").key)
        remote.forgeTree(
            [ExchangePolicy.path: Array(PolicyStoreTests.policy(extraProducer: "mallory@example.com").utf8)],
            author: owner, branch: forged.branch)
        try remote.forgeCommit(
            author: Signature(name: "Mallory", email: "mallory@example.com"),
            edits: [.write(path: report("forged").key.repositoryPath, contents: Array(Self.forgedReport.utf8))],
            branch: forged.branch)
        // Started from main, then the contract edited on the branch.
        let edited = try ExchangeGroup(key: report("edited").key)
        try await branches.start(edited)
        try remote.forgeCommit(
            author: owner,
            edits: [.write(path: ExchangePolicy.path, contents: Array(PolicyStoreTests.policy(extraProducer: "x@example.com").utf8))],
            branch: edited.branch)

        let consumer = store(consumerIdentity)
        try await consumer.refresh()
        #expect(try await consumer.list(.all).map(\.key.name) == ["good"])
        #expect(try await consumer.get(report("forged").key) == nil)
        let refused = await consumer.refusedGroups
        #expect(refused.keys.sorted() == [edited, forged])
        #expect(refused[forged]?.message.contains("its base is not on the main branch main") == true, "\(refused)")
        #expect(refused[edited]?.message.contains("changes \(ExchangePolicy.path)") == true, "\(refused)")
        #expect(refusals.count == 2, "each refusal reported once: \(refusals)")

        // Refused groups are not tried again until they move; the good one is followed as usual.
        #expect(try await consumer.remoteMoved() == false)
        try await consumer.refresh()
        #expect(refusals.count == 2)
        let good = try #require(try await consumer.get(report("good").key))
        #expect(try await consumer.write(.status(good.key, readyStatus(), specDigest: good.specDigest)) == .statusWritten)
        let toForged = try await consumer.write(.status(report("forged").key, readyStatus(), specDigest: "x"))
        guard case .refused(let reason) = toForged else {
            Issue.record("a status for a refused group: \(toForged)")
            return
        }
        #expect(reason.contains("its base is not on the main branch main"), "\(reason)")
        #expect(remote.tip(of: forged.branch) != nil)
        #expect(events.violations.isEmpty, "\(events.violations)")
    }

    @Test func aMoveThatEditsTheContractIsRefusedAndTheViewKept() async throws {
        try withContract()
        let producer = store(producerIdentity)
        #expect(try await producer.write(.apply(report("a"))) == .created(generation: 1))
        let group = try ExchangeGroup(key: report("a").key)
        let consumer = store(consumerIdentity)
        let first = try await consumer.refresh()
        #expect(await consumer.groups == [group])

        try remote.forgeCommit(
            author: owner,
            edits: [.write(path: ExchangePolicy.path, contents: Array(PolicyStoreTests.policy(extraProducer: "x@example.com").utf8))],
            branch: group.branch)
        #expect(try await consumer.remoteMoved())
        #expect(try await consumer.refresh() == first, "the view stays where it was")
        #expect(await consumer.groups == [group])
        #expect(try await consumer.get(report("a").key)?.resource.spec.schedule == report("a").spec.schedule)
        #expect(await consumer.refusedGroups[group]?.path == nil)
        #expect(refusals.count == 1 && refusals[0].contains("changes \(ExchangePolicy.path)"), "\(refusals)")
    }

    @Test func aGroupWhoseBranchGoesLeavesTheViewAsRemovals() async throws {
        try withContract()
        let producer = store(producerIdentity)
        _ = try await producer.write([.apply(report("a")), .apply(report("b"))])
        let consumer = store(consumerIdentity)
        let before = try await consumer.refresh()
        let all = try await consumer.changes(since: nil)
        #expect(all.updated.map(\.key.name) == ["a", "b"])

        let gone = try ExchangeGroup(key: report("a").key)
        try await branches.archive(gone)
        #expect(try await consumer.remoteMoved())
        let after = try await consumer.refresh()
        #expect(after != before)
        let changes = try await consumer.changes(since: before)
        #expect(changes.removed == [report("a").key])
        #expect(changes.updated.isEmpty)
        #expect(try await consumer.list(.all).map(\.key.name) == ["b"])
        #expect(try await consumer.changes(since: after).isEmpty)
        // A status for the archived group finds nothing; the producer's apply does not start it again.
        #expect(try await consumer.write(.status(report("a").key, readyStatus(), specDigest: "x")) == .notFound)
        // The producer's store still had the group in view: its write finds the branch gone, and drops the group.
        let first = try await producer.write(.apply(report("a", schedule: "again")))
        guard case .refused(let deleted) = first else {
            Issue.record("an apply to a branch archived meanwhile: \(first)")
            return
        }
        #expect(deleted.contains("was deleted"), "\(deleted)")
        #expect(await producer.groups == [try ExchangeGroup(key: report("b").key)])
        let again = try await producer.write(.apply(report("a", schedule: "again")))
        guard case .refused(let message) = again else {
            Issue.record("an apply to an archived group: \(again)")
            return
        }
        #expect(message.contains("was archived at"), "\(message)")
        #expect(remote.tip(of: gone.branch) == nil)
    }

    @Test func aNamedGroupHoldsSeveralResources() async throws {
        let base = try withContract()
        let nightly = try ExchangeGroup("nightly")
        let events = events
        let producer = BranchSetStore<Report>(
            branches: branches, resourceType: reportType,
            options: StoreOptions(identity: producerIdentity, roles: namedRoles, eventHandler: { events.append($0) }),
            group: { _ in nightly })
        let outcomes = try await producer.write([.apply(report("a")), .apply(report("b"))])
        #expect(outcomes.outcomes == [.created(generation: 1), .created(generation: 1)])
        let tip = try #require(remote.tip(of: nightly.branch))
        #expect(try await remote.transport().commits(from: tip, excluding: base, limit: nil).count == 1, "one commit for the batch")
        #expect(await producer.groups == [nightly])
    }

    /// A store that checks new commits only still judges a group that
    /// appears later from its verified base: a branch started from main
    /// whose first commit forges a producer's spec (as the consumer) is not
    /// served, whatever the history check.
    @Test func aGroupThatAppearsLaterIsJudgedFromItsBase() async throws {
        try withContract()
        let producer = store(producerIdentity)
        #expect(try await producer.write(.apply(report("good"))) == .created(generation: 1))
        let events = events
        let consumer = BranchSetStore<Report>(
            branches: branches, resourceType: reportType,
            options: StoreOptions(
                identity: consumerIdentity, roles: namedRoles, historyCheck: .newCommitsOnly, eventHandler: { events.append($0) }))
        try await consumer.refresh()
        #expect(await consumer.groups.count == 1)

        let late = try ExchangeGroup(key: report("forged").key)
        try await branches.start(late)
        let forged = try remote.forgeCommit(
            author: Signature(name: "Report consumer", email: "consumer@example.com"),
            edits: [.write(path: report("forged").key.repositoryPath, contents: Array(Self.forgedReport.utf8))],
            branch: late.branch)
        try await consumer.refresh()
        #expect(try await consumer.get(report("forged").key) == nil, "the consumer's spec is not in force")
        #expect(events.violations.map(\.commit) == [forged], "\(events.violations)")
        #expect(try await consumer.list(.all).map(\.key.name) == ["good"])
    }

    /// A checking store never writes an exchange branch's first commit: a
    /// group with no branch is started from main first.
    @Test func aCheckingStoreDoesNotCreateABranchOfItsOwn() async throws {
        try withContract()
        let group = try ExchangeGroup(key: report("a").key)
        let store: GitResourceStore<Report> = try await branches.store(
            for: group, resourceType: reportType, options: StoreOptions(identity: producerIdentity, roles: namedRoles))
        let error = await #expect(throws: StoreError.self) { try await store.write(.apply(report("a"))) }
        #expect(error?.message.contains("does not exist: start it first") == true, "\(String(describing: error))")
        #expect(remote.tip(of: group.branch) == nil)
    }
}
