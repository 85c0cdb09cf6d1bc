#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
package import Giter

/// The C library calls of the lock owner records (``LockOwner``): which
/// host and process this is, whether another process is alive, and the
/// exclusive file operations locks are made of. Part of ``Platform``, the
/// one place of this module that imports a C library.
extension Platform {
    /// This machine's host name; "localhost" when it cannot be read.
    package static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// This process's id.
    package static var processID: Int32 { getpid() }

    /// What identifies this boot of the machine: Linux's
    /// `/proc/sys/kernel/random/boot_id`, Darwin's boot time
    /// (`kern.boottime`); empty when it cannot be read.
    package static var bootID: String {
        #if canImport(Darwin)
        var boot = timeval()
        var size = MemoryLayout<timeval>.size
        var name: [Int32] = [CTL_KERN, KERN_BOOTTIME]
        guard sysctl(&name, 2, &boot, &size, nil, 0) == 0 else { return "" }
        return "\(boot.tv_sec).\(boot.tv_usec)"
        #else
        guard let bytes = contents(of: "/proc/sys/kernel/random/boot_id") else { return "" }
        return String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }
        #endif
    }

    /// When process `pid` started, in a unit fixed for this boot of the
    /// machine (Linux: clock ticks since boot, field 22 of
    /// `/proc/<pid>/stat`; Darwin: microseconds since 1970, from
    /// `kern.proc.pid`); nil when there is no such process or it cannot be read.
    package static func processStart(_ pid: Int32) -> UInt64? {
        guard pid > 0 else { return nil }
        #if canImport(Darwin)
        var info = kinfo_proc()
        var size = MemoryLayout<kinfo_proc>.size
        var name: [Int32] = [CTL_KERN, KERN_PROC, KERN_PROC_PID, pid]
        guard sysctl(&name, 4, &info, &size, nil, 0) == 0, size > 0 else { return nil }
        let start = info.kp_proc.p_un.__p_starttime
        return UInt64(start.tv_sec) * 1_000_000 + UInt64(start.tv_usec)
        #else
        guard let bytes = contents(of: "/proc/\(pid)/stat") else { return nil }
        // The command name (field 2) is in parentheses and may hold spaces:
        // the fields after the last ")" are counted from field 3.
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 19 else { return nil }
        return UInt64(String(decoding: fields[19], as: UTF8.self))
        #endif
    }

    /// Whether a process `pid` exists (it may belong to another user).
    package static func processExists(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Creates `path` exclusively holding `contents`, fsynced; false when
    /// something exists there already.
    package static func createExclusively(_ contents: [UInt8], at path: String) throws(TransportError) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            if errno == EEXIST { return false }
            throw failure("cannot create \(path)")
        }
        let written = contents.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return true }
            var offset = 0
            while offset < raw.count {
                let count = write(descriptor, base + offset, raw.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        let synced = written && fsync(descriptor) == 0
        let failed = synced ? nil : failure("cannot write \(path)")
        close(descriptor)
        if let failed {
            unlink(path)
            throw failed
        }
        return true
    }

    /// Gives the file `existing` the second name `new`, exclusively: false
    /// when something exists at `new` already.
    package static func addName(_ existing: String, as new: String) throws(TransportError) -> Bool {
        if link(existing, new) == 0 { return true }
        if errno == EEXIST { return false }
        throw failure("cannot create \(new)")
    }

    /// Renames `source` to `destination`, replacing what is there; false when `source` does not exist.
    package static func move(_ source: String, to destination: String) throws(TransportError) -> Bool {
        if rename(source, destination) == 0 { return true }
        if errno == ENOENT { return false }
        throw failure("cannot rename \(source) to \(destination)")
    }

    /// Removes the file `path`; false when there was none.
    @discardableResult
    package static func removeFile(_ path: String) throws(TransportError) -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw failure("cannot remove \(path)")
    }

    /// Fsyncs the folder `folder`, so that names created, renamed or removed in it last.
    /// Copies the file `source` to a new file `destination` (read-only, not
    /// fsynced), a megabyte at a time; false when `source` does not exist.
    package static func copyFile(_ source: String, to destination: String) throws(TransportError) -> Bool {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            if errno == ENOENT { return false }
            throw failure("cannot open \(source)")
        }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard output >= 0 else { throw failure("cannot create \(destination)") }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in read(input, raw.baseAddress, raw.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw failure("cannot read \(source)") }
            if count == 0 { return true }
            let written = buffer.withUnsafeBytes { raw -> Bool in
                var done = 0
                while done < count {
                    let step = write(output, raw.baseAddress! + done, count - done)
                    if step < 0 && errno == EINTR { continue }
                    guard step > 0 else { return false }
                    done += step
                }
                return true
            }
            guard written else { throw failure("cannot write \(destination)") }
        }
    }

    package static func syncFolder(_ folder: String) {
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { return }
        _ = fsync(directory)
        close(directory)
    }

    /// Fsyncs the file `path`, so that its contents last.
    package static func syncFile(_ path: String) throws(TransportError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open \(path)") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot sync \(path)") }
    }

    /// Creates a new folder named `prefix` followed by six random characters; returns its path.
    package static func makeTemporaryFolder(_ prefix: String) throws(TransportError) -> String {
        var template = Array((prefix + "XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkdtemp($0) } ?? nil }
        guard made != nil else { throw failure("cannot create a temporary folder \(prefix)XXXXXX") }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Removes the folder `folder` with the files in it (not nested folders); errors are ignored.
    package static func removeFolder(_ folder: String) {
        for name in entryNames(in: folder) where name != "." && name != ".." {
            unlink(folder + "/" + name)
        }
        rmdir(folder)
    }

    /// Creates `folder` and its missing parents.
    package static func createFolders(_ folder: String) throws(TransportError) {
        if stamp(of: folder)?.isFolder == true { return }
        if let slash = folder.dropLast().lastIndex(of: "/"), slash > folder.startIndex {
            try createFolders(String(folder[..<slash]))
        }
        if mkdir(folder, 0o777) != 0 && errno != EEXIST { throw failure("cannot create the folder \(folder)") }
    }
}

extension Platform {
    /// The value of the environment variable `name`; nil when unset.
    package static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
