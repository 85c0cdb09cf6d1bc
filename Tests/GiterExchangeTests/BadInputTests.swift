import Foundation
import GitServerFixtures
import Giter
import Logging
import Synchronization
import Testing

/// One kind of bad input in an exchange repository, built with real git in
/// a bare repository beside two good resources (`lab/Job/good-a`, `good-b`).
struct BadInput: Sendable, CustomStringConvertible {
    /// An entry of a tree, as `git mktree` takes it.
    enum Entry: Sendable {
        case file([UInt8])
        case symlink(String)
        case gitlink(String)
    }

    /// What a reader makes of it.
    enum Reading: Sendable {
        /// The resource `name` cannot be read: `code`, with a line and column when `located`.
        case unreadable(name: String, code: StoreError.Code, located: Bool)
        /// The resource `name` reads and is reconciled like any other.
        case readable(name: String)
        /// Nothing of the kind's resources is there; the store reports `path`.
        case reported(path: String)
    }

    var description: String
    var entries: [String: Entry]
    var reading: Reading
    /// Whether the contract (a reader checking the full history) refuses the commit that adds it.
    var refusedByContract: Bool
    /// The store's size limit, when the case needs a small one.
    var maxFileBytes: Int = 4 << 20
    /// Another bad version of the same file that the contract lets through, if there is one.
    var variant: [String: Entry]?

    static func jobText(_ name: String, kind: String = "Job", payload: String = "hello", extra: String = "") -> String {
        """
        apiVersion: jobs.giter.example/v1
        kind: \(kind)
        metadata:
          name: \(name)
          namespace: lab
          generation: 1
        spec:
          payload: \(payload)
          round: 1
        \(extra)
        """
    }

    static func path(_ name: String, kind: String = "Job", namespace: String = "lab") -> String {
        ResourceKey(namespace: namespace, kind: kind, name: name).repositoryPath
    }

    static func file(_ text: String) -> Entry { .file(Array(text.utf8)) }

    static let gitlinkTarget = "1234567890abcdef1234567890abcdef12345678"

    static let all: [BadInput] = [
        BadInput(
            description: "a second YAML document",
            entries: [path("bad"): file(jobText("bad") + "---\nkind: Job\n")],
            reading: .unreadable(name: "bad", code: .invalidDocument, located: true), refusedByContract: true),
        BadInput(
            description: "bytes that are not UTF-8",
            entries: [path("bad"): .file(Array(jobText("bad").utf8) + [0x6E, 0x6F, 0x74, 0x65, 0x3A, 0x20, 0xC3, 0x28, 0x0A])],
            reading: .unreadable(name: "bad", code: .invalidDocument, located: true), refusedByContract: true),
        BadInput(
            description: "a NUL byte",
            entries: [path("bad"): .file(Array(jobText("bad", payload: "a").utf8) + [0x6E, 0x3A, 0x20, 0x61, 0x00, 0x62, 0x0A])],
            reading: .unreadable(name: "bad", code: .invalidDocument, located: true), refusedByContract: true),
        BadInput(
            description: "a file over the size limit",
            entries: [path("bad"): file(jobText("bad", payload: String(repeating: "x", count: 70_000)))],
            reading: .unreadable(name: "bad", code: .invalidDocument, located: false), refusedByContract: false,
            maxFileBytes: 64 << 10,
            variant: [path("bad"): file(jobText("bad", payload: String(repeating: "y", count: 80_000)))]),
        BadInput(
            description: "10,000 nested brackets",
            entries: [
                path("bad"): file(
                    jobText("bad") + "deep: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
            ],
            reading: .unreadable(name: "bad", code: .invalidDocument, located: true), refusedByContract: true),
        BadInput(
            description: "100,000 keys",
            entries: [
                path("many"): file(
                    jobText("many") + "  extra:\n"
                        + (0..<100_000).map { "    k\($0): \($0)\n" }.joined())
            ],
            reading: .readable(name: "many"), refusedByContract: false),
        BadInput(
            description: "a symbolic link where a resource file should be",
            entries: [path("bad"): .symlink("../../../../../etc/passwd")],
            reading: .unreadable(name: "bad", code: .invalidEntry, located: false), refusedByContract: true),
        BadInput(
            description: "a gitlink where a resource file should be",
            entries: [path("bad"): .gitlink(gitlinkTarget)],
            reading: .unreadable(name: "bad", code: .invalidEntry, located: false), refusedByContract: true),
        BadInput(
            description: "a symbolic link whose target is the text of another resource's file",
            entries: [path("zlink"): .symlink(jobText("good-a"))],
            reading: .unreadable(name: "zlink", code: .invalidEntry, located: false), refusedByContract: true),
        BadInput(
            description: "a symbolic link where the archive folder should be",
            entries: ["archive": .symlink("resources")],
            reading: .reported(path: "archive"), refusedByContract: true),
        BadInput(
            description: "a symbolic link where a kind folder should be",
            entries: ["resources/other/Job": .symlink("../lab/Job")],
            reading: .reported(path: "resources/other/Job"), refusedByContract: true),
        BadInput(
            description: "a gitlink where a kind folder should be",
            entries: ["resources/other/Job": .gitlink(gitlinkTarget)],
            reading: .reported(path: "resources/other/Job"), refusedByContract: true),
        BadInput(
            description: "kinds differing only in case",
            entries: [path("twin", kind: "JOB"): file(jobText("twin", kind: "JOB"))],
            reading: .reported(path: "resources/lab/JOB"), refusedByContract: false),
    ]

    /// A repair of the bad resource: a regular file that reads.
    var repair: [String: Entry]? {
        guard case .unreadable(let name, _, _) = reading else { return nil }
        return [Self.path(name): Self.file(Self.jobText(name, payload: "mended"))]
    }
}

/// Builds commits of arbitrary trees in a bare repository with git plumbing.
struct TreeBuilder {
    let repository: BareRepository

    /// Commits `entries` (path → entry) on top of `main`'s tree (or an
    /// empty one), with a `Giter-Role: producer` trailer, and moves `main`.
    @discardableResult
    func commit(_ entries: [String: BadInput.Entry], message: String) async throws -> String {
        let parent = try await repository.resolve("refs/heads/main")
        var listing: [String: String] = [:]
        if let parent {
            let output = try await repository.git(["ls-tree", "-r", parent])
            for line in output.stdout.split(separator: "\n") {
                let parts = line.split(separator: "\t", maxSplits: 1)
                listing[String(parts[1])] = String(parts[0])
            }
        }
        for (path, entry) in entries {
            switch entry {
            case .file(let bytes):
                listing[path] = "100644 blob " + (try await hash(bytes))
            case .symlink(let target):
                listing[path] = "120000 blob " + (try await hash(Array(target.utf8)))
            case .gitlink(let id):
                listing[path] = "160000 commit \(id)"
            }
        }
        let tree = try await makeTree(listing, under: "")
        var arguments = ["commit-tree", tree, "-m", "\(message)\n\nGiter-Role: producer"]
        if let parent { arguments += ["-p", parent] }
        let commit = try await repository.git(arguments).trimmedStdout
        try await repository.git(["update-ref", "refs/heads/main", commit])
        return commit
    }

    /// The id of the entry at `path` on `main`.
    func entry(_ path: String) async throws -> String {
        try await repository.git(["rev-parse", "main:\(path)"]).trimmedStdout
    }

    private func hash(_ bytes: [UInt8]) async throws -> String {
        try await repository.git(["hash-object", "-w", "--stdin"], input: Data(bytes)).trimmedStdout
    }

    /// The tree of the entries under `prefix` (`listing`: full path → "mode type id").
    private func makeTree(_ listing: [String: String], under prefix: String) async throws -> String {
        var lines: [String] = []
        var folders: Set<String> = []
        for (path, entry) in listing where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/") {
                folders.insert(String(rest[..<slash]))
            } else {
                lines.append("\(entry)\t\(rest)")
            }
        }
        for folder in folders {
            lines.append("040000 tree \(try await makeTree(listing, under: prefix + folder + "/"))\t\(folder)")
        }
        return try await repository.git(["mktree", "--missing"], input: Data(lines.sorted().joined(separator: "\n").utf8 + [0x0A]))
            .trimmedStdout
    }
}

/// Collects a controller's events.
final class ControllerEvents: Sendable {
    private let events = Mutex<[ControllerEvent]>([])
    func append(_ event: ControllerEvent) { events.withLock { $0.append(event) } }
    var all: [ControllerEvent] { events.withLock { $0 } }
    var unreadable: [UnreadableResource] {
        events.withLock { $0.compactMap { if case .unreadableResource(let found) = $0 { found } else { nil } } }
    }
}

/// Collects a store's events.
final class StoreEvents: Sendable {
    private let events = Mutex<[StoreEvent]>([])
    func append(_ event: StoreEvent) { events.withLock { $0.append(event) } }
    var invalid: [StoreError] {
        events.withLock { $0.compactMap { if case .invalidResource(let error) = $0 { error } else { nil } } }
    }
    var violations: [ContractViolation] {
        events.withLock { $0.compactMap { if case .contractViolation(let violation) = $0 { violation } else { nil } } }
    }
}

@Suite("Bad input: a clear error for that resource only; the rest of the exchange goes on", .serialized)
struct BadInputTests {
    static let goods = ["good-a", "good-b"]

    /// Each case, on each backend, in a real bare repository: the store
    /// reads every other resource and says what is wrong with the bad one;
    /// a controller reconciles the others, reports the bad file once and
    /// never writes into it, and reconciles it once its producer mends it.
    @Test(.timeLimit(.minutes(3)), arguments: BadInput.all, Backend.allCases)
    func badInputBlocksNothingElse(_ input: BadInput, _ backend: Backend) async throws {
        do {
            let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("giter-bad-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            let repository = try await BareRepository.create(at: scratch.appendingPathComponent("lab.git"), seeded: false)
            let builder = TreeBuilder(repository: repository)
            try await builder.commit(
                Dictionary(uniqueKeysWithValues: Self.goods.map { (BadInput.path($0), BadInput.file(BadInput.jobText($0))) }),
                message: "two good jobs")
            try await builder.commit(input.entries, message: "\(input)")

            // A reader that trusts the branch as it stands: the bad input is in force.
            let storeEvents = StoreEvents()
            let store = try await Self.store(
                backend, repository, scratch, mirror: "trusting", check: .newCommitsOnly, limit: input.maxFileBytes,
                events: storeEvents)
            try await store.refresh()
            var expected = Set(Self.goods)
            if case .readable(let name) = input.reading { expected.insert(name) }
            #expect(Set(try await store.list(ResourceQuery()).map(\.resource.metadata.name)) == expected, "\(input)")
            let changes = try await store.changes(since: nil)
            #expect(Set(changes.updated.map(\.key.name)) == expected)
            switch input.reading {
            case .unreadable(let name, let code, let located):
                let path = BadInput.path(name)
                let error = await #expect(throws: StoreError.self) { try await store.get(ResourceKey(namespace: "lab", kind: "Job", name: name)) }
                #expect(error?.code == code)
                #expect(error?.path == path)
                #expect((error?.location != nil) == located, "\(String(describing: error))")
                print("\(input) [\(backend)]: \(error.map { "\($0)" } ?? "-")")
                #expect(changes.unreadable.map(\.key.name) == [name])
                #expect(changes.unreadable.first?.error == error)
                #expect(storeEvents.invalid.contains { $0.path == path })
            case .readable:
                #expect(changes.unreadable.isEmpty)
            case .reported(let path):
                #expect(changes.unreadable.isEmpty)
                let reported = storeEvents.invalid.filter { $0.path == path }
                #expect(reported.count == 1, "\(storeEvents.invalid)")
                #expect(reported.first?.code == .invalidEntry)
                print("\(input) [\(backend)]: \(reported.first.map { "\($0)" } ?? "-")")
            }

            // The controller reconciles every other resource, reports the bad file once, writes nothing into it.
            let badPath: String? = if case .unreadable(let name, _, _) = input.reading { BadInput.path(name) } else { nil }
            let badBefore = try await badPath.asyncMap { try await builder.entry($0) }
            let controllerEvents = ControllerEvents()
            var options = ControllerOptions(
                pollInterval: .seconds(3600), statusWriteWindow: .milliseconds(10),
                errorBackoff: RetryPolicy(initialDelay: .milliseconds(10), maxDelay: .milliseconds(100)),
                logger: Self.quietLogger("controller"))
            options.eventHandler = { controllerEvents.append($0) }
            let consumer = try await Self.store(
                backend, repository, scratch, mirror: "consumer", check: .newCommitsOnly, limit: input.maxFileBytes,
                events: StoreEvents())
            let controller = Controller(store: consumer, reconciler: DigestReconciler(name: "c"), options: options)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                defer { controller.shutdown() }
                await controller.waitUntilIdle()
                // More syncs, one re-reading everything from a new mirror's start: still reported once.
                controller.trigger()
                await controller.waitUntilIdle()
                try await Self.expectReconciled(expected, backend, repository, scratch, limit: input.maxFileBytes)
                if let badPath {
                    #expect(try await builder.entry(badPath) == badBefore, "never written into")
                    #expect(controllerEvents.unreadable.map(\.error.path) == [badPath])
                } else {
                    #expect(controllerEvents.unreadable.isEmpty)
                }

                // A new version of the file, as bad: reported once more, once.
                var versions = badPath == nil ? 0 : 1
                if let variant = input.variant {
                    try await builder.commit(variant, message: "another bad version")
                    controller.trigger()
                    await controller.waitUntilIdle()
                    controller.trigger()
                    await controller.waitUntilIdle()
                    versions += 1
                    #expect(Set(controllerEvents.unreadable.map(\.version)).count == versions)
                }
                #expect(controllerEvents.unreadable.count == versions)

                // Its producer mends it: reconciled as usual.
                if let repair = input.repair, case .unreadable(let name, _, _) = input.reading {
                    try await builder.commit(repair, message: "mend \(name)")
                    controller.trigger()
                    await controller.waitUntilIdle()
                    try await Self.expectReconciled(expected.union([name]), backend, repository, scratch, limit: input.maxFileBytes)
                    #expect(controllerEvents.unreadable.count == versions)
                }
                controller.shutdown()
                try await group.waitForAll()
            }

            // A reader that checks every commit: the contract refuses the commit that adds the bad input.
            let checkingEvents = StoreEvents()
            let checking = try await Self.store(
                backend, repository, scratch, mirror: "checking", check: .fullHistory, limit: input.maxFileBytes,
                events: checkingEvents)
            try await checking.refresh()
            let badPaths = Set(input.entries.keys)
            let refused = checkingEvents.violations.filter { $0.path.map(badPaths.contains) ?? false }
            #expect(refused.isEmpty != input.refusedByContract, "\(checkingEvents.violations)")
            if let violation = refused.first { print("\(input) [\(backend)], contract: \(violation)") }
            #expect(Set(try await checking.list(ResourceQuery()).map(\.resource.metadata.name)).isSuperset(of: Self.goods))
        }
    }

    /// A contract file that is a symbolic link is never read through: the
    /// contract cannot be read, so nothing after it is allowed (fail
    /// closed), rather than an open exchange.
    @Test(.timeLimit(.minutes(3)), arguments: Backend.allCases)
    func aContractFileThatIsALinkAllowsNothing(_ backend: Backend) async throws {
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("giter-bad-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let repository = try await BareRepository.create(at: scratch.appendingPathComponent("lab.git"), seeded: false)
        let builder = TreeBuilder(repository: repository)
        try await builder.commit(
            [ExchangePolicy.path: .symlink("../README.md"), "README.md": BadInput.file("parties: []\n"),
             BadInput.path("good-a"): BadInput.file(BadInput.jobText("good-a"))],
            message: "a policy that is a link")
        try await builder.commit([BadInput.path("good-b"): BadInput.file(BadInput.jobText("good-b"))], message: "a job")
        let events = StoreEvents()
        let store = try await Self.store(
            backend, repository, scratch, mirror: "checking", check: .fullHistory, limit: 4 << 20, events: events)
        try await store.refresh()
        let violation = try #require(events.violations.first)
        #expect(violation.rule == .contract)
        #expect(violation.path == ExchangePolicy.path)
        #expect(violation.message.contains("a symbolic link (mode 120000) stands where a contract file should be"))
        #expect(try await store.get(ResourceKey(namespace: "lab", kind: "Job", name: "good-b")) == nil)
        #expect(try await store.get(ResourceKey(namespace: "lab", kind: "Job", name: "good-a")) != nil)
    }

    /// Every resource in `names` holds a status that describes its spec, as a fresh reader sees it.
    static func expectReconciled(
        _ names: Set<String>, _ backend: Backend, _ repository: BareRepository, _ scratch: URL, limit: Int,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws {
        let reader = try await store(
            backend, repository, scratch, mirror: "reader-\(UUID().uuidString)", check: .newCommitsOnly, limit: limit,
            events: StoreEvents())
        try await reader.refresh()
        for name in names {
            let stored = try await reader.get(ResourceKey(namespace: "lab", kind: "Job", name: name))
            #expect(stored?.isStatusCurrent == true, "\(name)", sourceLocation: sourceLocation)
            #expect(stored?.resource.status?.digest == stored.map { expectedDigest($0.resource.spec) }, sourceLocation: sourceLocation)
        }
    }

    static func store(
        _ backend: Backend, _ repository: BareRepository, _ scratch: URL, mirror: String,
        check: StoreOptions.HistoryCheck, limit: Int, events: StoreEvents
    ) async throws -> GitResourceStore<Job> {
        let configuration = RemoteConfiguration(
            url: repository.path, branch: "main", mirrorPath: scratch.appendingPathComponent("mirror-\(mirror)").path)
        return GitResourceStore(
            transport: try await backend.open(configuration), resourceType: jobType,
            options: StoreOptions(
                identity: consumerIdentity(0), historyCheck: check, logger: quietLogger(mirror),
                eventHandler: { events.append($0) }, maxFileBytes: limit))
    }

    /// Waits until `controller` is idle; records a failure and throws when
    /// it is not within `limit` (a controller that retries forever).
    static func idle<R: Reconciler>(_ controller: Controller<R>, within limit: Duration) async throws {
        let idle = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                await controller.waitUntilIdle()
                return true
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        guard idle else {
            Issue.record("the controller was not idle within \(limit)")
            throw CancellationError()
        }
    }

    static func quietLogger(_ name: String) -> Logger {
        var logger = Logger(label: "giter.test.bad.\(name)")
        logger.logLevel = .critical
        return logger
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
