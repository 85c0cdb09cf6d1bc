/// How a transport proves who it is to the remote.
///
/// SSH uses key files and checks the server against a known-hosts file; it
/// never accepts a host key that is missing from that file or differs from
/// it. HTTPS asks ``passwordProvider`` for a user name and password (or
/// token) when the server wants them: credentials are never written into a
/// URL or a Git configuration file.
public struct Credentials: Sendable {
    /// An SSH private key file (ed25519 or ECDSA; RSA keys are refused by
    /// OpenSSH 9 servers with SHA-1 signatures).
    public struct SSHKey: Sendable, Hashable {
        public var privateKeyPath: String
        /// The public key file; defaults to the private key path plus `.pub`.
        public var publicKeyPath: String?
        public var passphrase: String?

        public init(privateKeyPath: String, publicKeyPath: String? = nil, passphrase: String? = nil) {
            self.privateKeyPath = privateKeyPath
            self.publicKeyPath = publicKeyPath
            self.passphrase = passphrase
        }
    }

    /// A user name and a password or token.
    public struct UserPassword: Sendable, Hashable {
        public var user: String
        public var password: String

        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    /// The key for `ssh://` remotes.
    public var sshKey: SSHKey?
    /// The known-hosts file SSH host keys are checked against.
    public var knownHostsPath: String?
    /// Called with the remote URL when an HTTPS server asks for credentials;
    /// returns `nil` to give up.
    public var passwordProvider: (@Sendable (_ url: String) async throws -> UserPassword?)?
    /// How many times credentials are offered before the transport reports
    /// ``TransportError/Code/authenticationFailed``. Default 2.
    public var maxAttempts: Int

    public init(
        sshKey: SSHKey? = nil,
        knownHostsPath: String? = nil,
        passwordProvider: (@Sendable (_ url: String) async throws -> UserPassword?)? = nil,
        maxAttempts: Int = 2
    ) {
        self.sshKey = sshKey
        self.knownHostsPath = knownHostsPath
        self.passwordProvider = passwordProvider
        self.maxAttempts = maxAttempts
    }

    /// No credentials: local paths, `file://`, `git://`, or servers that need none.
    public static var none: Credentials { Credentials() }
}

/// The remote a transport exchanges with and where it keeps its local mirror.
public struct RemoteConfiguration: Sendable {
    /// The remote's URL or local path: a path, `file://`, `git://`,
    /// `http(s)://` or `ssh://`. It must not hold credentials.
    public var url: String
    /// The branch resources are exchanged on. Default `main`.
    public var branch: String
    /// The directory of the local bare mirror; created when missing.
    public var mirrorPath: String
    public var credentials: Credentials

    public init(url: String, branch: String = "main", mirrorPath: String, credentials: Credentials = .none) {
        self.url = url
        self.branch = branch
        self.mirrorPath = mirrorPath
        self.credentials = credentials
    }

    /// The mirror's ref that follows the remote branch.
    public var trackingReference: String { "refs/remotes/origin/\(branch)" }
    /// The local branch ref commits are prepared on before they are pushed.
    public var localReference: String { "refs/heads/\(branch)" }
}

extension RemoteConfiguration {
    /// Whether ``url`` names a server reached over the network: `git://`,
    /// `ssh://` (also `git+ssh://`, `ssh+git://`), `http://`, `https://`, or
    /// scp-like `[user@]host:path`. Every call that talks to such a remote
    /// costs a connection (a process on the server, an SSH handshake, an
    /// HTTP request), so that a fetch that finds nothing new costs what
    /// ``Transport/remoteTip()`` costs: the store then fetches at once
    /// instead of asking first, and writes on its view without asking (the
    /// push's compare-and-swap refuses a view that is behind). False for a
    /// path, `file://`, and any other scheme (an in-memory test remote).
    var reachesServer: Bool {
        for scheme in ["git://", "ssh://", "git+ssh://", "ssh+git://", "http://", "https://"]
        where url.lowercased().hasPrefix(scheme) {
            return true
        }
        // Git's scp-like syntax: no "://", a ':' before any '/', a host and a path.
        guard !url.contains("://"), let colon = url.firstIndex(of: ":") else { return false }
        if let slash = url.firstIndex(of: "/"), slash < colon { return false }
        return colon > url.startIndex && url.index(after: colon) < url.endIndex
    }
}
