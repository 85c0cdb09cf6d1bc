public import Foundation

/// OpenSSH `sshd` on 127.0.0.1 with its own host key and configuration,
/// public-key authentication only, and `git-shell` forced for the client keys.
///
/// The login user is the current user; its `authorized_keys` entries are
/// `restrict,command="git-shell -c \"$SSH_ORIGINAL_COMMAND\""`, so the account's
/// own shell does not need to be `git-shell`. URLs are
/// `ssh://USER@127.0.0.1:PORT/ABSOLUTE/PATH/NAME.git`. Clients connect with
/// ``sshCommand(keyType:knownHostsFile:)`` as `GIT_SSH_COMMAND`, which checks
/// the host key strictly against ``knownHostsFile``.
public final class SSHServer: GitServer {
    /// The client key types installed in `authorized_keys`.
    public enum KeyType: String, CaseIterable, Sendable {
        /// An Ed25519 key (the default).
        case ed25519
        /// An ECDSA (P-256) key.
        case ecdsa
    }

    public var kind: ServerKind { .ssh }
    public let repositoriesURL: URL
    /// Holds keys, configuration, `authorized_keys`, `known_hosts` and the log.
    public let directory: TemporaryDirectory
    /// The login user: the current user.
    public let user: String
    /// A known_hosts file with this server's host key in `[127.0.0.1]:PORT`
    /// form, written by ``start()``.
    public let knownHostsFile: URL
    private let environment: GitEnvironment
    private let slot = ServerSlot()

    /// Prepares a server; nothing runs until ``start()``.
    ///
    /// - Parameters:
    ///   - repositoriesURL: The folder to serve; by default a `repos` folder in
    ///     the server's own temporary directory.
    ///   - environment: The environment of sshd and `ssh-keygen`.
    public init(repositoriesURL: URL? = nil, environment: GitEnvironment = .isolated) throws {
        directory = try TemporaryDirectory(prefix: "giter-sshd")
        self.repositoriesURL = try repositoriesURL ?? directory.makeDirectory("repos")
        user = NSUserName()
        knownHostsFile = directory.appending("known_hosts")
        self.environment = environment
    }

    public var port: Int? {
        slot.port
    }

    /// The server's log so far (empty when it never started).
    public var log: String {
        slot.log
    }

    /// The private key file of the client key of type `keyType`, created by
    /// ``start()``.
    public func identityFile(_ keyType: KeyType = .ed25519) -> URL {
        directory.appending("client_\(keyType.rawValue)")
    }

    /// The host's public key line (`ssh-ed25519 AAAA…`), created by ``start()``.
    public var hostPublicKeyFile: URL {
        directory.appending("host_ed25519.pub")
    }

    public func start() async throws {
        if port != nil {
            return
        }
        try kind.requireAvailable()
        let sshd = try ExecutableLocator.require("sshd", package: "openssh-server")
        let gitShell = try ExecutableLocator.require("git-shell", package: "git")
        try await createKeys(gitShell: gitShell)
        // sshd insists on its privilege separation folder, even when it runs
        // without root; creating it fails harmlessly for other users.
        try? FileManager.default.createDirectory(
            atPath: "/run/sshd",
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755]
        )
        let scratch = directory.url
        let logFile = directory.appending("sshd.log")
        let user = user
        let environment = environment.variables
        let started = try await ServerLauncher.start(name: "sshd") { port in
            let configurationFile = scratch.appendingPathComponent("sshd_config")
            try Data(Self.configuration(port: port, folder: scratch, user: user).utf8).write(to: configurationFile)
            return try ServerProcess(
                name: "sshd",
                executable: sshd,
                arguments: ["-D", "-e", "-f", configurationFile.path],
                environment: environment,
                logFile: logFile
            )
        }
        do {
            let hostKey = try String(contentsOf: hostPublicKeyFile, encoding: .utf8)
            let fields = hostKey.split(separator: " ")
            guard fields.count >= 2 else {
                throw FixtureError("unexpected host public key: \(hostKey)")
            }
            let entry = "[127.0.0.1]:\(started.port) \(fields[0]) \(fields[1])\n"
            try Data(entry.utf8).write(to: knownHostsFile)
        } catch {
            await started.process.stop()
            throw error
        }
        await slot.adopt(started)
    }

    public func stop() async {
        await slot.stop()
    }

    public func url(for repositoryName: String) throws -> String {
        let path = repositoriesURL.appendingPathComponent(RepositoryName.withSuffix(repositoryName)).path
        return "ssh://\(user)@127.0.0.1:\(try requirePort())\(path)"
    }

    /// The value for `GIT_SSH_COMMAND`: `ssh` with the client key, strict
    /// host-key checking against `knownHostsFile` (default: this server's
    /// ``knownHostsFile``), no prompts, and no configuration or agent of the
    /// machine.
    public func sshCommand(keyType: KeyType = .ed25519, knownHostsFile: URL? = nil) throws -> String {
        try sshCommand(identityFile: identityFile(keyType), knownHostsFile: knownHostsFile)
    }

    /// Like ``sshCommand(keyType:knownHostsFile:)``, with the private key
    /// `identityFile`: a key of the caller's, which ``authorize(_:)`` let in.
    public func sshCommand(identityFile: URL, knownHostsFile: URL? = nil) throws -> String {
        let port = try requirePort()
        let knownHosts = knownHostsFile ?? self.knownHostsFile
        return [
            "ssh", "-F", "/dev/null",
            "-i", Self.shellQuoted(identityFile.path),
            "-o", "IdentitiesOnly=yes",
            "-o", "IdentityAgent=none",
            "-o", "UserKnownHostsFile=" + Self.shellQuoted(knownHosts.path),
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes",
            "-o", "KexAlgorithms=curve25519-sha256",
            "-o", "BatchMode=yes",
            "-p", String(port),
        ].joined(separator: " ")
    }

    /// Replaces the `authorized_keys` file with `entries` (complete
    /// `authorized_keys` lines), for a server that forces its own command,
    /// such as gitolite's `gitolite-shell USER`. Call it after ``start()``,
    /// which writes the file; sshd reads it again for every connection.
    public func authorize(_ entries: String) throws {
        guard port != nil else {
            throw FixtureError("authorize(_:) needs a started SSH server: start() writes authorized_keys")
        }
        let file = directory.appending("authorized_keys")
        try Data(entries.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
    }

    /// `base` with `GIT_SSH_COMMAND` set to ``sshCommand(keyType:knownHostsFile:)``.
    public func clientEnvironment(_ base: GitEnvironment) throws -> GitEnvironment {
        base.sshCommand(try sshCommand())
    }

    /// Creates the host key, the client keys and `authorized_keys` once.
    private func createKeys(gitShell: String) async throws {
        let keygen = try ExecutableLocator.require("ssh-keygen", package: "openssh-client")
        let keys: [(file: URL, type: [String])] = [
            (directory.appending("host_ed25519"), ["-t", "ed25519"]),
            (identityFile(.ed25519), ["-t", "ed25519"]),
            (identityFile(.ecdsa), ["-t", "ecdsa", "-b", "256"]),
        ]
        for key in keys where !FileManager.default.fileExists(atPath: key.file.path) {
            try await ProcessRunner.runChecked(
                keygen,
                ["-q"] + key.type + ["-N", "", "-C", "giter-fixture", "-f", key.file.path],
                environment: environment.variables
            )
        }
        var authorizedKeys = ""
        for keyType in KeyType.allCases {
            let publicKey = try String(contentsOf: URL(fileURLWithPath: identityFile(keyType).path + ".pub"), encoding: .utf8)
            let command = #"\#(gitShell) -c \"$SSH_ORIGINAL_COMMAND\""#
            authorizedKeys += "restrict,command=\"\(command)\" \(publicKey.trimmingCharacters(in: .whitespacesAndNewlines))\n"
        }
        let file = directory.appending("authorized_keys")
        try Data(authorizedKeys.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
    }

    /// The sshd configuration for one port.
    static func configuration(port: Int, folder: URL, user: String) -> String {
        let path = folder.path
        var lines = [
            "Port \(port)",
            "ListenAddress 127.0.0.1",
            "AddressFamily inet",
            "HostKey \(path)/host_ed25519",
            "PidFile \(path)/sshd.pid",
            "AuthorizedKeysFile \(path)/authorized_keys",
            // The temporary folder lives under world-writable /tmp.
            "StrictModes no",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "AllowUsers \(user)",
            // The default (10:30:100) drops concurrent pushes.
            "MaxStartups 100:30:200",
            "UseDNS no",
            "PrintMotd no",
            "X11Forwarding no",
            "AllowTcpForwarding no",
            "AllowAgentForwarding no",
            // git on the server side ignores the machine's git configuration.
            "SetEnv GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C",
        ]
        if geteuid() == 0 {
            lines.append("PermitRootLogin prohibit-password")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` quoted for a POSIX shell when it contains anything unusual.
    private static func shellQuoted(_ text: String) -> String {
        let plain = text.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:=@,".contains($0) }
        if plain {
            return text
        }
        return "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
