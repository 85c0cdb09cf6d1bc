import Giter
import Testing

@Suite("ChangeNotifier")
struct ChangeNotifierTests {
    @Test func everySubscriberIsWokenAndHintsMergeIntoOne() async throws {
        let changes = ChangeNotifier()
        let first = changes.subscribe()
        let second = changes.subscribe()
        #expect(changes.subscriberCount == 2)
        changes.notify()
        changes.notify()
        changes.notify()
        changes.finish()
        var firstCount = 0
        for await _ in first { firstCount += 1 }
        var secondCount = 0
        for await _ in second { secondCount += 1 }
        // Three hints not yet taken are one element: never a backlog.
        #expect(firstCount == 1)
        #expect(secondCount == 1)
    }

    @Test func aHintBeforeTheSubscriptionIsNotReplayed() async throws {
        let changes = ChangeNotifier()
        changes.notify()
        let late = changes.subscribe()
        changes.finish()
        var count = 0
        for await _ in late { count += 1 }
        #expect(count == 0)
    }

    @Test func aDroppedSubscriptionIsRemovedAndOneAfterFinishEndsAtOnce() async throws {
        let changes = ChangeNotifier()
        try await withDeadline(.seconds(20)) {
            let task = Task {
                for await _ in changes.subscribe() {}
            }
            while changes.subscriberCount == 0 {
                try Task.checkCancellation()
                await Task.yield()
            }
            task.cancel()
            await task.value
            while changes.subscriberCount != 0 {
                try Task.checkCancellation()
                await Task.yield()
            }
        }
        changes.finish()
        var count = 0
        for await _ in changes.subscribe() { count += 1 }
        #expect(count == 0)
        #expect(changes.subscriberCount == 0)
    }
}
