import Foundation
import GitServerFixtures
import Testing

/// Failures a client must see: a wrong HTTP password, an SSH host key missing
/// from known_hosts, a key that is not authorised.
@Suite("Authentication and host verification")
struct AuthenticationTests {
    @Test("Wrong HTTP password fails with an authentication error", ServerAvailability.enabled(.smartHTTP))
    func wrongHTTPPassword() async throws {
        try await withSmartHTTPServer(user: "alice", password: "right") { server in
            _ = try await server.createRepository(named: "private")
            let url = try server.url(for: "private")
            let client = try GitClient(environment: GitEnvironment.isolated.httpCredentials(user: "alice", password: "wrong"))
            let clone = try await client.tryClone(url)
            #expect(!clone.succeeded)
            #expect(clone.stderr.contains("Authentication failed"), "\(clone)")

            // Without any credentials the CLI must not prompt: it fails at once.
            let anonymous = try await runGit(["ls-remote", url])
            #expect(!anonymous.succeeded)
            #expect(anonymous.stderr.contains("terminal prompts disabled") || anonymous.stderr.contains("Authentication failed"), "\(anonymous)")

            // The right password works on the same server.
            let good = try await runGit(["ls-remote", url], environment: try server.clientEnvironment())
            #expect(good.succeeded, "\(good)")
        }
    }

    @Test("The credentials can also travel as an http.extraHeader", ServerAvailability.enabled(.smartHTTP))
    func extraHeader() async throws {
        try await withSmartHTTPServer(user: "bob", password: "s3cret:with colon") { server in
            let repository = try await server.createRepository(named: "header")
            let header = SmartHTTPServer.authorizationHeader(user: "bob", password: "s3cret:with colon")
            let environment = GitEnvironment.isolated.addingConfig("http.extraHeader", "Authorization: " + header)
            let output = try await runGit(["ls-remote", try server.url(for: "header"), "refs/heads/main"], environment: environment)
            #expect(output.succeeded, "\(output)")
            let main = try #require(try await repository.resolve("refs/heads/main"))
            #expect(output.stdout.hasPrefix(main))
        }
    }

    @Test("SSH fails when known_hosts lacks the host key", ServerAvailability.enabled(.ssh))
    func unknownHostKey() async throws {
        try await withSSHServer { server in
            _ = try await server.createRepository(named: "guarded")
            let workspace = try TemporaryDirectory(prefix: "giter-known-hosts")
            let emptyKnownHosts = workspace.appending("known_hosts")
            try Data().write(to: emptyKnownHosts)
            let environment = GitEnvironment.isolated.sshCommand(try server.sshCommand(knownHostsFile: emptyKnownHosts))
            let output = try await runGit(["ls-remote", try server.url(for: "guarded")], environment: environment)
            #expect(!output.succeeded)
            #expect(output.stderr.contains("Host key verification failed"), "\(output)")
            // Never auto-accepted: the file is still empty.
            #expect(try Data(contentsOf: emptyKnownHosts).isEmpty)
        }
    }

    @Test("SSH fails when known_hosts has another key for the host", ServerAvailability.enabled(.ssh))
    func changedHostKey() async throws {
        try await withSSHServer { first in
            try await withSSHServer { second in
                _ = try await second.createRepository(named: "guarded")
                // The first server's host key, written for the second server's port.
                let workspace = try TemporaryDirectory(prefix: "giter-known-hosts")
                let wrongKnownHosts = workspace.appending("known_hosts")
                let firstKey = try String(contentsOf: first.hostPublicKeyFile, encoding: .utf8)
                let port = try #require(second.port)
                try Data("[127.0.0.1]:\(port) \(firstKey)".utf8).write(to: wrongKnownHosts)
                let environment = GitEnvironment.isolated.sshCommand(try second.sshCommand(knownHostsFile: wrongKnownHosts))
                let output = try await runGit(["ls-remote", try second.url(for: "guarded")], environment: environment)
                #expect(!output.succeeded)
                #expect(output.stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED"), "\(output)")
                #expect(output.stderr.contains("Host key verification failed"), "\(output)")
            }
        }
    }

    @Test("SSH refuses a client key that is not authorised", ServerAvailability.enabled(.ssh))
    func unauthorisedKey() async throws {
        try await withSSHServer { first in
            try await withSSHServer { second in
                _ = try await second.createRepository(named: "guarded")
                // The second server's host key, but the first server's client key.
                let command = try second.sshCommand()
                    .replacingOccurrences(of: second.identityFile().path, with: first.identityFile().path)
                let output = try await runGit(
                    ["ls-remote", try second.url(for: "guarded")],
                    environment: GitEnvironment.isolated.sshCommand(command)
                )
                #expect(!output.succeeded)
                #expect(output.stderr.contains("Permission denied (publickey)"), "\(output)")
            }
        }
    }

    @Test("SSH logins run only git-shell, never an arbitrary command", ServerAvailability.enabled(.ssh))
    func onlyGitShell() async throws {
        try await withSSHServer { server in
            let command = try server.sshCommand() + " \(server.user)@127.0.0.1 id"
            let output = try await ProcessRunner.run("/bin/sh", ["-c", command], environment: GitEnvironment.isolated.variables)
            #expect(!output.succeeded)
            #expect(!output.stdout.contains("uid="), "\(output)")
            #expect(output.stderr.contains("unrecognized command"), "\(output)")
        }
    }
}
