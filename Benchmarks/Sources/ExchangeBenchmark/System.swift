import BenchmarkSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Child processes through `posix_spawnp` and `waitpid`, so that the time
/// measured for the naive loop is git's own and not a run loop's.
struct Spawner: Sendable {
    /// `NAME=value` pairs for every child: the current environment with the overrides.
    let environment: [String]

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

    /// Runs `arguments` (the first looked up on `PATH`; a `git` command gets
    /// `-C directory`), stdin on `/dev/null`, stdout into `output` (or
    /// `/dev/null`), stderr kept only when `showErrors`. Throws when the child fails.
    func run(
        _ arguments: [String],
        in directory: String? = nil,
        output: String? = nil,
        showErrors: Bool = true
    ) throws(BenchmarkError) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if !showErrors { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
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

/// A whole file's bytes, or `nil` when it cannot be opened.
func readBytes(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    return bytes
}

func readText(_ path: String) -> String? {
    readBytes(path).map { String(decoding: $0, as: UTF8.self) }
}

/// Writes `text` to a file, replacing it.
func writeText(_ text: String, to path: String) throws(BenchmarkError) {
    guard let file = fopen(path, "wb") else { throw BenchmarkError("cannot write \(path)") }
    defer { fclose(file) }
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
    guard written == bytes.count else { throw BenchmarkError("short write to \(path)") }
}

/// Writes a line to stderr (progress; stdout holds only the results).
func progress(_ text: String) {
    let line = Array((text + "\n").utf8)
    _ = line.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
}

/// A fresh folder under /dev/shm when writable, else /tmp.
func makeScratchFolder(prefix: String) throws(BenchmarkError) -> String {
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw BenchmarkError("cannot create a temporary folder in \(base)") }
    return String(cString: made)
}

/// CPU model, core count and load average.
func machineDescription() -> String {
    var model = "unknown CPU"
    if let cpu = readText("/proc/cpuinfo"),
        let line = cpu.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
        let colon = line.firstIndex(of: ":")
    {
        model = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
    }
    return "\(model), \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores"
}

func loadAverage() -> String {
    (readText("/proc/loadavg") ?? "").split(separator: " ").prefix(3).joined(separator: " ")
}

/// CPU time (user + system) of this process and its waited-for children, in nanoseconds.
func cpuNanoseconds() -> UInt64 {
    func total(_ own: Bool) -> UInt64 {
        var usage = rusage()
        #if os(Linux)
        getrusage(own ? RUSAGE_SELF.rawValue : RUSAGE_CHILDREN.rawValue, &usage)
        #else
        getrusage(own ? RUSAGE_SELF : RUSAGE_CHILDREN, &usage)
        #endif
        func nanoseconds(_ time: timeval) -> UInt64 {
            UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_usec) * 1_000
        }
        return nanoseconds(usage.ru_utime) + nanoseconds(usage.ru_stime)
    }
    return total(true) + total(false)
}
