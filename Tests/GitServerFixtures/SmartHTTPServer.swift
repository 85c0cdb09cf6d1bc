public import Foundation

/// `git http-backend` behind lighttpd on 127.0.0.1, with basic authentication
/// from an htpasswd file (or digest authentication from an htdigest file,
/// ``Authentication/digest``); pushes are allowed for every authenticated
/// user (hooks see `REMOTE_USER`). Every request's status is logged
/// (``accessLog``).
///
/// URLs are `http://127.0.0.1:PORT/git/NAME.git`, or with `tls`
/// `https://localhost:PORT/git/NAME.git` (lighttpd's `mod_openssl`, a
/// certificate from a ``TestCertificateAuthority``). Credentials are never put in
/// the URL: pass them to the client separately, for example with
/// ``GitEnvironment/httpCredentials(user:password:)`` (see
/// ``clientEnvironment(_:)``) or an `http.extraHeader` built with
/// ``authorizationHeader(user:password:)``.
public final class SmartHTTPServer: GitServer {
    public var kind: ServerKind { .smartHTTP }
    public let repositoriesURL: URL
    /// Holds the configuration, password file, log and uploads.
    public let directory: TemporaryDirectory
    /// The user name the server accepts.
    public let user: String
    /// The password the server accepts.
    public let password: String
    /// The CA whose server certificate the server presents (HTTPS), or `nil` (HTTP).
    public let tls: TestCertificateAuthority?
    /// How clients prove who they are.
    public let authentication: Authentication
    private let environment: GitEnvironment
    private let slot = ServerSlot()

    /// Why HTTPS cannot be served here (`openssl`, or lighttpd's
    /// `mod_openssl`, Debian package `lighttpd-mod-openssl`, missing), or `nil`.
    public static var tlsUnavailableReason: String? {
        if let reason = ServerKind.smartHTTP.unavailableReason ?? TestCertificateAuthority.unavailableReason {
            return reason
        }
        let folders = ["/usr/lib/lighttpd", "/usr/lib64/lighttpd", "/usr/local/lib/lighttpd", "/usr/lib/x86_64-linux-gnu/lighttpd"]
        guard folders.contains(where: { FileManager.default.fileExists(atPath: $0 + "/mod_openssl.so") }) else {
            return "lighttpd's mod_openssl not found; install the Debian package `lighttpd-mod-openssl`"
        }
        return nil
    }

    /// The HTTP authentication scheme the server asks for.
    public enum Authentication: Sendable {
        /// `Basic`: the user name and password, base64-encoded, in each request.
        case basic
        /// `Digest` (MD5): only a hash bound to the server's nonce; a `Basic` header is refused.
        case digest
    }

    /// The realm the server names in its challenges.
    public static let realm = "giter"

    /// Prepares a server; nothing runs until ``start()``.
    ///
    /// - Parameters:
    ///   - user: The only user name accepted.
    ///   - password: Its password.
    ///   - repositoriesURL: The folder to serve; by default a `repos` folder in
    ///     the server's own temporary directory.
    ///   - environment: The environment of lighttpd and, through it, git.
    public init(
        user: String = "giter",
        password: String = "giter-secret",
        repositoriesURL: URL? = nil,
        environment: GitEnvironment = .isolated,
        tls: TestCertificateAuthority? = nil,
        authentication: Authentication = .basic
    ) throws {
        self.tls = tls
        self.authentication = authentication
        directory = try TemporaryDirectory(prefix: "giter-smart-http")
        self.repositoriesURL = try repositoriesURL ?? directory.makeDirectory("repos")
        self.user = user
        self.password = password
        self.environment = environment
    }

    public var port: Int? {
        slot.port
    }

    /// The server's log so far (empty when it never started).
    public var log: String {
        slot.log
    }

    /// One line per request answered, `STATUS METHOD PATH PROTOCOL`
    /// (`401 GET /git/exchange.git/info/refs?service=git-upload-pack HTTP/1.1`).
    /// lighttpd writes these lines out in batches: the log is complete once
    /// ``stop()`` has returned.
    public var accessLog: String {
        (try? String(contentsOf: directory.appending("access.log"), encoding: .utf8)) ?? ""
    }

    public func start() async throws {
        if port != nil {
            return
        }
        try kind.requireAvailable()
        let lighttpd = try ExecutableLocator.require("lighttpd", package: "lighttpd")
        let backend = try ExecutableLocator.requireGitHelper("git-http-backend")

        let passwordFile = directory.appending(authentication == .basic ? "htpasswd" : "htdigest")
        switch authentication {
        case .basic:
            let htpasswd = try ExecutableLocator.require("htpasswd", package: "apache2-utils")
            try await ProcessRunner.runChecked(
                htpasswd,
                ["-c", "-b", "-B", "-C", "4", passwordFile.path, user, password],
                environment: environment.variables
            )
        case .digest:
            // `user:realm:MD5(user:realm:password)`; htdigest itself only reads the password from a terminal.
            let md5sum = try ExecutableLocator.require("md5sum", package: "coreutils")
            let hash = try await ProcessRunner.runChecked(
                md5sum, ["-"], environment: environment.variables, input: Data("\(user):\(Self.realm):\(password)".utf8))
            let digest = String(hash.stdout.prefix(32))
            try Data("\(user):\(Self.realm):\(digest)\n".utf8).write(to: passwordFile)
        }
        let documentRoot = try directory.makeDirectory("htdocs")
        let uploads = try directory.makeDirectory("uploads")
        let logFile = directory.appending("lighttpd.log")
        let accessLogFile = directory.appending("access.log").path
        let authentication = authentication
        let environment = environment.variables
        let scratch = directory.url
        let repositories = repositoriesURL.path
        let certificate = tls.map { (certificate: $0.serverCertificateFile.path, key: $0.serverKeyFile.path) }
        let started = try await ServerLauncher.start(name: "lighttpd") { port in
            let configuration = Self.configuration(
                port: port,
                backend: backend,
                repositories: repositories,
                documentRoot: documentRoot.path,
                uploads: uploads.path,
                passwordFile: passwordFile.path,
                environment: environment,
                certificate: certificate,
                authentication: authentication,
                accessLog: accessLogFile
            )
            let configurationFile = scratch.appendingPathComponent("lighttpd.conf")
            try Data(configuration.utf8).write(to: configurationFile)
            return try ServerProcess(
                name: "lighttpd",
                executable: lighttpd,
                arguments: ["-D", "-f", configurationFile.path],
                environment: environment,
                logFile: logFile
            )
        }
        await slot.adopt(started)
    }

    public func stop() async {
        await slot.stop()
    }

    public func url(for repositoryName: String) throws -> String {
        let base = tls == nil ? "http://127.0.0.1" : "https://localhost"
        return "\(base):\(try requirePort())/git/\(RepositoryName.withSuffix(repositoryName))"
    }

    /// `base` with this server's user and password supplied by a credential
    /// helper (``GitEnvironment/httpCredentials(user:password:)``).
    public func clientEnvironment(_ base: GitEnvironment) throws -> GitEnvironment {
        _ = try requirePort()
        return base.httpCredentials(user: user, password: password)
    }

    /// The value of an `Authorization` header for basic authentication, for
    /// example for `git -c http.extraHeader="Authorization: …"`.
    public static func authorizationHeader(user: String, password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// The lighttpd configuration for one port.
    static func configuration(
        port: Int,
        backend: String,
        repositories: String,
        documentRoot: String,
        uploads: String,
        passwordFile: String,
        environment: [String: String],
        certificate: (certificate: String, key: String)? = nil,
        authentication: Authentication = .basic,
        accessLog: String? = nil
    ) -> String {
        // http-backend and the git commands it runs ignore the machine's config.
        var cgiEnvironment: [(String, String)] = [
            ("GIT_PROJECT_ROOT", repositories),
            ("GIT_HTTP_EXPORT_ALL", ""),
            ("PATH", environment["PATH"] ?? "/usr/bin:/bin"),
        ]
        for name in ["GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL", "LC_ALL"] {
            if let value = environment[name] {
                cgiEnvironment.append((name, value))
            }
        }
        let setenv = cgiEnvironment.map { "\(quoted($0.0)) => \(quoted($0.1))" }.joined(separator: ", ")
        var modules = #""mod_alias", "mod_auth", "mod_authn_file", "mod_cgi", "mod_setenv""#
        var logLines = ""
        if let accessLog {
            modules += #", "mod_accesslog""#
            logLines = """
                accesslog.filename = \(quoted(accessLog))
                accesslog.format = "%s %r"

                """
        }
        let (backendName, method) = authentication == .basic ? ("htpasswd", "basic") : ("htdigest", "digest")
        var tlsLines = ""
        if let certificate {
            modules += #", "mod_openssl""#
            tlsLines = """
                ssl.engine = "enable"
                ssl.pemfile = \(quoted(certificate.certificate))
                ssl.privkey = \(quoted(certificate.key))

                """
        }
        // Not `server.stream-request-body = 2`: chunked pushes would get HTTP 411.
        return """
            server.modules = ( \(modules) )
            \(tlsLines)\(logLines)
            server.bind = "127.0.0.1"
            server.port = \(port)
            server.document-root = \(quoted(documentRoot))
            server.upload-dirs = ( \(quoted(uploads)) )
            server.max-request-size = 0
            auth.backend = "\(backendName)"
            auth.backend.\(backendName).userfile = \(quoted(passwordFile))
            alias.url = ( "/git" => \(quoted(backend)) )
            $HTTP["url"] =~ "^/git" {
                cgi.assign = ( "" => "" )
                setenv.add-environment = ( \(setenv) )
                auth.require = ( "" => ( "method" => "\(method)", "realm" => \(quoted(realm)), "require" => "valid-user" ) )
            }

            """
    }

    /// A lighttpd string literal.
    private static func quoted(_ text: String) -> String {
        var result = "\""
        for character in text {
            if character == "\"" || character == "\\" {
                result.append("\\")
            }
            result.append(character)
        }
        return result + "\""
    }
}
