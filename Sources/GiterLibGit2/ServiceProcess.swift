internal import CLibGit2
import Giter

#if canImport(Glibc)
import Glibc
#endif

/// A spawned `git-upload-pack` or `git-receive-pack` serving one
/// repository on this machine, and the socket its standard input and
/// output are connected to; the stream ``LocalSubtransport`` gives libgit2.
///
/// Runs with no system or global git configuration, `LC_ALL=C` and no
/// inherited `GIT_*` variables (so no `GIT_DIR` from the caller leaks in).
/// Its standard error goes to an unlinked temporary file, read when the
/// conversation ends early, so a chatty child can never block on a full pipe.
final class ServiceProcess {
    /// Why the process could not be started.
    struct Failure: Error {
        let message: String
    }

    let program: String
    let path: String
    private var socket: Int32
    private var errorFile: Int32
    private var pid: pid_t
    private var exitStatus: Int32?
    private var onFree: ((UnsafeMutablePointer<git_smart_subtransport_stream>) -> Void)?

    /// Starts `program` (found on `PATH`) with `path` as its argument.
    init(program: String, path: String) throws(Failure) {
        self.program = program
        self.path = path
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw Failure(message: "cannot start \(program): socketpair failed: \(Self.lastSystemError())")
        }
        let errorFile = Self.makeErrorFile()
        guard errorFile >= 0 else {
            close(pair[0])
            close(pair[1])
            throw Failure(message: "cannot start \(program): no temporary file for its messages: \(Self.lastSystemError())")
        }
        var pid: pid_t = 0
        let result = Self.spawn(&pid, program: program, arguments: [program, path], socket: pair[1], errors: errorFile)
        close(pair[1])
        guard result == 0 else {
            close(pair[0])
            close(errorFile)
            throw Failure(message: "cannot start \(program): \(String(cString: strerror(result)))")
        }
        socket = pair[0]
        self.errorFile = errorFile
        self.pid = pid
    }

    /// The C stream over this process, owning a retained reference to it
    /// until libgit2 frees the stream; `onFree` runs then.
    func makeStream(
        subtransport: UnsafeMutablePointer<git_smart_subtransport>,
        onFree: @escaping (UnsafeMutablePointer<git_smart_subtransport_stream>) -> Void
    ) -> UnsafeMutablePointer<git_smart_subtransport_stream> {
        self.onFree = onFree
        let table = git_smart_subtransport_stream(
            subtransport: subtransport,
            read: { stream, buffer, size, count in
                guard let stream, let buffer, let count else { return -1 }
                return CBox.owner(of: stream, as: ServiceProcess.self).read(buffer, size, count)
            },
            write: { stream, buffer, length in
                guard let stream, let buffer else { return -1 }
                return CBox.owner(of: stream, as: ServiceProcess.self).write(buffer, length)
            },
            free: { stream in
                guard let stream else { return }
                let process = CBox.owner(of: stream, as: ServiceProcess.self)
                process.finish()
                process.onFree?(stream)
                process.onFree = nil
                CBox.release(stream, ServiceProcess.self)
            }
        )
        return CBox.make(table, owner: self)
    }

    deinit {
        finish()
    }

    // MARK: Stream callbacks

    private func read(_ buffer: UnsafeMutablePointer<CChar>, _ size: Int, _ count: UnsafeMutablePointer<Int>) -> Int32 {
        while true {
            let received = Glibc.read(socket, buffer, size)
            if received > 0 {
                count.pointee = received
                return 0
            }
            if received < 0 && errno == EINTR { continue }
            let reason = received < 0 ? "cannot read from it: \(Self.lastSystemError())" : "it ended the conversation"
            return fail("\(program) '\(path)': \(reason)")
        }
    }

    private func write(_ buffer: UnsafePointer<CChar>, _ length: Int) -> Int32 {
        var offset = 0
        while offset < length {
            let sent = send(socket, buffer + offset, length - offset, Int32(MSG_NOSIGNAL))
            if sent < 0 {
                if errno == EINTR { continue }
                return fail("\(program) '\(path)': cannot write to it: \(Self.lastSystemError())")
            }
            offset += sent
        }
        return 0
    }

    /// Records `message`, with what the process said on its standard error
    /// or its exit status, as libgit2's error; returns -1.
    private func fail(_ message: String) -> Int32 {
        finish()
        var text = message
        let said = errorText()
        if !said.isEmpty {
            text += ": " + said
        } else if let exitStatus, exitStatus != 0 {
            text += " (exit status \(exitStatus))"
        }
        git_error_set_str(Int32(GIT_ERROR_NET.rawValue), text)
        return -1
    }

    /// Closes the socket (the child sees end of file) and reaps the child.
    private func finish() {
        if socket >= 0 {
            close(socket)
            socket = -1
        }
        guard exitStatus == nil, pid > 0 else { return }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                exitStatus = -1
                return
            }
        }
        // WIFEXITED / WEXITSTATUS, written out: the macros do not import.
        exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// The start of what the child wrote on its standard error, trimmed.
    private func errorText() -> String {
        guard errorFile >= 0 else { return "" }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { pread(errorFile, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return "" }
        return String(decoding: bytes[..<count], as: UTF8.self)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingSuffix(while: { $0 == " " }) }
            .joined(separator: "; ")
    }

    // MARK: Spawning

    /// An unlinked temporary file, closed on exec, or -1.
    private static func makeErrorFile() -> Int32 {
        let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((folder + "/giter-service-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { name in
            name.baseAddress.map { mkstemp($0) } ?? -1
        }
        guard descriptor >= 0 else { return -1 }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { name in
            if let base = name.baseAddress { _ = unlink(base) }
        }
        return descriptor
    }

    /// posix_spawnp with the socket as standard input and output and
    /// `errors` as standard error; returns 0 or an errno value.
    private static func spawn(
        _ pid: inout pid_t, program: String, arguments: [String], socket: Int32, errors: Int32
    ) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, socket, 0)
        posix_spawn_file_actions_adddup2(&actions, socket, 1)
        posix_spawn_file_actions_adddup2(&actions, errors, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment().map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        return posix_spawnp(&pid, program, &actions, &attributes, &argv, &envp)
    }

    /// This process's environment without `GIT_*` and locale overrides,
    /// plus the settings that keep the child's behaviour independent of
    /// the machine's git configuration.
    private static func environment() -> [String] {
        var result: [String] = []
        var entry: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        while let current = entry, let pointer = current.pointee {
            let variable = String(cString: pointer)
            if !variable.hasPrefix("GIT_") && !variable.hasPrefix("LC_ALL=") {
                result.append(variable)
            }
            entry = current + 1
        }
        return result + ["GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C"]
    }

    private static func lastSystemError() -> String {
        String(cString: strerror(errno))
    }
}

extension Substring {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var result = self
        while let last = result.last, predicate(last) { result.removeLast() }
        return result
    }
}
