import BenchmarkSupport
import Foundation
import Giter

// A consumer of many resources and a new reader of a long history (issue 13):
//
//   ScaleBenchmark [--resources N] [--per-commit N] [--changes N] [--commits N,N…]
//                  [--backends libgit2,cli] [--parts consumer,history] [--runs N] [--work DIR]
//
// Progress goes to stderr; stdout holds the results.

struct Options {
    var resources = 100_000
    var perCommit = 1_000
    var changes = 20
    var commits = [10_000, 100_000]
    var historyResources = 100
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

let options = try Options(Array(CommandLine.arguments.dropFirst()))
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
