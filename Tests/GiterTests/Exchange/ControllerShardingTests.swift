import Giter
import GiterTesting
import Testing

/// Two controllers of one consumer that split the resources by shard: each
/// resource is reconciled by the replica that holds its shard, and by no
/// other; the status commits carry the shards' fencing tokens.
@Suite("Controller with shards")
struct ControllerShardingTests {
    @Test func eachResourceIsReconciledOnceByTheHolderOfItsShard() async throws {
        let exchange = Exchange()
        let names = (0..<16).map { "report-\($0)" }
        for name in names { try await exchange.producer.apply(report(name)) }
        let clock = TestClock()
        func replica(_ holder: String) throws -> (ShardCoordinator, GitResourceStore<Report>, ControllerOptions) {
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
        try await withController(exchange, secondReconciler, options: secondOptions, store: secondStore) { secondController in
            try await withController(exchange, firstReconciler, options: firstOptions, store: firstStore) { firstController in
                await firstController.waitUntilIdle()
                await secondController.waitUntilIdle()
            }
        }
        let firstKeys = firstReconciler.calls.map(\.key)
        let secondKeys = secondReconciler.calls.map(\.key)
        #expect(Set(firstKeys).count == firstKeys.count && Set(secondKeys).count == secondKeys.count, "reconciled once each")
        #expect(Set(firstKeys).isDisjoint(with: secondKeys))
        #expect(Set(firstKeys.map(\.name)).union(secondKeys.map(\.name)) == Set(names))
        #expect(firstKeys.allSatisfy { first.ownedShards.contains(first.shard(of: $0)) })
        #expect(secondKeys.allSatisfy { second.ownedShards.contains(second.shard(of: $0)) })
        #expect(!firstKeys.isEmpty && !secondKeys.isEmpty, "both replicas had work: \(firstKeys.count), \(secondKeys.count)")

        // Every status is written, under the tokens of the shards it belongs to.
        let transport = exchange.remote.transport()
        let tip = try #require(exchange.remote.tip())
        let history = try await transport.commits(from: tip, excluding: nil, limit: 100)
        let tokens = Set(history.flatMap { $0.trailers.filter { $0.key == CommitTrailers.lease }.map(\.value) })
        let expected = Set(
            firstKeys.compactMap { first.fencingToken(for: $0)?.trailerValue }
                + secondKeys.compactMap { second.fencingToken(for: $0)?.trailerValue })
        #expect(tokens == expected && !tokens.isEmpty, "\(tokens)")
        try await exchange.consumerStore.refresh()
        for name in names {
            let stored = try #require(try await exchange.consumerStore.get(report(name).key))
            #expect(stored.isStatusCurrent, "\(name) has no current status")
        }
    }
}
