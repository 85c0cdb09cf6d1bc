import Foundation
import Giter
import Testing

/// Every commit is judged, not the net change, against the contract and the
/// files in force at its parent.
@Suite("The ledger: history and the state in force")
struct LedgerHistoryTests {
    let key = ResourceKey.experiment("exp-1")

    func running() async throws -> History {
        var history = try await History()
        #expect(try await history.check(Who.alice, [.write(key, Files.resource("exp-1"))]).violations.isEmpty)
        #expect(
            try await history.check(Who.runner, [.write(key, Files.resource("exp-1", status: "Running"))]).violations
                .isEmpty
        )
        return history
    }

    @Test func emptyingAFileThenForgingTheSpecIsTwoViolations() async throws {
        var history = try await running()
        let original = Files.resource("exp-1", status: "Running")
        let emptied = try await history.commit(Who.runner, [.write(key, "[]\n")])
        let forged = try await history.commit(
            Who.runner,
            [.write(key, Files.resource("exp-1", image: "evil/miner:1", status: "Running"))]
        )
        let violations = try await history.walk()
        #expect(
            violations.seen == [
                Seen(.unreadable, key.repositoryPath, emptied), Seen(.role, key.repositoryPath, forged),
            ]
        )
        #expect(try await history.inForce(key) == original)
        #expect(try await history.atTip(key.repositoryPath) != original)
        // The consumer's next honest status, written over the forge, is judged against the original.
        let honest = try await history.check(Who.runner, [.write(key, Files.resource("exp-1", status: "Succeeded"))])
        #expect(honest.violations.isEmpty)
        #expect(try await history.inForce(key) == Files.resource("exp-1", status: "Succeeded"))
        #expect(history.ledger.state.pins.isEmpty)
    }

    @Test func aForgeRevertedInTheNextCommitIsStillAViolation() async throws {
        var history = try await running()
        let original = Files.resource("exp-1", status: "Running")
        let forged = try await history.commit(
            Who.runner,
            [.write(key, Files.resource("exp-1", image: "evil/miner:1", status: "Running"))]
        )
        let reverted = try await history.commit(Who.runner, [.write(key, original)])
        // Walked together, as a fetch of both would: the net change is nothing, the forge is still seen.
        let violations = try await history.walk()
        #expect(violations.seen == [Seen(.role, key.repositoryPath, forged)])
        #expect(history.ledger.state.commit == reverted)
        #expect(history.ledger.state.pins.isEmpty)
        #expect(try await history.inForce(key) == original)
    }

    @Test func aRevertByAnotherPartyChangesNothingInForce() async throws {
        var history = try await running()
        let original = Files.resource("exp-1", status: "Running")
        let forged = try await history.check(Who.mallory, [.write(key, "forged: true\n")])
        #expect(forged.violations.seen == [Seen(.notAMember, nil, forged.commit)])
        // The revert is the original file: nothing changes in force, so nothing is judged, whoever wrote it.
        let reverted = try await history.check(Who.runner, [.write(key, original)])
        #expect(reverted.violations.isEmpty)
        #expect(history.ledger.state.pins.isEmpty)
    }

    @Test func anHonestProducersLaterWriteMovesPastAForge() async throws {
        var history = try await running()
        let forged = try await history.check(
            Who.runner,
            [.write(key, Files.resource("exp-1", image: "evil/miner:1", status: "Running"))]
        )
        #expect(forged.violations.seen == [Seen(.role, key.repositoryPath, forged.commit)])
        // The producer writes its new spec from what is in force (status kept as it was).
        let update = Files.resource("exp-1", image: "lab/runner:2", status: "Running")
        let next = try await history.check(Who.alice, [.write(key, update)])
        #expect(next.violations.isEmpty)
        #expect(try await history.inForce(key) == update)
        #expect(history.ledger.state.pins.isEmpty)
    }

    /// The ledger sees only what a commit changes in the tree: an honest write
    /// whose bytes equal a forge already in the tree changes nothing there, so
    /// the file in force stays the one from before the forge. Reported to the
    /// lead; the writer (the store) has to make such a write visible.
    @Test func anHonestWriteEqualToAForgeInTheTreeTakesEffect() async throws {
        var history = try await running()
        let wanted = Files.resource("exp-1", image: "lab/runner:2", status: "Running")
        let forged = try await history.check(Who.runner, [.write(key, wanted)])
        #expect(forged.violations.seen == [Seen(.role, key.repositoryPath, forged.commit)])
        let honest = try await history.check(Who.alice, [.write(key, wanted)])
        #expect(honest.violations.isEmpty)
        withKnownIssue("an honest write with the forge's bytes is no change in the tree") {
            #expect(history.ledger.state.pins.isEmpty)
        }
    }

    @Test func aForgeOfOneFileLeavesTheCommitsOtherFilesOutOfForceToo() async throws {
        var history = try await running()
        let other = ResourceKey.experiment("exp-2")
        let mixed = try await history.check(
            Who.runner,
            [.write(key, Files.resource("exp-1", status: "Done")), .write(other, Files.resource("exp-2"))]
        )
        #expect(mixed.violations.seen == [Seen(.role, other.repositoryPath, mixed.commit)])
        #expect(try await history.inForce(key) == Files.resource("exp-1", status: "Running"))
        #expect(try await history.inForce(other) == nil)
        // The producer creating exp-2 afterwards is a creation in force, though the tree already has the file.
        let created = try await history.check(
            Who.alice,
            [.write(other, Files.resource("exp-2", image: "lab/runner:3"))]
        )
        #expect(created.violations.isEmpty)
        #expect(try await history.inForce(other) == Files.resource("exp-2", image: "lab/runner:3"))
    }

    @Test func aMergeCommitIsAViolation() async throws {
        var history = try await running()
        let base = history.tip
        let side = try await history.sideCommit(
            on: base,
            Who.alice,
            [.write(key, Files.resource("exp-1", image: "lab/runner:2", status: "Running"))]
        )
        let merge = try history.merge(
            side,
            by: Who.alice,
            [.write(key, Files.resource("exp-1", image: "lab/runner:2", status: "Running"))]
        )
        let violations = try await history.walk()
        #expect(violations.seen == [Seen(.mergeCommit, nil, merge)])
        #expect(try await history.inForce(key) == Files.resource("exp-1", status: "Running"))
        // The next commit on the branch follows the merge's first parent and is judged as usual.
        let next = try await history.check(
            Who.alice,
            [.write(key, Files.resource("exp-1", image: "lab/runner:3", status: "Running"))]
        )
        #expect(next.violations.isEmpty)
    }

    @Test func aConsumerPromotingItselfIsJudgedByTheParentsPolicy() async throws {
        var history = try await running()
        let promoted = Files.policyText.replacingOccurrences(
            of: "    - email: owner@lab.example",
            with: "    - email: owner@lab.example\n    - email: runner@testbed.example"
        )
        let promotion = try await history.check(Who.runner, [.write(Files.policy, promoted)])
        #expect(promotion.violations.seen == [Seen(.role, Files.policy, promotion.commit)])
        #expect(try await history.inForce(Files.policy) == Files.policyText)
        // The tree says admin; the policy in force still says consumer.
        let resource = try await history.check(
            Who.runner,
            [.write(key, Files.resource("exp-1", image: "evil/miner:1", status: "Running"))]
        )
        #expect(resource.violations.seen == [Seen(.role, key.repositoryPath, resource.commit)])
        let contract = try await history.check(
            Who.runner,
            [.write(".giter/crds/extra.yaml", Files.probeDefinitionText)]
        )
        #expect(contract.violations.seen == [Seen(.role, ".giter/crds/extra.yaml", contract.commit)])
    }

    @Test func aCommitNeverAuthorisesItsOwnAuthor() async throws {
        var history = try await running()
        let carol = Signature(name: "Carol", email: "carol@new.example")
        let joined = Files.policyText.replacingOccurrences(
            of: "    - email: alice@lab.example",
            with: "    - email: alice@lab.example\n    - email: carol@new.example"
        )
        let selfMade = try await history.check(
            carol,
            [.write(Files.policy, joined), .write(ResourceKey.experiment("exp-3"), Files.resource("exp-3"))]
        )
        #expect(selfMade.violations.seen == [Seen(.notAMember, nil, selfMade.commit)])
    }

    @Test func anAdminAddingAPartyGovernsTheNextCommit() async throws {
        var history = try await running()
        let carol = Signature(name: "Carol", email: "carol@new.example")
        let newKey = ResourceKey.experiment("exp-3", namespace: "new")
        // Before: carol is nobody.
        let early = try await history.check(carol, [.write(newKey, Files.resource("exp-3", namespace: "new"))])
        #expect(early.violations.seen == [Seen(.notAMember, nil, early.commit)])
        let added = Files.policyText.replacingOccurrences(
            of: "  - name: owners\n",
            with:
                "  - name: newlab\n    role: producer\n    namespaces: [\"new\"]\n    members:\n    - email: carol@new.example\n  - name: owners\n"
        )
        let admin = try await history.check(Who.owner, [.write(Files.policy, added)])
        #expect(admin.violations.isEmpty)
        #expect(try await history.inForce(Files.policy) == added)
        let later = try await history.check(carol, [.write(newKey, Files.resource("exp-3", namespace: "new"))])
        #expect(later.violations.isEmpty)
        // And only within what the new party covers.
        let outside = try await history.check(carol, [.write(ResourceKey.experiment("exp-4"), Files.resource("exp-4"))])
        #expect(
            outside.violations.seen == [Seen(.scope, ResourceKey.experiment("exp-4").repositoryPath, outside.commit)]
        )
    }

    @Test func anAdminCommittingAnUnreadablePolicyChangesNothing() async throws {
        var history = try await running()
        let broken = Files.policyText.replacingOccurrences(of: "unknownKinds: reject", with: "unknownKinds: sometimes")
        let commit = try await history.check(Who.owner, [.write(Files.policy, broken)])
        #expect(commit.violations.seen == [Seen(.contract, Files.policy, commit.commit)])
        #expect(commit.violations.first?.location != nil)
        #expect(try await history.inForce(Files.policy) == Files.policyText)
        // The policy in force still decides.
        let next = try await history.check(
            Who.alice,
            [.write(key, Files.resource("exp-1", image: "lab/runner:2", status: "Running"))]
        )
        #expect(next.violations.isEmpty)
        let definition = try await history.check(Who.owner, [.write(".giter/crds/bad.yaml", "kind: NotADefinition\n")])
        #expect(definition.violations.seen == [Seen(.contract, ".giter/crds/bad.yaml", definition.commit)])
        #expect(try await history.inForce(".giter/crds/bad.yaml") == nil)
        let twice = try await history.check(
            Who.owner,
            [.write(".giter/crds/more.yaml", Files.experimentDefinitionText)]
        )
        #expect(twice.violations.seen == [Seen(.contract, ".giter/crds/more.yaml", twice.commit)])
    }

    @Test func aContractInForceThatCannotBeReadAllowsNothing() async throws {
        var files = Files.contract
        files[Files.policy] = "apiVersion: giter.dev/v1alpha1\nkind: ExchangePolicy\nspec: [\n"
        var history = try await History(files)
        let commit = try await history.check(Who.alice, [.write(key, Files.resource("exp-1"))])
        #expect(commit.violations.seen == [Seen(.contract, Files.policy, commit.commit)])
        #expect(try await history.inForce(key) == nil)
    }
}
