import Foundation
import GitServerFixtures
import Giter
import Testing

/// What the contract allows passes the guard: plain `git push`es from
/// each side, and an admin changing the policy.
extension GuardRuleTests {
    @Test(arguments: ToolBackend.allCases)
    func theProducerAndTheConsumerPass(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let clone = try await exchange.clone()
            try clone.write(GuardedExchange.exp2.repositoryPath, GuardedExchange.experiment("exp-2"))
            let created = try await clone.commit(as: .alice, "Create exp-2")
            try await exchange.expectAccepted(try await clone.push("HEAD:refs/heads/main"), main: created)

            // The consumer appends a status: no byte outside it changes.
            try clone.write(Self.exp1, GuardedExchange.experiment("exp-1", status: "Running"))
            let status = try await clone.commit(as: .runner, "exp-1 is running")
            try await exchange.expectAccepted(try await clone.push("HEAD:refs/heads/main"), main: status)
        }
    }

    /// The admin adds party `team-b`; Bob's commit after it, in the same
    /// push, is judged by the policy its parent holds, and passes.
    @Test(arguments: ToolBackend.allCases)
    func anAdminAddingAParty(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let clone = try await exchange.clone()
            try clone.write(GuardedExchange.policyPath, GuardedExchange.policyWithTeamB)
            try await clone.commit(as: .owner, "Add party team-b")
            let key = ResourceKey(namespace: "team-b", kind: "Experiment", name: "exp-b")
            try clone.write(key.repositoryPath, GuardedExchange.experiment("exp-b", namespace: "team-b"))
            let created = try await clone.commit(as: .bob, "Create team-b/exp-b")
            try await exchange.expectAccepted(try await clone.push("HEAD:refs/heads/main"), main: created)
        }
    }
}
