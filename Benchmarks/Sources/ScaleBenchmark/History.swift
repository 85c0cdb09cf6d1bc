import BenchmarkSupport
import Foundation
import Giter

struct HistoryResult {
    var backend: Backend
    var commits: Int
    /// The first refresh of a store with no check point, whole.
    var refresh: Double
    /// Of which the fetch into the new mirror.
    var fetch: Double
    var peak: Int

    var check: Double { refresh - fetch }
    var microsecondsPerCommit: Double { check * 1e6 / Double(commits) }
}

/// A new reader of `remote` (a history of `commits` commits): a store with
/// a fresh mirror and no check point, checking the whole history on its first refresh.
func runHistory(backend: Backend, remote: String, commits: Int, work: String, run: Int) async throws -> HistoryResult {
    let mirror = work + "/mirror-history-\(backend.rawValue)-\(commits)-\(run).git"
    ProcessMemory.trimHeap()
    try ProcessMemory.resetHighWaterMark()
    let log = WatchedTransport.Log()
    let violations = ViolationCounter()
    let store = GitResourceStore<Widget>(
        transport: WatchedTransport(inner: try await backend.open(RemoteConfiguration(url: remote, mirrorPath: mirror)), log: log),
        resourceType: widgetType,
        options: StoreOptions(
            identity: Fixture.consumer, roles: Fixture.roles, historyCheck: .fullHistory, logger: logger("giter.store"),
            eventHandler: { violations.note($0) }))
    let start = now()
    try await store.refresh()
    let end = now()
    let peak = try ProcessMemory.statusValue("VmHWM")
    guard violations.value == 0 else { throw ScaleError("the history breaks the contract: \(violations.value) violations") }
    let fetched = log.all.reduce(0) { $0 + ($1.end - $1.start) }
    try? FileManager.default.removeItem(atPath: mirror)
    return HistoryResult(
        backend: backend, commits: commits, refresh: Double(end - start) / 1e9, fetch: Double(fetched) / 1e9, peak: peak)
}
