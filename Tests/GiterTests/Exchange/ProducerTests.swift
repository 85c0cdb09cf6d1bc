import Foundation
import Giter
import GiterTesting
import Testing

@Suite("Producer API over an in-memory remote")
struct ProducerTests {
    let exchange = Exchange()

    /// Writes a Ready status for every live report, as a consumer would.
    func completeAll(at date: Date = Date()) async throws {
        let consumer = exchange.consumerStore
        try await consumer.refresh()
        var writes: [ResourceWrite<Report>] = []
        for stored in try await consumer.list(.all) {
            var status = TestStatus()
            status.observedGeneration = stored.resource.metadata.generation
            status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Done"), now: date)
            writes.append(.status(stored.key, status, specDigest: stored.specDigest))
        }
        #expect(try await consumer.write(writes).outcomes.allSatisfy { $0 == .statusWritten })
    }

    @Test func statusChangesReportsOnlyNewStatuses() async throws {
        try await exchange.producer.apply([report("a"), report("b")])
        let clock = TestClock()
        let changes = exchange.producer.statusChanges(pollInterval: .seconds(1), clock: clock)
        let seen = try await withDeadline {
            try await withThrowingTaskGroup(of: [String].self) { group in
                group.addTask {
                    var seen: [String] = []
                    for try await stored in changes {
                        seen.append(stored.key.name)
                        if seen.count == 2 { break }
                    }
                    return seen
                }
                // The stream has listed what it knows and waits for its first poll.
                try await clock.waitForSleepers(1)
                try await completeAll()
                clock.advance(by: .seconds(1))
                return try await group.next() ?? []
            }
        }
        #expect(Set(seen) == ["a", "b"])
    }

    @Test func retentionArchivesOrDeletesWhatIsCompleteAndOldEnough() async throws {
        try await exchange.producer.apply([report("old"), report("recent"), report("pending")])
        let hourAgo = Date().addingTimeInterval(-3600)
        // "old" and "recent" complete, an hour ago; "pending" never.
        let consumer = exchange.consumerStore
        try await consumer.refresh()
        for name in ["old", "recent"] {
            let stored = try #require(try await consumer.get(report(name).key))
            var status = TestStatus()
            status.observedGeneration = 1
            status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Done"), now: name == "old" ? hourAgo : Date())
            _ = try await consumer.write(.status(stored.key, status, specDigest: stored.specDigest))
        }
        let archived = try await exchange.producer.collect(RetentionPolicy(action: .archive, after: .seconds(1800)))
        #expect(archived == [report("old").key: .archived])
        let deleted = try await exchange.producer.collect(RetentionPolicy(action: .delete))
        #expect(deleted == [report("recent").key: .deleted])
        #expect(try await exchange.producer.list().map(\.key.name) == ["pending"])
        #expect(try await exchange.producer.list(ResourceQuery(archived: true)).map(\.key.name) == ["old"])
    }

    @Test func waitTimesOutWithTheMissingResources() async throws {
        try await exchange.producer.apply([report("a")])
        let clock = TestClock()
        let producer = exchange.producer
        let outcome = try await withDeadline {
            try await withThrowingTaskGroup(of: ProducerError?.self) { group in
                group.addTask {
                    do {
                        _ = try await producer.wait(
                            for: report("a").key, timeout: .seconds(50), pollInterval: .seconds(5), clock: clock)
                        return nil
                    } catch let error as ProducerError {
                        return error
                    }
                }
                // Ten polls, five seconds apart, and the timeout has passed.
                for _ in 0..<10 {
                    try await clock.waitForSleepers(1)
                    clock.advance(by: .seconds(5))
                }
                return try await group.next() ?? nil
            }
        }
        let error = try #require(outcome, "the wait cannot succeed without a consumer")
        #expect(error.code == .timedOut)
        #expect(error.message.contains("reports/Report/a"))
        #expect(clock.now == TestClock.Instant(offset: .seconds(50)))
        do {
            _ = try await exchange.producer.wait(for: report("missing").key, timeout: .seconds(1), clock: clock)
            Issue.record("a missing resource cannot become Ready")
        } catch let error as ProducerError {
            #expect(error.code == .gone)
        }
    }
}
