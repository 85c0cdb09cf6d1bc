import Foundation
import GitServerFixtures
import Giter
import Testing

/// The history rules: a linear branch that only moves forward, every
/// commit judged (not the net change of a push), other refs only as the
/// policy lists them.
extension GuardRuleTests {
    @Test(arguments: ToolBackend.allCases)
    func aMergeCommit(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            try await clone.git(["checkout", "--quiet", "-b", "side"])
            try clone.write(GuardedExchange.exp2.repositoryPath, GuardedExchange.experiment("exp-2"))
            try await clone.commit(as: .alice, "Create exp-2 on a side branch")
            try await clone.git(["checkout", "--quiet", "main"])
            let exp3 = ResourceKey(namespace: "lab", kind: "Experiment", name: "exp-3").repositoryPath
            try clone.write(exp3, GuardedExchange.experiment("exp-3"))
            try await clone.commit(as: .alice, "Create exp-3")
            try await clone.git(as: .alice, ["merge", "--quiet", "--no-ff", "--no-edit", "side"])
            let merge = try await clone.head()
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main"),
                [Seen(.mergeCommit, nil, merge)],
                refsBefore: before
            )
        }
    }

    /// A forge reverted by the next commit of the same push leaves the
    /// files as they were, and is still refused: every commit is judged.
    @Test(arguments: ToolBackend.allCases)
    func aForgeThenItsRevertInOnePush(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            let original = try clone.read(Self.exp1)
            try clone.write(Self.exp1, GuardedExchange.experiment("exp-1", image: "evil/miner:1"))
            let forged = try await clone.commit(as: .runner, "Forge the spec")
            try await clone.git(as: .runner, ["revert", "--no-edit", "HEAD"])
            #expect(try clone.read(Self.exp1) == original)
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main"),
                [Seen(.role, Self.exp1, forged)],
                refsBefore: before
            )
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aForcePush(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            try await clone.git(["reset", "--quiet", "--hard", "HEAD~1"])
            try clone.write(GuardedExchange.exp2.repositoryPath, GuardedExchange.experiment("exp-2"))
            let rewritten = try await clone.commit(as: .alice, "Create exp-2 instead of exp-1")
            let push = try await clone.push("HEAD:refs/heads/main", force: true)
            try await exchange.expectRefused(push, [Seen(.history, nil, rewritten)], refsBefore: before)
            #expect(push.stderr.contains("not a fast-forward of main"), "\(push.stderr)")
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aBranchDeletion(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let main = try #require(before["refs/heads/main"])
            let clone = try await exchange.clone()
            try await exchange.expectRefused(
                try await clone.push(":refs/heads/main"),
                [Seen(.history, nil, main)],
                refsBefore: before
            )
        }
    }

    /// `refs/tags/x` and `refs/heads/other` are not the exchange branch
    /// and the policy's `spec.refs` (`refs/tags/v*`) does not list them.
    @Test(arguments: ToolBackend.allCases, ["refs/tags/x", "refs/heads/other"])
    func aRefThePolicyDoesNotList(backend: ToolBackend, ref: String) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            let tip = try await clone.head()
            try await exchange.expectRefused(
                try await clone.push("HEAD:\(ref)"),
                [Seen(.ref, nil, tip)],
                refsBefore: before
            )
        }
    }

    @Test(arguments: ToolBackend.allCases)
    func aRefThePolicyLists(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let clone = try await exchange.clone()
            let tip = try await clone.head()
            let push = try await clone.push("HEAD:refs/tags/v1")
            #expect(push.succeeded, "\(push)")
            #expect(try await exchange.refs()["refs/tags/v1"] == tip)
        }
    }

    /// A bundle's acknowledgement (`refs/giter/acks/<site>`) may point at a
    /// commit of the exchange branch, and nowhere else; the policy need not list it.
    @Test(arguments: ToolBackend.allCases)
    func anAcknowledgementPointsIntoTheBranch(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let clone = try await exchange.clone()
            let tip = try await clone.head()
            let accepted = try await clone.push("HEAD:refs/giter/acks/field")
            #expect(accepted.succeeded, "\(accepted)")
            #expect(try await exchange.refs()["refs/giter/acks/field"] == tip)

            try clone.write("elsewhere.txt", "not on the branch\n")
            try await clone.commit(as: .alice, "Off the branch")
            let off = try await clone.head()
            let before = try await exchange.refs()
            try await exchange.expectRefused(
                try await clone.push("+HEAD:refs/giter/acks/field"), [Seen(.ref, nil, off)], refsBefore: before)
            try await exchange.expectRefused(
                try await clone.push("HEAD~1:refs/giter/acks/field/nested"), [Seen(.ref, nil, tip)], refsBefore: before)
        }
    }

    /// The one rewrite the guard accepts: a bundle import's rebase, where
    /// every dropped commit is written again by its author, naming it in a
    /// `Giter-Rebased-From` trailer. Another author's counterpart, or none,
    /// is a rewrite like any other.
    @Test(arguments: ToolBackend.allCases, [Person.alice, Person.bob])
    func aRebaseThatWritesEveryDroppedCommitAgain(backend: ToolBackend, author: Person) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let before = try await exchange.refs()
            let clone = try await exchange.clone()
            let dropped = try await clone.head()
            try await clone.git(["reset", "--quiet", "--hard", "HEAD~1"])
            try clone.write(GuardedExchange.exp2.repositoryPath, GuardedExchange.experiment("exp-2"))
            try await clone.commit(as: .alice, "Create exp-2, from the other site")
            try clone.write(Self.exp1, GuardedExchange.experiment("exp-1"))
            try await clone.git(["add", "--all"])
            try await clone.git(
                as: author, ["commit", "--quiet", "-m", "Create exp-1\n\n\(ExchangeBundle.rebasedFromTrailer): \(dropped)"])
            let rebased = try await clone.head()
            let push = try await clone.push("HEAD:refs/heads/main", force: true)
            if author.email == Person.alice.email {
                try await exchange.expectAccepted(push, main: rebased)
            } else {
                try await exchange.expectRefused(push, [Seen(.history, nil, rebased)], refsBefore: before)
            }
        }
    }
}
