import Giter
import GiterTesting
import Synchronization
import Testing

/// Two controllers of one consumer that split the resources by shard: each
/// resource is reconciled by the replica that holds its shard, and by no
/// other; the status commits carry the shards' fencing tokens.
@Suite("Controller with shards")
struct ControllerShardingTests {
    /// A consumer replica of `exchange` with a coordinator of 4 shards (at
    /// most 2 members, 15 s leases, rounds every 5 s on `clock`) that fences
    /// its store and shards its controller.
    static func replica(_ holder: String, of exchange: Exchange, clock: TestClock) throws
        -> (ShardCoordinator, GitResourceStore<Report>, ControllerOptions)
    {
        let coordinator = try ShardCoordinator(
            transport: exchange.remote.transport(),
            options: ShardCoordinator.Options(
                shards: 4, maxMembers: 2, holder: holder, duration: .seconds(15), roundInterval: .seconds(5)),
            clock: clock)
        var storeOptions = StoreOptions(identity: consumerIdentity, roles: namedRoles)
        storeOptions.fencing = coordinator
        var options = fastOptions
        options.sharding = coordinator
        return (coordinator, exchange.remote.store(for: Report.self, type: reportType, options: storeOptions), options)
    }

    @Test func eachResourceIsReconciledOnceByTheHolderOfItsShard() async throws {
        let exchange = Exchange()
        let names = (0..<16).map { "report-\($0)" }
        for name in names { try await exchange.producer.apply(report(name)) }
        let clock = TestClock()
        func replica(_ holder: String) throws -> (ShardCoordinator, GitResourceStore<Report>, ControllerOptions) {
            try Self.replica(holder, of: exchange, clock: clock)
        }
        let (first, firstStore, firstOptions) = try replica("first")
        let (second, secondStore, secondOptions) = try replica("second")
        // The split settles before the controllers run; their own rounds then renew it.
        for _ in 0..<4 {
            _ = try await first.round()
            _ = try await second.round()
            clock.advance(by: .seconds(5))
        }
        #expect(first.ownedShards.count == 2 && second.ownedShards.count == 2)
        #expect(first.ownedShards.isDisjoint(with: second.ownedShards))

        let firstReconciler = ScriptedReconciler()
        let secondReconciler = ScriptedReconciler()
        let ownedWhileRunning = Mutex<(first: Set<Int>, second: Set<Int>)>(([], []))
        let tokensWhileRunning = Mutex<[ResourceKey: String]>([:])
        try await withController(exchange, secondReconciler, options: secondOptions, store: secondStore) { secondController in
            try await withController(exchange, firstReconciler, options: firstOptions, store: firstStore) { firstController in
                await firstController.waitUntilIdle()
                await secondController.waitUntilIdle()
                ownedWhileRunning.withLock { $0 = (first.ownedShards, second.ownedShards) }
                for name in names {
                    let key = report(name).key
                    let token = first.fencingToken(for: key) ?? second.fencingToken(for: key)
                    tokensWhileRunning.withLock { $0[key] = token?.trailerValue }
                }
            }
        }
        let (firstOwned, secondOwned) = ownedWhileRunning.withLock { $0 }
        let firstKeys = firstReconciler.calls.map(\.key)
        let secondKeys = secondReconciler.calls.map(\.key)
        #expect(Set(firstKeys).count == firstKeys.count && Set(secondKeys).count == secondKeys.count, "reconciled once each")
        #expect(Set(firstKeys).isDisjoint(with: secondKeys))
        #expect(Set(firstKeys.map(\.name)).union(secondKeys.map(\.name)) == Set(names))
        #expect(firstKeys.allSatisfy { firstOwned.contains(first.shard(of: $0)) })
        #expect(secondKeys.allSatisfy { secondOwned.contains(second.shard(of: $0)) })
        #expect(!firstKeys.isEmpty && !secondKeys.isEmpty, "both replicas had work: \(firstKeys.count), \(secondKeys.count)")

        // Every status is written, under the tokens of the shards it belongs to.
        let transport = exchange.remote.transport()
        let tip = try #require(exchange.remote.tip())
        let history = try await transport.commits(from: tip, excluding: nil, limit: 100)
        let tokens = Set(history.flatMap { $0.trailers.filter { $0.key == CommitTrailers.lease }.map(\.value) })
        let expected = Set((firstKeys + secondKeys).compactMap { key in tokensWhileRunning.withLock { $0[key] } })
        #expect(tokens == expected && !tokens.isEmpty, "\(tokens)")
        try await exchange.consumerStore.refresh()
        for name in names {
            let stored = try #require(try await exchange.consumerStore.get(report(name).key))
            #expect(stored.isStatusCurrent, "\(name) has no current status")
        }

        // Both controllers stopped, and released their shards on the way:
        // a newcomer takes all of them within two rounds, long before the
        // 15 s terms would have run out.
        #expect(first.heldShards.isEmpty && second.heldShards.isEmpty, "\(first.heldShards) \(second.heldShards)")
        let (third, _, _) = try replica("third")
        for _ in 0..<2 where third.ownedShards.count < 4 {
            clock.advance(by: .seconds(5))
            _ = try await third.round()
        }
        #expect(third.ownedShards == [0, 1, 2, 3])
    }

    /// One replica stops while the other runs: the stopping one releases its
    /// shards, the other's coordinator (on the test clock) takes them at its
    /// next rounds, and its controller re-reads everything and reconciles
    /// the specs changed since in the shards it took.
    @Test func aRunningReplicaTakesOverTheShardsOfOneThatStopsAndReconcilesThem() async throws {
        let exchange = Exchange()
        let names = (0..<16).map { "report-\($0)" }
        for name in names { try await exchange.producer.apply(report(name)) }
        let clock = TestClock()
        func replica(_ holder: String) throws -> (ShardCoordinator, GitResourceStore<Report>, ControllerOptions) {
            try Self.replica(holder, of: exchange, clock: clock)
        }
        let (first, firstStore, firstOptions) = try replica("first")
        let (second, secondStore, secondOptions) = try replica("second")
        for _ in 0..<4 {
            _ = try await first.round()
            _ = try await second.round()
            clock.advance(by: .seconds(5))
        }
        let firstShards = first.ownedShards
        #expect(firstShards.count == 2 && second.ownedShards.count == 2)

        let secondReconciler = ScriptedReconciler()
        try await withController(exchange, secondReconciler, options: secondOptions, store: secondStore) { secondController in
            try await withController(exchange, ScriptedReconciler(), options: firstOptions, store: firstStore) { firstController in
                await firstController.waitUntilIdle()
                await secondController.waitUntilIdle()
            }
            // The first stopped and released its shards; the specs change.
            #expect(first.heldShards.isEmpty)
            for name in names { try await exchange.producer.apply(report(name, schedule: "0 3 * * *")) }
            // The second's rounds run on the test clock: each advance lets one run, then it sleeps again
            // until one round interval later (the controller may have other sleepers: the coordinator's
            // next deadline is what says its round ended).
            // Two rounds (10 s) are well inside the 15 s the released terms would have run.
            for _ in 0..<2 where second.ownedShards.count < 4 {
                try await clock.waitForSleepers(1)
                clock.advance(by: .seconds(5))
                let next = clock.now.advanced(by: .seconds(5))
                let limit = ContinuousClock.now.advanced(by: .seconds(30))
                while !clock.deadlines.contains(next), ContinuousClock.now < limit { await Task.yield() }
                try #require(clock.deadlines.contains(next), "the second's shard round did not end within 30 s")
            }
            #expect(second.ownedShards == [0, 1, 2, 3], "\(second.ownedShards)")
            secondController.trigger()
            await secondController.waitUntilIdle()
        }
        // Every resource's new spec was reconciled by the second, those of the shards it took included.
        let changed = Set(secondReconciler.calls.filter { $0.schedule == "0 3 * * *" }.map(\.key.name))
        #expect(changed == Set(names), "missing: \(Set(names).subtracting(changed).sorted())")
        let taken = names.filter { firstShards.contains(second.shard(of: report($0).key)) }
        #expect(!taken.isEmpty && taken.allSatisfy(changed.contains))
    }
}
