import Foundation
import GitServerFixtures
import Giter
import Testing

/// Credentials as a real machine has them, on both backends against
/// loopback servers: hashed known_hosts entries, and the user's git
/// configuration (credential helpers taken when asked, `url.*.insteadOf`
/// never).
@Suite("Credentials of a real machine", .timeLimit(.minutes(5)))
struct CredentialTests {
    /// `ssh-keygen -H` over a copy of the server's known_hosts file: only hashed entries remain.
    func hashedCopy(of file: URL, in folder: URL, name: String) async throws -> URL {
        let copy = folder.appendingPathComponent(name)
        try Data(contentsOf: file).write(to: copy)
        let keygen = try ExecutableLocator.require("ssh-keygen", package: "openssh-client")
        try await ProcessRunner.runChecked(
            keygen, ["-H", "-f", copy.path], environment: ProcessInfo.processInfo.environment)
        let text = try String(contentsOf: copy, encoding: .utf8)
        try #require(text.hasPrefix("|1|") && !text.contains("127.0.0.1"), "ssh-keygen -H did not hash: \(text)")
        return copy
    }

    @Test(ServerAvailability.enabled(.ssh), arguments: Backend.allCases)
    func hashedKnownHostsEntriesAreRead(backend: Backend) async throws {
        try await withRemote(.ssh, seeded: true) { context in
            let server = try #require(context.server as? SSHServer)
            let hashed = try await hashedCopy(of: server.knownHostsFile, in: context.scratch, name: "known_hosts_hashed")
            var configuration = context.configuration(mirror: "hashed")
            configuration.credentials.knownHostsPath = hashed.path
            let transport = try await backend.open(configuration)
            #expect(try await transport.fetch() != nil)

            // Another key, hashed, for the same host and port: a changed host key.
            let otherKey = context.scratch.appendingPathComponent("other_host_key")
            let keygen = try ExecutableLocator.require("ssh-keygen", package: "openssh-client")
            try await ProcessRunner.runChecked(
                keygen, ["-q", "-t", "ed25519", "-N", "", "-f", otherKey.path],
                environment: ProcessInfo.processInfo.environment)
            let publicKey = try String(contentsOf: URL(fileURLWithPath: otherKey.path + ".pub"), encoding: .utf8)
                .split(separator: " ").prefix(2).joined(separator: " ")
            let plain = context.scratch.appendingPathComponent("known_hosts_other")
            try Data("[127.0.0.1]:\(try #require(server.port)) \(publicKey)\n".utf8).write(to: plain)
            let changed = try await hashedCopy(of: plain, in: context.scratch, name: "known_hosts_other_hashed")
            configuration = context.configuration(mirror: "changed")
            configuration.credentials.knownHostsPath = changed.path
            let refused = try await backend.open(configuration)
            let code = await transportErrorCode { _ = try await refused.fetch() }
            // ssh (git backend) names both a changed and a missing key "verification failed".
            #expect(code == .changedHostKey || (backend == .gitCLI && code == .unknownHostKey), "\(String(describing: code))")
        }
    }

    /// A home folder whose `.gitconfig` has a credential helper that
    /// answers with the server's user and password, and an `insteadOf`
    /// that would send every request for the server to a closed port.
    func userHome(in folder: URL, server: SmartHTTPServer, url: String) throws -> URL {
        let home = folder.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let marker = home.appendingPathComponent("helper-ran")
        let prefix = String(url.prefix { $0 != "/" }) + "//" + url.dropFirst(7).prefix { $0 != "/" } + "/"
        let configuration = """
            [credential]
            \thelper = "!f() { test \\"$1\\" = get || exit 0; touch '\(marker.path)'; echo username=\(server.user); echo password=\(server.password); }; f"
            [url "http://127.0.0.1:9/nowhere/"]
            \tinsteadOf = \(prefix)
            [core]
            \thooksPath = /nonexistent/hooks
            \tsshCommand = false

            """
        try Data(configuration.utf8).write(to: home.appendingPathComponent(".gitconfig"))
        return home
    }

    @Test(ServerAvailability.enabled(.smartHTTP), arguments: Backend.allCases)
    func theUsersCredentialHelperIsTakenOnlyWhenAskedAndInsteadOfNever(backend: Backend) async throws {
        try await withRemote(.smartHTTP, seeded: true) { context in
            let server = try #require(context.server as? SmartHTTPServer)
            let home = try userHome(in: context.scratch, server: server, url: context.url)
            let marker = home.appendingPathComponent("helper-ran")
            let environment = [
                "HOME": home.path, "GIT_CONFIG_NOSYSTEM": "1",
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            ]
            // Isolated (the default), no credentials of Giter's: the helper is not asked.
            let isolated = try await backend.open(
                context.configuration(mirror: "isolated").with(credentials: Credentials()))
            #expect(await transportErrorCode { _ = try await isolated.fetch() } == .authenticationFailed)
            #expect(!FileManager.default.fileExists(atPath: marker.path))

            let user = try await backend.open(
                context.configuration(mirror: "user").with(
                    credentials: Credentials(gitConfiguration: .user(environment: environment))))
            switch backend {
            case .gitCLI:
                // The helper answers; the insteadOf (a closed port) is not followed.
                #expect(try await user.fetch() != nil)
                #expect(FileManager.default.fileExists(atPath: marker.path))
            case .libgit2:
                // libgit2 reads no git configuration file: no helper.
                #expect(await transportErrorCode { _ = try await user.fetch() } == .authenticationFailed)
                #expect(!FileManager.default.fileExists(atPath: marker.path))
            }

            // Giter's own credentials win; the user's helper is not asked (nor told to store them).
            try? FileManager.default.removeItem(at: marker)
            var own = Credentials(gitConfiguration: .user(environment: environment))
            own.passwordProvider = context.credentials.passwordProvider
            let both = try await backend.open(context.configuration(mirror: "both").with(credentials: own))
            #expect(try await both.fetch() != nil)
            #expect(!FileManager.default.fileExists(atPath: marker.path))
        }
    }
}
