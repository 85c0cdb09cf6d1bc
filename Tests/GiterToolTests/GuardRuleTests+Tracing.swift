import Foundation
import GitServerFixtures
import Giter
import Testing

/// `Giter-Traceparent` trailers (Documentation/Tracing.md) change nothing
/// the guard decides: commits with well-formed or garbage ones pass when
/// the contract allows their changes, and are refused when it does not.
extension GuardRuleTests {
    static let traced = """


        Giter-Traceparent: lab/Experiment/exp-1 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
        Giter-Traceparent: lab/Experiment/exp-2 00-zzzz
        Giter-Traceparent: ../../etc/passwd \(String(repeating: "f", count: 2000))
        """

    @Test(arguments: ToolBackend.allCases)
    func traceTrailersChangeNothingTheGuardDecides(backend: ToolBackend) async throws {
        try await GuardedExchange.with(.localPath, backend: backend) { exchange in
            let clone = try await exchange.clone()
            try clone.write(GuardedExchange.exp2.repositoryPath, GuardedExchange.experiment("exp-2"))
            let created = try await clone.commit(as: .alice, "Create exp-2" + Self.traced)
            try await exchange.expectAccepted(try await clone.push("HEAD:refs/heads/main"), main: created)

            try clone.write(Self.exp1, GuardedExchange.experiment("exp-1", status: "Running"))
            let status = try await clone.commit(as: .runner, "exp-1 is running" + Self.traced)
            try await exchange.expectAccepted(try await clone.push("HEAD:refs/heads/main"), main: status)

            let before = try await exchange.refs()
            try clone.write(Self.exp1, GuardedExchange.experiment("exp-1", image: "evil/miner:1", status: "Running"))
            let forged = try await clone.commit(as: .runner, "Forge the spec" + Self.traced)
            try await exchange.expectRefused(
                try await clone.push("HEAD:refs/heads/main"), [Seen(.role, Self.exp1, forged)], refsBefore: before)
        }
    }
}
