internal import Foundation
internal import Synchronization
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// One long-running server process: started with its output going to a log
/// file, reaped by a dedicated thread, and stopped with SIGTERM, then SIGKILL
/// after a grace period.
///
/// Servers are spawned with `posix_spawn` rather than `Foundation.Process`:
/// on Linux, `Process` learns that a child exited when the child's end of a
/// private socket pair closes, then calls a *blocking* `waitpid` on its single
/// manager thread. `sshd` closes every inherited descriptor at startup, so
/// `Process` would block in `waitpid(sshd)` and stop reaping every other
/// child of the test process until sshd exits. Here the child gets only
/// standard input (`/dev/null`), output and error (the log): every other
/// descriptor is closed, so a server never holds another command's pipes.
/// The server runs in its own process group; once the server exits, what is
/// left of the group (per-connection children, CGI programs) is killed.
final class ServerProcess: Sendable {
    /// The server's process id.
    let pid: pid_t
    /// The file that receives the server's standard output and error.
    let logFile: URL
    /// A short name for messages, for example `sshd`.
    let name: String
    private let exit = ExitSignal()
    /// `true` once the child is reaped; held while signalling so a signal
    /// never reaches a recycled pid.
    private let reaped = ReapState()

    /// Starts `executable`; returns once the process exists (not once it serves).
    init(
        name: String,
        executable: String,
        arguments: [String],
        environment: [String: String],
        logFile: URL
    ) throws {
        self.name = name
        self.logFile = logFile
        pid = try Self.spawn(executable: executable, arguments: arguments, environment: environment, logFile: logFile)
        let pid = pid
        let exit = exit
        let reaped = reaped
        let waiter = Thread {
            Self.waitForExit(pid: pid, reaped: reaped)
            exit.signal()
        }
        waiter.name = "GitServerFixtures reaper \(pid)"
        waiter.start()
    }

    deinit {
        // Safety net for a fixture dropped without `stop()`: never leave a
        // server behind. The reaper thread collects it.
        send(SIGKILL)
    }

    /// Whether the process has exited.
    var hasExited: Bool {
        exit.hasFired
    }

    /// The server's log so far.
    var log: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Waits until `127.0.0.1:port` accepts connections: at most `attempts`
    /// probes, `interval` apart.
    ///
    /// - Returns: `true` when the port accepts, `false` when the process exited
    ///   first (for example because the port was taken).
    /// - Throws: ``FixtureError`` when the port never accepts;
    ///   `CancellationError` when the task is cancelled.
    func waitUntilAccepting(port: Int, attempts: Int = 250, interval: Duration = .milliseconds(20)) async throws -> Bool {
        for _ in 0..<attempts {
            if hasExited {
                return false
            }
            if LoopbackPort.isAccepting(port) {
                // The port may belong to someone else if we lost a race for it.
                return !hasExited
            }
            try await Task.sleep(for: interval)
        }
        throw FixtureError("\(name) did not accept connections on 127.0.0.1:\(port) in time; log:\n\(log)")
    }

    /// Stops the process: SIGTERM, then SIGKILL when it is still running after
    /// `grace`. Returns once the process has been reaped. Safe to call again.
    func stop(grace: Duration = .seconds(3)) async {
        if exit.hasFired {
            return
        }
        send(SIGTERM)
        if await exit.wait(timeout: grace) {
            return
        }
        send(SIGKILL, group: true)
        _ = await exit.wait(timeout: .seconds(10))
    }

    /// Sends `signal` to the process (or its whole group) unless it was reaped.
    private func send(_ signal: Int32, group: Bool = false) {
        reaped.flag.withLock { reaped in
            if !reaped {
                _ = kill(group ? -pid : pid, signal)
            }
        }
    }

    /// Blocks the calling (dedicated) thread until `pid` exits, kills what is
    /// left of its process group, and reaps it.
    private static func waitForExit(pid: pid_t, reaped: ReapState) {
        // Observe the exit without reaping: the pid, and so the process group
        // id, stay reserved until the `waitpid` below.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        reaped.flag.withLock { reaped in
            _ = kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            reaped = true
        }
    }

    /// `posix_spawn`s the server in its own process group with default signal
    /// handling and only descriptors 0, 1 and 2.
    private static func spawn(
        executable: String,
        arguments: [String],
        environment: [String: String],
        logFile: URL
    ) throws -> pid_t {
        let log = open(logFile.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard log >= 0 else {
            throw FixtureError("cannot create the log file \(logFile.path): errno \(errno)")
        }
        defer { close(log) }
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard null >= 0 else {
            throw FixtureError("cannot open /dev/null: errno \(errno)")
        }
        defer { close(null) }

        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        posix_spawn_file_actions_adddup2(&actions, null, 0)
        posix_spawn_file_actions_adddup2(&actions, log, 1)
        posix_spawn_file_actions_adddup2(&actions, log, 2)
        var flags = Int32(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #else
        guard let closeFrom = addCloseFrom else {
            throw FixtureUnavailable(reason: "posix_spawn_file_actions_addclosefrom_np is missing (glibc 2.34 or later needed)")
        }
        guard closeFrom(&actions, 3) == 0 else {
            throw FixtureError("posix_spawn_file_actions_addclosefrom_np failed: errno \(errno)")
        }
        #endif
        posix_spawnattr_setflags(&attributes, Int16(truncatingIfNeeded: flags))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGQUIT, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = CStringArray([executable] + arguments)
        let envp = CStringArray(environment.map { "\($0.key)=\($0.value)" })
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv.pointers, envp.pointers)
        guard result == 0 else {
            throw FixtureError("cannot start \(executable): posix_spawn error \(result) (\(String(cString: strerror(result))))")
        }
        return pid
    }

    #if !canImport(Darwin)
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which the
    /// Glibc module does not export.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()
    #endif
}

/// Whether a server process has been reaped, shared with its reaper thread.
private final class ReapState: Sendable {
    let flag = Mutex(false)
}

/// A NULL-terminated array of C strings that lives as long as the value.
private final class CStringArray {
    let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointers = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() {
            pointers[index] = strdup(string)
        }
        pointers[strings.count] = nil
    }

    deinit {
        for index in 0..<count {
            free(pointers[index])
        }
        pointers.deallocate()
    }
}
