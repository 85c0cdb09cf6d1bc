import Giter
import Testing

/// The server's guard: the branch only moves forward, every new commit is
/// judged (with the pusher the server names), other refs only as listed.
@Suite("The push guard")
struct PushGuardTests {
    let key = ResourceKey.experiment("exp-1")
    let branch = "refs/heads/main"

    /// The guard over `history`'s repository, with the branch at `tip` on the server.
    func guarding(_ history: History, at tip: ObjectID?, pusher: String? = nil) async throws -> PushGuard {
        if let tip { #expect(try await history.reader.updateReference(branch, to: tip, expecting: nil)) }
        return PushGuard(reader: history.reader, branch: "main", pusher: pusher)
    }

    @Test func honestCommitsFromBothSidesPass() async throws {
        var history = try await History()
        let old = history.tip
        try await history.commit(Who.alice, [.write(key, Files.resource("exp-1"))])
        try await history.commit(Who.runner, [.write(key, Files.resource("exp-1", status: "Running"))])
        let guardian = try await guarding(history, at: old, pusher: "ci-runner")
        #expect(try await guardian.check([RefUpdate(old: old, new: history.tip, name: branch)]).isEmpty)
    }

    @Test func aPushHoldingAForgeIsRefusedNamingTheCommit() async throws {
        var history = try await History()
        let old = history.tip
        try await history.commit(Who.alice, [.write(key, Files.resource("exp-1"))])
        let forged = try await history.commit(Who.runner, [.write(key, Files.resource("exp-1", image: "evil/miner:1"))])
        let reverted = try await history.commit(Who.runner, [.write(key, Files.resource("exp-1"))])
        let guardian = try await guarding(history, at: old, pusher: "ci-runner")
        let violations = try await guardian.check([RefUpdate(old: old, new: reverted, name: branch)])
        #expect(violations.seen == [Seen(.role, key.repositoryPath, forged)])
    }

    @Test func aNonFastForwardAndADeletionAreRefused() async throws {
        var history = try await History()
        let root = history.tip
        let tip = try await history.commit(Who.alice, [.write(key, Files.resource("exp-1"))])
        let rewritten = try await history.sideCommit(
            on: root,
            Who.alice,
            [.write(key, Files.resource("exp-1", image: "lab/runner:2"))]
        )
        let guardian = try await guarding(history, at: tip)
        let force = try await guardian.check([RefUpdate(old: tip, new: rewritten, name: branch)])
        #expect(force.seen == [Seen(.history, nil, rewritten)])
        let deletion = try await guardian.check([RefUpdate(old: tip, new: nil, name: branch)])
        #expect(deletion.seen == [Seen(.history, nil, tip)])
        // Another root entirely.
        let stranger = try await history.sideCommit(on: nil, Who.owner, [.write(Files.policy, Files.policyText)])
        let other = try await guardian.check([RefUpdate(old: tip, new: stranger, name: branch)])
        #expect(other.seen == [Seen(.history, nil, stranger)])
    }

    @Test func aNewBranchTrustsItsFirstCommitAndJudgesTheRest() async throws {
        var history = try await History()
        let honest = try await history.commit(Who.alice, [.write(key, Files.resource("exp-1"))])
        let guardian = try await guarding(history, at: nil)
        #expect(try await guardian.check([RefUpdate(old: nil, new: honest, name: branch)]).isEmpty)
        let forged = try await history.commit(
            Who.mallory,
            [.write(key, Files.resource("exp-1", image: "evil/miner:1"))]
        )
        let violations = try await guardian.check([RefUpdate(old: nil, new: forged, name: branch)])
        #expect(violations.seen == [Seen(.notAMember, nil, forged)])
        // A new branch of a single commit: the anchor alone.
        #expect(try await guardian.check([RefUpdate(old: nil, new: history.root, name: branch)]).isEmpty)
    }

    @Test func aMergeIsRefused() async throws {
        var history = try await History()
        let old = history.tip
        let side = try await history.sideCommit(on: old, Who.alice, [.write(key, Files.resource("exp-1"))])
        let merge = try history.merge(side, by: Who.alice, [.write(key, Files.resource("exp-1"))])
        let guardian = try await guarding(history, at: old)
        #expect(
            try await guardian.check([RefUpdate(old: old, new: merge, name: branch)]).seen == [
                Seen(.mergeCommit, nil, merge)
            ]
        )
    }

    @Test func otherRefsAreRefusedUnlessThePolicyListsThem() async throws {
        let history = try await History()
        let guardian = try await guarding(history, at: history.tip)
        #expect(try await guardian.check([RefUpdate(old: nil, new: history.tip, name: "refs/tags/v1")]).isEmpty)
        let feature = try await guardian.check([RefUpdate(old: nil, new: history.tip, name: "refs/heads/feature")])
        #expect(feature.seen == [Seen(.ref, nil, history.tip)])
        let deletion = try await guardian.check([RefUpdate(old: history.tip, new: nil, name: "refs/heads/feature")])
        #expect(deletion.seen == [Seen(.ref, nil, nil)])
    }

    @Test func withNoPolicyOnlyTheBranchIsAccepted() async throws {
        let history = try await History(["README.md": "# Exchange\n"])
        let guardian = try await guarding(history, at: history.tip)
        let tag = try await guardian.check([RefUpdate(old: nil, new: history.tip, name: "refs/tags/v1")])
        #expect(tag.seen == [Seen(.ref, nil, history.tip)])
    }

    @Test func aBadRefAmongGoodOnesRefusesThePush() async throws {
        var history = try await History()
        let old = history.tip
        try await history.commit(Who.alice, [.write(key, Files.resource("exp-1"))])
        let guardian = try await guarding(history, at: old)
        let violations = try await guardian.check([
            RefUpdate(old: old, new: history.tip, name: branch),
            RefUpdate(old: nil, new: history.tip, name: "refs/heads/other"),
        ])
        #expect(violations.seen == [Seen(.ref, nil, history.tip)])
    }

    @Test(arguments: [("ci-runner", true), ("mallory", false), (nil, false)] as [(String?, Bool)])
    func pushersNamedByThePolicyAreRequired(pusher: String?, allowed: Bool) async throws {
        var history = try await History()
        let old = history.tip
        try await history.commit(Who.alice, [.write(key, Files.resource("exp-1"))])
        let status = try await history.commit(Who.runner, [.write(key, Files.resource("exp-1", status: "Running"))])
        let guardian = try await guarding(history, at: old, pusher: pusher)
        let violations = try await guardian.check([RefUpdate(old: old, new: status, name: branch)])
        // The lab's member names no pushers: anyone may push its commits; the testbed's names ci-runner.
        #expect(violations.seen == (allowed ? [] : [Seen(.pusher, nil, status)]))
    }
}
