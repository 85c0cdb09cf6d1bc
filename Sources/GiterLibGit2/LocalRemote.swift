internal import CLibGit2
import Giter

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A remote that is a repository on this machine (a path or a `file://` URL).
///
/// libgit2's local transport writes the pushed ref with a plain overwrite
/// (no compare-and-swap against the old value) and runs no hooks. Pushes to
/// such remotes therefore move the ref themselves, with a locked
/// compare-and-swap in the remote repository.
struct LocalRemote {
    /// The repository's folder.
    let path: String

    /// The local remote `url` names, or nil for a network URL.
    init?(url: String) {
        if url.hasPrefix("file://") {
            let rest = String(url.dropFirst("file://".count))
            let path = rest.hasPrefix("localhost/") ? String(rest.dropFirst("localhost".count)) : rest
            self.path = Self.percentDecoded(path)
        } else if url.hasPrefix("/") || url.hasPrefix("./") || url.hasPrefix("../") {
            path = url
        } else {
            return nil
        }
    }

    /// Whether a folder exists at ``path``.
    var exists: Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// `%2F`-style escapes decoded; malformed escapes are kept as they are.
    private static func percentDecoded(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let value = UInt8(String(decoding: bytes[index + 1...index + 2], as: UTF8.self), radix: 16)
            {
                result.append(value)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Moves `reference` in the remote repository from `expected` (nil:
    /// must not exist) to `new`, under the ref's lock. Returns false when the
    /// ref is not at `expected`, or another writer holds its lock.
    func compareAndSwap(_ reference: String, to new: git_oid, expecting expected: git_oid?) throws(TransportError)
        -> Bool
    {
        var handle: OpaquePointer?
        try LibGit2.check(git_repository_open_bare(&handle, path), "open the remote repository at \(path)", remote: path)
        defer { git_repository_free(handle) }
        var new = new
        var ref: OpaquePointer?
        defer { git_reference_free(ref) }
        let code: LibGit2Code
        if var expected {
            code = try LibGit2.check(
                git_reference_create_matching(&ref, handle, reference, &new, 1, &expected, nil),
                "update \(reference) in \(path)", allowing: [.modified, .notFound, .exists, .locked], remote: path)
        } else {
            code = try LibGit2.check(
                git_reference_create(&ref, handle, reference, &new, 0, nil),
                "create \(reference) in \(path)", allowing: [.exists, .locked], remote: path)
        }
        return code == .ok
    }

    /// Deletes `reference` in the remote repository if it exists.
    func remove(_ reference: String) {
        var handle: OpaquePointer?
        guard git_repository_open_bare(&handle, path) == 0 else {
            git_error_clear()
            return
        }
        git_reference_remove(handle, reference)
        git_error_clear()
        git_repository_free(handle)
    }
}
