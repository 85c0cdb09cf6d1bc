internal import Foundation

/// Finds programs the fixtures need, in `PATH` and the usual system folders
/// (`/usr/sbin` is often missing from a non-root user's `PATH`).
public enum ExecutableLocator {
    /// Folders searched after the entries of `PATH`.
    static let extraFolders = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The absolute path of the executable `name`, or `nil` when none is found.
    public static func find(_ name: String) -> String? {
        if name.hasPrefix("/") {
            return FileManager.default.isExecutableFile(atPath: name) ? name : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + extraFolders
        for folder in folders where !folder.isEmpty {
            let candidate = folder + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }

    /// The absolute path of `name`, or ``FixtureUnavailable`` naming the
    /// package that provides it.
    public static func require(_ name: String, package: String) throws -> String {
        guard let found = find(name) else {
            throw FixtureUnavailable(reason: "`\(name)` not found; install the Debian package `\(package)`")
        }
        return found
    }

    /// Git's helper-program folder (what `git --exec-path` prints), where
    /// `git-daemon` and `git-http-backend` live; `nil` when none is found.
    ///
    /// Looks in `GIT_EXEC_PATH`, next to the `git` found in `PATH`
    /// (`PREFIX/libexec/git-core`, `PREFIX/lib/git-core`), and in the usual
    /// system folders, without running git.
    public static let gitExecPath: String? = {
        var candidates: [String] = []
        if let configured = ProcessInfo.processInfo.environment["GIT_EXEC_PATH"] {
            candidates.append(configured)
        }
        if let git = find("git") {
            let prefix = URL(fileURLWithPath: git).resolvingSymlinksInPath()
                .deletingLastPathComponent().deletingLastPathComponent().path
            candidates += [prefix + "/libexec/git-core", prefix + "/lib/git-core"]
        }
        candidates += ["/usr/lib/git-core", "/usr/libexec/git-core", "/usr/local/libexec/git-core"]
        return candidates.first { folder in
            FileManager.default.isExecutableFile(atPath: folder + "/git-upload-pack")
        }
    }()

    /// The path of a git helper program such as `git-http-backend`, or
    /// ``FixtureUnavailable``.
    public static func requireGitHelper(_ name: String) throws -> String {
        guard let folder = gitExecPath, FileManager.default.isExecutableFile(atPath: folder + "/" + name) else {
            throw FixtureUnavailable(reason: "`\(name)` not found in git's exec path; install the Debian package `git`")
        }
        return folder + "/" + name
    }
}
