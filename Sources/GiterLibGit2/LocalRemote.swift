import Giter

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A remote that is a repository on this machine (a path or a `file://` URL).
///
/// libgit2's own local transport runs no hooks and writes the pushed ref
/// with a plain overwrite, so such remotes are reached through
/// ``LocalSubtransport`` (spawned `git-upload-pack` / `git-receive-pack`)
/// instead — unless a bare one can be pushed to or fetched from in process
/// (``Repository/pushDirectly(_:expecting:to:_:targets:)``,
/// ``Repository/fetchDirectly(from:_:targets:)``).
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
}
