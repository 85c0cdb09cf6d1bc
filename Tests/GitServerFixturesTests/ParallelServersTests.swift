import Foundation
import GitServerFixtures
import Testing

/// Servers started at the same time get distinct ports and all serve.
@Suite("Servers started in parallel")
struct ParallelServersTests {
    @Test("Two git daemons in parallel", ServerAvailability.enabled(.gitDaemon))
    func twoDaemons() async throws {
        let first = try GitDaemonServer()
        let second = try GitDaemonServer()
        async let startFirst: Void = first.start()
        async let startSecond: Void = second.start()
        do {
            _ = try await (startFirst, startSecond)
            let ports = [try #require(first.port), try #require(second.port)]
            #expect(ports[0] != ports[1])
            for server in [first, second] {
                let repository = try await server.createRepository(named: "shared-name")
                let output = try await runGit(["ls-remote", try server.url(for: "shared-name"), "refs/heads/main"])
                #expect(output.succeeded, "\(output)")
                #expect(output.stdout.hasPrefix(try #require(try await repository.resolve("refs/heads/main"))))
            }
        } catch {
            await first.stop()
            await second.stop()
            throw error
        }
        await first.stop()
        await second.stop()
    }

    @Test(
        "One server of every kind in parallel",
        ServerAvailability.enabled(.gitDaemon, .smartHTTP, .ssh)
    )
    func everyKind() async throws {
        let ports = try await withThrowingTaskGroup(of: (ServerKind, Int).self) { group in
            for kind in ServerKind.allCases {
                group.addTask {
                    try await withGitServer(kind) { server in
                        let repository = try await server.createRepository(named: "parallel")
                        let output = try await runGit(
                            ["ls-remote", try server.url(for: "parallel"), "refs/heads/main"],
                            environment: try server.clientEnvironment()
                        )
                        #expect(output.succeeded, "\(kind): \(output)")
                        #expect(output.stdout.hasPrefix(try #require(try await repository.resolve("refs/heads/main"))))
                        return (kind, try #require(server.port))
                    }
                }
            }
            var ports: [ServerKind: Int] = [:]
            for try await (kind, port) in group {
                ports[kind] = port
            }
            return ports
        }
        #expect(ports.count == ServerKind.allCases.count)
        #expect(Set(ports.values).count == ports.count)
        for (kind, port) in ports {
            #expect(!LoopbackPort.isAccepting(port), "\(kind) still accepts on \(port)")
        }
    }
}
