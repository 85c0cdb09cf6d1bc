#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Giter
import GiterLocalGit
import Subprocess
import Synchronization
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// What one finished `git` process left behind.
struct GitResult: Sendable {
    /// The exit code, or `nil` when the process was killed by a signal.
    var exitCode: Int32?
    var standardOutput: [UInt8]
    var standardError: String
    /// Whether the process was killed for running past its time limit.
    var timedOut = false

    var succeeded: Bool { exitCode == 0 }

    /// Standard output as text, without the trailing newline.
    var outputText: String {
        var text = String(decoding: standardOutput, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Standard error without trailing whitespace, for messages.
    var errorText: String {
        var text = standardError
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}

/// Counts the processes a transport starts, so tests can check that reads are batched.
final class LaunchCounter: Sendable {
    private let count = Mutex(0)

    func increment() { count.withLock { $0 += 1 } }

    func add(_ amount: Int) { count.withLock { $0 += amount } }

    var value: Int { count.withLock { $0 } }
}

/// A flag that is set once and stays set.
final class OnceFlag: Sendable {
    private let state = Mutex(false)

    func set() { state.withLock { $0 = true } }

    var value: Bool { state.withLock { $0 } }
}

/// Starts `git` processes against the mirror with a fully explicit environment.
///
/// Only `PATH` and `HOME` are taken from the current process; everything that
/// could change git's behaviour (system and global config, the terminal,
/// the locale, `GIT_*` variables) is set here.
struct GitRunner: Sendable {
    let executable: Executable
    /// Where `executable` is.
    let executablePath: FilePath
    let mirrorPath: String
    let launches: LaunchCounter
    private let baseEnvironment: [String: String]

    /// The options every invocation starts with.
    static let globalOptions = ["-c", "core.quotePath=false", "--literal-pathspecs"]

    /// Fixed identity for commands that might need one but write no commit (ref updates).
    static let toolIdentity = ["GIT_COMMITTER_NAME": "Giter", "GIT_COMMITTER_EMAIL": "giter@localhost"]

    /// A runner for the repository at `mirrorPath` (its `GIT_DIR`);
    /// `objectEnvironment` adds the variables that say where its objects
    /// are read from (``ObjectDirectories/gitEnvironment``), nothing else.
    init(gitPath: String?, mirrorPath: String, objectEnvironment: [String: String] = [:]) async throws(TransportError) {
        // A git process that exits before reading all its input must not kill this one.
        Platform.ignoreBrokenPipes()
        let inherited = Self.currentEnvironment()
        var environment: [String: String] = [
            "PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            "LANG": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_DIR": mirrorPath,
        ]
        if let home = inherited["HOME"] { environment["HOME"] = home }
        environment.merge(objectEnvironment) { _, new in new }
        self.baseEnvironment = environment
        self.mirrorPath = mirrorPath
        self.launches = LaunchCounter()
        if let gitPath {
            self.executablePath = FilePath(gitPath)
        } else {
            do {
                self.executablePath = try await Executable.name("git").resolveExecutablePath(
                    in: .custom(Self.rawEnvironment(environment)))
            } catch {
                throw TransportError(
                    .backend, "the git executable was not found in PATH (\(environment["PATH"] ?? ""))",
                    underlying: error)
            }
        }
        self.executable = .path(executablePath)
    }

    /// The same git, the same launch count and the same environment, with
    /// `folder` as the repository (`GIT_DIR`) instead of the mirror and no
    /// other object folders: for reading a repository on this machine.
    func reading(repository folder: String) -> GitRunner {
        var environment = baseEnvironment
        for name in ["GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH"] {
            environment[name] = nil
        }
        environment["GIT_DIR"] = folder
        return GitRunner(executablePath: executablePath, mirrorPath: folder, launches: launches, baseEnvironment: environment)
    }

    private init(executablePath: FilePath, mirrorPath: String, launches: LaunchCounter, baseEnvironment: [String: String]) {
        self.executablePath = executablePath
        self.executable = .path(executablePath)
        self.mirrorPath = mirrorPath
        self.launches = launches
        self.baseEnvironment = baseEnvironment
    }

    /// The child environment: the base plus `extra` (which wins).
    func environment(adding extra: [String: String]) -> Environment {
        .custom(Self.rawEnvironment(baseEnvironment.merging(extra) { _, new in new }))
    }

    /// Runs `git <global options> <arguments>` to completion and collects its output.
    ///
    /// A non-zero exit is a result, not an error; only a failure to start git
    /// throws. With a `timeLimit`, git runs in a process group of its own
    /// (with the `ssh` or `git-remote-http` it starts), and the whole group is
    /// killed when the limit passes: the result then says ``GitResult/timedOut``.
    func run(
        _ arguments: [String],
        environment extra: [String: String] = [:],
        input: [UInt8]? = nil,
        outputLimit: Int = 1 << 30,
        timeLimit: Duration? = nil,
        connection: Int32? = nil
    ) async throws(TransportError) -> GitResult {
        var platform = PlatformOptions()
        if timeLimit != nil {
            platform.processGroupID = 0
            platform.teardownSequence = [
                .send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(500))
            ]
        }
        var spawned = Configuration(
            executable: executable,
            arguments: Arguments(Self.globalOptions + arguments),
            environment: environment(adding: extra),
            platformOptions: platform
        )
        var source = Source.none
        if let input { source = .bytes(input) }
        if let connection {
            // The process spawner closes every descriptor above 2 in the child, so the connection goes in as
            // standard input, and a shell moves it to descriptor 3 (`fd::3`) before it becomes git.
            spawned.executable = .path(FilePath("/bin/sh"))
            spawned.arguments = Arguments(
                ["-c", #"exec 3<&0 0</dev/null; exec "$0" "$@""#, executablePath.string] + Self.globalOptions + arguments)
            source = .connection(connection)
        }
        let configuration = spawned
        launches.increment()
        do {
            guard let timeLimit else { return try await Self.collect(configuration, input: source, outputLimit: outputLimit) }
            return try await withThrowingTaskGroup(of: GitResult?.self) { group in
                group.addTask { [source] in try await Self.collect(configuration, input: source, outputLimit: outputLimit) }
                group.addTask {
                    try await Task.sleep(for: timeLimit)
                    return nil
                }
                defer { group.cancelAll() }
                // Cancelled at the limit, the run's teardown kills git's whole process group.
                guard let first = try await group.next(), let result = first else {
                    return GitResult(exitCode: nil, standardOutput: [], standardError: "", timedOut: true)
                }
                return result
            }
        } catch {
            throw TransportError(.backend, "could not run git \(arguments.first ?? ""): \(error)", underlying: error)
        }
    }

    /// What a git process reads on its standard input.
    private enum Source: Sendable {
        case none
        case bytes([UInt8])
        /// A socket, given to the child; its owner closes it.
        case connection(Int32)
    }

    private static func collect(_ configuration: Configuration, input: Source, outputLimit: Int) async throws
        -> GitResult
    {
        let result =
            switch input {
            case .bytes(let bytes):
                try await Subprocess.run(
                    configuration, input: .array(bytes),
                    output: .bytes(limit: outputLimit), error: .string(limit: 1 << 20))
            case .connection(let descriptor):
                try await Subprocess.run(
                    configuration, input: .fileDescriptor(FileDescriptor(rawValue: descriptor), closeAfterSpawningProcess: false),
                    output: .bytes(limit: outputLimit), error: .string(limit: 1 << 20))
            case .none:
                try await Subprocess.run(
                    configuration, input: .none,
                    output: .bytes(limit: outputLimit), error: .string(limit: 1 << 20))
            }
        let code: Int32? =
            switch result.terminationStatus {
            case .exited(let code): code
            default: nil
            }
        return GitResult(exitCode: code, standardOutput: result.standardOutput, standardError: result.standardError)
    }

    /// Runs `git <arguments>` (without the global options) with exactly
    /// `environment`, for reading something outside the mirror (the user's
    /// own configuration).
    func run(_ arguments: [String], replacingEnvironment environment: [String: String]) async throws(TransportError)
        -> GitResult
    {
        let configuration = Configuration(
            executable: executable, arguments: Arguments(arguments), environment: .custom(Self.rawEnvironment(environment)))
        launches.increment()
        do {
            let result = try await Subprocess.run(
                configuration, input: .none, output: .bytes(limit: 1 << 20), error: .string(limit: 1 << 20))
            let code: Int32? =
                switch result.terminationStatus {
                case .exited(let code): code
                default: nil
                }
            return GitResult(exitCode: code, standardOutput: result.standardOutput, standardError: result.standardError)
        } catch {
            throw TransportError(.backend, "could not run git \(arguments.first ?? ""): \(error)", underlying: error)
        }
    }

    /// Runs git and throws, classified by its standard error, unless it succeeds.
    func check(
        _ arguments: [String],
        environment extra: [String: String] = [:],
        input: [UInt8]? = nil,
        remote: String? = nil
    ) async throws(TransportError) -> GitResult {
        let result = try await run(arguments, environment: extra, input: input)
        guard result.succeeded else {
            throw GitFailure.error(for: result, command: arguments.first ?? "", remote: remote)
        }
        return result
    }

    static func rawEnvironment(_ environment: [String: String]) -> [[UInt8]] {
        environment.map { Array("\($0.key)=\($0.value)".utf8) + [0] }
    }

    private static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        for name in ["PATH", "HOME"] {
            if let value = getenv(name) { result[name] = String(cString: value) }
        }
        return result
    }
}
