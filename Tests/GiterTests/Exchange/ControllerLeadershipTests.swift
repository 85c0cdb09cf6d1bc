import Giter
import GiterTesting
import Testing

/// Two controllers of one consumer with a leader election: only the
/// leader reconciles; when it stops, the standby takes over once the test
/// clock passes the lease's duration, and writes under the next generation.
@Suite("Controller with a leader election")
struct ControllerLeadershipTests {
    @Test func onlyTheLeaderReconcilesAndTheStandbyTakesOverWhenItStops() async throws {
        let exchange = Exchange()
        try await exchange.producer.apply(report("a"))
        let clock = TestClock()
        func replica(_ holder: String) throws -> (LeaderElection, GitResourceStore<Report>, ControllerOptions) {
            let election = try LeaderElection(
                transport: exchange.remote.transport(),
                options: LeaderElection.Options(name: "consumer", holder: holder, duration: .seconds(15)), clock: clock)
            var storeOptions = StoreOptions(identity: consumerIdentity, roles: namedRoles)
            storeOptions.fencing = election
            var options = fastOptions
            options.leaderElection = election
            return (election, exchange.remote.store(for: Report.self, type: reportType, options: storeOptions), options)
        }
        let (electionA, storeA, optionsA) = try replica("a")
        let (electionB, storeB, optionsB) = try replica("b")
        // The first replica takes the lease before either controller runs.
        #expect(try await electionA.attempt() == .leader(generation: 1))
        let reconcilerA = ScriptedReconciler()
        let reconcilerB = ScriptedReconciler()

        try await withController(exchange, reconcilerB, options: optionsB, store: storeB) { _ in
            try await withController(exchange, reconcilerA, options: optionsA, store: storeA) { controllerA in
                await reconcilerA.waitForCalls(1)
                await controllerA.waitUntilIdle()
            }
            #expect(reconcilerA.calls.map(\.key.name) == ["a"])
            #expect(reconcilerB.calls.isEmpty, "the standby reconciles nothing while the leader holds the lease")
            #expect(try await Self.lastMessage(exchange).contains("Giter-Lease: consumer generation=1"))

            // The leader stopped: nobody renews. The standby's rounds sleep on the test clock.
            try await exchange.producer.apply(report("b"))
            while electionB.leaderGeneration == nil {
                try await clock.waitForSleepers(1)
                clock.advance(by: .seconds(5))
            }
            await reconcilerB.waitForCalls(1)
        }
        #expect(reconcilerB.calls.map(\.key.name).contains("b"))
        #expect(electionB.leaderGeneration == 2 || electionB.leaderGeneration == nil)
        #expect(try await Self.lastMessage(exchange).contains("Giter-Lease: consumer generation=2"))
    }

    @Test func aStoreWithFencingWritesNothingWithoutTheLease() async throws {
        let exchange = Exchange()
        try await exchange.producer.apply(report("a"))
        let election = try LeaderElection(
            transport: exchange.remote.transport(), options: LeaderElection.Options(holder: "nobody"), clock: TestClock())
        var options = StoreOptions(identity: consumerIdentity, roles: namedRoles)
        options.fencing = election
        let store = exchange.remote.store(for: Report.self, type: reportType, options: options)
        let tip = exchange.remote.tip()
        try await store.refresh()
        let stored = try #require(try await store.get(report("a").key))
        let outcome = try await store.write(.status(report("a").key, readyStatus(), specDigest: stored.specDigest))
        guard case .notApplied(let reason) = outcome else {
            Issue.record("a store without the lease wrote: \(outcome)")
            return
        }
        #expect(reason.contains("does not hold the lease"))
        #expect(exchange.remote.tip() == tip)
    }

    static func lastMessage(_ exchange: Exchange) async throws -> String {
        let transport = exchange.remote.transport()
        let tip = try #require(exchange.remote.tip())
        return try #require(try await transport.commits(from: tip, excluding: nil, limit: 1).first).message
    }
}
