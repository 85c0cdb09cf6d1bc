import Foundation
import GitServerFixtures
import Giter
import Testing

/// Failures that are not push outcomes are thrown as distinct, clear
/// `TransportError`s, the same for both backends.
@Suite("Transport errors", .serialized)
struct TransportErrorTests {
    func scratch() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("giter-errors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(arguments: Backend.allCases)
    func anUnreachableServerIsUnreachable(backend: Backend) async throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A port held bound and closed: no server of a parallel test can take it meanwhile.
        try await LoopbackPort.withRefusingPort { port in
            for url in ["git://127.0.0.1:\(port)/exchange.git", "http://127.0.0.1:\(port)/git/exchange.git"] {
                let transport = try await backend.open(
                    RemoteConfiguration(url: url, mirrorPath: folder.appendingPathComponent("m-\(url.prefix(4))").path)
                )
                #expect(await transportErrorCode { _ = try await transport.remoteTip() } == .unreachable, "\(url)")
                #expect(await transportErrorCode { _ = try await transport.fetch() } == .unreachable, "\(url)")
            }
        }
    }

    @Test(
        "A server that accepts the connection and never answers is ended at the network time limit",
        .timeLimit(.minutes(1)), arguments: Backend.allCases)
    func aSilentServerTimesOut(backend: Backend) async throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await LoopbackPort.withSilentPort { port in
            for url in ["git://127.0.0.1:\(port)/exchange.git", "http://127.0.0.1:\(port)/git/exchange.git"] {
                let transport = try await backend.open(
                    RemoteConfiguration(
                        url: url, mirrorPath: folder.appendingPathComponent("m-\(url.prefix(4))").path,
                        networkTimeLimit: .seconds(1)))
                for operation in ["remoteTip", "fetch"] {
                    let error = await transportError {
                        if operation == "fetch" { _ = try await transport.fetch() } else { _ = try await transport.remoteTip() }
                    }
                    #expect(error?.code == .timedOut, "\(url) \(operation): \(String(describing: error))")
                    #expect(error?.message.contains("did not finish within 1.0 seconds") == true, "\(String(describing: error))")
                }
            }
        }
    }

    @Test(
        "An SSH server that stops answering after the handshake is ended at the limit; the transport works afterwards",
        ServerAvailability.enabled(.ssh), .timeLimit(.minutes(2)), arguments: Backend.allCases)
    func anSSHServerThatStopsAnsweringTimesOut(backend: Backend) async throws {
        try await withRemote(.ssh, seeded: true) { context in
            let server = try #require(context.server as? SSHServer)
            let keys = server.directory.appending("authorized_keys")
            let served = try String(contentsOf: keys, encoding: .utf8)
            let publicKey = try String(contentsOf: URL(fileURLWithPath: server.identityFile().path + ".pub"), encoding: .utf8)
            // The login works; the forced command reads what git sends and never answers.
            try server.authorize("restrict,command=\"cat >/dev/null\" \(publicKey.trimmingCharacters(in: .whitespacesAndNewlines))\n")
            var configuration = context.configuration(mirror: "m")
            configuration.networkTimeLimit = .seconds(2)
            let transport = try await backend.open(configuration)
            let error = await transportError { _ = try await transport.fetch() }
            #expect(error?.code == .timedOut, "\(String(describing: error))")
            #expect(await transportErrorCode { _ = try await transport.remoteTip() } == .timedOut)

            // The same transport (and, for libgit2, the same thread) talks again once the server answers.
            try server.authorize(served)
            let tip = try #require(try await context.repository.resolve("refs/heads/main"))
            #expect(try await transport.fetch()?.hex == tip)
        }
    }

    @Test(arguments: Backend.allCases)
    func aMissingBranchIsNilAndAMissingRepositoryIsNotFound(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            let transport = try await backend.open(context.configuration(mirror: "m", branch: "nope"))
            #expect(try await transport.remoteTip() == nil)
            #expect(try await transport.fetch() == nil)
            #expect(try await transport.resolve("refs/remotes/origin/nope") == nil)
            let missing = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
            #expect(await transportErrorCode { _ = try await transport.blob(missing) } == .objectNotFound)
            #expect(await transportErrorCode { _ = try await transport.treeEntries(at: missing, under: nil) } == .objectNotFound)
        }
        try await withRemote(.gitDaemon, seeded: true) { context in
            let url = try #require(context.server).url(for: "no-such-repository")
            let transport = try await backend.open(RemoteConfiguration(url: url, mirrorPath: context.scratch.appendingPathComponent("x").path))
            #expect(await transportErrorCode { _ = try await transport.fetch() } == .repositoryNotFound)
        }
    }

    @Test(ServerAvailability.enabled(.smartHTTP), arguments: Backend.allCases)
    func aWrongPasswordIsAnAuthenticationFailure(backend: Backend) async throws {
        try await withRemote(.smartHTTP, seeded: true) { context in
            var configuration = context.configuration(mirror: "m")
            configuration.credentials = Credentials(passwordProvider: { _ in .init(user: "giter", password: "wrong") })
            let transport = try await backend.open(configuration)
            #expect(await transportErrorCode { _ = try await transport.fetch() } == .authenticationFailed)
            let anonymous = try await backend.open(context.configuration(mirror: "anonymous").with(credentials: .none))
            #expect(await transportErrorCode { _ = try await anonymous.fetch() } == .authenticationFailed)
        }
    }

    @Test(ServerAvailability.enabled(.ssh), arguments: Backend.allCases)
    func anUnknownOrChangedHostKeyIsRefused(backend: Backend) async throws {
        try await withRemote(.ssh, seeded: true) { context in
            let server = try #require(context.server as? SSHServer)
            let port = try #require(server.port)
            // Unknown: an empty known-hosts file.
            let empty = context.scratch.appendingPathComponent("known_hosts_empty")
            try Data().write(to: empty)
            var configuration = context.configuration(mirror: "unknown")
            configuration.credentials.knownHostsPath = empty.path
            let unknown = try await backend.open(configuration)
            #expect(await transportErrorCode { _ = try await unknown.fetch() } == .unknownHostKey)

            // Changed: another key recorded for the same host and port.
            let otherKey = context.scratch.appendingPathComponent("other_host_key")
            let keygen = try ExecutableLocator.require("ssh-keygen", package: "openssh-client")
            let generated = try await ProcessRunner.run(
                keygen,
                ["-q", "-t", "ed25519", "-N", "", "-f", otherKey.path],
                environment: ProcessInfo.processInfo.environment
            )
            #expect(generated.status == 0)
            let publicKey = try String(contentsOf: URL(fileURLWithPath: otherKey.path + ".pub"), encoding: .utf8)
                .split(separator: " ").prefix(2).joined(separator: " ")
            let changed = context.scratch.appendingPathComponent("known_hosts_changed")
            try Data("[127.0.0.1]:\(port) \(publicKey)\n".utf8).write(to: changed)
            configuration = context.configuration(mirror: "changed")
            configuration.credentials.knownHostsPath = changed.path
            let transport = try await backend.open(configuration)
            #expect(await transportErrorCode { _ = try await transport.fetch() } == .changedHostKey)

            // The right key file still works, so the refusals above were about the host key.
            let good = try await backend.open(context.configuration(mirror: "good"))
            #expect(try await good.fetch() != nil)
        }
    }
}

extension RemoteConfiguration {
    func with(credentials: Credentials) -> RemoteConfiguration {
        var copy = self
        copy.credentials = credentials
        return copy
    }
}
