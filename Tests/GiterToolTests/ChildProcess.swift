import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A long-running program a test starts and ends itself (`giter serve`,
/// Chromium), with chosen descriptors of its own mapped to the test's
/// pipes; what it writes to a pipe is read on a thread of its own.
struct ChildProcess: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let pid: pid_t
    /// How it ended, as `waitpid` reports it; awaited on a thread of its own.
    let exit: Task<Int32, Never>

    /// Starts `path` with `arguments` and `environment`; `descriptors` maps
    /// each descriptor number of the child to one of the test's (all
    /// others but 0–2 are closed on exec, as the test's pipes are made).
    static func spawn(
        _ path: String,
        _ arguments: [String],
        environment: [String: String],
        descriptors: [Int32: Int32]
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (child, parent) in descriptors {
            posix_spawn_file_actions_adddup2(&actions, parent, child)
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var spawned: pid_t = 0
        let result = posix_spawn(&spawned, path, &actions, nil, argv, envp)
        guard result == 0 else { throw Failure(description: "cannot start \(path): error \(result)") }
        let pid = spawned
        let exit = Task.detached {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
                Thread {
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                    continuation.resume(returning: status)
                }.start()
            }
        }
        return ChildProcess(pid: pid, exit: exit)
    }

    /// Sends `signal` to the process.
    func signal(_ signal: Int32) {
        Glibc.kill(pid, signal)
    }

    /// Kills the process and waits for it to end.
    func forceStop() async {
        signal(SIGKILL)
        _ = await exit.value
    }
}

/// A pipe whose ends are made close-on-exec, numbered 10 and up (so a
/// child's `dup2` onto 3 or 4 never meets one of them).
struct DescriptorPipe: Sendable {
    let read: Int32
    let write: Int32

    init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw ChildProcess.Failure(description: "pipe: errno \(errno)") }
        read = fcntl(ends[0], F_DUPFD_CLOEXEC, 10)
        write = fcntl(ends[1], F_DUPFD_CLOEXEC, 10)
        close(ends[0])
        close(ends[1])
    }
}

/// Reads a descriptor to its end on a thread of its own, as chunks.
enum DescriptorReader {
    /// The bytes of `descriptor` as they come; the stream ends at end of
    /// file or an error, and the descriptor is then closed.
    static func chunks(of descriptor: Int32) -> AsyncStream<[UInt8]> {
        let (stream, input) = AsyncStream.makeStream(of: [UInt8].self)
        Thread {
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                input.yield(Array(buffer[..<count]))
            }
            close(descriptor)
            input.finish()
        }.start()
        return stream
    }
}

/// Writes all of `bytes` to `descriptor`; false once the reader is gone.
func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return false }
        offset += written
    }
    return true
}
