import Foundation
import GitServerFixtures
import Testing

/// The credentials of a real machine, through the `giter` tool (each run
/// its own process, so the agent socket and libgit2's process-wide CA list
/// are the run's own), on both backends against loopback servers: the keys
/// of an `ssh-agent` the test starts, a token alone over HTTPS with a
/// certificate from a test CA, and a CONNECT proxy that counts its tunnels.
@Suite("Credentials through the tool", .timeLimit(.minutes(5)))
struct CredentialCommandTests {
    /// `giter <arguments>` against `url` with a mirror of its own in `folder`,
    /// HOME an empty folder (no key, config or known_hosts of the machine).
    func run(
        _ arguments: [String], url: String, backend: ToolBackend, folder: URL, mirror: String,
        environment: [String: String] = [:], stdin: String? = nil
    ) async throws -> GiterProcess.Result {
        let home = folder.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        var base = ["HOME": home.path, "GIT_CONFIG_NOSYSTEM": "1"]
        // The runner's own agent and proxies must not leak in.
        for name in ["SSH_AUTH_SOCK", "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "GIT_SSL_CAINFO"] {
            base[name] = ""
        }
        return try await GiterProcess.run(
            arguments + [
                "--remote", url, "--backend", backend.rawValue,
                "--cache", folder.appendingPathComponent(mirror).path, "--identity", ExchangeFixture.producer,
            ],
            stdin: stdin, in: folder, environment: base.merging(environment) { _, new in new })
    }

    @Test(ServerAvailability.enabled(.ssh), arguments: ToolBackend.allCases)
    func theKeysOfSSHAgentAreUsed(backend: ToolBackend) async throws {
        guard try TestRequirements.available(SSHAgentProcess.unavailableReason, for: "the ssh-agent test") else { return }
        let scratch = try TemporaryDirectory()
        let base = scratch.url
        try await withSSHServer { server in
            _ = try await server.createRepository(named: "exchange", seeded: true)
            let url = try server.url(for: "exchange")
            let knownHosts = ["--known-hosts", server.knownHostsFile.path]
            let document = ExchangeFixture.experiment("by-agent")

            // No key file and no agent: refused.
            let refused = try await run(
                ["apply", "-f", "-"] + knownHosts, url: url, backend: backend, folder: base, mirror: "none",
                stdin: document)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("authentication"), "\(refused.stderr)")

            let agent = try await SSHAgentProcess()
            do {
                try await agent.add(server.identityFile(.ed25519))
                let environment = ["SSH_AUTH_SOCK": agent.socketPath]
                let applied = try await run(
                    ["apply", "-f", "-"] + knownHosts, url: url, backend: backend, folder: base, mirror: "agent",
                    environment: environment, stdin: document)
                #expect(applied.status == 0, "\(applied.stderr)")
                let listed = try await run(
                    ["get", "experiments"] + knownHosts, url: url, backend: backend, folder: base, mirror: "agent",
                    environment: environment)
                #expect(listed.stdout.contains("by-agent"), "\(listed.stderr)")
                // --no-ssh-agent turns it off again.
                let off = try await run(
                    ["get", "experiments", "--no-ssh-agent"] + knownHosts, url: url, backend: backend, folder: base,
                    mirror: "off", environment: environment)
                #expect(off.status != 0)
            } catch {
                await agent.stop()
                throw error
            }
            await agent.stop()
        }
    }

    @Test(ServerAvailability.enabled(.smartHTTP), arguments: ToolBackend.allCases)
    func aTokenAloneOverHTTPSWithATestCAAndAProxy(backend: ToolBackend) async throws {
        guard try TestRequirements.available(SmartHTTPServer.tlsUnavailableReason, for: "the HTTPS test"),
            try TestRequirements.available(ConnectProxy.unavailableReason, for: "the proxy test")
        else { return }
        let scratch = try TemporaryDirectory()
        let base = scratch.url
        let authority = try await TestCertificateAuthority()
        let token = "tok-\(UUID().uuidString)"
        let server = try SmartHTTPServer(user: "x-access-token", password: token, tls: authority)
        try await withStartedServer(server) { server in
            _ = try await server.createRepository(named: "exchange", seeded: true)
            let url = try server.url(for: "exchange")
            #expect(url.hasPrefix("https://localhost:"))
            let caFile = ["--ca-file", authority.certificateFile.path]
            let document = ExchangeFixture.experiment("by-token")

            // The test CA is not trusted unless given.
            let untrusted = try await run(
                ["get", "experiments"], url: url, backend: backend, folder: base, mirror: "untrusted",
                environment: ["GITER_TOKEN": token])
            #expect(untrusted.status != 0)

            // A user name alone is an error, never ignored.
            let userOnly = try await run(
                ["get", "experiments"] + caFile, url: url, backend: backend, folder: base, mirror: "user-only",
                environment: ["GITER_USERNAME": "x-access-token"])
            #expect(userOnly.status != 0)
            #expect(userOnly.stderr.contains("GITER_USERNAME is set without GITER_PASSWORD or GITER_TOKEN"), "\(userOnly.stderr)")

            // The token alone, with the CA: the user name is the default for a host no forge table names.
            let applied = try await run(
                ["apply", "-f", "-"] + caFile, url: url, backend: backend, folder: base, mirror: "token",
                environment: ["GITER_TOKEN": token], stdin: document)
            #expect(applied.status == 0, "\(applied.stderr)")
            for output in [applied.stdout, applied.stderr] { #expect(!output.contains(token)) }
            let mirrorConfig = try String(
                contentsOf: base.appendingPathComponent("token/config"), encoding: .utf8)
            #expect(!mirrorConfig.contains(token))
            let log = try await MirrorLog.log(base.appendingPathComponent("token"))
            #expect(!log.contains(token))

            try await ConnectProxy.with { proxy in
                // An explicit proxy.
                let proxied = try await run(
                    ["get", "experiments", "--proxy", try proxy.url()] + caFile, url: url, backend: backend,
                    folder: base, mirror: "proxied", environment: ["GITER_TOKEN": token])
                #expect(proxied.stdout.contains("by-token"), "\(proxied.stderr)")
                let explicit = proxy.tunnels.count
                #expect(explicit > 0, "no tunnel through the proxy: \(proxy.log)")
                #expect(proxy.tunnels.allSatisfy { $0 == "localhost:\(server.port ?? 0)" }, "\(proxy.tunnels)")

                // The user's proxy variable, taken only with --git-config user.
                let environment = ["GITER_TOKEN": token, "HTTPS_PROXY": try proxy.url(), "https_proxy": try proxy.url()]
                let isolated = try await run(
                    ["get", "experiments"] + caFile, url: url, backend: backend, folder: base,
                    mirror: "isolated", environment: environment)
                #expect(isolated.status == 0, "\(isolated.stderr)")
                #expect(proxy.tunnels.count == explicit, "an isolated run went through the user's proxy")
                let user = try await run(
                    ["get", "experiments", "--git-config", "user"] + caFile, url: url, backend: backend,
                    folder: base, mirror: "user", environment: environment)
                #expect(user.stdout.contains("by-token"), "\(user.stderr)")
                #expect(proxy.tunnels.count > explicit, "--git-config user did not use HTTPS_PROXY: \(proxy.log)")

                // The CA variable of the user's environment: taken only when asked, and only by the git backend
                // (libgit2 takes no CA from the environment).
                let caVariable = ["GITER_TOKEN": token, "GIT_SSL_CAINFO": authority.certificateFile.path]
                let notAsked = try await run(
                    ["get", "experiments"], url: url, backend: backend, folder: base, mirror: "ca-isolated",
                    environment: caVariable)
                #expect(notAsked.status != 0, "an isolated run took GIT_SSL_CAINFO")
                let asked = try await run(
                    ["get", "experiments", "--git-config", "user"], url: url, backend: backend, folder: base,
                    mirror: "ca-user", environment: caVariable)
                #expect((asked.status == 0) == (backend == .git), "\(asked.stderr)")

                // The proxy and CA of the user's ~/.gitconfig, beside an insteadOf that must not be followed.
                let before = proxy.tunnels.count
                let prefix = String(url.prefix { $0 != "/" }) + "//" + url.dropFirst(8).prefix { $0 != "/" } + "/"
                let gitconfig = """
                    [http]
                    \tproxy = \(try proxy.url())
                    \tsslCAInfo = \(authority.certificateFile.path)
                    [url "https://127.0.0.1:9/nowhere/"]
                    \tinsteadOf = \(prefix)

                    """
                try Data(gitconfig.utf8).write(to: base.appendingPathComponent("home/.gitconfig"))
                let fromFile = try await run(
                    ["get", "experiments", "--git-config", "user"], url: url, backend: backend, folder: base,
                    mirror: "gitconfig", environment: ["GITER_TOKEN": token])
                if backend == .git {
                    #expect(fromFile.stdout.contains("by-token"), "\(fromFile.stderr)")
                    #expect(proxy.tunnels.count > before, "http.proxy of ~/.gitconfig not used: \(proxy.log)")
                } else {
                    // libgit2 reads no configuration file: no CA, so the certificate is refused.
                    #expect(fromFile.status != 0)
                    #expect(proxy.tunnels.count == before)
                }
                let ignored = try await run(
                    ["get", "experiments"], url: url, backend: backend, folder: base, mirror: "gitconfig-isolated",
                    environment: ["GITER_TOKEN": token])
                #expect(ignored.status != 0, "an isolated run took the CA of ~/.gitconfig")
                try FileManager.default.removeItem(at: base.appendingPathComponent("home/.gitconfig"))
            }
        }
    }
}

/// Reads what `git log` says of a bare mirror, for checks that a secret is nowhere in it.
enum MirrorLog {
    static func log(_ repository: URL) async throws -> String {
        let git = try ExecutableLocator.require("git", package: "git")
        let output = try await ProcessRunner.run(
            git, ["--git-dir", repository.path, "log", "--all", "--format=%H %an %ae%n%B"],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1"])
        return output.stdout
    }
}

extension CredentialCommandTests {
    /// Credential settings that cannot be used stop the command before it
    /// does anything (exit 64), with a message naming the setting.
    @Test(arguments: [
        (["--proxy", "http://user:secret@proxy.example:3128"], [String: String](), "--proxy must not hold a user name or password"),
        (["--proxy", "socks5://proxy.example:1080"], [:], "--proxy must be an http:// or https:// URL"),
        (["--ca-file", "/nonexistent/ca.pem"], [:], "--ca-file /nonexistent/ca.pem cannot be read"),
        (["--git-config", "everything"], [:], "--git-config must be isolated or user"),
        (["--ssh-agent"], [:], "--ssh-agent needs a running ssh-agent"),
        (["--ssh-agent", "--ssh-key", "/nonexistent/key"], ["SSH_AUTH_SOCK": "/nonexistent/sock"], "not both"),
        ([], ["GITER_PASSWORD": "p"], "GITER_PASSWORD is set without GITER_USERNAME"),
        ([], ["GITER_PASSWORD": "p", "GITER_TOKEN": "t"], "set GITER_PASSWORD or GITER_TOKEN, not both"),
    ])
    func unusableSettingsAreUsageErrors(arguments: [String], environment: [String: String], message: String) async throws {
        let scratch = try TemporaryDirectory()
        let result = try await run(
            ["get", "experiments"] + arguments, url: scratch.url.appendingPathComponent("none.git").path,
            backend: .libgit2, folder: scratch.url, mirror: "m", environment: environment)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("secret"))
    }
}
