// TransportBenchmark: Giter's two Transport backends against the script a
// user would write and, when built by run-transport.sh, raw C libgit2.
// Usage: TransportBenchmark [--cycles N] [--script-cycles N] [--polls N]
//        [--runs N] [--sizes 10000,100000] [--baseline PATH] [--keep] [--quick]
import Foundation
import Giter
import GiterGitCLI
import GiterLibGit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: Options

var cycles = 200
var scriptCycles = 100
var polls = 50
var diffRuns = 15
var sizes = [10_000, 100_000]
var baselinePath: String?
var keep = false
do {
    var arguments = CommandLine.arguments.dropFirst()
    func value() -> String { arguments.isEmpty ? "" : arguments.removeFirst() }
    while let argument = arguments.popFirst() {
        switch argument {
        case "--cycles": cycles = Int(value()) ?? cycles
        case "--script-cycles": scriptCycles = Int(value()) ?? scriptCycles
        case "--polls": polls = Int(value()) ?? polls
        case "--runs": diffRuns = Int(value()) ?? diffRuns
        case "--sizes": sizes = value().split(separator: ",").compactMap { Int($0) }
        case "--baseline": baselinePath = value()
        case "--keep": keep = true
        case "--quick":
            cycles = 20; scriptCycles = 10; polls = 10; diffRuns = 3; sizes = [10_000]
        default:
            printError("unknown argument \(argument)")
            exit(2)
        }
    }
}

func progress(_ text: String) {
    printError(text)
}

// The isolated git environment, for our children and the backends' alike.
let gitEnvironment = [
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C",
    "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
]
for (key, value) in gitEnvironment { setenv(key, value, 1) }
let spawner = Spawner(overrides: gitEnvironment)

// MARK: Scratch folder

let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
var template = Array("\(base)/giter-transport-XXXXXX".utf8CString)
guard let made = mkdtemp(&template) else {
    printError("cannot create a temporary folder in \(base)")
    exit(1)
}
let scratch = String(cString: made)
progress("scratch folder: \(scratch)")

@MainActor
func removeScratch() {
    if !keep { try? spawner.run(["rm", "-rf", scratch]) }
}

var rows: [Row] = []
let signature = Signature(name: "Bench", email: "bench@example.com", date: Date(timeIntervalSince1970: 1_700_000_000))

@MainActor
func machineDescription() -> String {
    var model = "unknown CPU"
    if let cpu = readText("/proc/cpuinfo"),
        let line = cpu.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
        let colon = line.firstIndex(of: ":")
    {
        model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    let load = (readText("/proc/loadavg") ?? "").split(separator: " ").prefix(3).joined(separator: " ")
    return "\(model), \(cores) cores, load average \(load)"
}

// MARK: 1. Commit + push cycle

/// One backend's producer loop state.
final class Producer: @unchecked Sendable {
    let name: String
    let transport: any Transport
    var tip: ObjectID
    var samples: [Double] = []
    /// The `createCommit` part of each recorded cycle.
    var commitSamples: [Double] = []
    init(name: String, transport: any Transport, tip: ObjectID) {
        self.name = name
        self.transport = transport
        self.tip = tip
    }

    func cycle(_ index: Int, paths: [String], record: Bool) async throws {
        let path = paths[index % paths.count]
        let start = nowNanoseconds()
        let commit = try await transport.createCommit(
            CommitRequest(
                parent: tip, edits: [.write(path: path, contents: resourceText(path: path, revision: index + 1))],
                author: signature, message: "cycle \(index)"))
        let committed = nowNanoseconds()
        let outcome = try await transport.push(commit, expecting: tip)
        let end = nowNanoseconds()
        guard outcome == .pushed(commit) else { throw BenchmarkError("\(name): push \(index) gave \(outcome)") }
        tip = commit
        if record {
            samples.append(Double(end - start))
            commitSamples.append(Double(committed - start))
        }
    }
}

@MainActor
func scriptCycle(_ index: Int, worktree: String, paths: [String]) throws -> Double {
    let path = paths[index % paths.count]
    let start = nowNanoseconds()
    try writeBytes(resourceText(path: path, revision: index + 1), to: worktree + "/" + path)
    try spawner.run(["git", "add", path], in: worktree)
    try spawner.run(["git", "commit", "-q", "-m", "cycle \(index)"], in: worktree)
    try spawner.run(["git", "push", "-q", "origin", "main"], in: worktree, showErrors: false)
    return Double(nowNanoseconds() - start)
}

let header = machineDescription()
progress("machine: \(header)")
let cyclePaths = resourcePaths(count: 100, layout: .fanOut)
_ = try importRepository(
    at: scratch + "/seed.git", paths: cyclePaths, changedPath: nil, spawner: spawner, scratch: scratch)
for name in ["libgit2", "cli", "script", "c"] {
    try spawner.run(["cp", "-a", scratch + "/seed.git", scratch + "/remote-\(name).git"])
}

let libgit2 = try await LibGit2Transport(
    configuration: RemoteConfiguration(url: scratch + "/remote-libgit2.git", mirrorPath: scratch + "/mirror-libgit2.git"))
let cli = try await GitCLITransport(
    configuration: RemoteConfiguration(url: scratch + "/remote-cli.git", mirrorPath: scratch + "/mirror-cli.git"))
guard let libgit2Tip = try await libgit2.fetch(), let cliTip = try await cli.fetch() else {
    throw BenchmarkError("seed repository has no main branch")
}
let producers = [
    Producer(name: "libgit2 backend", transport: libgit2, tip: libgit2Tip),
    Producer(name: "git CLI backend", transport: cli, tip: cliTip),
]
let worktree = scratch + "/worktree"
try spawner.run(["git", "clone", "-q", scratch + "/remote-script.git", worktree], showErrors: false)

// Raw C libgit2: a child process built by run-transport.sh, run once per
// round (its start-up is not timed; the first cycle of each run is dropped).
var baselineCommit: [Double] = []
var baselineCycle: [Double] = []
var baselineTip: [Double] = []
var baselineFetch: [Double] = []
var baselineNext = 0
@MainActor
func runBaseline(cycles baselineCycles: Int, polls baselinePolls: Int) throws {
    guard let baselinePath else { return }
    let output = scratch + "/baseline.txt"
    try spawner.run(
        [baselinePath, scratch + "/mirror-c.git", "\(baselineNext)", "\(baselineCycles)", "\(baselinePolls)"]
            + cyclePaths, output: output)
    baselineNext += baselineCycles
    var cycleLine = 0
    var pollLine = 0
    for line in (readText(output) ?? "").split(separator: "\n") {
        let fields = line.split(separator: " ")
        switch fields.first {
        case "cycle" where fields.count == 3:
            cycleLine += 1
            if cycleLine > 1, let commit = Double(fields[1]), let total = Double(fields[2]) {
                baselineCommit.append(commit)
                baselineCycle.append(total)
            }
        case "tip" where fields.count == 2:
            pollLine += 1
            if pollLine > 1, let value = Double(fields[1]) { baselineTip.append(value) }
        case "fetch" where fields.count == 2:
            if pollLine > 1, let value = Double(fields[1]) { baselineFetch.append(value) }
        default: break
        }
    }
}
if baselinePath != nil {
    try spawner.run(["git", "clone", "--bare", "-q", scratch + "/remote-c.git", scratch + "/mirror-c.git"])
    try runBaseline(cycles: 5, polls: 0)
    baselineCommit = []
    baselineCycle = []
}

progress("1. commit+push cycles: \(cycles) per backend, \(scriptCycles) for the script")
var scriptSamples: [Double] = []
var cycleIndex = 0
for producer in producers {
    for warmup in 0..<5 { try await producer.cycle(warmup, paths: cyclePaths, record: false) }
}
for warmup in 0..<3 { _ = try scriptCycle(warmup, worktree: worktree, paths: cyclePaths) }
// Rounds of 10 cycles per backend and a proportional number of script
// cycles, so that load from elsewhere falls on all of them alike.
let rounds = max(1, cycles / 10)
for round in 0..<rounds {
    for producer in producers {
        for step in 0..<10 { try await producer.cycle(10 + round * 10 + step, paths: cyclePaths, record: true) }
    }
    try runBaseline(cycles: 11, polls: 0)
    let scriptTarget = (scriptCycles * (round + 1)) / rounds
    while scriptSamples.count < scriptTarget {
        scriptSamples.append(try scriptCycle(3 + scriptSamples.count, worktree: worktree, paths: cyclePaths))
    }
}
let cycleOperation = "commit+push cycle (100 files)"
rows.append(Row(operation: cycleOperation, implementation: "libgit2 backend", samples: producers[0].samples))
rows.append(Row(operation: cycleOperation, implementation: "git CLI backend", samples: producers[1].samples))
rows.append(Row(operation: cycleOperation, implementation: "naive script", samples: scriptSamples))
for producer in producers {
    rows.append(Row(operation: "commit only (100 files)", implementation: producer.name, samples: producer.commitSamples))
}

if !baselineCycle.isEmpty {
    rows.append(Row(operation: cycleOperation, implementation: "raw C libgit2", samples: baselineCycle))
    rows.append(Row(operation: "commit only (100 files)", implementation: "raw C libgit2", samples: baselineCommit))
}

// MARK: 2. No-op poll

progress("2. no-op polls: \(polls) each")
var pollSamples: [String: [Double]] = [:]
@MainActor
func timed(_ key: String, _ body: () async throws -> Void) async throws {
    let start = nowNanoseconds()
    try await body()
    pollSamples[key, default: []].append(Double(nowNanoseconds() - start))
}
for round in -2..<polls {
    for producer in producers {
        let transport = producer.transport
        let expected = producer.tip
        try await timed("\(producer.name)|remoteTip()") {
            guard try await transport.remoteTip() == expected else { throw BenchmarkError("remoteTip differs") }
        }
        try await timed("\(producer.name)|fetch()") {
            guard try await transport.fetch() == expected else { throw BenchmarkError("fetch differs") }
        }
    }
    try await timed("naive script|git ls-remote") {
        try spawner.run(["git", "ls-remote", "origin", "refs/heads/main"], in: worktree)
    }
    try await timed("naive script|git fetch") {
        try spawner.run(["git", "fetch", "-q", "origin"], in: worktree)
    }
    if round < 0 {
        pollSamples = [:]  // warm-up rounds
    } else {
        try runBaseline(cycles: 0, polls: 2)
    }
}
for producer in producers {
    rows.append(Row(operation: "no-op poll: remote tip", implementation: producer.name,
        samples: pollSamples["\(producer.name)|remoteTip()"] ?? []))
    rows.append(Row(operation: "no-op poll: fetch", implementation: producer.name,
        samples: pollSamples["\(producer.name)|fetch()"] ?? []))
}
rows.append(Row(operation: "no-op poll: remote tip", implementation: "naive script",
    samples: pollSamples["naive script|git ls-remote"] ?? []))
rows.append(Row(operation: "no-op poll: fetch", implementation: "naive script",
    samples: pollSamples["naive script|git fetch"] ?? []))
if !baselineTip.isEmpty {
    rows.append(Row(operation: "no-op poll: remote tip", implementation: "raw C libgit2", samples: baselineTip))
    rows.append(Row(operation: "no-op poll: fetch", implementation: "raw C libgit2", samples: baselineFetch))
}

// MARK: 3. One change among many

var importSeconds: [String] = []
for size in sizes {
    for layout in [Layout.fanOut, .flat] {
        let paths = resourcePaths(count: size, layout: layout)
        let changed = paths[size / 2]
        let repository = scratch + "/big-\(layout.rawValue)-\(size).git"
        progress("3. \(size) files, \(layout.rawValue): fast-import")
        let importStart = nowNanoseconds()
        let marks = try importRepository(
            at: repository, paths: paths, changedPath: changed, spawner: spawner, scratch: scratch)
        importSeconds.append("\(size) \(layout.rawValue): \(format(Double(nowNanoseconds() - importStart) / 1e9, decimals: 1)) s")
        guard let first = marks[1].flatMap(ObjectID.init(hex:)), let second = marks[2].flatMap(ObjectID.init(hex:))
        else { throw BenchmarkError("fast-import gave no commit ids") }
        // The imported repository is the mirror itself: no fetch of 100k objects.
        let configuration = RemoteConfiguration(url: repository, mirrorPath: repository)
        let backends: [(String, any Transport)] = [
            ("libgit2 backend", try await LibGit2Transport(configuration: configuration)),
            ("git CLI backend", try await GitCLITransport(configuration: configuration)),
        ]
        let diffOutput = scratch + "/diff-tree.txt"
        let script = ["git", "--git-dir=" + repository, "diff-tree", "-r", first.hex, second.hex]
        var samples: [String: [Double]] = [:]
        progress("   changes(from:to:under:): \(diffRuns) runs each")
        for run in -1..<diffRuns {
            for (name, transport) in backends {
                let start = nowNanoseconds()
                let changes = try await transport.changes(from: first, to: second, under: nil)
                let elapsed = Double(nowNanoseconds() - start)
                guard changes.count == 1, changes[0].path == changed, changes[0].kind == .modified else {
                    throw BenchmarkError("\(name) found \(changes.map(\.path)) instead of \(changed)")
                }
                if run >= 0 { samples[name, default: []].append(elapsed) }
            }
            let start = nowNanoseconds()
            try spawner.run(script, output: diffOutput)
            let elapsed = Double(nowNanoseconds() - start)
            if run < 0 {
                let lines = (readText(diffOutput) ?? "").split(separator: "\n")
                guard lines.count == 1, lines[0].hasSuffix("\t" + changed) else {
                    throw BenchmarkError("git diff-tree gave \(lines)")
                }
            } else {
                samples["naive script", default: []].append(elapsed)
            }
        }
        let operation = "1 change among \(size / 1000)k, \(layout.rawValue)"
        for name in ["libgit2 backend", "git CLI backend", "naive script"] {
            rows.append(Row(operation: operation, implementation: name, samples: samples[name] ?? []))
        }
        if !keep { try spawner.run(["rm", "-rf", repository]) }
    }
}

// MARK: Report

@MainActor
func find(_ operation: String, _ implementation: String) -> Row? {
    rows.first { $0.operation == operation && $0.implementation == implementation && !$0.samples.isEmpty }
}

print("Machine: \(header)")
print("Scratch: \(base) (\(base == "/dev/shm" ? "tmpfs" : "disk")); git \(gitVersion())")
print("Cycles: \(cycles) per backend, \(scriptCycles) for the script, \(baselineCycle.count) raw C; polls: \(polls); diff runs: \(diffRuns)")
print("fast-import: " + importSeconds.joined(separator: ", "))
print("")
var tableRows: [[String]] = []
for row in rows {
    let scriptName = "naive script"
    let script = find(row.operation, scriptName)
    let baseline = find(row.operation, "raw C libgit2")
    let versusScript = script.map { format($0.median / row.median, decimals: 1) + "×" } ?? ""
    let versusC = baseline.map { format($0.median / row.median, decimals: 2) + "×" } ?? ""
    tableRows.append([
        row.operation, row.implementation, "\(row.samples.count)", milliseconds(row.median), milliseconds(row.p99),
        versusScript, versusC,
    ])
}
printTable(
    ["Operation", "Implementation", "Runs", "Median ms", "p99 ms", "script ÷ this", "raw C ÷ this"], tableRows,
    numericFrom: 2)
print("")

var targets: [[String]] = []
@MainActor
func target(_ text: String, _ measured: String, _ pass: Bool?) {
    targets.append([text, measured, pass.map { $0 ? "PASS" : "FAIL" } ?? "not measured"])
}
let lgCycle = find(cycleOperation, "libgit2 backend")
let cliCycle = find(cycleOperation, "git CLI backend")
let scriptCycleRow = find(cycleOperation, "naive script")
let cCycle = find(cycleOperation, "raw C libgit2")
if let lgCycle, let cCycle {
    let ratio = lgCycle.median / cCycle.median
    target("libgit2 backend cycle within 1.5× of raw C libgit2", "\(format(ratio, decimals: 2))× raw C", ratio <= 1.5)
} else {
    target("libgit2 backend cycle within 1.5× of raw C libgit2", "", nil)
}
if let lgCycle, let scriptCycleRow {
    let ratio = scriptCycleRow.median / lgCycle.median
    target("libgit2 backend cycle ≥ 10× faster than the naive script", "\(format(ratio, decimals: 1))×", ratio >= 10)
}
if let cliCycle, let scriptCycleRow {
    let ratio = scriptCycleRow.median / cliCycle.median
    target("git CLI backend cycle ≥ 2× faster than the naive script", "\(format(ratio, decimals: 1))×", ratio >= 2)
}
let bigFanOut = "1 change among 100k, fan-out"
if let row = find(bigFanOut, "libgit2 backend") {
    target("libgit2: 1 change among 100k (fan-out) ≤ 2 ms", milliseconds(row.median) + " ms", row.median <= 2e6)
}
if let row = find(bigFanOut, "git CLI backend") {
    target("git CLI: 1 change among 100k (fan-out) ≤ 5 ms", milliseconds(row.median) + " ms", row.median <= 5e6)
}
if let row = find("no-op poll: remote tip", "libgit2 backend") {
    target("libgit2 no-op poll (remoteTip) ≤ 1 ms", milliseconds(row.median) + " ms", row.median <= 1e6)
}
if let row = find("no-op poll: fetch", "libgit2 backend") {
    target("libgit2 no-op poll (fetch) ≤ 1 ms", milliseconds(row.median) + " ms", row.median <= 1e6)
}
printTable(["Target (issue 3)", "Measured", "Result"], targets, numericFrom: 99)
print("")
print("Load average after: " + ((readText("/proc/loadavg") ?? "").split(separator: " ").prefix(3).joined(separator: " ")))
removeScratch()

@MainActor
func gitVersion() -> String {
    let output = scratch + "/git-version.txt"
    guard (try? spawner.run(["git", "--version"], output: output)) != nil else { return "?" }
    return (readText(output) ?? "?").split(separator: "\n").first.map(String.init) ?? "?"
}
