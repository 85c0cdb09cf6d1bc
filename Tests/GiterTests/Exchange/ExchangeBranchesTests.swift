import Foundation
import Giter
import GiterTesting
import Testing

/// ``ExchangeBranches`` over the in-memory remote: what a host app's tests
/// can rely on. The same flows against real servers and the guard are in
/// `GiterToolTests` (`ExchangeBranchTests`).
@Suite("Exchange branches, in memory")
struct ExchangeBranchesTests {
    let remote = InMemoryRemote()
    let owner = Signature(name: "Owner", email: "owner@example.com")

    var branches: ExchangeBranches {
        let remote = remote
        return ExchangeBranches(main: remote.transport()) { branch in remote.transport(branch: branch) }
    }

    func withContract() throws -> ObjectID {
        try remote.forgeCommit(
            author: owner, edits: [.write(path: ExchangePolicy.path, contents: Array(PolicyStoreTests.policy().utf8))],
            message: "The contract")
    }

    @Test func startNeedsAMainBranchWithAContract() async throws {
        let group = try ExchangeGroup("g-1")
        let missing = await #expect(throws: StoreError.self) { try await branches.start(group) }
        #expect(missing?.message.contains("does not exist yet") == true, "\(String(describing: missing))")
        try remote.forgeCommit(author: owner, edits: [.write(path: "README.md", contents: Array("hi\n".utf8))])
        let bare = await #expect(throws: StoreError.self) { try await branches.start(group) }
        #expect(bare?.message.contains("holds no readable contract") == true, "\(String(describing: bare))")
        #expect(remote.tip(of: group.branch) == nil)
    }

    @Test func aProducerWritesOnTheGroupsBranchOnly() async throws {
        let base = try withContract()
        let group = try ExchangeGroup(key: ResourceKey(namespace: "reports", kind: "Report", name: "nightly-report"))
        #expect(try await branches.start(group) == base)
        let store = GitResourceStore<Report>(
            transport: try await branches.transport(for: group), resourceType: reportType,
            options: StoreOptions(identity: producerIdentity))
        #expect(try await Producer(store: store).apply(.sample()) == .created(generation: 1))
        #expect(remote.tip() == base, "main never moved")
        let tip = try #require(remote.tip(of: group.branch))
        #expect(tip != base)
        #expect(try await branches.list().live == [group: tip])
        #expect(try await branches.start(group) == tip, "starting again moves nothing")
    }

    @Test func verifyBaseTrustsOnlyALineFromMainWithTheContract() async throws {
        let base = try withContract()
        let good = try ExchangeGroup("good")
        try await branches.start(good)
        try remote.forgeCommit(
            author: owner, edits: [.write(path: "README.md", contents: Array("on good\n".utf8))], branch: good.branch)
        #expect(try await branches.verifyBase(of: good) == base)

        // A root of its own, with a contract of its own: what a server without the guard could hold.
        let forged = try ExchangeGroup("forged")
        remote.forgeTree([ExchangePolicy.path: Array(PolicyStoreTests.policy(extraProducer: "mallory@example.com").utf8)],
                         author: owner, branch: forged.branch)
        let notOnMain = await #expect(throws: StoreError.self) { try await branches.verifyBase(of: forged) }
        #expect(notOnMain?.message.contains("its base is not on the main branch main") == true, "\(String(describing: notOnMain))")

        // The contract changed on the exchange branch.
        let edited = try ExchangeGroup("edited")
        try await branches.start(edited)
        try remote.forgeCommit(
            author: owner,
            edits: [.write(path: ExchangePolicy.path, contents: Array(PolicyStoreTests.policy(extraProducer: "x@example.com").utf8))],
            branch: edited.branch)
        let changed = await #expect(throws: StoreError.self) { try await branches.verifyBase(of: edited) }
        #expect(changed?.path == ExchangePolicy.path, "\(String(describing: changed))")

        let missing = await #expect(throws: StoreError.self) { try await branches.verifyBase(of: try ExchangeGroup("none")) }
        #expect(missing?.code == .historyRefused)
    }

    @Test func archiveFinishesAnInterruptedMoveAndFollowsALaterWrite() async throws {
        let base = try withContract()
        let group = try ExchangeGroup("g-1")
        try await branches.start(group)
        // Interrupted after its first step: both refs at one commit.
        remote.resetReference(group.archiveReference, to: base)
        #expect(try await branches.archive(group) == base)
        #expect(remote.tip(of: group.branch) == nil)

        // An archived group is not started again: its archive keeps the first exchange's history.
        let again = await #expect(throws: StoreError.self) { try await branches.start(group) }
        #expect(again?.message.contains("was archived at") == true, "\(String(describing: again))")
        #expect(remote.tip(of: group.branch) == nil)
        #expect(remote.reference(group.archiveReference) == base)

        // Archived at an older commit, and written since: the archive follows the branch.
        let other = try ExchangeGroup("g-2")
        try await branches.start(other)
        remote.resetReference(other.archiveReference, to: base)
        let later = try remote.forgeCommit(
            author: owner, edits: [.write(path: "README.md", contents: Array("later\n".utf8))], branch: other.branch)
        #expect(try await branches.archive(other) == later)
        #expect(remote.reference(other.archiveReference) == later)
        #expect(remote.tip(of: other.branch) == nil)
        #expect(try await branches.archive(other) == nil)
    }

    @Test func aRefusedArchiveLeavesTheBranchLive() async throws {
        let base = try withContract()
        let group = try ExchangeGroup("g-1")
        try await branches.start(group)
        remote.failNextPushes(1, with: .rejected("not today"))
        let error = await #expect(throws: StoreError.self) { try await branches.archive(group) }
        #expect(error?.code == .historyRefused && error?.message.contains("not today") == true)
        #expect(remote.tip(of: group.branch) == base)
        #expect(remote.reference(group.archiveReference) == nil)
    }

    @Test func collectDeletesOnlyOldArchives() async throws {
        _ = try withContract()
        let old = try ExchangeGroup("old")
        let live = try ExchangeGroup("live")
        try await branches.start(old)
        try await branches.start(live)
        try await branches.archive(old)
        let retention = BranchRetention(deleteArchivedAfter: .seconds(86_400))
        #expect(try await branches.collect(retention).isEmpty)
        #expect(try await branches.collect(retention, now: Date().addingTimeInterval(2 * 86_400)) == [old])
        let listing = try await branches.list()
        #expect(listing.archived.isEmpty)
        #expect(Array(listing.live.keys) == [live], "collect never touches a live branch")
    }

    @Test func aListingSortsAndIgnoresBadNames() throws {
        let id = try #require(ObjectID(hex: String(repeating: "a", count: 40)))
        let other = try #require(ObjectID(hex: String(repeating: "b", count: 40)))
        let listing = ExchangeBranchListing(references: [
            "refs/heads/giter/x/a": id, "refs/heads/giter/x/b": other, "refs/giter/archive/c": id,
            "refs/heads/giter/x/-bad": id, "refs/giter/archive/x.lock": id, "refs/heads/main": id,
        ])
        #expect(listing.live == [try ExchangeGroup("a"): id, try ExchangeGroup("b"): other])
        #expect(listing.archived == [try ExchangeGroup("c"): id])
        #expect(listing.ignored == ["refs/giter/archive/x.lock", "refs/heads/giter/x/-bad"])
        let later = ExchangeBranchListing(references: ["refs/heads/giter/x/a": other, "refs/heads/giter/x/d": id])
        #expect(later.moved(since: listing).map(\.rawValue) == ["a", "d"])
        #expect(later.gone(since: listing).map(\.rawValue) == ["b"])
    }

    @Test(arguments: ["", "-a", "a-", ".a", "a..b", "a/b", "a b", "a.lock", "ä", String(repeating: "a", count: 201)])
    func badGroupNamesAreRefused(_ name: String) {
        #expect(throws: TransportError.self) { try ExchangeGroup(name) }
        #expect(ExchangeGroup(reference: ExchangeGroup.referencePrefix + name) == nil)
    }

    @Test func groupNames() throws {
        let group = try ExchangeGroup(key: ResourceKey(namespace: "lab", kind: "Experiment", name: "exp-1.v2"))
        #expect(group.rawValue == "lab.Experiment.exp-1.v2")
        #expect(group.branch == "giter/x/lab.Experiment.exp-1.v2")
        #expect(group.reference.rawValue == "refs/heads/giter/x/lab.Experiment.exp-1.v2")
        #expect(group.archiveReference.rawValue == "refs/giter/archive/lab.Experiment.exp-1.v2")
        #expect(ExchangeGroup(reference: group.archiveReference.rawValue) == group)
        #expect(try ExchangeGroup(String(repeating: "a", count: 200)).rawValue.count == 200)
    }
}
