@testable import Giter
import Testing

@Suite("Work queue and backoff")
struct WorkQueueTests {
    let a = ResourceKey(namespace: "n", kind: "K", name: "a")
    let b = ResourceKey(namespace: "n", kind: "K", name: "b")

    @Test func keysAreQueuedOnceAndInOrder() {
        var queue = WorkQueue()
        queue.add(a)
        queue.add(b)
        queue.add(a)
        #expect(queue.depth == 2)
        #expect(queue.take() == a)
        #expect(queue.take() == b)
        #expect(queue.take() == nil)
    }

    @Test func aKeyAddedWhileProcessingComesBackAfterwardsNotBefore() {
        var queue = WorkQueue()
        queue.add(a)
        #expect(queue.take() == a)
        queue.add(a)
        #expect(queue.take() == nil, "never two of one key at once")
        queue.done(a)
        #expect(queue.take() == a)
        queue.done(a)
        #expect(queue.take() == nil)
        #expect(queue.processing.isEmpty)
    }

    @Test func aDrainedQueueGivesBackTheStorageOfABurst() {
        var queue = WorkQueue()
        let keys = (0..<5_000).map { ResourceKey(namespace: "n", kind: "K", name: "k\($0)") }
        for key in keys { queue.add(key) }
        queue.add(keys[7])
        #expect(queue.depth == 5_000)
        var taken: [ResourceKey] = []
        while let key = queue.take() {
            taken.append(key)
            queue.done(key)
        }
        #expect(taken == keys, "every key once, in order")
        #expect(queue.ready.capacity <= WorkQueue.keptCapacity)
        // Still a working queue afterwards.
        queue.add(b)
        queue.add(a)
        queue.add(b)
        #expect(queue.take() == b)
        #expect(queue.take() == a)
        #expect(queue.take() == nil)
    }

    @Test func backoffDoublesUpToTheCapWithFullJitter() {
        let policy = RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.bound(afterFailures: 1) == .milliseconds(100))
        #expect(policy.bound(afterFailures: 2) == .milliseconds(200))
        #expect(policy.bound(afterFailures: 4) == .milliseconds(800))
        #expect(policy.bound(afterFailures: 5) == .seconds(1))
        #expect(policy.bound(afterFailures: 60) == .seconds(1))
        var generator = SystemRandomNumberGenerator()
        for failures in 1...8 {
            let delay = policy.delay(afterFailures: failures, using: &generator)
            #expect(delay >= .zero && delay <= policy.bound(afterFailures: failures))
        }
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }

    @Test func shardsSplitKeysByBucket() {
        let keys = (0..<200).map { ResourceKey(namespace: "n", kind: "K", name: "r\($0)") }
        let first = ControllerOptions.Shard(index: 0, count: 2)
        let second = ControllerOptions.Shard(index: 1, count: 2)
        #expect(keys.allSatisfy { first.contains($0) != second.contains($0) })
        #expect(keys.filter(first.contains).count > 50 && keys.filter(second.contains).count > 50)
    }
}
