#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
package import Giter

/// Every C library call of the local-Git rules, for Linux and Darwin, in one
/// place: the other files of this module call these and import no C library.
package enum Platform {
    /// Makes the process ignore SIGPIPE if it had the default disposition
    /// (which ends the process); a handler or an ignore the application
    /// installed stays. Both backends call it before they talk to anything
    /// that can go away: a git process that exits before reading its input
    /// (the git CLI backend), a connection cut in the middle of a push
    /// (libgit2 writes to its sockets without `MSG_NOSIGNAL`; the soak found
    /// that it killed the host process). Done once per process.
    package static func ignoreBrokenPipes() {
        _ = brokenPipesIgnored
    }

    private static let brokenPipesIgnored: Bool = {
        guard let isDefault = hasDefaultDisposition(SIGPIPE) else { return false }
        if isDefault { signal(SIGPIPE, SIG_IGN) }
        return true
    }()

    /// Whether `signal` has its default disposition (no handler, not
    /// ignored); nil when that cannot be read.
    private static func hasDefaultDisposition(_ signal: Int32) -> Bool? {
        var current = sigaction()
        guard sigaction(signal, nil, &current) == 0 else { return nil }
        #if canImport(Darwin)
        let handler = unsafeBitCast(current.__sigaction_u.__sa_handler, to: Int.self)
        #else
        let handler = unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
        #endif
        return handler == 0 && current.sa_flags & SA_SIGINFO == 0
    }

    /// A thread that makes a blocking call, for ``interrupt(_:)``.
    package struct Thread: @unchecked Sendable {
        // @unchecked: a handle (an integer on Linux, a pointer on Darwin) that is only passed to pthread_kill.
        fileprivate let handle: pthread_t
    }

    /// The calling thread.
    package static var currentThread: Thread { Thread(handle: pthread_self()) }

    /// Whether ``interrupt(_:)`` can end a blocked system call: true once a
    /// handler that does nothing is installed for `SIGURG`, without
    /// `SA_RESTART`, so that a `recv`, `connect` or `poll` the signal lands
    /// in fails with `EINTR` instead of going on. `SIGURG` is ignored by
    /// default and sent by the kernel only for out-of-band data on a socket
    /// whose owner the process set; the handler is installed only when the
    /// signal has its default disposition, so a host app's own handler
    /// stays (and then this is false). Done once per process.
    package static var canInterruptBlockedCalls: Bool { interruptHandlerInstalled }

    private static let interruptHandlerInstalled: Bool = {
        guard hasDefaultDisposition(SIGURG) == true else { return false }
        var action = sigaction()
        #if canImport(Darwin)
        action.__sigaction_u.__sa_handler = { _ in }
        #else
        action.__sigaction_handler.sa_handler = { _ in }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        return sigaction(SIGURG, &action, nil) == 0
    }()

    /// Sends `SIGURG` to `thread`: a system call it is blocked in fails with
    /// `EINTR` (see ``canInterruptBlockedCalls``), if the thread runs
    /// ``withInterruptsAllowed(_:)``.
    package static func interrupt(_ thread: Thread) {
        pthread_kill(thread.handle, SIGURG)
    }

    /// Runs `body` with `SIGURG` unblocked on this thread, and then blocks
    /// it again if it was: Dispatch's worker threads block signals, and a
    /// blocked signal stays pending instead of interrupting the call.
    package static func withInterruptsAllowed<Result, Failure>(
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var interrupts = sigset_t()
        sigemptyset(&interrupts)
        sigaddset(&interrupts, SIGURG)
        var previous = sigset_t()
        pthread_sigmask(SIG_UNBLOCK, &interrupts, &previous)
        defer {
            if sigismember(&previous, SIGURG) == 1 { pthread_sigmask(SIG_BLOCK, &interrupts, nil) }
        }
        return try body()
    }

    /// Writes `line` and a newline to standard error at once (unbuffered).
    package static func writeToStandardError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// What `stat` says about `path` (following links); nil when it cannot be read.
    package static func stamp(of path: String) -> FileStamp? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        #if canImport(Darwin)
        let modified = nanoseconds(status.st_mtimespec)
        let changed = nanoseconds(status.st_ctimespec)
        #else
        let modified = nanoseconds(status.st_mtim)
        let changed = nanoseconds(status.st_ctim)
        #endif
        return FileStamp(
            device: UInt64(truncatingIfNeeded: status.st_dev), inode: UInt64(status.st_ino),
            size: Int64(status.st_size), mode: UInt32(status.st_mode), modified: modified, changed: changed,
            isFolder: (status.st_mode & S_IFMT) == S_IFDIR)
    }

    /// The wall clock, in nanoseconds since 1970 (the clock file times use).
    package static func wallClock() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return nanoseconds(time)
    }

    /// Whether something exists at `path` (a broken link does not).
    package static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Whether this process may read `path`.
    package static func isReadable(_ path: String) -> Bool {
        access(path, R_OK) == 0
    }

    /// Whether this process may execute `path` (how Git decides that a hook is installed).
    package static func isExecutable(_ path: String) -> Bool {
        access(path, X_OK) == 0
    }

    /// The names of the entries of `folder` ("." and ".." included); empty when it cannot be read.
    package static func entryNames(in folder: String) -> [String] {
        guard let handle = opendir(folder) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            names.append(name)
        }
        return names
    }

    /// The bytes of the file at `path`; nil when it cannot be read or holds
    /// more than `limit` bytes.
    package static func contents(of path: String, limit: Int = .max) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in read(descriptor, raw.baseAddress, raw.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return result }
            guard count <= limit - result.count else { return nil }
            result.append(contentsOf: buffer[0..<count])
        }
    }

    /// Creates the file `destination` holding `contents` unless something
    /// exists there already (which is kept): written to a temporary file in
    /// the same folder, given `mode`, linked to its name. With `durably`
    /// (the default) the file is fsynced before it is linked and the folder
    /// after. The folder is created when missing (its parent must exist).
    package static func createDurably(_ contents: [UInt8], at destination: String, mode: UInt32, durably: Bool = true)
        throws(TransportError)
    {
        if exists(destination) { return }
        let folder = String(destination[..<(destination.lastIndex(of: "/") ?? destination.endIndex)])
        if mkdir(folder, 0o777) != 0 && errno != EEXIST {
            throw failure("cannot create the folder \(folder)")
        }
        var template = Array((folder + "/tmp_obj_XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard descriptor >= 0 else { throw failure("cannot create a temporary file in \(folder)") }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(temporary) }
        let written = contents.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return raw.isEmpty }
            var offset = 0
            while offset < raw.count {
                let count = write(descriptor, base + offset, raw.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        let synced = written && fchmod(descriptor, mode_t(mode)) == 0 && (!durably || fsync(descriptor) == 0)
        let failed = synced ? nil : failure("cannot write \(temporary)")
        close(descriptor)
        if let failed { throw failed }
        if link(temporary, destination) != 0 && errno != EEXIST {
            throw failure("cannot create \(destination)")
        }
        guard durably else { return }
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }

    /// Waits `microseconds` on this thread (for the short lock waits Git itself makes).
    package static func pause(microseconds: Int) {
        usleep(UInt32(clamping: microseconds))
    }

    private static func nanoseconds(_ time: timespec) -> Int64 {
        Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// A backend error saying what failed and what the system said (`errno`, read at once).
    static func failure(_ what: String) -> TransportError {
        let reason = String(cString: strerror(errno))
        return TransportError(.backend, "\(what): \(reason); check the folder's permissions and free space")
    }
}
