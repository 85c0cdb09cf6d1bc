public import Foundation

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// An `ssh-agent` started by a test on a socket of its own (`-D -a SOCKET`),
/// stopped by ``stop()`` (and killed, at the latest, when released). Keys
/// are loaded with ``add(_:)`` and live at most `keyLifetime` in it.
public final class SSHAgentProcess: Sendable {
    /// Holds the socket and the log.
    public let directory: TemporaryDirectory
    /// The value for `SSH_AUTH_SOCK`.
    public let socketPath: String
    private let process: ServerProcess

    /// Why an agent cannot run here (`ssh-agent` or `ssh-add` missing), or `nil`.
    public static var unavailableReason: String? {
        for program in ["ssh-agent", "ssh-add"] where ExecutableLocator.find(program) == nil {
            return "`\(program)` not found; install the Debian package `openssh-client`"
        }
        return nil
    }

    /// Starts the agent and returns once its socket accepts a connection
    /// (at most `startLimit`). The socket file exists a moment before the
    /// agent listens on it; an `ssh-add` in that moment is refused.
    public init(keyLifetime: Duration = .seconds(300), startLimit: Duration = .seconds(10)) async throws {
        let agent = try ExecutableLocator.require("ssh-agent", package: "openssh-client")
        // A short folder: a socket path has at most 107 bytes.
        directory = try TemporaryDirectory(prefix: "giter-agent")
        socketPath = directory.appending("s").path
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LC_ALL": "C"]
        process = try ServerProcess(
            name: "ssh-agent", executable: agent,
            arguments: ["-D", "-a", socketPath, "-t", String(keyLifetime.components.seconds)],
            environment: environment, logFile: directory.appending("agent.log"))
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: startLimit)
        while !Self.accepts(socketPath) {
            if process.hasExited || clock.now > deadline {
                await process.stop()
                throw FixtureError("ssh-agent did not listen on its socket within \(startLimit); log:\n\(process.log)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Loads the (unencrypted) private key `file` into the agent.
    public func add(_ file: URL) async throws {
        let add = try ExecutableLocator.require("ssh-add", package: "openssh-client")
        try await ProcessRunner.runChecked(
            add, [file.path],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "SSH_AUTH_SOCK": socketPath])
    }

    /// Stops the agent.
    public func stop() async { await process.stop() }

    /// Whether a connection to the Unix socket at `path` succeeds right now.
    private static func accepts(_ path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        #if canImport(Darwin)
        let descriptor = socket(AF_UNIX, SOCK_STREAM, 0)
        #else
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }
}
