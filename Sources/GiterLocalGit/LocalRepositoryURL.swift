package import Giter

/// How a remote URL names a repository on this machine: one parser for
/// both backends.
///
/// Git reads a URL as a path on this machine when it is a `file://` URL,
/// or when it has no scheme and no `:` before its first `/` (`/srv/x.git`,
/// `./x.git`, `x.git`; `host:x.git` is SSH). Such a remote must be reached
/// through Git's own programs or the direct routes, never through a
/// transport that skips the remote's hooks (libgit2's built-in local one):
/// ``isLocal(_:)`` says which URLs those are.
///
/// A `file://` URL names a path only as `file:///path` or
/// `file://localhost/path` (percent escapes decoded as Git decodes them;
/// a malformed escape is kept as written). Git itself drops any other host
/// (`file://server/path` is `/path`); here such a URL names no path, and
/// both backends refuse it when they are created (``check(_:)``) instead
/// of guessing which folder was meant.
package struct LocalRepositoryURL: Equatable, Sendable {
    /// The repository's path as the URL gives it: absolute, or relative to
    /// the current folder of the process.
    package let path: String

    /// The path `url` names on this machine; nil for a network URL or a `file://` URL with another host.
    package init?(_ url: String) {
        if url.hasPrefix("file://") {
            var rest = Substring(url.dropFirst("file://".count))
            if rest.hasPrefix("localhost/") { rest = rest.dropFirst("localhost".count) }
            guard rest.hasPrefix("/") else { return nil }
            path = Self.percentDecoded(rest)
        } else if Self.isPath(url) {
            path = url
        } else {
            return nil
        }
    }

    /// Throws when `url` is a `file://` URL that names no path on this
    /// machine (another host, or none), saying how to write it.
    package static func check(_ url: String) throws(TransportError) {
        guard isLocal(url), Self(url) == nil else { return }
        throw TransportError(
            .invalidArgument,
            "'\(url)' names a host other than this machine; write a repository on this machine as "
                + "file:///path, file://localhost/path or /path")
    }

    /// Whether Git would read `url` as a repository on this machine
    /// (whether or not this type can name its path).
    package static func isLocal(_ url: String) -> Bool {
        url.hasPrefix("file://") || isPath(url)
    }

    /// Whether ``path`` is absolute: only then may a backend take a direct
    /// route, since a relative path depends on the folder the process is
    /// in when each process or handle resolves it.
    package var isAbsolute: Bool { path.hasPrefix("/") }

    /// The repository at ``path``, for the direct routes: nil for a relative path.
    package var directRepository: LocalRepository? {
        isAbsolute ? LocalRepository(folder: path) : nil
    }

    /// The repository a ``RefWatcher`` watches for a remote at `url` on
    /// `branch`: its Git folder (``path``, or `path/.git` when that is a
    /// folder: a repository with a working tree). Nil for a network URL and
    /// for a relative path (which names another folder whenever the
    /// process changes its current one): such remotes are polled.
    package static func localRemote(url: String, branch: String) -> LocalRemote? {
        guard let local = LocalRepositoryURL(url), local.isAbsolute else { return nil }
        var folder = local.path
        while folder.count > 1, folder.hasSuffix("/") { folder.removeLast() }
        let dotGit = (folder == "/" ? "" : folder) + "/.git"
        if Platform.stamp(of: dotGit)?.isFolder == true { folder = dotGit }
        return LocalRemote(gitFolder: folder, reference: "refs/heads/" + branch)
    }

    /// Whether a folder exists at ``path``.
    package var exists: Bool {
        Platform.stamp(of: path)?.isFolder == true
    }

    /// Git's rule (`is_url`, `url_is_local_not_ssh`): no `scheme://`, and
    /// no `:` before the first `/`.
    private static func isPath(_ url: String) -> Bool {
        guard !url.isEmpty else { return false }
        if let separator = url.firstRange(of: "://") {
            let scheme = url[..<separator.lowerBound]
            let isScheme =
                scheme.first?.isLetter == true
                && scheme.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || "0123456789+-.".unicodeScalars.contains($0)) }
            if isScheme { return false }
        }
        guard let colon = url.firstIndex(of: ":") else { return true }
        return url.firstIndex(of: "/").map { $0 < colon } ?? false
    }

    /// `%2F`-style escapes decoded; malformed escapes and `%00` are kept as they are (as Git does).
    private static func percentDecoded(_ text: Substring) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexDigit(bytes[index + 1]), let low = hexDigit(bytes[index + 2]), high | low != 0
            {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension RemoteConfiguration {
    /// The time limit of one conversation with the remote, for both
    /// backends: ``RemoteConfiguration/networkTimeLimit`` for a server,
    /// none for a repository on this machine (a path or `file://`).
    package var conversationTimeLimit: Duration? { LocalRepositoryURL.isLocal(url) ? nil : networkTimeLimit }
}
