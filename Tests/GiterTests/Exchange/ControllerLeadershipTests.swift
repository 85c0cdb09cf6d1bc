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

    /// A fence that gives fixed tokens by key name (as a shard coordinator
    /// would, one lease per shard), to set up a replica whose term lapsed.
    struct FixedFence: WriteFence {
        var tokens: [String: FencingToken]
        func fencingToken(for key: ResourceKey) -> FencingToken? { tokens[key.name] }
        func refusal(for key: ResourceKey) -> String { "no token for \(key.name)" }
    }

    @Test func aTokenBehindTheHistoryLeavesOutOnlyItsOwnWritesOfABatch() async throws {
        let exchange = Exchange()
        try await exchange.producer.apply(report("a"))
        try await exchange.producer.apply(report("b"))
        func store(_ tokens: [String: FencingToken]) -> GitResourceStore<Report> {
            var options = StoreOptions(identity: consumerIdentity, roles: namedRoles)
            options.fencing = FixedFence(tokens: tokens)
            return exchange.remote.store(for: Report.self, type: reportType, options: options)
        }
        // The new holder of shard A writes under generation 2.
        let newHolder = store(["a": FencingToken(lease: "consumer-shard-a", generation: 2)])
        try await newHolder.refresh()
        let a = try #require(try await newHolder.get(report("a").key))
        #expect(try await newHolder.write(.status(report("a").key, readyStatus(), specDigest: a.specDigest)) == .statusWritten)
        // The old holder, whose term lapsed, still has generation 1 of A, and holds B.
        let oldHolder = store([
            "a": FencingToken(lease: "consumer-shard-a", generation: 1),
            "b": FencingToken(lease: "consumer-shard-b", generation: 1),
        ])
        try await oldHolder.refresh()
        let b = try #require(try await oldHolder.get(report("b").key))
        let result = try await oldHolder.write([
            .status(report("a").key, readyStatus(), specDigest: a.specDigest),
            .status(report("b").key, readyStatus(), specDigest: b.specDigest),
        ])
        guard case .notApplied(let reason) = result.outcomes[0] else {
            Issue.record("the write under a token behind the history went out: \(result.outcomes[0])")
            return
        }
        #expect(reason.contains("generation 2 of the lease consumer-shard-a"), "\(reason)")
        #expect(result.outcomes[1] == .statusWritten, "the other shard's write goes on: \(result.outcomes[1])")
        let message = try await Self.lastMessage(exchange)
        #expect(message.contains("Giter-Lease: consumer-shard-b generation=1") && !message.contains("consumer-shard-a"))
        // Readers accept the commit (one carrying A's old token would be refused whole).
        try await exchange.consumerStore.refresh()
        #expect(try await exchange.consumerStore.get(report("b").key)?.resource.status?.url == "https://example.com/done")
    }

    static func lastMessage(_ exchange: Exchange) async throws -> String {
        let transport = exchange.remote.transport()
        let tip = try #require(exchange.remote.tip())
        return try #require(try await transport.commits(from: tip, excluding: nil, limit: 1).first).message
    }
}
