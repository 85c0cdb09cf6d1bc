import ArgumentParser
import Foundation
import Giter
import GiterGitCLI
import GiterLibGit2

/// A Git backend of the soak's processes.
enum SoakBackend: String, Sendable, Hashable, CaseIterable, ExpressibleByArgument, CustomStringConvertible {
    case libgit2
    case git

    var description: String { rawValue }

    func open(_ configuration: RemoteConfiguration) async throws -> any Transport {
        switch self {
        case .libgit2: try await LibGit2Transport(configuration: configuration)
        case .git: try await GitCLITransport(configuration: configuration)
        }
    }
}

/// What the driver tells a producer or consumer process: who it is, where
/// the exchange is and how to reach it, and where its own files live.
///
/// An HTTP password comes in the environment (``passwordVariable``), never
/// on the command line or in a URL.
struct ChildOptions: ParsableArguments, Sendable {
    /// The environment variable that carries the smart HTTP password.
    static let passwordVariable = "GITER_SOAK_HTTP_PASSWORD"

    @Option(help: "This process's name in the exchange (p1, c2, …).")
    var id: String

    @Option(help: "The exchange's URL (through the driver's proxy).")
    var remote: String

    @Option(help: "The Git backend: libgit2 or git.")
    var backend: SoakBackend

    @Option(help: "This process's folder: its mirror, and a producer's intents and ledger.")
    var folder: String

    @Option(help: "The process ends once this file exists.")
    var stopFile: String

    @Option(help: "The smart HTTP user (its password is in \(ChildOptions.passwordVariable)).")
    var httpUser: String?

    @Option(help: "The SSH private key.")
    var sshKey: String?

    @Option(help: "The SSH known_hosts file.")
    var knownHosts: String?

    /// Whether the driver asked this process to end.
    var stopRequested: Bool { FileManager.default.fileExists(atPath: stopFile) }

    /// Opens this process's mirror, announcing fetches, commits and pushes.
    func openTransport() async throws -> any Transport {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var credentials = Credentials.none
        if let httpUser {
            let password = ProcessInfo.processInfo.environment[Self.passwordVariable] ?? ""
            credentials.passwordProvider = { _ in Credentials.UserPassword(user: httpUser, password: password) }
        }
        if let sshKey {
            credentials.sshKey = Credentials.SSHKey(privateKeyPath: sshKey)
            credentials.knownHostsPath = knownHosts
        }
        let configuration = RemoteConfiguration(
            url: remote, branch: SoakAPI.branch, mirrorPath: folder + "/mirror.git", credentials: credentials)
        return PhaseLoggingTransport(base: try await backend.open(configuration))
    }
}
