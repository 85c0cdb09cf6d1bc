import Foundation
import GitServerFixtures
import Giter
import Synchronization
import Testing

@Suite("The exchange end to end over git daemon", .serialized)
struct ExchangeEndToEndTests {
    /// 4 producers and 2 consumers, each with its own mirror, 500 resources,
    /// specs updated while they are being reconciled.
    @Test(arguments: Backend.allCases)
    func concurrentProducersAndConsumersLoseNothing(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let producers = 4
            let perProducer = 125
            var consumers: [Controller<DigestReconciler>] = []
            var runs: [Task<Void, any Error>] = []
            for index in 0..<2 {
                let store = try await lab.store(consumerIdentity(index), mirror: "consumer\(index)")
                let controller = Controller(
                    store: store, reconciler: DigestReconciler(name: "consumer\(index)"),
                    options: lab.controllerOptions("consumer\(index)"))
                consumers.append(controller)
                runs.append(Task { try await controller.run() })
            }

            // Each producer publishes its resources in batches, then changes a fifth of
            // them twice while the consumers are at work.
            let finalSpecs = try await withThrowingTaskGroup(of: [ResourceKey: JobSpec].self) { group in
                for index in 0..<producers {
                    group.addTask {
                        let producer = Producer(store: try await lab.store(producerIdentity(index), mirror: "producer\(index)"))
                        var specs: [ResourceKey: JobSpec] = [:]
                        let names = (0..<perProducer).map { "p\(index)-job\($0)" }
                        for batch in stride(from: 0, to: names.count, by: 25) {
                            let jobs = names[batch..<min(batch + 25, names.count)].map { job($0, payload: "data-\($0)", round: 1) }
                            let outcomes = try await producer.apply(jobs)
                            #expect(outcomes.allSatisfy { $0 == .created(generation: 1) }, "\(outcomes)")
                            for job in jobs { specs[job.key] = job.spec }
                        }
                        let changing = names.enumerated().filter { $0.offset % 5 == 0 }.map(\.element)
                        for round in 2...3 {
                            for batch in stride(from: 0, to: changing.count, by: 5) {
                                let updated = changing[batch..<min(batch + 5, changing.count)].map {
                                    job($0, payload: "data-\($0)", round: round)
                                }
                                let outcomes = try await producer.apply(updated)
                                #expect(outcomes.allSatisfy { $0 == .configured(generation: Int64(round)) }, "\(outcomes)")
                                for job in updated { specs[job.key] = job.spec }
                            }
                        }
                        let ready = try await producer.waitAll(for: Array(specs.keys), timeout: .seconds(300), pollInterval: .milliseconds(200))
                        for stored in ready {
                            #expect(stored.resource.status?.observedGeneration == stored.resource.metadata.generation)
                            #expect(stored.resource.status?.digest == expectedDigest(stored.resource.spec))
                        }
                        return specs
                    }
                }
                var all: [ResourceKey: JobSpec] = [:]
                for try await specs in group { all.merge(specs) { $1 } }
                return all
            }
            #expect(finalSpecs.count == producers * perProducer)

            for consumer in consumers { consumer.shutdown() }
            for run in runs { try await run.value }

            // A fresh reader with full history checks finds every final spec, status and no violation.
            let reader = try await lab.store(consumerIdentity(7), mirror: "checker")
            try await reader.refresh()
            let all = try await reader.list(.all)
            #expect(all.count == finalSpecs.count)
            for stored in all {
                #expect(stored.resource.spec == finalSpecs[stored.key], "\(stored.key)")
                #expect(stored.isStatusCurrent, "\(stored.key)")
                #expect(stored.resource.status?.isTrue("Ready") == true, "\(stored.key)")
            }
            #expect(lab.events.violations.isEmpty, "\(lab.events.violations)")

            let checkerTransport = try await lab.backend.open(
                RemoteConfiguration(url: lab.url, mirrorPath: lab.scratch.appendingPathComponent("mirror-history").path))
            let tip = try #require(try await checkerTransport.fetch())
            let (problems, generations) = try await HistoryChecker(transport: checkerTransport).check(tip: tip)
            #expect(problems.items.isEmpty, "\(problems)")
            #expect(generations.count == finalSpecs.count)
            #expect(generations.values.filter { $0 == 3 }.count == producers * perProducer / 5)

            let fsck = try await lab.repository.git(["fsck", "--strict", "--no-dangling"])
            #expect(fsck.succeeded, "\(fsck)")
        }
    }

    /// A consumer stuck mid-batch (its pending statuses never written) is
    /// abandoned; a new one, with a new mirror, converges with nothing lost.
    @Test(arguments: Backend.allCases)
    func aConsumerStoppedMidBatchIsReplacedAndNothingIsLost(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer"))
            let keys = try await publish(60, with: producer)

            let gate = Gate()
            let stuck = Controller(
                store: try await lab.store(consumerIdentity(0), mirror: "stuck"),
                reconciler: StuckAfter(limit: 25, gate: gate),
                options: lab.controllerOptions("stuck"))
            let stuckRun = Task { try await stuck.run() }
            await gate.waitUntilStuck()
            stuck.shutdown()  // in-flight work never ends: nothing more is written

            let reader = try await lab.store(consumerIdentity(7), mirror: "reader")
            let before = try await reader.list(.all).filter(\.isStatusCurrent).count
            #expect(before < keys.count, "the first consumer stopped part way")

            let replacement = Controller(
                store: try await lab.store(consumerIdentity(1), mirror: "replacement"),
                reconciler: DigestReconciler(name: "replacement"), options: lab.controllerOptions("replacement"))
            let run = Task { try await replacement.run() }
            let ready = try await producer.waitAll(for: keys, timeout: .seconds(120), pollInterval: .milliseconds(100))
            #expect(ready.count == keys.count)
            #expect(ready.allSatisfy { $0.resource.status?.digest == expectedDigest($0.resource.spec) })
            replacement.shutdown()
            try await run.value
            gate.release()
            _ = try? await stuckRun.value
        }
    }

    /// A producer identity writing status through Git is reported and ignored.
    @Test(arguments: Backend.allCases)
    func aForgedStatusIsDetectedAndIgnored(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer"))
            let key = try await publish(1, with: producer)[0]
            let consumer = try await lab.store(consumerIdentity(0), mirror: "consumer")
            try await consumer.refresh()
            let stored = try #require(try await consumer.get(key))
            var status = JobStatus()
            status.digest = "genuine"
            #expect(try await consumer.write(.status(key, status, specDigest: stored.specDigest)) == .statusWritten)

            // The producer's identity pushes a status of its own, bypassing the store.
            let forger = try await lab.backend.open(
                RemoteConfiguration(url: lab.url, mirrorPath: lab.scratch.appendingPathComponent("mirror-forger").path))
            let tip = try #require(try await forger.fetch())
            let entry = try #require(try await forger.treeEntries(at: tip, under: nil).first { $0.path == key.repositoryPath })
            let text = String(decoding: try await forger.blob(entry.id), as: UTF8.self)
            let forged = text.replacingOccurrences(of: "digest: genuine", with: "digest: forged")
            #expect(forged != text)
            let identity = producerIdentity(0)
            let signature = Signature(name: identity.name, email: identity.email)
            let commit = try await forger.createCommit(
                CommitRequest(
                    parent: tip, edits: [.write(path: key.repositoryPath, contents: Array(forged.utf8))],
                    author: signature, committer: signature, message: "a status of my own", trailers: []))
            #expect(try await forger.push(commit, expecting: tip) == .pushed(commit))

            try await consumer.refresh()
            #expect(try await consumer.get(key)?.resource.status?.digest == "genuine")
            let violation = try #require(lab.events.violations.first)
            #expect(violation.commit == commit)
            #expect(violation.rule == .role)
            #expect(violation.path == key.repositoryPath)
        }
    }
}

/// Publishes `count` jobs and returns their keys.
func publish(_ count: Int, with producer: Producer<Job>) async throws -> [ResourceKey] {
    let jobs = (0..<count).map { job("job\($0)", payload: "data-\($0)", round: 1) }
    try await producer.apply(jobs)
    return jobs.map(\.key)
}

/// Lets a test wait until a reconciler is stuck, and free it at the end.
final class Gate: Sendable {
    private let state = Mutex<(stuck: Bool, waiters: [CheckedContinuation<Void, Never>], held: [CheckedContinuation<Void, Never>], released: Bool)>((false, [], [], false))

    func waitUntilStuck() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.stuck { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Called by the stuck reconciler: blocks until ``release()``.
    func hold() async {
        await withCheckedContinuation { continuation in
            let (waiters, released) = state.withLock { state in
                state.stuck = true
                let waiters = state.waiters
                state.waiters = []
                if !state.released { state.held.append(continuation) }
                return (waiters, state.released)
            }
            for waiter in waiters { waiter.resume() }
            if released { continuation.resume() }
        }
    }

    func release() {
        let held = state.withLock { state in
            state.released = true
            let held = state.held
            state.held = []
            return held
        }
        for continuation in held { continuation.resume() }
    }
}

/// Reconciles `limit` jobs, then hangs on every further one.
final class StuckAfter: Reconciler {
    let limit: Int
    let gate: Gate
    let count = Mutex(0)

    init(limit: Int, gate: Gate) {
        self.limit = limit
        self.gate = gate
    }

    func reconcile(_ job: Job, context: ReconcileContext) async throws -> ReconcileResult<JobStatus> {
        let number = count.withLock { count in
            count += 1
            return count
        }
        if number > limit {
            await gate.hold()
            throw CancellationError()
        }
        return try await DigestReconciler(name: "stuck").reconcile(job, context: context)
    }
}
