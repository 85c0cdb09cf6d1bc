import Foundation
import GitServerFixtures
import Giter
import Testing

/// The guard behind real servers — git daemon, smart HTTP and SSH — on
/// both of its backends: a valid push passes, a forged one is refused with
/// the guard's lines reaching the client, and so is a force-push; no
/// refused push moves a ref. (Every rule is exercised over a local path in
/// ``GuardRuleTests``.) Under `GITER_STRICT_TESTS=1` a missing server
/// fails the test.
@Suite("The guard behind real servers", .timeLimit(.minutes(3)))
struct GuardRuleServerTests {
    typealias Seen = Rejection.Seen

    @Test(arguments: [GuardRemote.gitDaemon, .smartHTTP, .ssh], ToolBackend.allCases)
    func oneGoodOneForgedOneForced(remote: GuardRemote, backend: ToolBackend) async throws {
        try await GuardedExchange.with(remote, backend: backend) { exchange in
            let exp1 = GuardedExchange.exp1.repositoryPath
            let clone = try await exchange.clone()
            try clone.write(GuardedExchange.exp2.repositoryPath, GuardedExchange.experiment("exp-2"))
            let created = try await clone.commit(as: .alice, "Create exp-2")
            try await exchange.expectAccepted(try await clone.push("HEAD:refs/heads/main"), main: created)

            let before = try await exchange.refs()
            try clone.write(exp1, GuardedExchange.experiment("exp-1", image: "evil/miner:1"))
            let forged = try await clone.commit(as: .runner, "Forge the spec")
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main"),
                [Seen(.role, exp1, forged)],
                refsBefore: before
            )

            try await clone.git(["reset", "--quiet", "--hard", "HEAD~2"])
            try clone.write(exp1, GuardedExchange.experiment("exp-1", image: "lab/runner:2"))
            let rewritten = try await clone.commit(as: .alice, "Rewrite history")
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main", force: true),
                [Seen(.history, nil, rewritten)],
                refsBefore: before
            )
        }
    }
}
