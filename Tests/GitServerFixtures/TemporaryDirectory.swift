public import Foundation
internal import Synchronization

/// A fresh directory under `NSTemporaryDirectory()`, removed with everything in
/// it by ``remove()`` or, at the latest, when the object is released.
public final class TemporaryDirectory: Sendable {
    /// The directory's location (symlinks resolved).
    public let url: URL
    private let removed = Mutex(false)

    /// Creates a new, empty, private (mode 0700) directory.
    ///
    /// - Parameter prefix: The start of the directory's name, to recognise
    ///   leftovers.
    public init(prefix: String = "giter-fixture") throws {
        let template = NSTemporaryDirectory() + "/" + prefix + ".XXXXXX"
        var bytes = Array(template.utf8CString)
        let created: String? = bytes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let created else {
            throw FixtureError("cannot create a temporary directory from \(template): errno \(errno)")
        }
        url = URL(fileURLWithPath: created, isDirectory: true).resolvingSymlinksInPath()
    }

    /// The directory's path.
    public var path: String {
        url.path
    }

    /// The location of `name` inside the directory.
    public func appending(_ name: String, isDirectory: Bool = false) -> URL {
        url.appendingPathComponent(name, isDirectory: isDirectory)
    }

    /// Creates the subdirectory `name` (and its parents) and returns it.
    @discardableResult
    public func makeDirectory(_ name: String) throws -> URL {
        let folder = appending(name, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Removes the directory and its content. Calling it again does nothing.
    public func remove() {
        let first = removed.withLock { done in
            defer { done = true }
            return !done
        }
        if first {
            try? FileManager.default.removeItem(at: url)
        }
    }

    deinit {
        remove()
    }
}
