import GiterTesting
import Testing

@Suite("TestClock")
struct TestClockTests {
    @Test func aSleeperWakesOnlyOnceTheClockReachesItsDeadline() async throws {
        let clock = TestClock()
        try await withDeadline {
            try await withThrowingTaskGroup(of: TestClock.Instant.self) { group in
                group.addTask {
                    try await clock.sleep(for: .seconds(10))
                    return clock.now
                }
                try await clock.waitForSleepers(1)
                #expect(clock.deadlines == [TestClock.Instant(offset: .seconds(10))])
                clock.advance(by: .seconds(9))
                #expect(clock.sleeperCount == 1, "one second early")
                clock.advance(by: .seconds(1))
                #expect(clock.sleeperCount == 0)
                #expect(try await group.next() == TestClock.Instant(offset: .seconds(10)))
            }
        }
    }

    @Test func advancingWakesEveryDueSleeperEarliestFirstAndLeavesTheRest() async throws {
        let clock = TestClock()
        let woken = try await withDeadline {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for seconds in [3, 1, 2, 7] {
                    group.addTask {
                        try await clock.sleep(until: TestClock.Instant(offset: .seconds(seconds)))
                        return seconds
                    }
                }
                try await clock.waitForSleepers(4)
                #expect(clock.deadlines.map(\.offset) == [.seconds(1), .seconds(2), .seconds(3), .seconds(7)])
                clock.advance(to: TestClock.Instant(offset: .seconds(5)))
                var woken: [Int] = []
                for _ in 0..<3 { woken.append(try await group.next() ?? 0) }
                #expect(clock.deadlines.map(\.offset) == [.seconds(7)])
                group.cancelAll()
                return woken
            }
        }
        #expect(Set(woken) == [1, 2, 3])
    }

    @Test func aDeadlineAlreadyReachedReturnsAtOnce() async throws {
        let clock = TestClock(now: TestClock.Instant(offset: .seconds(100)))
        try await clock.sleep(for: .zero)
        try await clock.sleep(until: TestClock.Instant(offset: .seconds(50)))
        #expect(clock.sleeperCount == 0)
        #expect(clock.now.offset == .seconds(100))
    }

    @Test func theClockNeverMovesBackward() {
        let clock = TestClock()
        clock.advance(by: .seconds(5))
        clock.advance(to: TestClock.Instant(offset: .seconds(2)))
        #expect(clock.now.offset == .seconds(5))
        #expect(TestClock.Instant(offset: .seconds(2)).duration(to: clock.now) == .seconds(3))
    }

    @Test func aCancelledSleeperThrowsAndStopsWaiting() async throws {
        let clock = TestClock()
        try await withDeadline {
            let sleeper = Task { try await clock.sleep(for: .seconds(60)) }
            try await clock.waitForSleepers(1)
            sleeper.cancel()
            await #expect(throws: CancellationError.self) { try await sleeper.value }
            #expect(clock.sleeperCount == 0)
        }
        // Cancelled before it starts to sleep: it throws at once.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(1))
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func waitingForSleepersEndsWhenCancelled() async throws {
        let clock = TestClock()
        let waiter = Task { try await clock.waitForSleepers(1) }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }

    @Test func copiesShareOneTimeLine() {
        let clock = TestClock()
        let copy = clock
        copy.advance(by: .seconds(3))
        #expect(clock.now.offset == .seconds(3))
    }
}
