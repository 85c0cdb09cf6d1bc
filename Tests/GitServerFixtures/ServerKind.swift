internal import Foundation

/// The kinds of real Git server the fixtures can start on 127.0.0.1.
public enum ServerKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// `git daemon`, anonymous `git://` with push enabled.
    case gitDaemon
    /// `git http-backend` behind lighttpd with basic authentication (`http://`).
    case smartHTTP
    /// OpenSSH `sshd` with key authentication and `git-shell` (`ssh://`).
    case ssh

    public var description: String {
        switch self {
        case .gitDaemon: "git daemon"
        case .smartHTTP: "smart HTTP (lighttpd)"
        case .ssh: "SSH (sshd)"
        }
    }

    /// The programs this kind needs and the Debian package of each.
    var requirements: [(program: String, package: String)] {
        switch self {
        case .gitDaemon:
            [("git", "git")]
        case .smartHTTP:
            [("git", "git"), ("lighttpd", "lighttpd"), ("htpasswd", "apache2-utils")]
        case .ssh:
            [("git", "git"), ("git-shell", "git"), ("sshd", "openssh-server"), ("ssh", "openssh-client"),
             ("ssh-keygen", "openssh-client")]
        }
    }

    /// Git helper programs (in `git --exec-path`) this kind needs.
    var gitHelpers: [String] {
        switch self {
        case .gitDaemon: ["git-daemon"]
        case .smartHTTP: ["git-http-backend"]
        case .ssh: ["git-receive-pack", "git-upload-pack"]
        }
    }

    /// Why this kind cannot run here, or `nil` when everything it needs is
    /// installed.
    public var unavailableReason: String? {
        var missing: [String] = []
        for (program, package) in requirements where ExecutableLocator.find(program) == nil {
            missing.append("`\(program)` (Debian package `\(package)`)")
        }
        for helper in gitHelpers where (try? ExecutableLocator.requireGitHelper(helper)) == nil {
            missing.append("`\(helper)` (Debian package `git`)")
        }
        guard !missing.isEmpty else { return nil }
        return "\(self) server tests need " + missing.joined(separator: ", ")
    }

    /// Whether everything this kind needs is installed.
    public var isAvailable: Bool {
        unavailableReason == nil
    }

    /// Throws ``FixtureUnavailable`` when this kind cannot run here.
    public func requireAvailable() throws {
        if let reason = unavailableReason {
            throw FixtureUnavailable(reason: reason)
        }
    }
}
