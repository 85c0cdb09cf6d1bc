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
