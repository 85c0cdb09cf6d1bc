import Foundation
import Giter
import GiterTesting
import Logging
import Synchronization
import Testing

extension ElectionLab {
    func coordinator(
        _ holder: String, clock: TestClock, shards: Int = 4, duration: Duration = .seconds(15)
    ) async throws -> ShardCoordinator {
        var logger = Logger(label: "giter.test.shards.\(holder)")
        logger.logLevel = .error
        return try ShardCoordinator(
            transport: try await transport(holder),
            options: ShardCoordinator.Options(
                shards: shards, maxMembers: 4, holder: holder, duration: duration, roundInterval: .seconds(5)),
            clock: clock, logger: logger)
    }
}

/// Dynamic sharding on a test clock: replicas split the shards, a newcomer
/// gets its share only once the others drained what they give up, and a
/// dead replica's shards are taken over within one lease period. After
/// every round, no shard has two holders.
@Suite("Shard coordinator", .timeLimit(.minutes(3)))
struct ShardCoordinatorTests {
    /// Fails when a shard is held by two replicas at once (a holder giving
    /// a shard up still holds it: it may still write what it drains).
    static func expectOneHolderPerShard(
        _ replicas: [ShardCoordinator], sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        for shard in 0..<replicas[0].options.shards {
            let holders = replicas.filter { $0.heldShards.contains(shard) }.map(\.options.holder)
            #expect(holders.count <= 1, "shard \(shard) is held by \(holders)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: ElectionSubject.allCases)
    func aJoiningReplicaGetsItsShareOnceTheOtherDrainedIt(subject: ElectionSubject) async throws {
        try await withElectionLab(subject) { lab in
            let clock = TestClock()
            let first = try await lab.coordinator("first", clock: clock)
            let second = try await lab.coordinator("second", clock: clock)
            let alone = try await first.round()
            #expect(alone.members == 1 && alone.owned == [0, 1, 2, 3], "\(alone)")

            // The first still runs something in shard 3: it stops starting
            // reconciles there but keeps the lease until that is done.
            let busy = Mutex<Set<Int>>([3])
            let drained: @Sendable (Int) async -> Bool = { shard in !busy.withLock { $0.contains(shard) } }
            let key = try #require((0..<1000).lazy.map { ResourceKey(namespace: "lab", kind: "Report", name: "r-\($0)") }
                .first { first.shard(of: $0) == 3 })
            for _ in 0..<4 {
                clock.advance(by: .seconds(5))
                _ = try await second.round()
                Self.expectOneHolderPerShard([first, second])
                _ = try await first.round(isDrained: drained)
                Self.expectOneHolderPerShard([first, second])
            }
            #expect(first.heldShards == [0, 1, 3] && first.ownedShards == [0, 1], "shard 3 is being given up")
            #expect(!first.owns(key) && first.fencingToken(for: key) != nil, "no new reconcile, but its status may be written")
            #expect(second.heldShards == [2])

            busy.withLock { $0 = [] }
            for _ in 0..<3 {
                clock.advance(by: .seconds(5))
                _ = try await first.round(isDrained: drained)
                Self.expectOneHolderPerShard([first, second])
                _ = try await second.round()
                Self.expectOneHolderPerShard([first, second])
            }
            #expect(first.ownedShards == [0, 1] && second.ownedShards == [2, 3])
            #expect(second.owns(key) && first.fencingToken(for: key) == nil)
            #expect(second.fencingToken(for: key) == FencingToken(lease: "consumer-shard-3", generation: 2))
        }
    }

    @Test(arguments: ElectionSubject.allCases)
    func aDeadReplicasShardsAreTakenOverWithinOneLeasePeriod(subject: ElectionSubject) async throws {
        try await withElectionLab(subject) { lab in
            let clock = TestClock()
            let replicas = try await ["a", "b", "c"].asyncMap { try await lab.coordinator($0, clock: clock, shards: 6) }
            var elapsed = Duration.zero
            func roundOfAll(_ live: [ShardCoordinator]) async throws {
                clock.advance(by: .seconds(5))
                elapsed += .seconds(5)
                for replica in live {
                    _ = try await replica.round()
                    Self.expectOneHolderPerShard(replicas)
                }
            }
            for _ in 0..<6 { try await roundOfAll(replicas) }
            #expect(replicas.map(\.ownedShards.count) == [2, 2, 2], "\(replicas.map(\.ownedShards))")

            // "a" dies: it renews nothing from now on.
            let dead = replicas[0]
            #expect(dead.heldShards.count == 2)
            let diedAt = elapsed
            var takenAt: Duration?
            while takenAt == nil && elapsed < diedAt + .seconds(60) {
                try await roundOfAll(Array(replicas.dropFirst()))
                if replicas[1].ownedShards.union(replicas[2].ownedShards) == Set(0..<6) { takenAt = elapsed }
            }
            let taken = try #require(takenAt, "the survivors never took every shard")
            #expect(dead.heldShards.isEmpty, "the dead replica's terms ended on its own clock")
            // Its last renewal was at `diedAt`; its leases ran out 15 s later, and were taken within two rounds after that.
            #expect(taken - (diedAt + .seconds(15)) <= .seconds(10), "taken over at \(taken - diedAt) after the last renewal")
            #expect(replicas[1].ownedShards.count == 3 && replicas[2].ownedShards.count == 3)
        }
    }

    @Test(arguments: ElectionSubject.allCases)
    func aStoppingReplicasShardsAreTakenAtTheNextRoundNotAfterItsTerms(subject: ElectionSubject) async throws {
        try await withElectionLab(subject) { lab in
            let clock = TestClock()
            let first = try await lab.coordinator("first", clock: clock)
            let second = try await lab.coordinator("second", clock: clock)
            for _ in 0..<6 {
                clock.advance(by: .seconds(5))
                _ = try await first.round()
                _ = try await second.round()
                Self.expectOneHolderPerShard([first, second])
            }
            #expect(first.ownedShards.count == 2 && second.ownedShards.count == 2)

            // The first stops: it releases its shards and its member lease.
            await first.releaseAll()
            #expect(first.heldShards.isEmpty && first.ownedShards.isEmpty)
            // Two rounds of 5 s, well inside the 15 s the terms would have run.
            for _ in 0..<2 {
                clock.advance(by: .seconds(5))
                let round = try await second.round()
                Self.expectOneHolderPerShard([first, second])
                if round.owned.count == 4 { break }
            }
            #expect(second.ownedShards == [0, 1, 2, 3], "taken within two rounds of the release: \(second.ownedShards)")
            let key = ResourceKey(namespace: "lab", kind: "Report", name: "r-1")
            #expect(second.fencingToken(for: key)?.generation == 2, "a new term of the shard, under the next generation")
        }
    }

    @Test func keysSpreadOverTheShardsByTheirNamesHash() throws {
        let coordinator = try ShardCoordinator(
            transport: InMemoryRemote().transport(), options: ShardCoordinator.Options(shards: 16, holder: "x"),
            clock: TestClock())
        var counts = [Int](repeating: 0, count: 16)
        for index in 0..<16_000 {
            let key = ResourceKey(namespace: "ns-\(index % 7)", kind: "Report", name: "report-\(index)")
            counts[coordinator.shard(of: key)] += 1
            // The namespace and kind do not move a name to another shard.
            #expect(coordinator.shard(of: key) == coordinator.shard(of: ResourceKey(namespace: "x", kind: "Y", name: key.name)))
        }
        #expect(counts.allSatisfy { (800...1200).contains($0) }, "\(counts)")
        // Names that differ only in their last characters spread too.
        var similar = [Int](repeating: 0, count: 16)
        for index in 0..<160 { similar[coordinator.shard(of: ResourceKey(namespace: "lab", kind: "Report", name: "run-\(index)"))] += 1 }
        #expect(similar.allSatisfy { (2...20).contains($0) }, "\(similar)")
        #expect(throws: LeaseError.self) {
            try ShardCoordinator(
                transport: InMemoryRemote().transport(), options: ShardCoordinator.Options(shards: 0), clock: TestClock())
        }
    }
}
