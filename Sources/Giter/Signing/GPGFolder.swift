#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A private folder (mode 0700) under `/tmp` for gpg's files: a throwaway
/// GnuPG home, or the payload a signature is made of. It is removed with
/// everything in it when the last reference goes, so a keyring still in
/// use by a verification outlives its eviction from a cache.
///
/// `/tmp` rather than the user's temporary folder: gpg puts sockets in its
/// home, and a socket path has a length limit (about 100 bytes) that a
/// macOS `TMPDIR` already comes close to.
///
/// A folder still held when the process exits (a verifier kept for the
/// life of the process, such as ``GPGVerifier/shared``) is removed by an
/// exit handler, so a short-lived `giter verify` or server hook leaves
/// nothing in `/tmp`; only a killed process can.
final class GPGFolder: Sendable {
    /// The folder's absolute path.
    let path: String

    init() throws(SigningError) {
        var lastError: (any Error)?
        for _ in 0..<8 {
            let candidate = "/tmp/giter-gpg-" + Self.randomName()
            do {
                // Not creating intermediates: an existing folder (someone
                // else's) makes this fail instead of being reused.
                try FileManager.default.createDirectory(
                    atPath: candidate,
                    withIntermediateDirectories: false,
                    attributes: [.posixPermissions: 0o700]
                )
                path = candidate
                Self.live.register(candidate)
                return
            } catch {
                lastError = error
            }
        }
        throw SigningError(
            .io,
            "cannot create a private temporary folder in /tmp for gpg: check that /tmp exists and is writable",
            underlying: lastError
        )
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
        Self.live.unregister(path)
    }

    /// The folders of this process not yet removed.
    private static var live: LiveFolders { .shared }

    /// Writes `bytes` to the file `name` in the folder (mode 0600) and returns its path.
    func write(_ bytes: [UInt8], to name: String) throws(SigningError) -> String {
        let file = path + "/" + name
        guard
            FileManager.default.createFile(atPath: file, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        else {
            throw SigningError(.io, "cannot write \(file) for gpg: check the space left in /tmp")
        }
        return file
    }

    /// Removes the file `name` in the folder, if it is there.
    func remove(_ name: String) {
        try? FileManager.default.removeItem(atPath: path + "/" + name)
    }

    private static func randomName() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<12).map { _ in alphabet.randomElement()! })
    }
}

/// The paths of the ``GPGFolder``s alive in this process, removed at exit.
private final class LiveFolders: Sendable {
    private let paths = Mutex<Set<String>>([])
    private let exitHandler = Mutex(false)

    func register(_ path: String) {
        paths.withLock { _ = $0.insert(path) }
        let first = exitHandler.withLock { installed in
            defer { installed = true }
            return !installed
        }
        if first { atexit { GPGFolderExit.removeAll() } }
    }

    func unregister(_ path: String) {
        paths.withLock { _ = $0.remove(path) }
    }

    /// Removes every registered folder (at exit).
    func removeAll() {
        let remaining = paths.withLock { paths in
            defer { paths.removeAll() }
            return paths
        }
        for path in remaining { try? FileManager.default.removeItem(atPath: path) }
    }

    static let shared = LiveFolders()
}

/// What the exit handler calls: a C function pointer cannot capture.
private enum GPGFolderExit {
    static func removeAll() { LiveFolders.shared.removeAll() }
}
