#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A private folder (mode 0700) under `/tmp` for gpg's files: a throwaway
/// GnuPG home, or the payload a signature is made of. It is removed with
/// everything in it when the last reference goes, so a keyring still in
/// use by a verification outlives its eviction from a cache.
///
/// `/tmp` rather than the user's temporary folder: gpg puts sockets in its
/// home, and a socket path has a length limit (about 100 bytes) that a
/// macOS `TMPDIR` already comes close to.
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
    }

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
