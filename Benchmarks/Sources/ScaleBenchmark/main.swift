import BenchmarkSupport
import Foundation
import Giter

// A consumer of many resources and a new reader of a long history (issue 13):
//
//   ScaleBenchmark [--resources N] [--per-commit N] [--changes N] [--commits N,N…]
//                  [--backends libgit2,cli] [--parts consumer,history,partial] [--namespaces N] [--runs N] [--work DIR]
//
// The part "partial" (issue 15, part 5; not run by default) times the initial sync of a consumer of the
// N resources spread over --namespaces namespaces, over git daemon: full mirror and store of everything
// against the git backend's partial mirror and a store scoped to one namespace (Partial.swift).
//
// Progress goes to stderr; stdout holds the results. After the consumer's sync the RSS (anonymous and file pages)
// and the heap in use go to stderr; with GITER_SCALE_EXIT_AFTER_SYNC set the process exits there, so that heaptrack
// reports what the consumer holds after the sync as leaked (see Documentation/Performance.md); with
// GITER_SCALE_MAPPINGS set the resident memory of the 15 largest mappings (/proc/self/smaps) follows.
// With GITER_SCALE_DISPATCH set, each change's dispatch and apply-to-reconcile times go to stderr as they come.
// GITER_SCALE_SYNC_PART=N sets the consumer's ControllerOptions.syncPartSize (default 1,000).
// GITER_SCALE_STATUS_COMMIT=N sets its ControllerOptions.maxStatusesPerCommit (default 10,000).
// GITER_SCALE_LARGE_BLOCKS=N calls MemorySettings.returnLargeBlocksToTheSystem(atLeast: N) before the consumer runs.

struct Options {
    var resources = 100_000
    var perCommit = 1_000
    var changes = 20
    var commits = [10_000, 100_000]
    var historyResources = 100
    var namespaces = 100
    var backends = Backend.allCases
    var parts: Set<String> = ["consumer", "history"]
    var runs = 1
    var work: String?

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        func value(_ name: String) throws -> String {
            guard let value = rest.popFirst() else { throw ScaleError("\(name) needs a value") }
            return value
        }
        func number(_ name: String) throws -> Int {
            guard let number = Int(try value(name)), number > 0 else { throw ScaleError("\(name) takes a positive number") }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--resources": resources = try number(argument)
            case "--per-commit": perCommit = try number(argument)
            case "--changes": changes = try number(argument)
            case "--history-resources": historyResources = try number(argument)
            case "--namespaces": namespaces = try number(argument)
            case "--runs": runs = try number(argument)
            case "--work": work = try value(argument)
            case "--commits":
                commits = try value(argument).split(separator: ",").map {
                    guard let number = Int($0), number > 0 else { throw ScaleError("--commits takes positive numbers") }
                    return number
                }
            case "--backends":
                backends = try value(argument).split(separator: ",").map {
                    guard let backend = Backend(rawValue: String($0)) else { throw ScaleError("unknown backend \($0)") }
                    return backend
                }
            case "--parts": parts = Set(try value(argument).split(separator: ",").map(String.init))
            default: throw ScaleError("unknown argument \(argument)")
            }
        }
    }
}

func progress(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
}

func megabytes(_ bytes: Int) -> String { String(format: "%.0f MB", Double(bytes) / 1_048_576) }
func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

let options: Options
do {
    options = try Options(Array(CommandLine.arguments.dropFirst()))
} catch {
    // A usage error is a message and exit status 2, not a crash report.
    FileHandle.standardError.write(Data("ScaleBenchmark: \(error)\n".utf8))
    FileHandle.standardError.write(
        Data(
            ("usage: ScaleBenchmark [--resources N] [--per-commit N] [--changes N] [--commits N,N…] "
                + "[--backends libgit2,cli] [--parts consumer,history,partial] [--namespaces N] [--runs N] [--work DIR]\n").utf8))
    exit(2)
}
let work = options.work ?? (FileManager.default.temporaryDirectory.path + "/giter-scale-\(getpid())")
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: work) }
print("load average at start: \(loadAverage())")

if options.parts.contains("consumer") {
    let fixture = work + "/exchange.git"
    progress("writing \(options.resources) resources, \(options.perCommit) per commit…")
    let made = now()
    try Fixture.makeExchange(at: fixture, resources: options.resources, perCommit: options.perCommit, work: work)
    progress("  fast-import took \(format(Double(now() - made) / 1e9)) s")
    print("")
    print("A consumer of \(options.resources) resources (\(options.changes) one-resource changes; dispatch: end of the fetch that brought the change → the reconciler called)")
    print("| backend | run | all reconciled | first idle | RSS after sync | peak (VmHWM) | dispatch p50 | dispatch p95 | apply → reconcile p50 | RSS after changes | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for run in 1...options.runs {
        for backend in options.backends {
            progress("consumer, \(backend.rawValue), run \(run)…")
            try FileManager.default.createDirectory(atPath: work + "/run-\(run)", withIntermediateDirectories: true)
            let result = try await runConsumer(
                backend: backend, fixture: fixture, resources: options.resources, changes: options.changes,
                work: work + "/run-\(run)")
            let unmatched = result.unmatched > 0 ? " (\(result.unmatched) unmatched)" : ""
            print(
                "| \(backend.rawValue) | \(run) | \(format(result.allReconciled)) s | \(format(result.firstIdle)) s | \(megabytes(result.rssAfterSync)) | \(megabytes(result.peakDuringSync)) | \(format(percentile(result.dispatch, 0.5), 2)) ms | \(format(percentile(result.dispatch, 0.95), 2)) ms\(unmatched) | \(format(percentile(result.endToEnd, 0.5), 2)) ms | \(megabytes(result.rssAfterChanges)) | \(loadAverage()) |"
            )
            try? FileManager.default.removeItem(atPath: work + "/run-\(run)")
        }
    }
}

if options.parts.contains("history") {
    print("")
    print("A new reader of a long history (\(options.historyResources) resources; each commit a producer's spec or the consumer's status; no check point)")
    print("| backend | commits | run | first refresh | of which fetch | check | per commit | peak (VmHWM) | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    for commits in options.commits {
        let remote = work + "/history-\(commits).git"
        progress("writing a history of \(commits) commits…")
        let made = now()
        try Fixture.makeHistory(at: remote, resources: options.historyResources, commits: commits, work: work)
        progress("  fast-import took \(format(Double(now() - made) / 1e9)) s")
        for run in 1...options.runs {
            for backend in options.backends {
                progress("history \(commits), \(backend.rawValue), run \(run)…")
                let result = try await runHistory(backend: backend, remote: remote, commits: commits, work: work, run: run)
                print(
                    "| \(backend.rawValue) | \(commits) | \(run) | \(format(result.refresh, 2)) s | \(format(result.fetch, 2)) s | \(format(result.check, 2)) s | \(format(result.microsecondsPerCommit, 0)) µs | \(megabytes(result.peak)) | \(loadAverage()) |"
                )
            }
        }
        try? FileManager.default.removeItem(atPath: remote)
    }
}

if options.parts.contains("partial") {
    let root = work + "/partial-served"
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    progress("writing \(options.resources) resources in \(options.namespaces) namespaces…")
    try PartialFixture.makeExchange(
        at: root + "/exchange.git", resources: options.resources, namespaces: options.namespaces,
        perCommit: options.perCommit, work: work)
    let (daemon, url) = try PartialFixture.startDaemon(root: root)
    defer { daemon.terminate() }
    let namespace = PartialFixture.namespace(7, of: options.namespaces)
    print("")
    print("Initial sync of \(options.resources) resources in \(options.namespaces) namespaces over git daemon: first refresh (history checked) and a list of \(namespace)")
    print("| backend | mirror and store | run | sync | bytes (packs) | listed | load |")
    print("|---|---|---|---|---|---|---|")
    var count = 0
    for run in 0...options.runs {
        for (backend, partial) in [(Backend.libgit2, false), (Backend.cli, false), (Backend.cli, true)]
        where options.backends.contains(backend) {
            count += 1
            let mirror = work + "/partial-mirror-\(count)"
            progress("partial sync, \(backend.rawValue), partial \(partial), run \(run)…")
            let result = try await runPartialSync(backend: backend, partial: partial, url: url, namespace: namespace, mirror: mirror)
            try? FileManager.default.removeItem(atPath: mirror)
            // Run 0 warms the server's and the system's caches.
            guard run > 0 else { continue }
            let label = partial ? "partial, scoped to \(namespace)" : "full, everything"
            print("| \(backend.rawValue) | \(label) | \(run) | \(format(result.seconds, 2)) s | \(result.bytes) | \(result.listed) | \(loadAverage()) |")
        }
    }
}
