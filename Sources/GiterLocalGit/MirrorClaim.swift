
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A transport's claim on its mirror: an advisory lock (`flock`) on the
/// file `giter-mirror-owner` in the mirror's folder, held while the
/// transport lives and let go by the kernel when its process ends, however
/// it ends.
///
/// A mirror is Giter's own cache. Its refs are moved under Git's lock
/// files (`refs/remotes/origin/main.lock`), by libgit2 in the process or by
/// the git CLI backend's child processes, and a process killed while one is
/// held leaves the file behind: every later update of that ref fails
/// ("failed to lock file … for writing"), and the transport that opens the
/// mirror next is stuck for good (found by the soak, 2026-12-04). The claim
/// tells a dead predecessor's lock files from a live one's: when a
/// transport is the **only** Giter process on its mirror (it got the
/// claim), no one can be holding a lock file there, so
/// ``removeLeftLocks()`` removes those under `refs/` and `packed-refs.lock`,
/// `HEAD.lock` and `config.lock`. When another process holds the claim (two transports
/// on one mirror), nothing is removed.
///
/// Running `git` by hand in a mirror while a transport opens it is not
/// supported: its lock would be taken for a dead one.
package final class MirrorClaim: Sendable {
    /// The claim file's name in the mirror's folder.
    package static let fileName = "giter-mirror-owner"

    private let descriptor: Int32
    private let folder: String
    /// Whether this transport holds the claim (no other live Giter process does).
    package let isSole: Bool

    /// Claims the mirror folder `path` (a bare repository's, created when
    /// missing) without waiting.
    package init(mirror path: String) {
        let mirror = LocalRepository(folder: path)
        try? Platform.createFolders(path)
        folder = mirror.folder
        descriptor = open(mirror.folder + Self.fileName, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        isSole = descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) == 0
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Removes the ref lock files a killed process left in the mirror, when
    /// this claim is the only one; returns their paths from the mirror's
    /// folder (none when another process holds the mirror).
    @discardableResult
    package func removeLeftLocks() -> [String] {
        guard isSole else { return [] }
        var removed: [String] = []
        for name in ["packed-refs.lock", "HEAD.lock", "config.lock"] where unlink(folder + name) == 0 {
            removed.append(name)
        }
        var pending = ["refs"]
        while let relative = pending.popLast() {
            // No ref name has a component that starts with "." (so "." and ".." are skipped), nor 64 levels.
            for entry in Platform.entryNames(in: folder + relative) where !entry.hasPrefix(".") {
                let path = relative + "/" + entry
                if entry.hasSuffix(".lock") {
                    if unlink(folder + path) == 0 { removed.append(path) }
                } else if Platform.stamp(of: folder + path)?.isFolder == true, path.utf8.count(where: { $0 == 0x2F }) < 64 {
                    pending.append(path)
                }
            }
        }
        return removed
    }
}
