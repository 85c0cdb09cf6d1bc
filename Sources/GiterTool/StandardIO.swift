#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a whole input file, or standard input, into memory with a bound.
enum InputFile {
    /// Why an input could not be read; printed after the input's name.
    struct Error: Swift.Error, CustomStringConvertible {
        var description: String
    }

    /// The bytes of the file at `path`, or of standard input for `-`.
    ///
    /// - Throws: ``Error`` when the file cannot be opened or read, or holds
    ///   more than `maxBytes` bytes.
    static func read(_ path: String, maxBytes: Int) throws(Error) -> [UInt8] {
        if path == "-" { return try read(descriptor: STDIN_FILENO, maxBytes: maxBytes) }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw Error(description: "cannot read: \(lastErrorDescription())") }
        defer { close(descriptor) }
        return try read(descriptor: descriptor, maxBytes: maxBytes)
    }

    private static func read(descriptor: Int32, maxBytes: Int) throws(Error) -> [UInt8] {
        var bytes: [UInt8] = []
        let chunkSize = 64 * 1024
        while true {
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: chunkSize))
            let count = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress.map { $0 + start }, chunkSize)
            }
            if count < 0 {
                if errno == EINTR {
                    bytes.removeLast(chunkSize)
                    continue
                }
                throw Error(description: "cannot read: \(lastErrorDescription())")
            }
            bytes.removeLast(chunkSize - count)
            if count == 0 { return bytes }
            if bytes.count > maxBytes {
                throw Error(description: "input is larger than \(maxBytes) bytes, the most giter reads")
            }
        }
    }
}

/// Writing a whole output file so that it appears complete or not at all.
enum OutputFile {
    /// Writes `bytes` to `path` (standard output for `-`) through a
    /// temporary file in the same folder, flushed to disk before it is
    /// renamed into place: a crash leaves the old file or none, never half
    /// of the new one.
    static func write(_ bytes: [UInt8], to path: String) throws(InputFile.Error) {
        if path == "-" {
            StandardOutput.write(bytes)
            return
        }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(folder)/.\(name).giter-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw InputFile.Error(description: "cannot write: \(lastErrorDescription())") }
        var failure = writeAll(bytes, to: descriptor)
        if failure == nil, fsync(descriptor) != 0 { failure = lastErrorDescription() }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 { failure = lastErrorDescription() }
        if let failure {
            unlink(temporary)
            throw InputFile.Error(description: "cannot write: \(failure)")
        }
    }
}

/// Writes to standard output, retrying short writes.
enum StandardOutput {
    static func write(_ bytes: [UInt8]) { writeAll(bytes, to: STDOUT_FILENO) }
    static func write(_ text: String) { writeAll(Array(text.utf8), to: STDOUT_FILENO) }
}

/// Writes to standard error, retrying short writes.
enum StandardError {
    static func write(_ text: String) { writeAll(Array(text.utf8), to: STDERR_FILENO) }
}

/// Writes every byte, retrying short and interrupted writes; the error's
/// description when a write fails. Standard output and error have nowhere
/// left to report it, so they ignore it.
@discardableResult
private func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> String? {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count, let base = buffer.baseAddress {
            let written = systemWrite(descriptor, base + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return lastErrorDescription()
            }
            offset += written
        }
        return nil
    }
}

private func lastErrorDescription() -> String {
    guard let message = strerror(errno) else { return "error \(errno)" }
    return String(cString: message)
}

// The system calls, named so they do not collide with the methods above.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
