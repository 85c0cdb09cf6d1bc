import Foundation
import GitServerFixtures

/// One real Git server of the soak (from `GitServerFixtures`) with the
/// proxy its clients go through, and what a client needs to reach it.
final class SoakServer: Sendable {
    /// The names `--servers` takes.
    enum Kind: String, Sendable, CaseIterable {
        case daemon, http, ssh

        var fixtureKind: ServerKind {
            switch self {
            case .daemon: .gitDaemon
            case .http: .smartHTTP
            case .ssh: .ssh
            }
        }
    }

    let kind: Kind
    let server: any GitServer
    let proxy: LoopbackProxy
    /// The exchange's URL through the proxy.
    let url: String
    /// The arguments a child needs besides the URL (credentials by file, never the password).
    let childArguments: [String]
    /// The environment a child needs (the HTTP password).
    let childEnvironment: [String: String]

    /// Starts a server of `kind` over the repositories in `repositories` and a proxy in front of it.
    static func start(_ kind: Kind, repositories: URL, repository: String, folder: String) async throws -> SoakServer {
        let server: any GitServer
        switch kind {
        case .daemon: server = try GitDaemonServer(repositoriesURL: repositories)
        case .http: server = try SmartHTTPServer(repositoriesURL: repositories)
        case .ssh: server = try SSHServer(repositoriesURL: repositories)
        }
        try await server.start()
        do {
            let proxy = try LoopbackProxy(target: server.port)
            guard var components = URLComponents(string: try server.url(for: repository)) else {
                throw SoakError("cannot read the \(kind) server's URL")
            }
            components.port = proxy.port
            guard let url = components.string else { throw SoakError("cannot make the \(kind) proxy's URL") }
            var arguments: [String] = []
            var environment: [String: String] = [:]
            if let http = server as? SmartHTTPServer {
                arguments = ["--http-user", http.user]
                environment[ChildOptions.passwordVariable] = http.password
            } else if let ssh = server as? SSHServer {
                // The host key as the clients see it: at the proxy's port.
                let hostKey = try String(contentsOf: ssh.hostPublicKeyFile, encoding: .utf8).split(separator: " ")
                guard hostKey.count >= 2 else { throw SoakError("unexpected SSH host key file \(ssh.hostPublicKeyFile.path)") }
                let knownHosts = folder + "/known_hosts-\(proxy.port)"
                try Data("[127.0.0.1]:\(proxy.port) \(hostKey[0]) \(hostKey[1])\n".utf8)
                    .write(to: URL(fileURLWithPath: knownHosts))
                arguments = ["--ssh-key", ssh.identityFile(.ed25519).path, "--known-hosts", knownHosts]
            }
            return SoakServer(
                kind: kind, server: server, proxy: proxy, url: url, childArguments: arguments,
                childEnvironment: environment)
        } catch {
            await server.stop()
            throw error
        }
    }

    private init(
        kind: Kind, server: any GitServer, proxy: LoopbackProxy, url: String, childArguments: [String],
        childEnvironment: [String: String]
    ) {
        self.kind = kind
        self.server = server
        self.proxy = proxy
        self.url = url
        self.childArguments = childArguments
        self.childEnvironment = childEnvironment
    }

    /// Stops the server, waits `downtime`, and starts it again (on a new
    /// port, which the proxy follows). Connections through the proxy fail
    /// meanwhile.
    ///
    /// Stopping kills what is left of the server's process group with
    /// SIGKILL, so a `receive-pack` killed while it held the branch's lock
    /// leaves `refs/heads/<branch>.lock` behind, and with it `HEAD.lock`:
    /// git's ref transaction locks `HEAD` too when it moves the branch
    /// `HEAD` names (for `HEAD`'s reflog). Either blocks every later push.
    /// Giter reports such a lock (no owner record: it is not Giter's) and
    /// never removes it; an operator does. The restart does the operator's
    /// part: a lock file of ``lockFiles(in:)`` that is still there 2 s after
    /// the server stopped (a live push through another server holds the
    /// lock for milliseconds) is removed and counted. Returns how many were
    /// removed.
    func restart(downtime: Duration, repository: String) async throws -> Int {
        proxy.retarget(nil)
        await server.stop()
        let locks = Self.lockFiles(in: repository)
        try await Task.sleep(for: max(downtime, locks.isEmpty ? .zero : .seconds(2)))
        var removed = 0
        for lock in locks where Self.lockFiles(in: repository).contains(lock) {
            if (try? FileManager.default.removeItem(atPath: lock)) != nil { removed += 1 }
        }
        try await server.start()
        proxy.retarget(server.port)
        return removed
    }

    /// The lock files git's reference updates take at the top of a bare
    /// repository (`HEAD.lock`: receive-pack takes it beside the branch's).
    static let topLevelLockFiles = ["packed-refs.lock", "HEAD.lock", "config.lock", "shallow.lock"]

    /// The lock files a killed `receive-pack` may leave in a bare
    /// repository: any under `refs/`, and ``topLevelLockFiles``.
    static func lockFiles(in repository: String) -> Set<String> {
        var found: Set<String> = []
        let enumerator = FileManager.default.enumerator(atPath: repository + "/refs")
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".lock") { found.insert(repository + "/refs/" + path) }
        }
        for name in topLevelLockFiles where FileManager.default.fileExists(atPath: repository + "/" + name) {
            found.insert(repository + "/" + name)
        }
        return found
    }

    /// Stops the proxy and the server.
    func stop() async {
        proxy.stop()
        await server.stop()
    }
}
