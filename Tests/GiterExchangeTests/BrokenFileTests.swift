import Foundation
import GitServerFixtures
import Giter
import GiterTesting
import Logging
import Synchronization
import Testing

/// One resource file that does not parse never blocks the exchange (issue
/// 12): the producer's apply, archive and delete work on its own unreadable
/// file, the other writes of a batch go through, and a wait fails at once
/// with the file's error. On both backends over a real bare repository, and
/// over the in-memory remote.
@Suite("A broken file never blocks the exchange", .timeLimit(.minutes(3)))
struct BrokenFileTests {
    let good = ResourceKey(namespace: "lab", kind: "Job", name: "good")
    let broken = ResourceKey(namespace: "lab", kind: "Job", name: "broken")
    let notYAML = ResourceKey(namespace: "lab", kind: "Job", name: "png")

    /// An exchange whose first commit — trusted, as it holds the policy —
    /// has a readable job, a job with a syntax error in its spec (at
    /// generation 4 by its text), and a job that is not YAML at all.
    func brokenExchange(_ subject: BrokenSubject, adding extra: [String: [UInt8]] = [:]) async throws -> BrokenLab {
        let lab = try await BrokenLab(subject)
        try await lab.commit(
            extra.merging([
                ExchangePolicy.path: Array(BrokenLab.policy.utf8),
                good.repositoryPath: Array(BrokenLab.jobText("good", generation: 1).utf8),
                broken.repositoryPath: Array(BrokenLab.jobText("broken", generation: 4, payload: "[unclosed").utf8),
                notYAML.repositoryPath: BrokenLab.pngBytes,
            ]) { _, new in new }
        )
        return lab
    }

    @Test(arguments: BrokenSubject.allCases)
    func theProducerReplacesItsUnreadableFileAtAGenerationPastTheOldOne(_ subject: BrokenSubject) async throws {
        let lab = try await brokenExchange(subject)
        defer { lab.remove() }
        let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer"))
        let outcome = try await producer.apply(job("broken", payload: "fixed", round: 2))
        #expect(outcome == .configured(generation: 5), "the text said generation 4")
        let stored = try #require(try await producer.get(broken))
        #expect(stored.resource.spec == JobSpec(payload: "fixed", round: 2))
        #expect(stored.generation == 5)
        // The consumer can write a status now, and a second store reads the file.
        let consumer = try await lab.store(consumerIdentity(0), mirror: "consumer")
        try await consumer.refresh()
        let read = try #require(try await consumer.get(broken))
        var status = JobStatus(observedGeneration: read.generation)
        status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Done"))
        #expect(try await consumer.write(.status(broken, status, specDigest: read.specDigest)) == .statusWritten)
    }

    @Test(arguments: BrokenSubject.allCases)
    func applyOverAFileThatIsNotYAMLTakesTheGenerationPastItsLastReadableVersion(_ subject: BrokenSubject) async throws
    {
        let lab = try await BrokenLab(subject)
        defer { lab.remove() }
        try await lab.commit([
            ExchangePolicy.path: Array(BrokenLab.policy.utf8),
            notYAML.repositoryPath: Array(BrokenLab.jobText("png", generation: 6).utf8),
        ])
        // Written past the contract; trusted as the history's anchor.
        let anchor = try await lab.commit([notYAML.repositoryPath: BrokenLab.pngBytes])
        let store = try await lab.store(producerIdentity(0), mirror: "producer", trustRoot: anchor)
        let producer = Producer(store: store)
        #expect(try await producer.apply(job("png", payload: "now yaml", round: 1)) == .configured(generation: 7))
        #expect(try await producer.get(notYAML)?.generation == 7)
        let text = try #require(try await lab.text(notYAML.repositoryPath))
        #expect(text.contains("payload: now yaml"))
    }

    @Test(arguments: BrokenSubject.allCases)
    func applyOverAFileWhoseMetadataDoesNotDecodeKeepsItsStatus(_ subject: BrokenSubject) async throws {
        let lab = try await BrokenLab(subject)
        defer { lab.remove() }
        let key = ResourceKey(namespace: "lab", kind: "Job", name: "meta")
        try await lab.commit([
            ExchangePolicy.path: Array(BrokenLab.policy.utf8),
            key.repositoryPath: Array(BrokenLab.jobText("meta", generation: 2).utf8),
        ])
        let status = "status:\n  observedGeneration: 2\n  conditions: []\n  reconciledBy: runner\n"
        let undecodable =
            BrokenLab.jobText("meta", generation: 2)
            .replacingOccurrences(of: "generation: 2", with: "generation: two") + status
        let anchor = try await lab.commit([key.repositoryPath: Array(undecodable.utf8)])
        let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer", trustRoot: anchor))
        #expect(try await producer.apply(job("meta", payload: "y", round: 3)) == .configured(generation: 3))
        let stored = try #require(try await producer.get(key))
        #expect(stored.generation == 3)
        #expect(stored.resource.status?.reconciledBy == "runner", "the consumer's status stays")
        #expect(lab.events.violations.isEmpty, "\(lab.events.violations)")
    }

    @Test(arguments: BrokenSubject.allCases)
    func theProducerArchivesAndDeletesItsUnreadableFiles(_ subject: BrokenSubject) async throws {
        let lab = try await brokenExchange(subject)
        defer { lab.remove() }
        let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer"))
        #expect(try await producer.archive(broken) == .archived)
        // Moved byte for byte, as the contract's archive rule requires.
        #expect(
            try await lab.text(broken.archivePath) == BrokenLab.jobText("broken", generation: 4, payload: "[unclosed")
        )
        #expect(try await lab.text(broken.repositoryPath) == nil)
        #expect(try await producer.delete(notYAML) == .deleted)
        #expect(try await lab.text(notYAML.repositoryPath) == nil)
        // A second reader sees no violation in either commit.
        let reader = try await lab.store(consumerIdentity(1), mirror: "reader")
        try await reader.refresh()
        #expect(lab.events.violations.isEmpty, "\(lab.events.violations)")
        #expect(try await reader.list(.all).map(\.key) == [good])
    }

    @Test(arguments: BrokenSubject.allCases)
    func oneUnreadableFileFailsOnlyItsOwnStatusWriteInABatch(_ subject: BrokenSubject) async throws {
        let lab = try await brokenExchange(subject)
        defer { lab.remove() }
        let consumer = try await lab.store(consumerIdentity(0), mirror: "consumer")
        try await consumer.refresh()
        let read = try #require(try await consumer.get(good))
        var status = JobStatus(observedGeneration: read.generation)
        status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Done"))
        let result = try await consumer.write([
            .status(broken, status, specDigest: "0000000000000000"),
            .status(good, status, specDigest: read.specDigest),
            .status(notYAML, status, specDigest: "0000000000000000"),
        ])
        #expect(result.outcomes[1] == .statusWritten)
        guard case .failed(let error) = result.outcomes[0] else {
            Issue.record("a status into a file that does not parse: \(result.outcomes[0])")
            return
        }
        #expect(error.code == .invalidDocument)
        #expect(error.path == broken.repositoryPath)
        #expect(error.location?.line == 9, "\(error)")
        #expect(error.message.contains("replaces the file"), "\(error)")
        guard case .failed(let other) = result.outcomes[2] else {
            Issue.record("a status into a file that is not YAML: \(result.outcomes[2])")
            return
        }
        #expect(other.path == notYAML.repositoryPath)
        #expect(other.location != nil, "\(other)")
        // The broken files are as they were: a consumer never writes into them.
        #expect(
            try await lab.text(broken.repositoryPath)
                == BrokenLab.jobText("broken", generation: 4, payload: "[unclosed")
        )
        #expect(try await lab.bytes(notYAML.repositoryPath) == BrokenLab.pngBytes)
        #expect(try await lab.text(good.repositoryPath)?.contains("reason: Done") == true)
    }

    @Test(arguments: BrokenSubject.allCases)
    func aProducerBatchTouchingUnreadableFilesGoesThroughWhole(_ subject: BrokenSubject) async throws {
        let lab = try await brokenExchange(subject)
        defer { lab.remove() }
        let store = try await lab.store(producerIdentity(0), mirror: "producer")
        let result = try await store.write([
            .apply(job("good", payload: "second", round: 2)),
            .apply(job("broken", payload: "fixed", round: 1)),
            .archive(notYAML),
            .apply(job("fresh", payload: "new", round: 1)),
        ])
        #expect(
            result.outcomes == [
                .configured(generation: 2), .configured(generation: 5), .archived, .created(generation: 1),
            ]
        )
        #expect(result.attempts == 1)
        #expect(try await lab.bytes(notYAML.archivePath) == BrokenLab.pngBytes)
        #expect(lab.events.violations.isEmpty, "\(lab.events.violations)")
    }

    @Test(arguments: BrokenSubject.allCases)
    func aWriteWhoseValueCannotBeEncodedFailsAloneInAProducerBatch(_ subject: BrokenSubject) async throws {
        let lab = try await brokenExchange(subject)
        defer { lab.remove() }
        let store = try await lab.store(PickyJob.self, producerIdentity(0), mirror: "producer")
        func picky(_ name: String, _ payload: String) -> PickyJob {
            PickyJob(
                apiVersion: jobType.apiVersion,
                kind: jobType.kind,
                metadata: ObjectMeta(name: name, namespace: "lab"),
                spec: PickySpec(payload: payload, round: 2)
            )
        }
        let result = try await store.write([.apply(picky("good", "second")), .apply(picky("new", PickySpec.refused))])
        #expect(result.outcomes.first == .configured(generation: 2))
        guard case .failed(let error) = result.outcomes.last else {
            Issue.record("an apply whose spec cannot be encoded: \(result.outcomes)")
            return
        }
        #expect(error.code == .encoding, "\(error)")
        #expect(error.message == "cannot encode the spec of lab/Job/new: payload: this payload is refused", "\(error)")
        #expect(try await lab.text(good.repositoryPath)?.contains("payload: second") == true)
        #expect(try await lab.text(ResourceKey(namespace: "lab", kind: "Job", name: "new").repositoryPath) == nil)
    }

    @Test(arguments: BrokenSubject.allCases)
    func aFileThatParsesButIsNotAResourceStillGetsInvalidSpecBesideTheBrokenOnes(_ subject: BrokenSubject) async throws
    {
        let invalid = ResourceKey(namespace: "lab", kind: "Job", name: "invalid")
        let invalidText = BrokenLab.jobText("invalid", generation: 2)
            .replacingOccurrences(of: "round: 1", with: "round: three")
        let lab = try await brokenExchange(subject, adding: [invalid.repositoryPath: Array(invalidText.utf8)])
        defer { lab.remove() }
        let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer"))
        var logger = Logger(label: "giter.test.broken")
        logger.logLevel = .critical
        let controller = Controller(
            store: try await lab.store(consumerIdentity(0), mirror: "consumer"),
            reconciler: DigestReconciler(name: "runner"),
            options: ControllerOptions(
                pollInterval: .milliseconds(50),
                statusWriteWindow: .milliseconds(20),
                logger: logger
            )
        )
        let run = Task { try await controller.run() }
        _ = try await producer.wait(for: good, timeout: .seconds(60), pollInterval: .milliseconds(20))
        await controller.waitUntilIdle()
        controller.shutdown()
        try await run.value
        let final = try #require(try await lab.text(invalid.repositoryPath))
        #expect(final.hasPrefix(invalidText), "the producer's bytes stay")
        #expect(final.contains("reason: InvalidSpec"), "\(final)")
        #expect(
            try await lab.text(broken.repositoryPath)
                == BrokenLab.jobText("broken", generation: 4, payload: "[unclosed")
        )
    }

    @Test(arguments: BrokenSubject.allCases)
    func waitFailsAtOnceWithTheFilesError(_ subject: BrokenSubject) async throws {
        let lab = try await brokenExchange(subject)
        defer { lab.remove() }
        let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer"))
        // The clock is never advanced: a wait that polled would hang until the time limit.
        let clock = TestClock()
        for (key, line) in [(broken, 9), (notYAML, 1)] {
            do {
                _ = try await producer.waitAll(for: [good, key], timeout: .seconds(3600), clock: clock)
                Issue.record("the wait for \(key) returned")
            } catch let error as ProducerError {
                #expect(error.code == .unreadable, "\(error)")
                #expect(error.key == key)
                #expect(error.cause?.path == key.repositoryPath)
                #expect(error.cause?.location?.line == line, "\(error)")
                #expect(error.message.contains("\(key.repositoryPath):\(line):"), "\(error.message)")
            }
        }
        #expect(clock.sleeperCount == 0)
    }
}

/// Symbolic links and gitlinks where a resource file should be, the
/// generation's upper bound, and a controller whose pending status meets a
/// file that broke: where the store's write path meets its read path.
extension BrokenFileTests {
    var symlinked: ResourceKey { ResourceKey(namespace: "lab", kind: "Job", name: "sym") }
    var submodule: ResourceKey { ResourceKey(namespace: "lab", kind: "Job", name: "sub") }

    /// An exchange whose readable jobs `sym` (generation 3) and `sub`
    /// (generation 2) were then replaced, past every check, by a symbolic
    /// link and a gitlink; the commit that did it is the trusted anchor.
    func linkedExchange(_ subject: BrokenSubject) async throws -> (BrokenLab, anchor: ObjectID) {
        let lab = try await brokenExchange(
            subject,
            adding: [
                symlinked.repositoryPath: Array(BrokenLab.jobText("sym", generation: 3).utf8),
                submodule.repositoryPath: Array(BrokenLab.jobText("sub", generation: 2).utf8),
            ])
        let anchor = try await lab.commitEntries([
            symlinked.repositoryPath: .symlink("../../../../../etc/passwd"),
            submodule.repositoryPath: .gitlink(BadInput.gitlinkTarget),
        ])
        return (lab, anchor)
    }

    @Test(arguments: BrokenSubject.allCases)
    func theProducerReplacesAndDeletesItsLinksButNeverArchivesThem(_ subject: BrokenSubject) async throws {
        let (lab, anchor) = try await linkedExchange(subject)
        defer { lab.remove() }
        let store = try await lab.store(producerIdentity(0), mirror: "producer", trustRoot: anchor)
        let result = try await store.write([
            .apply(job("sym", payload: "a file again", round: 2)),
            .archive(submodule),
            .apply(job("good", payload: "second", round: 2)),
        ])
        #expect(result.outcomes.first == .configured(generation: 4), "past the readable version's 3")
        #expect(result.outcomes.last == .configured(generation: 2))
        guard case .failed(let error) = result.outcomes[1] else {
            Issue.record("archiving a gitlink: \(result.outcomes[1])")
            return
        }
        #expect(error.code == .invalidEntry)
        #expect(error.path == submodule.repositoryPath)
        #expect(error.message.contains("cannot be archived"), "\(error)")
        #expect(try await lab.mode(symlinked.repositoryPath) == .regular)
        #expect(try await store.get(symlinked)?.resource.spec == JobSpec(payload: "a file again", round: 2))
        #expect(try await lab.mode(submodule.archivePath) == nil)
        #expect(try await lab.mode(submodule.repositoryPath) == .gitlink)
        #expect(try await store.write(.archive(symlinked)) == .archived, "a file now: archived as any other")
        #expect(try await store.write(.delete(submodule)) == .deleted)
        #expect(try await lab.mode(submodule.repositoryPath) == nil)
        // A second reader, checking every commit after the anchor, sees no violation.
        let reader = try await lab.store(consumerIdentity(1), mirror: "reader", trustRoot: anchor)
        try await reader.refresh()
        #expect(lab.events.violations.isEmpty, "\(lab.events.violations)")
        #expect(try await reader.list(.all).map(\.key) == [good])
    }

    @Test(arguments: BrokenSubject.allCases)
    func aStatusIntoALinkFailsAloneInABatch(_ subject: BrokenSubject) async throws {
        let (lab, anchor) = try await linkedExchange(subject)
        defer { lab.remove() }
        let consumer = try await lab.store(consumerIdentity(0), mirror: "consumer", trustRoot: anchor)
        try await consumer.refresh()
        let read = try #require(try await consumer.get(good))
        var status = JobStatus(observedGeneration: read.generation)
        status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Done"))
        let result = try await consumer.write([
            .status(symlinked, status, specDigest: read.specDigest),
            .status(good, status, specDigest: read.specDigest),
            .status(submodule, status, specDigest: read.specDigest),
        ])
        #expect(result.outcomes[1] == .statusWritten)
        for (index, key, mode) in [(0, symlinked, FileMode.symlink), (2, submodule, FileMode.gitlink)] {
            guard case .failed(let error) = result.outcomes[index] else {
                Issue.record("a status into a \(mode) entry: \(result.outcomes[index])")
                continue
            }
            #expect(error.code == .invalidEntry)
            #expect(error.isFileError)
            #expect(error.path == key.repositoryPath)
            #expect(try await lab.mode(key.repositoryPath) == mode, "never written into")
        }
        #expect(try await lab.text(good.repositoryPath)?.contains("reason: Done") == true)
    }

    @Test(arguments: BrokenSubject.allCases)
    func waitFailsAtOnceOnALink(_ subject: BrokenSubject) async throws {
        let (lab, anchor) = try await linkedExchange(subject)
        defer { lab.remove() }
        let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer", trustRoot: anchor))
        // The clock is never advanced: a wait that polled would hang until the time limit.
        let clock = TestClock()
        for key in [symlinked, submodule] {
            let error = await #expect(throws: ProducerError.self) {
                try await producer.waitAll(for: [good, key], timeout: .seconds(3600), clock: clock)
            }
            #expect(error?.code == .unreadable, "\(String(describing: error))")
            #expect(error?.cause?.code == .invalidEntry)
            #expect(error?.cause?.path == key.repositoryPath)
        }
        #expect(clock.sleeperCount == 0)
    }

    @Test(arguments: BrokenSubject.allCases)
    func theLargestGenerationFailsTheApplyAloneAndAForgedTrailerIsNotBelieved(_ subject: BrokenSubject) async throws {
        let largest = ResourceKey(namespace: "lab", kind: "Job", name: "largest")
        let lab = try await brokenExchange(
            subject,
            adding: [
                largest.repositoryPath: Array(BrokenLab.jobText("largest", generation: Int(Int64.max)).utf8),
                ResourceKey(namespace: "lab", kind: "Job", name: "max").repositoryPath: Array(
                    BrokenLab.jobText("max", generation: Int(Int64.max), payload: "[unclosed").utf8),
            ])
        defer { lab.remove() }
        // After the trusted first commit, a commit no producer made states a huge generation
        // for the broken job: the contract refuses it, and an apply does not believe it.
        try await lab.commit(
            [broken.repositoryPath: Array("not: [a resource".utf8)],
            trailers: [Trailer(CommitTrailers.apply, "\(broken) generation=\(Int64.max)")])
        let store = try await lab.store(producerIdentity(0), mirror: "producer")
        let result = try await store.write([
            .apply(job("largest", payload: "changed", round: 2)),
            .apply(job("max", payload: "fixed", round: 1)),
            .apply(job("broken", payload: "fixed", round: 1)),
            .apply(job("good", payload: "second", round: 2)),
        ])
        for index in 0...1 {
            guard case .failed(let error) = result.outcomes[index] else {
                Issue.record("an apply past generation \(Int64.max): \(result.outcomes[index])")
                continue
            }
            #expect(error.message.contains("the largest there is"), "\(error)")
        }
        #expect(result.outcomes[2] == .configured(generation: 5), "the text's 4, not the forged trailer's")
        #expect(result.outcomes[3] == .configured(generation: 2))
    }

    /// A consumer reconciled a job whose file then grew past its store's
    /// size limit (the contract allows it: the limit is the reader's): its
    /// pending status fails alone (``WriteOutcome/failed(_:)``). The
    /// controller drops it, syncs at once and reports the file; the other
    /// statuses are written, and the controller goes idle.
    @Test(arguments: BrokenSubject.allCases)
    func aControllerDropsAStatusWhoseFileBrokeAndReportsTheFile(_ subject: BrokenSubject) async throws {
        let lab = try await BrokenLab(subject)
        defer { lab.remove() }
        let names = ["a", "b", "c"]
        var files = [ExchangePolicy.path: Array(BrokenLab.policy.utf8)]
        for name in names {
            files[ResourceKey(namespace: "lab", kind: "Job", name: name).repositoryPath] = Array(
                BrokenLab.jobText(name, generation: 1).utf8)
        }
        try await lab.commit(files)
        let held = ResourceKey(namespace: "lab", kind: "Job", name: "b")
        let gate = ReconcileGate(holding: "b")
        let events = ControllerEvents()
        var options = ControllerOptions(
            pollInterval: .seconds(3600), statusWriteWindow: .milliseconds(10),
            errorBackoff: RetryPolicy(initialDelay: .milliseconds(10), maxDelay: .milliseconds(100)),
            logger: BadInputTests.quietLogger("controller"))
        options.eventHandler = { events.append($0) }
        let consumer = try await lab.store(consumerIdentity(0), mirror: "consumer", maxFileBytes: 64 << 10)
        let controller = Controller(store: consumer, reconciler: gate, options: options)
        let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await controller.run() }
            defer { controller.shutdown() }
            await gate.started()
            let big = String(repeating: "x", count: 70_000)
            #expect(try await producer.apply(job("b", payload: big, round: 1)) == .configured(generation: 2))
            gate.release()
            try await BadInputTests.idle(controller, within: .seconds(60))
            #expect(events.unreadable.map(\.key) == [held], "reported, once")
            #expect(events.all.allSatisfy { if case .statusNotWritten = $0 { false } else { true } }, "\(events.all)")
            controller.shutdown()
            try await group.waitForAll()
        }
        for name in ["a", "c"] {
            let text = try await lab.text(ResourceKey(namespace: "lab", kind: "Job", name: name).repositoryPath)
            #expect(text?.contains("reason: Done") == true, "\(name)")
        }
        let text = try #require(try await lab.text(held.repositoryPath))
        #expect(!text.contains("status:"), "never written into")
        #expect(text.contains("generation: 2"))
    }
}

/// A reconciler that holds its first reconcile of one job until released.
final class ReconcileGate: Reconciler, Sendable {
    let holding: String
    private let first = Mutex(true)
    private let startedStream = AsyncStream.makeStream(of: Void.self)
    private let releasedStream = AsyncStream.makeStream(of: Void.self)

    init(holding: String) { self.holding = holding }

    /// Returns once the held reconcile has started.
    func started() async {
        for await _ in startedStream.stream { return }
    }

    func release() { releasedStream.continuation.yield() }

    /// Whether the held reconcile has started.
    var hasStarted: Bool { first.withLock { !$0 } }

    func reconcile(_ job: Job, context: ReconcileContext) async throws -> ReconcileResult<JobStatus> {
        let hold = job.metadata.name == holding && first.withLock { first in
            defer { first = false }
            return first
        }
        if hold {
            startedStream.continuation.yield()
            for await _ in releasedStream.stream { break }
        }
        return try await DigestReconciler(name: "runner").reconcile(job, context: context)
    }
}

/// Where the exchange of ``BrokenFileTests`` lives.
enum BrokenSubject: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inMemory
    case libgit2
    case gitCLI

    var testDescription: String { rawValue }
}

/// An exchange for one test: an in-memory remote, or a bare repository at a
/// local path read by one backend; commits written past every check.
final class BrokenLab: Sendable {
    let subject: BrokenSubject
    let scratch: URL
    let memory = InMemoryRemote()
    let url: String
    let repository: BareRepository
    let events = Events()

    init(_ subject: BrokenSubject) async throws {
        self.subject = subject
        scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "giter-broken-\(UUID().uuidString)"
        )
        repository = try await BareRepository.create(at: scratch.appendingPathComponent("lab.git"), seeded: false)
        url = repository.path
    }

    func remove() { try? FileManager.default.removeItem(at: scratch) }

    private func transport(mirror: String) async throws -> any Transport {
        let configuration = RemoteConfiguration(
            url: url,
            branch: "main",
            mirrorPath: scratch.appendingPathComponent("mirror-\(mirror)").path
        )
        switch subject {
        case .inMemory: return memory.transport()
        case .libgit2: return try await Backend.libgit2.open(configuration)
        case .gitCLI: return try await Backend.gitCLI.open(configuration)
        }
    }

    func store(
        _ identity: ExchangeIdentity, mirror: String, trustRoot: ObjectID? = nil, maxFileBytes: Int = 4 << 20
    ) async throws -> GitResourceStore<Job> {
        try await store(Job.self, identity, mirror: mirror, trustRoot: trustRoot, maxFileBytes: maxFileBytes)
    }

    func store<Resource: ExchangedResource>(
        _ type: Resource.Type,
        _ identity: ExchangeIdentity,
        mirror: String,
        trustRoot: ObjectID? = nil,
        maxFileBytes: Int = 4 << 20
    ) async throws -> GitResourceStore<Resource> {
        let events = self.events
        return GitResourceStore(
            transport: try await transport(mirror: mirror),
            resourceType: jobType,
            options: StoreOptions(
                identity: identity,
                roles: labRoles,
                trustRoot: trustRoot,
                eventHandler: { events.append($0) },
                maxFileBytes: maxFileBytes
            )
        )
    }

    /// Commits `files` on top of the branch as the owner (with `trailers`), past every check.
    @discardableResult
    func commit(_ files: [String: [UInt8]], trailers: [Trailer] = []) async throws -> ObjectID {
        let transport = try await transport(mirror: "raw")
        let parent = try await transport.fetch()
        let owner = Signature(name: "Owner", email: "owner@lab.example")
        let request = CommitRequest(
            parent: parent,
            edits: files.sorted { $0.key < $1.key }.map { .write(path: $0.key, contents: $0.value) },
            author: owner,
            message: "written by hand",
            trailers: trailers
        )
        let commit = try await transport.createCommit(request)
        let outcome = try await transport.push(commit, expecting: parent)
        #expect(outcome == .pushed(commit), "\(outcome)")
        return commit
    }

    /// Commits `entries` — symbolic links and gitlinks among them — on top
    /// of the branch, past every check: with git plumbing in the bare
    /// repository, or as a forged tree in memory.
    @discardableResult
    func commitEntries(_ entries: [String: BadInput.Entry]) async throws -> ObjectID {
        guard subject == .inMemory else {
            let id = try await TreeBuilder(repository: repository).commit(entries, message: "entries by hand")
            return try #require(ObjectID(hex: id))
        }
        let transport = memory.transport()
        var files: [String: [UInt8]] = [:]
        var modes: [String: FileMode] = [:]
        if let tip = memory.tip() {
            for entry in try await transport.treeEntries(at: tip, under: nil) {
                files[entry.path] = try await transport.blob(entry.id)
                modes[entry.path] = entry.mode
            }
        }
        for (path, entry) in entries {
            switch entry {
            case .file(let bytes): (files[path], modes[path]) = (bytes, .regular)
            case .symlink(let target): (files[path], modes[path]) = (Array(target.utf8), .symlink)
            case .gitlink(let id): (files[path], modes[path]) = (Array(id.utf8), .gitlink)
            }
        }
        return memory.forgeTree(files, modes: modes, author: Signature(name: "Owner", email: "owner@lab.example"))
    }

    /// The mode of the entry at `path` at the branch's tip, `nil` when there is none.
    func mode(_ path: String) async throws -> FileMode? {
        let transport = try await transport(mirror: "raw")
        guard let tip = try await transport.fetch() else { return nil }
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) }
        return try await transport.treeEntries(at: tip, under: folder).first { $0.path == path }?.mode
    }

    /// The bytes at `path` at the branch's tip.
    func bytes(_ path: String) async throws -> [UInt8]? {
        let transport = try await transport(mirror: "raw")
        guard let tip = try await transport.fetch() else { return nil }
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) }
        guard let entry = try await transport.treeEntries(at: tip, under: folder).first(where: { $0.path == path })
        else {
            return nil
        }
        return try await transport.blob(entry.id)
    }

    func text(_ path: String) async throws -> String? {
        try await bytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    static let policy = """
        apiVersion: giter.dev/v1alpha1
        kind: ExchangePolicy
        metadata:
          name: exchange
        spec:
          parties:
          - name: lab
            role: producer
            namespaces: ["lab"]
            kinds: ["Job"]
            members:
            - email: producer0@lab.example
          - name: runners
            role: consumer
            namespaces: ["lab"]
            kinds: ["Job"]
            members:
            - email: consumer0@lab.example
            - email: consumer1@lab.example
          - name: owners
            role: admin
            members:
            - email: owner@lab.example
          unknownKinds: allow

        """

    /// A job's file as Giter writes it; `payload` as written on line 8 (an unclosed `[` there is reported on line 9).
    static func jobText(_ name: String, generation: Int, payload: String = "x") -> String {
        """
        apiVersion: jobs.giter.example/v1
        kind: Job
        metadata:
          name: \(name)
          namespace: lab
          generation: \(generation)
        spec:
          payload: \(payload)
          round: 1

        """
    }

    /// The start of a PNG image: not text at all.
    static let pngBytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0xFF]
}

/// A job's spec that refuses to encode one payload, as a value a store cannot write.
struct PickySpec: ResourceSpec {
    static let refused = "unencodable"
    var payload: String
    var round: Int

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        guard payload != Self.refused else {
            throw EncodingError.invalidValue(
                payload,
                EncodingError.Context(
                    codingPath: container.codingPath + [CodingKeys.payload],
                    debugDescription: "this payload is refused"
                )
            )
        }
        try container.encode(payload, forKey: .payload)
        try container.encode(round, forKey: .round)
    }
}

typealias PickyJob = CustomResource<PickySpec, JobStatus>
