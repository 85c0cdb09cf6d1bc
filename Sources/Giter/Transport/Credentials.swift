#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How a transport proves who it is to the remote, and how it reaches it.
///
/// SSH uses a key file, or the keys of `ssh-agent` (``useSSHAgent``), and
/// checks the server against a known-hosts file (plain or hashed entries);
/// it never accepts a host key that is missing from that file or differs
/// from it. HTTPS asks ``passwordProvider`` for a user name and password (or
/// token) when the server wants them (``token(_:user:)`` for a token alone):
/// credentials are never written into a URL or a Git configuration file.
/// HTTPS may go through a ``proxy`` and trust a ``certificateAuthorityFile``;
/// the git backend may take the user's own credential helpers, proxy and CA
/// settings when ``gitConfiguration`` is ``GitConfiguration/user``.
/// See `Documentation/Backends.md`, "Credentials".
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

    /// Which of the user's own git configuration the transports take.
    public struct GitConfiguration: Sendable, Hashable, CustomStringConvertible {
        /// The variables naming the user's files and settings; `nil` when isolated.
        public let environment: [String: String]?

        /// None: no system or global configuration file, no proxy or CA
        /// variable of the environment (the default).
        public static let isolated = GitConfiguration(environment: nil)

        /// The user's settings, as this process's environment finds them.
        ///
        /// The git backend takes the user's credential helpers (only when
        /// the transport has no ``Credentials/passwordProvider`` of its
        /// own), proxy and CA settings, from the system and global
        /// configuration files and from the environment (`HTTPS_PROXY`,
        /// `NO_PROXY`, `GIT_SSL_CAINFO`…); never anything else, such as
        /// `url.*.insteadOf`, `core.sshCommand` or `core.hooksPath`. The
        /// libgit2 backend reads no git configuration file: it takes the
        /// proxy variables of the environment only.
        public static var user: GitConfiguration { user(environment: ProcessInfo.processInfo.environment) }

        /// The settings of the user whose files and variables `environment`
        /// names (`HOME`, `XDG_CONFIG_HOME`, `GIT_CONFIG_GLOBAL`,
        /// `GIT_CONFIG_SYSTEM`, `GIT_CONFIG_NOSYSTEM`, the proxy and CA
        /// variables): for a service that acts for another user, and for tests.
        public static func user(environment: [String: String]) -> GitConfiguration {
            // Only what the settings are made of: never the rest of an environment (tokens…).
            let names = fileVariables.union(proxyVariables).union(certificateVariables).union(helperVariables)
            return GitConfiguration(environment: environment.filter { names.contains($0.key) && !$0.value.isEmpty })
        }

        /// The variables that say which configuration files git reads (and where git is).
        public static let fileVariables: Set<String> = [
            "PATH", "HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM",
        ]
        /// The proxy variables (curl's; uppercase `HTTP_PROXY` is kept but, as by curl, not read for HTTP).
        public static let proxyVariables: Set<String> = [
            "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
        ]
        /// The CA variables git reads. Never `GIT_SSL_NO_VERIFY`.
        public static let certificateVariables: Set<String> = ["GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "GIT_PROXY_SSL_CAINFO"]
        /// What credential helpers need to find their stores.
        public static let helperVariables: Set<String> = [
            "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS",
        ]

        public var isUser: Bool { environment != nil }

        public var description: String { isUser ? "user" : "isolated" }
    }

    /// The key for `ssh://` remotes. When set, it is the only key offered.
    public var sshKey: SSHKey?
    /// Offer the keys of the `ssh-agent` at `SSH_AUTH_SOCK` (of this
    /// process) to `ssh://` remotes when no ``sshKey`` is set. Default false.
    public var useSSHAgent: Bool
    /// An HTTP proxy for `http(s)://` remotes, as `http://host:port`; HTTPS
    /// goes through it with `CONNECT`. `nil`: no proxy (unless
    /// ``gitConfiguration`` is ``GitConfiguration/user`` and the user's
    /// settings name one). Must not hold a password.
    public var proxy: String?
    /// A PEM file of certificate authorities trusted for `https://` remotes
    /// (git backend: in addition to the system's, as `http.sslCAInfo`;
    /// libgit2: see `Documentation/Backends.md`).
    public var certificateAuthorityFile: String?
    /// Which of the user's git configuration the git backend reads. Default
    /// ``GitConfiguration/isolated``.
    public var gitConfiguration: GitConfiguration
    /// The known-hosts file SSH host keys are checked against.
    public var knownHostsPath: String?
    /// Called with the remote URL for an HTTP(S) remote's login; returns
    /// `nil` to give up. The libgit2 backend calls it when the server asks
    /// for credentials. The git backend calls it before each attempt of a
    /// command, and sends the login with the first request
    /// (`Authorization: Basic`) over HTTPS, and over `http://` once the
    /// server asked for Basic alone, unless the server refused that before;
    /// see `Documentation/Backends.md`.
    public var passwordProvider: (@Sendable (_ url: String) async throws -> UserPassword?)?
    /// How many times a login is offered (one per attempt) before the
    /// transport reports ``TransportError/Code/authenticationFailed``. Default 2.
    public var maxAttempts: Int

    public init(
        sshKey: SSHKey? = nil,
        knownHostsPath: String? = nil,
        passwordProvider: (@Sendable (_ url: String) async throws -> UserPassword?)? = nil,
        maxAttempts: Int = 2,
        useSSHAgent: Bool = false,
        proxy: String? = nil,
        certificateAuthorityFile: String? = nil,
        gitConfiguration: GitConfiguration = .isolated
    ) {
        self.sshKey = sshKey
        self.knownHostsPath = knownHostsPath
        self.passwordProvider = passwordProvider
        self.maxAttempts = maxAttempts
        self.useSSHAgent = useSSHAgent
        self.proxy = proxy
        self.certificateAuthorityFile = certificateAuthorityFile
        self.gitConfiguration = gitConfiguration
    }

    /// A password provider that answers with `token` as the password, and
    /// `user`, or else the user name the remote's forge expects with a token
    /// (``TokenUser/name(forURL:)``).
    public static func token(_ token: String, user: String? = nil)
        -> @Sendable (_ url: String) async throws -> UserPassword?
    {
        { url in UserPassword(user: user ?? TokenUser.name(forURL: url), password: token) }
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
    /// The longest one conversation with a server may take: a listing, a
    /// fetch or a push, from the connection to the last byte. Past it the
    /// backend ends the conversation and throws ``TransportError/Code/timedOut``,
    /// so a server that accepts a connection and then says nothing (or a
    /// network that drops packets) never holds a store or a controller for
    /// ever. Default 120 seconds; raise it for a first fetch of a very large
    /// exchange over a slow link. Repositories on this machine (paths and
    /// `file://`) are not limited.
    public var networkTimeLimit: Duration
    /// Which files' contents a fetch downloads into the mirror. Default
    /// ``BlobFetch/everything``; see ``BlobFetch/onDemand`` for a partial
    /// mirror.
    public var blobFetch: BlobFetch

    public init(
        url: String, branch: String = "main", mirrorPath: String, credentials: Credentials = .none,
        networkTimeLimit: Duration = Self.defaultNetworkTimeLimit, blobFetch: BlobFetch = .everything
    ) {
        self.url = url
        self.branch = branch
        self.mirrorPath = mirrorPath
        self.credentials = credentials
        self.networkTimeLimit = networkTimeLimit
        self.blobFetch = blobFetch
    }

    /// ``networkTimeLimit``'s default: 120 seconds.
    public static let defaultNetworkTimeLimit = Duration.seconds(120)

    /// The mirror's ref that follows the remote branch.
    public var trackingReference: String { "refs/remotes/origin/\(branch)" }
    /// The local branch ref commits are prepared on before they are pushed.
    public var localReference: String { "refs/heads/\(branch)" }
}

/// Which files' contents (blobs) a fetch downloads into a mirror.
public enum BlobFetch: Sendable, Hashable {
    /// Every commit's trees and blobs: the mirror holds the whole history.
    case everything
    /// A partial mirror: a fetch from a server downloads commits and trees
    /// only (`git fetch --filter=blob:none`), and the blobs a reader needs
    /// come later, the missing ones of one call in one request (see
    /// ``RepositoryReader/fetchMissingBlobs(_:)``). The server must allow filters
    /// (`uploadpack.allowFilter`) and, over protocol version 0, wants of
    /// objects no ref names (`uploadpack.allowReachableSHA1InWant`). Only
    /// the git backend (`GitCLITransport`) does this, and only for a
    /// server (`git://`, `ssh://`, `http(s)://`); libgit2 has no partial
    /// clone, so `LibGit2Transport` fetches everything, and a remote on
    /// this machine is copied whole. See `Documentation/PartialFetch.md`.
    case onDemand
}

extension RemoteConfiguration {
    /// Whether a fetch downloads only commits and trees: ``blobFetch`` is
    /// ``BlobFetch/onDemand`` and the remote is a server
    /// (a remote on this machine is copied whole).
    public var fetchesBlobsOnDemand: Bool { blobFetch == .onDemand && reachesServer }

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
