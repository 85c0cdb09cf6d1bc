import Foundation
import Subprocess
import Synchronization

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// One producer or consumer of the soak: the process running now (if any),
/// what it announced last, and the kills that ended its predecessors.
///
/// ``supervise(until:)`` starts the process, reads its ``PhaseLog`` lines,
/// and starts it again whenever it ends, until it ends after its stop file
/// appeared. Each process leads its own process group, so a kill takes its
/// `git` children with it, as a container's end would.
final class ChildSlot: Sendable {
    enum Role: String, Sendable { case producer, consumer }

    /// Where a killed process was: in a fetch, commit or push, or between them.
    enum Landing: String, Sendable, CaseIterable {
        case fetch, commit, push, idle
    }

    private struct State {
        var phase: PhaseLog.Phase?
        var group: pid_t?
        var killRequested = false
        var waiters: [Int: (phase: PhaseLog.Phase, continuation: CheckedContinuation<Bool, Never>)] = [:]
        var nextWaiter = 0
        var acks = 0
        var starts = 0
        var reapplied: [String: Int] = [:]
        var kills: [Landing: Int] = [:]
        var unexpected: [String] = []
        var finished = false
        var retired = false
    }

    let id: String
    let role: Role
    let backend: SoakBackend
    let server: String
    let executable: String
    let arguments: [String]
    let environment: [String: String]
    let logPath: String
    let stopFile: String
    private let state = Mutex(State())

    init(
        id: String, role: Role, backend: SoakBackend, server: String, executable: String, arguments: [String],
        environment: [String: String], logPath: String, stopFile: String
    ) {
        self.id = id
        self.role = role
        self.backend = backend
        self.server = server
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.logPath = logPath
        self.stopFile = stopFile
    }

    /// Applies acknowledged by this slot's processes so far.
    var acks: Int { state.withLock { $0.acks } }
    /// Writes a restarted producer made again, by whether they had landed
    /// before its predecessor died (`landed-before`) or not (`applied-now`).
    var reapplied: [String: Int] { state.withLock { $0.reapplied } }
    /// Kills by where they landed.
    var kills: [Landing: Int] { state.withLock { $0.kills } }
    /// Ends of a process that nobody asked for (a crash, an error exit).
    var unexpectedEnds: [String] { state.withLock { $0.unexpected } }
    /// Whether a process runs now.
    var isRunning: Bool { state.withLock { $0.group != nil } }
    /// Whether ``supervise()`` returned: the last process ended after the stop file appeared.
    var isFinished: Bool { state.withLock { $0.finished } }

    /// Runs the process again and again until one ends after the stop file appeared.
    func supervise() async {
        defer { state.withLock { $0.finished = true } }
        while true {
            let ending: String
            do {
                ending = try await runOnce()
            } catch {
                ending = "could not start: \(error)"
            }
            let stopping = FileManager.default.fileExists(atPath: stopFile)
            let killed = state.withLock { state -> Bool in
                defer {
                    state.killRequested = false
                    state.phase = nil
                }
                guard state.killRequested else { return false }
                let landing = state.phase.flatMap { Landing(rawValue: $0.rawValue) } ?? .idle
                state.kills[landing, default: 0] += 1
                return true
            }
            // A process the driver ended for good (it did not stop when asked) is
            // reported as such ("did not stop"), not as an end by itself.
            let retired = state.withLock { $0.retired }
            if !killed && !retired && ending != "exited with status 0" {
                state.withLock { $0.unexpected.append("\(id): \(ending)") }
            }
            if (stopping && !killed) || retired { return }
            if Task.isCancelled { return }
            // A process that ended by itself is started again after a pause, so a broken one cannot spin.
            if !killed { try? await Task.sleep(for: .milliseconds(200)) }
        }
    }

    /// Sends SIGKILL to the running process and its children; `false` when none runs.
    @discardableResult
    func kill() -> Bool {
        state.withLock { state in
            guard let group = state.group, !state.killRequested else { return false }
            state.killRequested = true
            Platform.killGroup(group)
            return true
        }
    }

    /// Kills the running process, if any, and starts no other: for a process that did not stop when asked.
    func stopForGood() {
        state.withLock { state in
            state.retired = true
            if let group = state.group { Platform.killGroup(group) }
        }
    }

    /// Waits until the running process announces the start of `phase`;
    /// `false` when the task is cancelled first.
    func nextBegin(of phase: PhaseLog.Phase) async -> Bool {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let cancelled = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    state.waiters[id] = (phase, continuation)
                    return false
                }
                if cancelled { continuation.resume(returning: false) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(returning: false)
        }
    }

    /// The phase the running process is in, `nil` between phases.
    var phase: PhaseLog.Phase? { state.withLock { $0.phase } }

    private func received(_ line: String) {
        let fields = line.split(separator: " ")
        if fields.count == 3, fields[0] == "phase", let phase = PhaseLog.Phase(rawValue: String(fields[1])) {
            let begin = fields[2] == "begin"
            let ready = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
                state.phase = begin ? phase : nil
                guard begin else { return [] }
                let matching = state.waiters.filter { $0.value.phase == phase }
                for key in matching.keys { state.waiters[key] = nil }
                return matching.map(\.value.continuation)
            }
            for continuation in ready { continuation.resume(returning: true) }
        } else if fields.first == "ack" {
            state.withLock { $0.acks += 1 }
        } else if fields.count == 3, fields[0] == "reapplied" {
            state.withLock { $0.reapplied[String(fields[2]), default: 0] += 1 }
        }
    }

    private func runOnce() async throws -> String {
        let log = try FileDescriptor.open(
            FilePath(logPath), .writeOnly, options: [.create, .append], permissions: [.ownerReadWrite, .groupRead])
        defer { try? log.close() }
        var platform = PlatformOptions()
        // Its own process group: a kill reaches its git processes too.
        platform.processGroupID = 0
        var updates: [Environment.Key: String?] = [:]
        for (key, value) in environment { updates[Environment.Key(stringLiteral: key)] = value }
        let result = try await Subprocess.run(
            .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: .inherit.updating(updates),
            platformOptions: platform,
            input: .none,
            output: .sequence,
            error: .fileDescriptor(log, closeAfterSpawningProcess: false)
        ) { execution in
            let pid = execution.processIdentifier.value
            state.withLock {
                $0.group = pid
                $0.starts += 1
            }
            defer { state.withLock { $0.group = nil } }
            // The phase lines with the time they arrived, for a run to investigate (`phases.log`).
            let phases = FileHandle(forWritingAtPath: phasesPath) ?? {
                _ = FileManager.default.createFile(atPath: phasesPath, contents: nil)
                return FileHandle(forWritingAtPath: phasesPath)
            }()
            _ = try? phases?.seekToEnd()
            defer { try? phases?.close() }
            phases?.write(Data("\(Self.timestamp()) start \(pid)\n".utf8))
            for try await line in execution.standardOutput.strings() {
                phases?.write(Data("\(Self.timestamp()) \(line.trimmingCharacters(in: .newlines))\n".utf8))
                received(line)
            }
        }
        switch result.terminationStatus {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }

    /// The phase lines of this slot's processes, each with the time it arrived.
    var phasesPath: String { (logPath as NSString).deletingLastPathComponent + "/phases.log" }

    /// The time of day to the millisecond, for `phases.log`.
    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        return String(format: "%02d:%02d:%02d.%03d", parts.tm_hour, parts.tm_min, parts.tm_sec, Int(now.tv_nsec / 1_000_000))
    }

    /// The last `count` lines of the processes' log.
    func logTail(_ count: Int) -> String {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(count).joined(separator: "\n")
    }
}
