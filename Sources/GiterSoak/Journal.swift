import Foundation

/// An append-only file of lines, each written with one `write(2)` and
/// fsynced before ``append(_:)`` returns: a producer's intents and its
/// ledger of acknowledged applies. A process killed while appending leaves
/// at most a last line without its line feed, which ``lines(at:)`` skips.
final class Journal {
    private let descriptor: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SoakError("cannot open \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { close(descriptor) }

    /// Appends `line` and waits until it is on disk.
    func append(_ line: String) throws {
        let bytes = Array((line + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
        guard written == bytes.count else {
            throw SoakError("cannot append to \(path): \(written < 0 ? String(cString: strerror(errno)) : "short write")")
        }
        guard fsync(descriptor) == 0 else { throw SoakError("cannot fsync \(path): \(String(cString: strerror(errno)))") }
    }

    /// The complete lines of the file at `path`, split into fields; none when it does not exist.
    static func lines(at path: String) -> [[String]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var text = String(decoding: data, as: UTF8.self)
        // A line without its line feed was cut short by a kill: not written.
        if let last = text.lastIndex(of: "\n") {
            text = String(text[...last])
        } else {
            text = ""
        }
        return text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    }
}

/// A failure of the soak itself, with what happened.
struct SoakError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
