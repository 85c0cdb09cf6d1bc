import Foundation
import GitServerFixtures
import Testing

/// A `pre-receive` hook that rejects every push: on each server kind, the
/// push fails, the hook's message reaches the client, and the ref stays.
@Suite("pre-receive hook rejection reaches the client")
struct PreReceiveHookTests {
    static let message = "policy: pushes to this repository are frozen"
    static let hook = """
        #!/bin/sh
        # Read the updates so the client never sees a broken pipe.
        while read old new ref; do :; done
        echo "\(message)" >&2
        exit 1

        """

    @Test("git daemon", ServerAvailability.enabled(.gitDaemon))
    func gitDaemon() async throws {
        try await withGitDaemon { try await expectRejection(by: $0) }
    }

    @Test("smart HTTP", ServerAvailability.enabled(.smartHTTP))
    func smartHTTP() async throws {
        try await withSmartHTTPServer { try await expectRejection(by: $0) }
    }

    @Test("SSH", ServerAvailability.enabled(.ssh))
    func ssh() async throws {
        try await withSSHServer { try await expectRejection(by: $0) }
    }

    private func expectRejection(by server: some GitServer) async throws {
        let repository = try await server.createRepository(named: "frozen")
        try repository.installPreReceiveHook(Self.hook)
        let before = try await repository.resolve("refs/heads/main")

        let client = try GitClient(environment: try server.clientEnvironment())
        let clone = try await client.clone(try server.url(for: "frozen"))
        _ = try await client.commit(in: clone, file: "change.txt", content: "change\n", message: "Try a change")
        let push = try await client.push(from: clone)

        #expect(!push.succeeded)
        #expect(push.stderr.contains("remote: \(Self.message)"), "\(push)")
        #expect(push.stderr.contains("pre-receive hook declined"), "\(push)")
        #expect(try await repository.resolve("refs/heads/main") == before)
    }
}
