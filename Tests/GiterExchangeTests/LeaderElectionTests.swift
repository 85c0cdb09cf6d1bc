import Foundation
import GitServerFixtures
import Giter
import GiterTesting
import Logging
import Testing

/// What an election runs over: a bare repository on this machine through
/// one backend, or the in-memory remote.
enum ElectionSubject: Sendable, CustomTestStringConvertible, CaseIterable {
    case git(Backend)
    case inMemory

    static let allCases: [ElectionSubject] = Backend.allCases.map { .git($0) } + [.inMemory]

    var testDescription: String {
        switch self {
        case .git(let backend): "\(backend)"
        case .inMemory: "in-memory"
        }
    }
}

/// Replicas of one remote, each with its own mirror.
struct ElectionLab: Sendable {
    let subject: ElectionSubject
    let folder: URL
    let memory: InMemoryRemote

    var url: String { folder.appendingPathComponent("exchange.git").path }

    func transport(_ mirror: String) async throws -> any Transport {
        switch subject {
        case .git(let backend):
            try await backend.open(
                RemoteConfiguration(
                    url: url, branch: "main", mirrorPath: folder.appendingPathComponent("mirror-\(mirror)").path))
        case .inMemory:
            memory.transport()
        }
    }

    func election(_ holder: String, clock: TestClock, duration: Duration = .seconds(15)) async throws -> LeaderElection {
        var logger = Logger(label: "giter.test.lease.\(holder)")
        logger.logLevel = .error
        return try LeaderElection(
            transport: try await transport(holder),
            options: LeaderElection.Options(name: "consumer", holder: holder, duration: duration),
            clock: clock, logger: logger)
    }
}

func withElectionLab(_ subject: ElectionSubject, _ body: (ElectionLab) async throws -> Void) async throws {
    let folder = try TemporaryDirectory(prefix: "giter-lease")
    defer { folder.remove() }
    if case .git = subject {
        _ = try await BareRepository.create(at: folder.url.appendingPathComponent("exchange.git"), seeded: true)
    }
    try await body(ElectionLab(subject: subject, folder: folder.url, memory: InMemoryRemote()))
}

/// Leader election on a test clock: nothing sleeps; expiry is reached by
/// advancing the clock, and judged by each replica's own observations.
@Suite("Leader election", .timeLimit(.minutes(2)))
struct LeaderElectionTests {
    @Test(arguments: ElectionSubject.allCases)
    func oneLeaderAndTakeoverOnlyAfterTheStandbyObservedAFullDuration(subject: ElectionSubject) async throws {
        try await withElectionLab(subject) { lab in
            let clock = TestClock()
            let first = try await lab.election("first", clock: clock)
            let second = try await lab.election("second", clock: clock)
            #expect(try await first.attempt() == .leader(generation: 1))

            // The record is 100 s old when the standby first reads it: it
            // still waits a full duration from its own first observation.
            clock.advance(by: .seconds(100))
            #expect(first.leaderGeneration == nil, "a term ends on the holder's clock too")
            #expect(try await second.attempt() == .standby(holder: "first", generation: 1))
            clock.advance(by: .seconds(14))
            #expect(try await second.attempt() == .standby(holder: "first", generation: 1))

            // The first renews (t = 114): a new value, so the standby's wait starts again.
            #expect(try await first.attempt() == .leader(generation: 1))
            clock.advance(by: .seconds(1))
            #expect(try await second.attempt() == .standby(holder: "first", generation: 1))
            clock.advance(by: .seconds(13))
            #expect(try await second.attempt() == .standby(holder: "first", generation: 1))
            #expect(first.leaderGeneration == 1, "t = 128: within the first's term")

            // No renewal for a full duration since the standby saw the last one: it takes over.
            clock.advance(by: .seconds(2))
            #expect(first.leaderGeneration == nil, "the old leader's term ended (t = 129) before the takeover")
            #expect(try await second.attempt() == .leader(generation: 2))
            #expect(try await first.attempt() == .standby(holder: "second", generation: 2))
            #expect(try await second.attempt() == .leader(generation: 2), "the new leader renews")
        }
    }

    @Test(arguments: ElectionSubject.allCases)
    func aLostCompareAndSwapLeavesOneLeader(subject: ElectionSubject) async throws {
        try await withElectionLab(subject) { lab in
            let clock = TestClock()
            let replicas = try await (0..<3).asyncMap { try await lab.election("replica-\($0)", clock: clock) }
            // All read "no lease" and race to create it: exactly one wins.
            let standings = try await withThrowingTaskGroup(of: LeaderElection.Standing.self) { group in
                for replica in replicas { group.addTask { try await replica.attempt() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(standings.filter { if case .leader = $0 { true } else { false } }.count == 1, "\(standings)")
            #expect(replicas.compactMap(\.leaderGeneration) == [1])
            // Taking over an expired lease races too: one of the two standbys wins, at generation 2.
            let leader = try #require(replicas.first { $0.leaderGeneration != nil })
            let standbys = replicas.filter { $0 !== leader }
            for standby in standbys { _ = try await standby.attempt() }
            clock.advance(by: .seconds(15))
            let takeovers = try await withThrowingTaskGroup(of: LeaderElection.Standing.self) { group in
                for standby in standbys { group.addTask { try await standby.attempt() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(takeovers.filter { $0 == .leader(generation: 2) }.count == 1, "\(takeovers)")
        }
    }

    @Test(arguments: ElectionSubject.allCases)
    func anUnreadableLeaseIsNeverTakenOver(subject: ElectionSubject) async throws {
        try await withElectionLab(subject) { lab in
            let clock = TestClock()
            let writer = try await lab.transport("vandal")
            let name = try RemoteReferenceName.lease("consumer")
            let bogus = try await writer.createCommit(
                CommitRequest(
                    parent: nil, edits: [], author: Signature(name: "v", email: "v@example.com"), message: "lease consumer",
                    trailers: [Trailer(LeaseRecord.Keys.holder, "someone"), Trailer(LeaseRecord.Keys.generation, "x")]))
            #expect(try await writer.pushReference(name, to: bogus, expecting: nil) == .pushed(bogus))
            let replica = try await lab.election("replica", clock: clock)
            let error = await #expect(throws: LeaseError.self) { try await replica.attempt() }
            #expect(error?.code == .unreadable)
            #expect(error?.message.contains("git update-ref -d refs/giter/leases/consumer") == true)
            clock.advance(by: .seconds(60))
            await #expect(throws: LeaseError.self) { try await replica.attempt() }
            #expect(replica.leaderGeneration == nil)
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
