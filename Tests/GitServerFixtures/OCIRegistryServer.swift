public import Foundation

/// An OCI distribution registry (Debian's `docker-registry`, distribution
/// 2.8) on 127.0.0.1, with its own configuration and storage folder, over
/// plain HTTP; anonymous, with HTTP basic authentication for one user
/// (an htpasswd file made with `htpasswd -B`, Debian package `apache2-utils`),
/// or trusting the tokens of an ``OCITokenServer`` (`auth: token`).
///
/// References are `127.0.0.1:PORT/REPOSITORY:TAG` (``host``). Tests may
/// change what the registry stores (``blobFile(digest:)``) to play an
/// attacker with access to the registry's storage.
public final class OCIRegistryServer: Sendable {
    /// Holds the configuration, the storage and the log.
    public let directory: TemporaryDirectory
    /// The registry's storage root (the filesystem driver's `rootdirectory`).
    public let storageURL: URL
    /// The only user and password accepted; `nil`: anonymous access.
    public let login: (user: String, password: String)?
    /// The token service whose tokens the registry requires; `nil`: none.
    public let tokenServer: OCITokenServer?
    private let slot = ServerSlot()

    /// Why the registry cannot run here (`docker-registry` missing), or `nil`.
    public static var unavailableReason: String? {
        ExecutableLocator.find("docker-registry") == nil
            ? "the OCI registry tests need `docker-registry` (Debian package `docker-registry`)" : nil
    }

    /// Prepares a registry; nothing runs until ``start()``.
    public init(login: (user: String, password: String)? = nil) throws {
        directory = try TemporaryDirectory(prefix: "giter-oci-registry")
        storageURL = try directory.makeDirectory("storage")
        self.login = login
        tokenServer = nil
    }

    /// A registry that requires tokens of `tokenServer` (started already:
    /// its realm names its port).
    public init(tokenServer: OCITokenServer) throws {
        directory = try TemporaryDirectory(prefix: "giter-oci-registry")
        storageURL = try directory.makeDirectory("storage")
        login = nil
        self.tokenServer = tokenServer
    }

    public var port: Int? { slot.port }

    /// `127.0.0.1:PORT`, the registry part of a reference.
    public var host: String {
        get throws {
            guard let port else { throw FixtureError("the registry is not running: call start() first") }
            return "127.0.0.1:\(port)"
        }
    }

    /// The registry's log so far.
    public var log: String { slot.log }

    public func start() async throws {
        if port != nil { return }
        if let reason = Self.unavailableReason { throw FixtureUnavailable(reason: reason) }
        let registry = try ExecutableLocator.require("docker-registry", package: "docker-registry")
        let scratch = directory.url
        let storage = storageURL.path
        let logFile = directory.appending("registry.log")
        var authentication = ""
        if let login {
            let htpasswd = try ExecutableLocator.require("htpasswd", package: "apache2-utils")
            let passwordFile = directory.appending("htpasswd")
            try await ProcessRunner.runChecked(
                htpasswd, ["-c", "-b", "-B", "-C", "4", passwordFile.path, login.user, login.password], environment: [:])
            authentication = """
                auth:
                  htpasswd:
                    realm: giter-test
                    path: \(passwordFile.path)

                """
        }
        if let tokenServer {
            authentication = """
                auth:
                  token:
                    realm: \(try tokenServer.realm)
                    service: \(tokenServer.service)
                    issuer: \(tokenServer.issuer)
                    rootcertbundle: \(tokenServer.certificateFile.path)

                """
        }
        let started = try await ServerLauncher.start(name: "docker-registry") { port in
            let configuration = """
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: \(storage)
                  delete:
                    enabled: true
                  cache:
                    blobdescriptor: inmemory
                http:
                  addr: 127.0.0.1:\(port)
                  secret: giter-test-registry-secret

                """ + authentication
            let file = scratch.appendingPathComponent("config.yml")
            try Data(configuration.utf8).write(to: file)
            return try ServerProcess(
                name: "docker-registry", executable: registry, arguments: ["serve", file.path],
                environment: ["PATH": "/usr/bin:/bin"], logFile: logFile)
        }
        await slot.adopt(started)
    }

    public func stop() async {
        await slot.stop()
    }

    /// The file the registry keeps the blob `digest` (`sha256:<hex>`) in.
    public func blobFile(digest: String) -> URL {
        let hex = String(digest.dropFirst("sha256:".count))
        return storageURL.appendingPathComponent("docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data")
    }
}
