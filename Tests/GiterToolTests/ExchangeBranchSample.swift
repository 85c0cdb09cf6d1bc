import Foundation
import GitServerFixtures
import Giter
@testable import GiterLibGit2
import Testing

/// The sample of `Documentation/ExchangeBranches.md`, run against the
/// guarded exchange on git daemon.
@Suite("The branch-per-exchange sample", .timeLimit(.minutes(2)))
struct ExchangeBranchSample {
    @Test func theDocumentedCycleRuns() async throws {
        try await GuardedExchange.with(.gitDaemon, backend: .libgit2) { exchange in
            let url = exchange.fixture.url
            let mirror = exchange.fixture.scratch.appending("sample-mirror").path
            let mainTransport = try await LibGit2Transport(configuration: RemoteConfiguration(url: url, mirrorPath: mirror))
            let options = StoreOptions(identity: ExchangeIdentity(name: "Alice", email: Person.alice.email, role: .producer))
            let (group, listing, moved, store) = try await Self.cycle(
                mainTransport: mainTransport, url: url, mirror: mirror, type: GuardRuleStoreTests.type, options: options,
                previousListing: nil)
            #expect(moved == [group])
            #expect(listing.live.keys.sorted() == [group])
            #expect(store.resourceType == GuardRuleStoreTests.type)
            let refs = try await exchange.refs()
            #expect(refs[group.reference.rawValue] == nil)
            #expect(refs[group.archiveReference.rawValue] == refs["refs/heads/main"], "kept: younger than 30 days")
        }
    }

    /// The sample of `BranchSetStore` in `Documentation/ExchangeBranches.md`.
    static func followEveryBranch<R: Reconciler<LabExperiment>>(
        mainTransport: any Transport, url: String, mirror: String, type: ResourceType, options: StoreOptions, reconciler: R
    ) -> (BranchSetStore<LabExperiment>, Controller<R>) {
        let branches = ExchangeBranches(main: mainTransport) { branch in
            try await LibGit2Transport(configuration: RemoteConfiguration(url: url, branch: branch, mirrorPath: mirror))
        }
        let store = BranchSetStore<LabExperiment>(branches: branches, resourceType: type, options: options)
        let controller = Controller(store: store, reconciler: reconciler)  // reconciles every group's resources
        // A producer's set store starts a resource's branch at its first apply.
        return (store, controller)
    }

    @Test func theSetStoreSampleFollowsTheBranches() async throws {
        try await GuardedExchange.with(.gitDaemon, backend: .libgit2) { exchange in
            let url = exchange.fixture.url
            let mirror = exchange.fixture.scratch.appending("set-mirror").path
            let mainTransport = try await LibGit2Transport(configuration: RemoteConfiguration(url: url, mirrorPath: mirror))
            let options = StoreOptions(identity: ExchangeIdentity(name: "Runner", email: Person.runner.email, role: .consumer))
            let (store, _) = Self.followEveryBranch(
                mainTransport: mainTransport, url: url, mirror: mirror, type: GuardRuleStoreTests.type, options: options,
                reconciler: BranchSetStoreServerTests.PhaseReconciler())
            let group = try ExchangeGroup("sample")
            try await store.branches.start(group)
            try await store.refresh()
            #expect(await store.groups == [group])
            #expect(try await store.list(.all).isEmpty, "exp-1 lives in main's folders, not in the group")
        }
    }

    static func cycle(
        mainTransport: any Transport, url: String, mirror: String, type: ResourceType, options: StoreOptions,
        previousListing: ExchangeBranchListing?
    ) async throws -> (ExchangeGroup, ExchangeBranchListing, [ExchangeGroup], GitResourceStore<LabExperiment>) {
        let branches = ExchangeBranches(main: mainTransport) { branch in
            // Same remote and credentials; the mirror may be shared (local values are kept per branch).
            try await LibGit2Transport(configuration: RemoteConfiguration(url: url, branch: branch, mirrorPath: mirror))
        }
        let group = try ExchangeGroup(key: ResourceKey(namespace: "lab", kind: "Experiment", name: "exp-1"))
        try await branches.start(group)  // the branch at main's tip; starting twice moves nothing
        let store = GitResourceStore<LabExperiment>(
            transport: try await branches.transport(for: group), resourceType: type, options: options)
        // … apply specs and write statuses through `store` as usual …
        let listing = try await branches.list()  // live and archived groups: one listing of the refs
        let moved = listing.moved(since: previousListing)  // the branches a follower fetches
        try await branches.archive(group)  // refs/giter/archive/<group>, then the branch goes
        try await branches.collect(BranchRetention(deleteArchivedAfter: .seconds(30 * 86_400)))
        return (group, listing, moved, store)
    }
}
