import BenchmarkSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Child processes through `posix_spawnp` and `waitpid`: no run loop, no
/// polling, so the time measured is the child's own.
struct Spawner: Sendable {
    /// `NAME=value` pairs for every child.
    let environment: [String]

    /// The current environment with `overrides` applied.
    init(overrides: [String: String]) {
        var variables: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        for (key, value) in overrides { variables[key] = value }
        environment = variables.map { "\($0.key)=\($0.value)" }.sorted()
    }

    /// Runs `arguments` (the first is looked up on `PATH`; `directory` is for `git` only, as `-C`),
    /// with stdin read from `input` and stdout written to `output`
    /// (`/dev/null` when `nil`); stderr goes to `/dev/null` unless `showErrors`.
    /// Throws when the child exits with a non-zero status.
    func run(
        _ arguments: [String], in directory: String? = nil, input: String? = nil, output: String? = nil,
        showErrors: Bool = true
    ) throws(BenchmarkError) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if !showErrors {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        // `git -C` instead of a chdir file action (not in every libc's headers).
        var arguments = arguments
        if let directory, arguments.first == "git" { arguments.insert(contentsOf: ["-C", directory], at: 1) }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let spawned = withDefaultSignalSpawnAttributes { attributes in
            posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        }
        guard spawned == 0 else {
            throw BenchmarkError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw BenchmarkError("waitpid failed for \(arguments[0])") }
        }
        // WIFEXITED && WEXITSTATUS == 0
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw BenchmarkError("\(arguments.joined(separator: " ")) failed (status \(status))")
        }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Monotonic time in nanoseconds.
@inline(__always)
func nowNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Reads a whole file as text (`nil` if it cannot be opened).
func readText(_ path: String) -> String? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Writes bytes to a file, replacing it.
func writeBytes(_ bytes: [UInt8], to path: String) throws(BenchmarkError) {
    guard let file = fopen(path, "wb") else { throw BenchmarkError("cannot write \(path)") }
    defer { fclose(file) }
    let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
    guard written == bytes.count else { throw BenchmarkError("short write to \(path)") }
}

/// Writes a line to stderr.
func printError(_ text: String) {
    let line = Array((text + "\n").utf8)
    _ = line.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
}
