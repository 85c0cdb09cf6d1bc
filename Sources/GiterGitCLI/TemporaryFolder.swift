#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Giter

/// A private (mode 0700) folder for one operation's scratch files, removed by ``remove()``.
struct TemporaryFolder {
    let path: String

    init() throws(TransportError) {
        var template = Array((NSTemporaryDirectory() + "/giter-gitcli.XXXXXX").utf8CString)
        let created: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let created else {
            throw TransportError(.backend, "cannot create a temporary folder in \(NSTemporaryDirectory()) (errno \(errno))")
        }
        path = created
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to a new file `name` in the folder (mode 0600) and
    /// returns its path. A scratch file for a git process to read at once:
    /// written plainly, never synced — `FileManager.createFile` writes a
    /// temporary file, fsyncs it and renames it, which cost two disk flushes
    /// per blob of a commit when the temporary folder is on a disk.
    func write(_ bytes: [UInt8], named name: String) throws(TransportError) -> String {
        let file = path + "/" + name
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw TransportError(.backend, "cannot create the temporary file \(file) (errno \(errno))")
        }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { writeBytes(descriptor, $0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw TransportError(.backend, "cannot write the temporary file \(file) (errno \(errno))")
            }
            offset += count
        }
        return file
    }
}

/// `write(2)`, out of reach of ``TemporaryFolder/write(_:named:)``'s name.
private func writeBytes(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    write(descriptor, bytes.baseAddress, bytes.count)
}
