// What a user gets: the README's host app (a consumer `Controller` and a
// `Producer`, every option at its default) over a bare repository on this
// machine, timed from `apply` to the answer of `wait`, for both backends,
// with the remote watched (the default) and not watched (what main did
// before the ref watcher: the controller's 5 s poll). See
// Documentation/Performance.md, "Apply to answer with default options".
import Foundation
import Giter
import GiterGitCLI
import GiterLibGit2
import Logging

struct NoteSpec: ResourceSpec { var text: String }
struct NoteStatus: ReconcilableStatus, Equatable {
    var observedGeneration: Int64?
    var conditions: [Condition] = []
    var words = 0
}
typealias Note = CustomResource<NoteSpec, NoteStatus>
let noteType = ResourceType(apiVersion: "notes.example.com/v1", kind: "Note")

struct WordCounter: Reconciler {
    func reconcile(_ note: Note, context: ReconcileContext) async throws -> ReconcileResult<NoteStatus> {
        var status = note.status ?? NoteStatus()
        status.words = note.spec.text.split(separator: " ").count
        status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Counted"))
        return .done(status)
    }
}

enum Backend: String, CaseIterable { case libgit2, cli }

struct Failure: Error, CustomStringConvertible { var description: String }

func transport(_ backend: Backend, _ configuration: RemoteConfiguration) async throws -> any Transport {
    switch backend {
    case .libgit2: try await LibGit2Transport(configuration: configuration)
    case .cli: try await GitCLITransport(configuration: configuration)
    }
}

func store(_ backend: Backend, _ role: ExchangeRole, _ remote: String, mirror: String) async throws -> GitResourceStore<Note> {
    let configuration = RemoteConfiguration(url: remote, mirrorPath: mirror)
    let identity = ExchangeIdentity(name: "Notes \(role)", email: "\(role)@notes.example.com", role: role)
    return GitResourceStore(
        transport: try await transport(backend, configuration), resourceType: noteType,
        options: StoreOptions(identity: identity))
}

func run(_ command: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = command
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw Failure(description: "\(command) failed") }
}

/// Round trips of the README's host app; `watched: false` turns the ref watcher off.
func measure(_ backend: Backend, watched: Bool, rounds: Int, scratch: String) async throws -> [Double] {
    let folder = scratch + "/\(backend.rawValue)-\(watched ? "watched" : "polled")"
    let remote = folder + "/exchange.git"
    try run(["git", "init", "--quiet", "--bare", "-b", "main", remote])
    let consumer = Controller(
        store: try await store(backend, .consumer, remote, mirror: folder + "/c"), reconciler: WordCounter(),
        options: watched ? ControllerOptions() : ControllerOptions(watchesLocalRemote: false))
    let running = Task { try await consumer.run() }
    let producer = Producer(
        store: try await store(backend, .producer, remote, mirror: folder + "/p"), watchesLocalRemote: watched)
    await consumer.waitUntilIdle()
    var samples: [Double] = []
    for round in 0..<rounds {
        let note = Note(
            apiVersion: noteType.apiVersion, kind: noteType.kind, metadata: ObjectMeta(name: "hello-\(round)"),
            spec: NoteSpec(text: "hello git world"))
        let start = ContinuousClock.now
        try await producer.apply(note)
        let answer = try await producer.wait(for: note.key, timeout: .seconds(60)).resource.status?.words
        let elapsed = ContinuousClock.now - start
        guard answer == 3 else { throw Failure(description: "round \(round) answered \(String(describing: answer))") }
        samples.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
    }
    consumer.shutdown()
    try await running.value
    return samples
}

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
}

var rounds = 20
var pollRounds = 6
var backends = Backend.allCases
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--rounds": rounds = Int(arguments.popFirst() ?? "") ?? rounds
    case "--poll-rounds": pollRounds = Int(arguments.popFirst() ?? "") ?? pollRounds
    case "--backends":
        backends = (arguments.popFirst() ?? "").split(separator: ",").compactMap { Backend(rawValue: String($0)) }
    default:
        FileHandle.standardError.write(Data("usage: HostAppBenchmark [--rounds N] [--poll-rounds N] [--backends libgit2,cli]\n".utf8))
        exit(2)
    }
}
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}
let base = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
let scratch = base + "/giter-hostapp-\(getpid())"
try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: scratch) }

let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ")
print("README host app, default options, bare repository on this machine (\(base)); load average \(load ?? "?")")
print("")
print("| backend | remote watched | rounds | apply → answer p50 | p90 | max |")
print("|---|---|---:|---:|---:|---:|")
for backend in backends {
    for watched in [false, true] {
        let samples = try await measure(backend, watched: watched, rounds: watched ? rounds : pollRounds, scratch: scratch)
        let row = [
            backend.rawValue, watched ? "yes (default)" : "no (main before: 5 s poll)", "\(samples.count)",
            String(format: "%.1f ms", percentile(samples, 0.5)), String(format: "%.1f ms", percentile(samples, 0.9)),
            String(format: "%.1f ms", samples.max() ?? 0),
        ]
        print("| " + row.joined(separator: " | ") + " |")
    }
}
