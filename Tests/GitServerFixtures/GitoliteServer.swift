public import Foundation

/// gitolite3 on 127.0.0.1, reached through the ``SSHServer`` fixture, with
/// no root and nothing outside its temporary folder.
///
/// gitolite keeps everything under its `HOME`: `.gitolite.rc`, `.gitolite/`
/// (configuration, key folder), `repositories/` and `.ssh/authorized_keys`.
/// ``start()`` gives it a `HOME` of its own, runs `gitolite setup -pk
/// admin.pub`, turns on the `repo-specific-hooks` feature (`LOCAL_CODE` is
/// `$HOME/local`), adds one key per user to the key folder, writes
/// `gitolite.conf` — the admin repository, and one repository that every
/// user may push to (`RW+`), with the pre-receive hook given — and runs
/// `gitolite setup` again, as gitolite's documentation says for editing its
/// files on the server. The `command="…gitolite-shell USER"` lines gitolite
/// writes into its `authorized_keys` go to the SSH fixture's
/// `authorized_keys`, with gitolite's `HOME` in front of the command, so a
/// key logs in as its gitolite user (`GL_USER`).
public final class GitoliteServer: Sendable {
    /// The repository every user may push to (`exchange`).
    public let repositoryName: String
    /// The gitolite users, one key each (besides `admin`).
    public let users: [String]
    /// The SSH server in front of gitolite.
    public let ssh: SSHServer
    /// Holds gitolite's `HOME` and the users' keys.
    public let directory: TemporaryDirectory
    private let preReceiveHook: String?

    /// The name of the repository-specific hook in `$LOCAL_CODE/hooks/repo-specific/`.
    public static let hookName = "giter-guard"

    /// Prepares an instance; nothing runs until ``start()``.
    ///
    /// - Parameters:
    ///   - repositoryName: The repository the users may push to.
    ///   - users: The gitolite user names (not `admin`).
    ///   - preReceiveHook: A script (with its `#!` line) set as the
    ///     repository's pre-receive hook through `repo-specific-hooks`
    ///     (`option hook.pre-receive = giter-guard`); `nil`: none.
    public init(repositoryName: String = "exchange", users: [String], preReceiveHook: String?) throws {
        self.repositoryName = repositoryName
        self.users = users
        self.preReceiveHook = preReceiveHook
        directory = try TemporaryDirectory(prefix: "giter-gitolite")
        ssh = try SSHServer()
    }

    /// Why gitolite cannot run here, or `nil` when it can.
    public static var unavailableReason: String? {
        var missing: [String] = []
        if let reason = ServerKind.ssh.unavailableReason { missing.append(reason) }
        if ExecutableLocator.find("gitolite") == nil {
            missing.append("gitolite tests need `gitolite` (Debian package `gitolite3`)")
        }
        return missing.isEmpty ? nil : missing.joined(separator: "; ")
    }

    /// gitolite's `HOME`.
    public var home: URL {
        directory.appending("home", isDirectory: true)
    }

    /// The repository on disk.
    public var repository: BareRepository {
        BareRepository(url: home.appendingPathComponent("repositories/\(repositoryName).git", isDirectory: true))
    }

    /// The private key of `user`.
    public func identityFile(_ user: String) -> URL {
        directory.appending("keys/\(user)")
    }

    /// The repository's URL; gitolite takes its name, not a path.
    public func url() throws -> String {
        guard let port = ssh.port else {
            throw FixtureError("the gitolite server is not started")
        }
        return "ssh://\(ssh.user)@127.0.0.1:\(port)/\(repositoryName).git"
    }

    /// `base` with `GIT_SSH_COMMAND` logging in with `user`'s key.
    public func clientEnvironment(user: String, _ base: GitEnvironment = .isolated) throws -> GitEnvironment {
        base.sshCommand(try ssh.sshCommand(identityFile: identityFile(user)))
    }

    /// Sets gitolite up and starts the SSH server in front of it.
    public func start() async throws {
        if let reason = Self.unavailableReason {
            throw FixtureUnavailable(reason: reason)
        }
        let gitolite = try ExecutableLocator.require("gitolite", package: "gitolite3")
        let keygen = try ExecutableLocator.require("ssh-keygen", package: "openssh-client")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let keys = try directory.makeDirectory("keys")
        for user in ["admin"] + users {
            try await ProcessRunner.runChecked(
                keygen, ["-q", "-t", "ed25519", "-N", "", "-C", user, "-f", keys.appendingPathComponent(user).path],
                environment: GitEnvironment.isolated.variables)
        }
        let environment = GitEnvironment.isolated.setting("HOME", home.path).variables
        try await ProcessRunner.runChecked(
            gitolite, ["setup", "-pk", keys.appendingPathComponent("admin.pub").path], in: home, environment: environment)
        try enableRepositorySpecificHooks()
        let keyFolder = home.appendingPathComponent(".gitolite/keydir")
        for user in users {
            let key = try Data(contentsOf: keys.appendingPathComponent("\(user).pub"))
            try key.write(to: keyFolder.appendingPathComponent("\(user).pub"))
        }
        try Data(configuration.utf8).write(to: home.appendingPathComponent(".gitolite/conf/gitolite.conf"))
        try await ProcessRunner.runChecked(gitolite, ["setup"], in: home, environment: environment)
        try await ssh.start()
        do {
            try ssh.authorize(try authorizedKeys())
        } catch {
            await ssh.stop()
            throw error
        }
    }

    /// Stops the SSH server and removes gitolite's files.
    public func stop() async {
        await ssh.stop()
        directory.remove()
    }

    /// `gitolite.conf`: the admin repository, and ``repositoryName`` for every user.
    private var configuration: String {
        var text = """
            repo gitolite-admin
                RW+ = admin
            repo \(repositoryName)
                RW+ = \(users.joined(separator: " "))

            """
        if preReceiveHook != nil {
            text += "    option hook.pre-receive = \(Self.hookName)\n"
        }
        return text
    }

    /// Turns on `LOCAL_CODE` and `repo-specific-hooks` in `.gitolite.rc` and
    /// writes the hook into `$LOCAL_CODE/hooks/repo-specific/`.
    private func enableRepositorySpecificHooks() throws {
        let rcFile = home.appendingPathComponent(".gitolite.rc")
        var rc = try String(contentsOf: rcFile, encoding: .utf8)
        let edits = [
            (#"# LOCAL_CODE                =>  "$ENV{HOME}/local","#, #"LOCAL_CODE                =>  "$ENV{HOME}/local","#),
            ("# 'repo-specific-hooks',", "'repo-specific-hooks',"),
        ]
        for (commented, enabled) in edits {
            guard let range = rc.range(of: commented) else {
                throw FixtureError("gitolite's .gitolite.rc has no line `\(commented)` to enable; its format changed:\n\(rc)")
            }
            rc.replaceSubrange(range, with: enabled)
        }
        try Data(rc.utf8).write(to: rcFile)
        let hooks = home.appendingPathComponent("local/hooks/repo-specific", isDirectory: true)
        try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
        if let preReceiveHook {
            let file = hooks.appendingPathComponent(Self.hookName)
            try Data(preReceiveHook.utf8).write(to: file)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
    }

    /// gitolite's own `authorized_keys` lines, each command run with gitolite's `HOME`.
    private func authorizedKeys() throws -> String {
        let file = home.appendingPathComponent(".ssh/authorized_keys")
        let text = try String(contentsOf: file, encoding: .utf8)
        let prefix = #"command=""#
        let lines = text.split(separator: "\n").filter { $0.hasPrefix(prefix) }
        guard lines.count == users.count + 1 else {
            throw FixtureError("gitolite wrote \(lines.count) key lines for \(users.count + 1) users:\n\(text)")
        }
        return lines.map { #"command="HOME='\#(home.path)' "# + $0.dropFirst(prefix.count) + "\n" }.joined()
    }
}

/// Starts `server`, runs `body` with it, and stops it afterwards, whether
/// `body` returns or throws.
public func withGitolite<Result>(
    _ server: GitoliteServer,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (GitoliteServer) async throws -> Result
) async throws -> Result {
    let result: Result
    do {
        try await server.start()
        result = try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
    return result
}
