import Foundation
import GitServerFixtures
import Giter
import GiterGitCLI
import GiterLibGit2
import Testing

/// The Transport backends the conformance suite runs against.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case libgit2
    case gitCLI

    var description: String { rawValue }

    /// The other backend, to read back what this one wrote.
    var other: Backend { self == .libgit2 ? .gitCLI : .libgit2 }

    func open(_ configuration: RemoteConfiguration) async throws -> any Transport {
        switch self {
        case .libgit2: try await LibGit2Transport(configuration: configuration)
        case .gitCLI: try await GitCLITransport(configuration: configuration)
        }
    }
}

/// The kinds of remote the conformance suite runs against.
enum RemoteKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case localPath
    case fileURL
    case gitDaemon
    case smartHTTP
    case ssh

    var description: String { rawValue }

    var serverKind: ServerKind? {
        switch self {
        case .localPath, .fileURL: nil
        case .gitDaemon: .gitDaemon
        case .smartHTTP: .smartHTTP
        case .ssh: .ssh
        }
    }
}

/// A bare repository reachable as one kind of remote, with everything a
/// transport needs to use it, and a folder for mirrors.
struct RemoteContext: Sendable {
    let kind: RemoteKind
    let url: String
    let credentials: Credentials
    let repository: BareRepository
    let scratch: URL
    /// Set for servers, to make URLs of other repositories on the same server.
    let server: (any GitServer)?

    /// A configuration with a new mirror folder of its own.
    func configuration(mirror name: String, branch: String = "main") -> RemoteConfiguration {
        RemoteConfiguration(
            url: url,
            branch: branch,
            mirrorPath: scratch.appendingPathComponent("mirror-\(name)").path,
            credentials: credentials
        )
    }

    func open(_ backend: Backend, mirror name: String) async throws -> any Transport {
        try await backend.open(configuration(mirror: name))
    }
}

/// Creates a bare repository, serves it as `kind`, runs `body`, and stops
/// what it started. When the server's binaries are missing the test says so
/// and returns; in CI (`GITER_STRICT_TESTS=1`) it fails instead.
func withRemote(
    _ kind: RemoteKind,
    seeded: Bool = false,
    _ body: (RemoteContext) async throws -> Void
) async throws {
    let scratch = URL(fileURLWithPath: NSTemporaryDirectory())
        .appendingPathComponent("giter-transport-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }

    guard let serverKind = kind.serverKind else {
        let repository = try await BareRepository.create(
            at: scratch.appendingPathComponent("remote.git"),
            seeded: seeded
        )
        let url = kind == .fileURL ? "file://" + repository.path : repository.path
        try await body(
            RemoteContext(kind: kind, url: url, credentials: .none, repository: repository, scratch: scratch, server: nil)
        )
        return
    }
    guard try TestRequirements.available(serverKind.unavailableReason, for: "the \(kind) remote") else { return }
    try await withGitServer(serverKind) { server in
        let repository = try await server.createRepository(named: "exchange", seeded: seeded)
        var credentials = Credentials.none
        if let http = server as? SmartHTTPServer {
            let user = http.user
            let password = http.password
            credentials = Credentials(passwordProvider: { _ in .init(user: user, password: password) })
        } else if let ssh = server as? SSHServer {
            credentials = Credentials(
                sshKey: .init(privateKeyPath: ssh.identityFile(.ed25519).path),
                knownHostsPath: ssh.knownHostsFile.path
            )
        }
        try await body(
            RemoteContext(
                kind: kind,
                url: try server.url(for: "exchange"),
                credentials: credentials,
                repository: repository,
                scratch: scratch,
                server: server
            )
        )
    }
}

/// A fixed identity for commits made by the tests.
let testAuthor = Signature(
    name: "Producer Bot",
    email: "producer@example.com",
    date: Date(timeIntervalSince1970: 1_763_700_000),
    timeZoneOffsetMinutes: 60
)

func fileContents(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The TransportError code of `body`'s error, or `nil` if it did not throw one.
func transportErrorCode(_ body: () async throws -> Void) async -> TransportError.Code? {
    do {
        try await body()
        return nil
    } catch let error as TransportError {
        return error.code
    } catch {
        Issue.record("expected a TransportError, got \(type(of: error)): \(error)")
        return nil
    }
}
