import Foundation
import GitServerFixtures
import Synchronization

/// The soak's faults, for a given time, in three loops that run together:
///
/// - **kills**: every 0.5–1.5 × 8 s / (number of processes) a random
///   producer or consumer (so each is killed every 8 s on average) is aimed at
///   a phase (fetch, commit, push, or none); the loop waits (at most 3 s)
///   until that process announces the phase, waits a random 0–40 ms more
///   (none for a commit, which is short), and sends SIGKILL to its process
///   group. Its slot starts it again at once. Where the kill landed is read
///   from the process's last phase line, after its output ended.
/// - **server restarts**: every 6–12 s one server (in turn) is stopped,
///   left down for 0.2–1 s, and started again on a new port.
/// - **connection cuts**: each new connection through a proxy is cut with a
///   chance of 1 in 8, 0–400 ms after it opened, in the middle of whatever
///   it carries: every connection runs the same risk, however long it lasts.
final class Chaos: Sendable {
    let slots: [ChildSlot]
    let servers: [SoakServer]
    let duration: Duration
    /// The exchange's bare repository, where a killed server may leave a lock.
    let repository: String
    private let clearedLocks = Mutex(0)
    private let restartCounts = Mutex<[SoakServer.Kind: Int]>([:])
    private let aims = Mutex<[ChildSlot.Landing: Int]>([:])
    private let failures = Mutex<[String]>([])

    init(slots: [ChildSlot], servers: [SoakServer], duration: Duration, repository: String) {
        self.slots = slots
        self.servers = servers
        self.duration = duration
        self.repository = repository
    }

    /// Lock files a killed server left, removed at its restart as an operator would.
    var staleLocksRemoved: Int { clearedLocks.withLock { $0 } }

    /// Server restarts in all.
    var restarts: Int { restartCounts.withLock { $0.values.reduce(0, +) } }

    func restartCount(of kind: SoakServer.Kind) -> Int { restartCounts.withLock { $0[kind] ?? 0 } }

    /// What the loops did, in a line.
    var summary: String {
        let aimed = aims.withLock { aims in
            ChildSlot.Landing.allCases.map { "\($0.rawValue) \(aims[$0] ?? 0)" }.joined(separator: ", ")
        }
        let failed = failures.withLock { $0 }
        return "kills aimed at \(aimed); \(restarts) server restarts"
            + (failed.isEmpty ? "" : "; failures: \(failed.joined(separator: "; "))")
    }

    /// Runs the three loops until the time is up; every server is up again when it returns.
    func run() async {
        let deadline = ContinuousClock.now.advanced(by: duration)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.killLoop(until: deadline) }
            group.addTask { await self.restartLoop(until: deadline) }
            group.addTask { await self.cutLoop(until: deadline) }
        }
    }

    private func killLoop(until deadline: ContinuousClock.Instant) async {
        while ContinuousClock.now < deadline {
            // Each process is killed every 8 s on average, however many there are.
            let mean = 8000 / max(1, slots.count)
            try? await Task.sleep(for: .milliseconds(Int.random(in: mean / 2...mean * 3 / 2)))
            guard ContinuousClock.now < deadline, let slot = slots.randomElement() else { break }
            let aim = ChildSlot.Landing.allCases.randomElement()!
            aims.withLock { $0[aim, default: 0] += 1 }
            if let phase = PhaseLog.Phase(rawValue: aim.rawValue) {
                let seen = await withTaskGroup(of: Bool.self) { group in
                    group.addTask { await slot.nextBegin(of: phase) }
                    group.addTask {
                        try? await Task.sleep(for: .seconds(3))
                        return false
                    }
                    let first = await group.next() ?? false
                    group.cancelAll()
                    return first
                }
                if seen && phase != .commit {
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 0...40)))
                }
            }
            slot.kill()
        }
    }

    private func restartLoop(until deadline: ContinuousClock.Instant) async {
        var next = 0
        while true {
            let pause = Duration.milliseconds(Int.random(in: 6000...12000))
            guard ContinuousClock.now.advanced(by: pause) < deadline, !servers.isEmpty else { break }
            try? await Task.sleep(for: pause)
            let server = servers[next % servers.count]
            next += 1
            do {
                let removed = try await server.restart(
                    downtime: .milliseconds(Int.random(in: 200...1000)), repository: repository)
                clearedLocks.withLock { $0 += removed }
                restartCounts.withLock { $0[server.kind, default: 0] += 1 }
            } catch {
                failures.withLock { $0.append("restart of \(server.kind.rawValue): \(error)") }
                // Try to bring it back before anything else.
                try? await server.server.start()
                server.proxy.retarget(server.server.port)
            }
        }
    }

    /// Cuts connections while the chaos lasts: each new one with a chance of
    /// 1 in 8, 0–400 ms after it opened.
    private func cutLoop(until deadline: ContinuousClock.Instant) async {
        for server in servers { server.proxy.cutConnections(chance: 0.125, afterMilliseconds: 0...400) }
        try? await Task.sleep(until: deadline)
        for server in servers { server.proxy.cutConnections(chance: 0, afterMilliseconds: 0...0) }
    }
}
