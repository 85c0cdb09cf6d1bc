import BenchmarkSupport
import Giter

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the exchange's remote lives.
enum RemoteKind: String, CaseIterable, Sendable {
    /// A bare repository on this machine, by path.
    case local
    /// `git daemon` on 127.0.0.1 (`git://`, anonymous, push enabled).
    case daemon
    /// `git http-backend` behind lighttpd with basic authentication (`http://`).
    case http
    /// OpenSSH `sshd` with key authentication and `git-shell` (`ssh://`).
    case ssh

    var name: String {
        switch self {
        case .local: "local path"
        case .daemon: "git daemon"
        case .http: "smart HTTP"
        case .ssh: "SSH"
        }
    }
}

/// A remote repository as the backends and the floor programs reach it.
struct RemoteEndpoint: Sendable {
    var kind: RemoteKind
    var url: String
    var credentials: Credentials
    /// The arguments after `SAMPLES` for `network-floor` (its login).
    var floorLogin: [String]
    /// Environment for `git push`/`git fetch` processes against this remote.
    var gitEnvironment: [String: String]
}

/// The git daemon, lighttpd and sshd of a run, on 127.0.0.1, serving the
/// repositories under one root folder; started by ``start(_:root:spawner:)``
/// and stopped by ``stop()`` (SIGTERM, then reaped).
///
/// The recipes are those of `Tests/GitServerFixtures` (see
/// `/work/shared/REFERENCE.md`); the benchmark package cannot depend on a
/// test target, so they are repeated here in their shortest form.
final class NetworkServers: @unchecked Sendable {
    // @unchecked Sendable: written in start, read-only after, stopped once from the main task.
    let root: String
    private(set) var ports: [RemoteKind: Int] = [:]
    private var processes: [pid_t] = []
    private let folder: String
    private let httpUser = "bench"
    private let httpPassword = "bench-secret"
    private var sshUser = "root"

    private init(root: String, folder: String) {
        self.root = root
        self.folder = folder
    }

    /// Starts a server for each of `kinds` (`.local` needs none).
    static func start(_ kinds: [RemoteKind], root: String, spawner: Spawner) throws -> NetworkServers {
        let folder = root + "/servers"
        try spawner.run(["mkdir", "-p", folder])
        let servers = NetworkServers(root: root, folder: folder)
        do {
            for kind in kinds {
                switch kind {
                case .local: continue
                case .daemon: try servers.startDaemon(spawner)
                case .http: try servers.startHTTP(spawner)
                case .ssh: try servers.startSSH(spawner)
                }
            }
        } catch {
            servers.stop()
            throw error
        }
        return servers
    }

    /// Stops every server started and waits for each to exit.
    func stop() {
        for pid in processes {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        processes.removeAll()
    }

    /// How `kind` reaches the bare repository at `path` (under ``root``).
    func endpoint(_ kind: RemoteKind, repository path: String) throws(BenchmarkError) -> RemoteEndpoint {
        guard path.hasPrefix(root + "/") else { throw BenchmarkError("\(path) is not under \(root)") }
        let relative = String(path.dropFirst(root.count + 1))
        let base = ["GIT_SSH_COMMAND": "", "GIT_SSH_VARIANT": "ssh"]
        switch kind {
        case .local:
            return RemoteEndpoint(kind: kind, url: path, credentials: .none, floorLogin: [], gitEnvironment: [:])
        case .daemon:
            return RemoteEndpoint(
                kind: kind, url: "git://127.0.0.1:\(try port(kind))/\(relative)", credentials: .none, floorLogin: [],
                gitEnvironment: [:])
        case .http:
            let user = httpUser
            let password = httpPassword
            var credentials = Credentials()
            credentials.passwordProvider = { _ in Credentials.UserPassword(user: user, password: password) }
            // The same inline helper the git CLI backend gives git: the password
            // travels in the child's environment, never in the URL.
            let helper = "!f() { test \"$1\" = get && printf 'username=%s\\npassword=%s\\n' \"$BENCH_USER\" \"$BENCH_PASSWORD\"; }; f"
            return RemoteEndpoint(
                kind: kind, url: "http://127.0.0.1:\(try port(kind))/git/\(relative)", credentials: credentials,
                floorLogin: ["http", user, password],
                gitEnvironment: [
                    "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "credential.helper", "GIT_CONFIG_VALUE_0": helper,
                    "BENCH_USER": user, "BENCH_PASSWORD": password,
                ])
        case .ssh:
            var credentials = Credentials()
            credentials.sshKey = Credentials.SSHKey(privateKeyPath: folder + "/client_ed25519")
            credentials.knownHostsPath = folder + "/known_hosts"
            let command =
                "ssh -F /dev/null -i \(folder)/client_ed25519 -o IdentitiesOnly=yes -o IdentityAgent=none "
                + "-o UserKnownHostsFile=\(folder)/known_hosts -o GlobalKnownHostsFile=/dev/null "
                + "-o StrictHostKeyChecking=yes -o KexAlgorithms=curve25519-sha256 -o BatchMode=yes"
            var environment = base
            environment["GIT_SSH_COMMAND"] = command
            return RemoteEndpoint(
                kind: kind, url: "ssh://\(sshUser)@127.0.0.1:\(try port(kind))\(path)", credentials: credentials,
                floorLogin: ["ssh", folder + "/client_ed25519", folder + "/client_ed25519.pub"],
                gitEnvironment: environment)
        }
    }

    private func port(_ kind: RemoteKind) throws(BenchmarkError) -> Int {
        guard let port = ports[kind] else { throw BenchmarkError("no \(kind.name) server was started") }
        return port
    }

    // MARK: The servers

    private func startDaemon(_ spawner: Spawner) throws {
        let port = try freePort()
        try launch(
            [
                "git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=\(port)", "--base-path=\(root)",
                "--export-all", "--enable=receive-pack", "--informative-errors",
            ], port: port, kind: .daemon, log: folder + "/daemon.log", spawner: spawner)
    }

    private func startHTTP(_ spawner: Spawner) throws {
        let port = try freePort()
        try spawner.run(["htpasswd", "-c", "-b", "-B", "-C", "4", folder + "/htpasswd", httpUser, httpPassword])
        try spawner.run(["mkdir", "-p", folder + "/htdocs", folder + "/uploads"])
        let execPath = folder + "/exec-path.txt"
        try spawner.run(["git", "--exec-path"], output: execPath)
        let gitCore = (readText(execPath) ?? "/usr/lib/git-core").split(separator: "\n").first.map(String.init) ?? ""
        let path = spawner.environment.first { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? "/usr/bin:/bin"
        let configuration = """
            server.modules = ( "mod_alias", "mod_auth", "mod_authn_file", "mod_cgi", "mod_setenv" )
            server.bind = "127.0.0.1"
            server.port = \(port)
            server.document-root = "\(folder)/htdocs"
            server.upload-dirs = ( "\(folder)/uploads" )
            server.errorlog = "\(folder)/lighttpd-error.log"
            auth.backend = "htpasswd"
            auth.backend.htpasswd.userfile = "\(folder)/htpasswd"
            alias.url = ( "/git" => "\(gitCore)/git-http-backend" )
            $HTTP["url"] =~ "^/git" {
                cgi.assign = ( "" => "" )
                setenv.add-environment = ( "GIT_PROJECT_ROOT" => "\(root)", "GIT_HTTP_EXPORT_ALL" => "", "PATH" => "\(path)", "GIT_CONFIG_NOSYSTEM" => "1", "GIT_CONFIG_GLOBAL" => "/dev/null", "LC_ALL" => "C" )
                auth.require = ( "" => ( "method" => "basic", "realm" => "bench", "require" => "valid-user" ) )
            }

            """
        try writeText(configuration, to: folder + "/lighttpd.conf")
        try launch(
            ["lighttpd", "-D", "-f", folder + "/lighttpd.conf"], port: port, kind: .http,
            log: folder + "/lighttpd.log", spawner: spawner)
    }

    private func startSSH(_ spawner: Spawner) throws {
        let port = try freePort()
        sshUser = String(cString: getpwuid(geteuid()).pointee.pw_name)
        for key in ["host_ed25519", "client_ed25519"] {
            try spawner.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bench", "-f", folder + "/" + key])
        }
        let clientKey = (readText(folder + "/client_ed25519.pub") ?? "").split(separator: "\n").first.map(String.init) ?? ""
        let environment = "GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C"
        try writeText(
            "restrict,command=\"env \(environment) git-shell -c \\\"$SSH_ORIGINAL_COMMAND\\\"\" \(clientKey)\n",
            to: folder + "/authorized_keys")
        try spawner.run(["chmod", "600", folder + "/authorized_keys"])
        try spawner.run(["mkdir", "-p", "-m", "0755", "/run/sshd"])
        var lines = [
            "Port \(port)", "ListenAddress 127.0.0.1", "AddressFamily inet", "HostKey \(folder)/host_ed25519",
            "PidFile \(folder)/sshd.pid", "AuthorizedKeysFile \(folder)/authorized_keys", "StrictModes no",
            "PubkeyAuthentication yes", "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
            "AllowUsers \(sshUser)", "MaxStartups 100:30:200", "UseDNS no", "PrintMotd no", "X11Forwarding no",
            "AllowTcpForwarding no", "AllowAgentForwarding no",
        ]
        if geteuid() == 0 { lines.append("PermitRootLogin prohibit-password") }
        try writeText(lines.joined(separator: "\n") + "\n", to: folder + "/sshd_config")
        let hostKey = (readText(folder + "/host_ed25519.pub") ?? "").split(separator: " ").prefix(2).joined(separator: " ")
        try writeText("[127.0.0.1]:\(port) \(hostKey)\n", to: folder + "/known_hosts")
        try launch(
            ["/usr/sbin/sshd", "-D", "-e", "-f", folder + "/sshd_config"], port: port, kind: .ssh,
            log: folder + "/sshd.log", spawner: spawner)
    }

    /// Starts `arguments` in the background and returns once `port` accepts
    /// connections (10 s at most).
    private func launch(_ arguments: [String], port: Int, kind: RemoteKind, log: String, spawner: Spawner) throws {
        let pid = try spawner.launch(arguments, log: log)
        processes.append(pid)
        let deadline = nowNanoseconds() + 10_000_000_000
        while !accepts(port) {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                processes.removeAll { $0 == pid }
                throw BenchmarkError("\(kind.name) server exited at start (status \(status)); see \(log)")
            }
            guard nowNanoseconds() < deadline else {
                throw BenchmarkError("\(kind.name) server did not listen on 127.0.0.1:\(port) within 10 s; see \(log)")
            }
            usleep(5_000)
        }
        ports[kind] = port
        progress("\(kind.name) listening on 127.0.0.1:\(port)")
    }
}

/// A port on 127.0.0.1 free a moment ago.
func freePort() throws(BenchmarkError) -> Int {
    let socket = loopbackSocket()
    guard socket >= 0 else { throw BenchmarkError("cannot create a socket") }
    defer { close(socket) }
    var address = loopbackAddress(port: 0)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw BenchmarkError("cannot bind a socket on 127.0.0.1") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func accepts(_ port: Int) -> Bool {
    let socket = loopbackSocket()
    guard socket >= 0 else { return false }
    defer { close(socket) }
    return connectLoopback(socket, port: port)
}

func loopbackSocket() -> Int32 {
    #if os(Linux)
    socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    socket(AF_INET, SOCK_STREAM, 0)
    #endif
}

func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    return address
}

func connectLoopback(_ socket: Int32, port: Int) -> Bool {
    var address = loopbackAddress(port: port)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

extension Spawner {
    /// Starts `arguments` (looked up on `PATH`) without waiting: stdin on
    /// `/dev/null`, stdout and stderr into `log`. Returns its process id.
    func launch(_ arguments: [String], log: String) throws(BenchmarkError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let spawned = withDefaultSignalSpawnAttributes { attributes in
            posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        }
        guard spawned == 0 else {
            throw BenchmarkError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        return pid
    }
}
