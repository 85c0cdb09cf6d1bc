import Foundation
import GitServerFixtures
import Testing

/// Clone, commit and push over each real server; the bare repository's ref
/// moves, and the port is closed once the server stopped.
@Suite("Clone, commit and push over real servers")
struct ServerRoundTripTests {
    @Test("git daemon (git://)", ServerAvailability.enabled(.gitDaemon))
    func gitDaemon() async throws {
        try await roundTrip(GitDaemonServer())
    }

    @Test("smart HTTP (lighttpd + http-backend)", ServerAvailability.enabled(.smartHTTP))
    func smartHTTP() async throws {
        try await roundTrip(SmartHTTPServer(user: "alice", password: "correct horse"))
    }

    @Test("SSH (sshd + git-shell), Ed25519 key", ServerAvailability.enabled(.ssh))
    func ssh() async throws {
        try await roundTrip(SSHServer())
    }

    @Test("SSH with an ECDSA client key", ServerAvailability.enabled(.ssh))
    func sshWithECDSAKey() async throws {
        try await withSSHServer { server in
            let repository = try await server.createRepository(named: "ecdsa")
            let environment = GitEnvironment.isolated.sshCommand(try server.sshCommand(keyType: .ecdsa))
            let output = try await runGit(["ls-remote", try server.url(for: "ecdsa"), "refs/heads/main"], environment: environment)
            #expect(output.succeeded, "\(output)")
            let main = try #require(try await repository.resolve("refs/heads/main"))
            #expect(output.stdout.hasPrefix(main + "\trefs/heads/main"))
        }
    }

    /// The whole scenario for one server kind.
    private func roundTrip(_ server: some GitServer) async throws {
        let port = try await withStartedServer(server) { server in
            let port = try #require(server.port)
            #expect(LoopbackPort.isAccepting(port))
            let repository = try await server.createRepository(named: "exchange")
            let seeded = try #require(try await repository.resolve("refs/heads/main"))

            let client = try GitClient(environment: try server.clientEnvironment())
            let clone = try await client.clone(try server.url(for: "exchange"))
            let cloned = try await runGitChecked(["rev-parse", "HEAD"], in: clone, environment: client.environment)
            #expect(cloned.trimmedStdout == seeded)

            let commit = try await client.commit(in: clone, file: "resource.yaml", content: "kind: Example\n", message: "Add a resource")
            let push = try await client.push(from: clone)
            #expect(push.succeeded, "\(push)")
            #expect(try await repository.resolve("refs/heads/main") == commit)
            #expect(try await repository.refs()["refs/heads/main"] == commit)
            return port
        }
        #expect(server.port == nil)
        #expect(!LoopbackPort.isAccepting(port), "port \(port) still accepts after stop()")
        // Stopping again is harmless.
        await server.stop()
    }
}
