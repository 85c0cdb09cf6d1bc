import BenchmarkSupport
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Child processes through `posix_spawnp` and `waitpid`: no run loop and no
/// polling, so the time measured around ``run(_:environment:input:)`` is the
/// child's own (start-up included).
///
/// Every child gets this process's environment with ``overrides`` applied
/// (an isolated git: no system or user configuration). Standard output goes
/// to a file in ``folder`` and is returned; standard error to another, and
/// is quoted when the child fails.
struct Spawner: Sendable {
    /// Where the children's output is kept between runs.
    let folder: String
    /// Variables set for every child, over this process's environment.
    let overrides: [String: String]

    /// What a finished child said.
    struct Outcome: Sendable {
        var status: Int32
        var output: String
        var errors: String
        /// Whether it exited with status 0.
        var succeeded: Bool { status == 0 }
    }

    /// Runs `arguments` (the first is looked up on `PATH`) to its end, with
    /// `environment` over ``overrides``, and standard input from the file
    /// `input` (`/dev/null` when `nil`).
    ///
    /// - Throws: ``BenchmarkError`` when the child cannot be started, or
    ///   exits with a status other than 0 (quoting its standard error).
    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws(BenchmarkError)
        -> String
    {
        let outcome = try launch(arguments, environment: environment, input: input)
        guard outcome.succeeded else {
            throw BenchmarkError(
                "\(Self.excerpt(arguments)) failed with status \(outcome.status): "
                    + outcome.errors.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return outcome.output
    }

    /// Runs `arguments` to its end and returns its status and output, whatever the status.
    func launch(_ arguments: [String], environment: [String: String] = [:], input: String? = nil)
        throws(BenchmarkError) -> Outcome
    {
        let outputPath = folder + "/child.out"
        let errorPath = folder + "/child.err"
        let pid = try spawn(arguments, environment: environment, input: input, output: outputPath, errors: errorPath)
        let status = try Self.wait(for: pid, name: arguments[0])
        return Outcome(
            status: status,
            output: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
            errors: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }

    /// Starts `arguments` in the background, its output discarded; the caller stops it with ``stop(_:)``.
    func start(_ arguments: [String], environment: [String: String] = [:]) throws(BenchmarkError) -> pid_t {
        try spawn(arguments, environment: environment, input: nil, output: "/dev/null", errors: "/dev/null")
    }

    /// Sends SIGTERM to `pid`, a child this spawner started, and waits for
    /// it to end; after 5 seconds, SIGKILL.
    static func stop(_ pid: pid_t) {
        guard kill(pid, SIGTERM) == 0 else { return }
        let deadline = ContinuousClock.now + .seconds(5)
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            if waitpid(pid, &status, WNOHANG) != 0 { return }  // ended (or not ours any more)
            usleep(10_000)  // polled: a child's end is not announced here; the deadline bounds it
        }
        kill(pid, SIGKILL)
        _ = try? wait(for: pid, name: "child \(pid)")
    }

    private func spawn(
        _ arguments: [String], environment: [String: String], input: String?, output: String, errors: String
    ) throws(BenchmarkError) -> pid_t {
        precondition(!arguments.isEmpty, "a child needs a program")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var variables = ProcessInfo.processInfo.environment
        for (key, value) in overrides { variables[key] = value }
        for (key, value) in environment { variables[key] = value }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        // A child starts with no signal blocked and default handlers: this
        // thread (a dispatch worker) blocks SIGTERM, and a child inheriting
        // that mask (ssh-agent) could not be stopped.
        var pid = pid_t()
        let spawned = withDefaultSignalSpawnAttributes { attributes in
            posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        }
        guard spawned == 0 else {
            throw BenchmarkError("cannot start \(arguments[0]): \(String(cString: strerror(spawned))); is it installed?")
        }
        return pid
    }

    /// The exit status of `pid` (128 + the signal when a signal ended it).
    private static func wait(for pid: pid_t, name: String) throws(BenchmarkError) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw BenchmarkError("waitpid failed for \(name): errno \(errno)") }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// The command line, shortened for a message (a verify-commit of 1,000 ids is long).
    private static func excerpt(_ arguments: [String]) -> String {
        let text = arguments.joined(separator: " ")
        return text.count <= 200 ? text : String(text.prefix(200)) + "…"
    }
}
