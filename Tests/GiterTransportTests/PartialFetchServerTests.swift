import Foundation
import GitServerFixtures
import Giter
import Synchronization
import Testing

@testable import GiterGitCLI

/// A partial mirror of the git backend against each real server on
/// loopback (Documentation/PartialFetch.md): the fetch brings no blob, the
/// missing blobs of a read come in one request, and a server that refuses
/// wants by id (SSH speaks protocol version 0 here: its `sshd` does not
/// accept `GIT_PROTOCOL`) is a clear error.
@Suite("GitCLITransport partial mirrors on servers")
struct PartialFetchServerTests {
    /// Writes `count` files through a full mirror and checks a partial one.
    static func check(
        _ url: String, repository: BareRepository, in directory: TemporaryDirectory, credentials: Credentials = .none
    ) async throws {
        let writer = try await GitCLITransport(
            configuration: RemoteConfiguration(
                url: url, mirrorPath: directory.appending("writer").path, credentials: credentials))
        let edits = (0..<8).map { PathEdit.write(path: "r/f\($0).yaml", contents: Array("file \($0)\n".utf8)) }
        let author = Signature(name: "Alice", email: "alice@example.com")
        let parent = try await writer.fetch()
        let commit = try await writer.createCommit(CommitRequest(parent: parent, edits: edits, author: author, message: "files"))
        #expect(try await writer.push(commit, expecting: parent) == .pushed(commit))
        // Packed as servers keep their repositories (with bitmaps): a request that tells the server the mirror
        // has the tip then gets none of the blobs it asks for.
        try await repository.git(["gc", "--quiet"])

        let reader = try await GitCLITransport(
            configuration: RemoteConfiguration(
                url: url, mirrorPath: directory.appending("reader").path, credentials: credentials, blobFetch: .onDemand))
        #expect(reader.configuration.fetchesBlobsOnDemand)
        #expect(try await reader.fetch() == commit)
        let entries = try await reader.treeEntries(at: commit, under: "r")
        #expect(entries.count == 8)
        let mirror = BareRepository(url: directory.appending("reader"))
        #expect(try await blobCount(in: mirror) == 0)
        let launches = reader.processLaunches
        #expect(try await reader.fetchMissingBlobs(entries.map(\.id)) == 8)
        // One `cat-file --batch-check` and one `git fetch`: not one per blob.
        #expect(reader.processLaunches - launches == 2)
        #expect(reader.blobsDownloaded == 8)
        #expect(try await blobCount(in: mirror) == 8)
        let contents = try await reader.blobs(entries.map(\.id))
        #expect(contents.map { String(decoding: $0, as: UTF8.self) } == (0..<8).map { "file \($0)\n" })
    }

    static func blobCount(in repository: BareRepository) async throws -> Int {
        let output = try await repository.git(["cat-file", "--batch-all-objects", "--batch-check=%(objecttype)"])
        return output.stdout.split(separator: "\n").filter { $0 == "blob" }.count
    }

    @Test(ServerAvailability.enabled(.gitDaemon))
    func gitDaemon() async throws {
        let directory = try TemporaryDirectory(prefix: "giter-partial-daemon")
        defer { directory.remove() }
        try await withGitDaemon { server in
            let repository = try await server.createRepository(named: "exchange", seeded: false)
            try await Self.check(try server.url(for: "exchange"), repository: repository, in: directory)
        }
    }

    /// A server without `uploadpack.allowFilter` answers the filtered fetch
    /// with everything (PartialFetch.md): the mirror works, it is just not
    /// partial, and no blob is downloaded again.
    @Test(ServerAvailability.enabled(.gitDaemon))
    func aServerThatDoesNotAllowFiltersSendsEverything() async throws {
        let directory = try TemporaryDirectory(prefix: "giter-partial-nofilter")
        defer { directory.remove() }
        try await withGitDaemon { server in
            let repository = try await server.createRepository(named: "exchange", seeded: false)
            try await repository.git(["config", "uploadpack.allowFilter", "false"])
            let url = try server.url(for: "exchange")
            let writer = try await GitCLITransport(
                configuration: RemoteConfiguration(url: url, mirrorPath: directory.appending("writer").path))
            let edits = (0..<4).map { PathEdit.write(path: "r/f\($0).yaml", contents: Array("file \($0)\n".utf8)) }
            let commit = try await writer.createCommit(
                CommitRequest(parent: nil, edits: edits, author: Signature(name: "Alice", email: "alice@example.com"), message: "files"))
            #expect(try await writer.push(commit, expecting: nil) == .pushed(commit))

            let reader = try await GitCLITransport(
                configuration: RemoteConfiguration(url: url, mirrorPath: directory.appending("reader").path, blobFetch: .onDemand))
            #expect(try await reader.fetch() == commit)
            #expect(try await Self.blobCount(in: BareRepository(url: directory.appending("reader"))) == 4, "everything came")
            let entries = try await reader.treeEntries(at: commit, under: "r")
            #expect(try await reader.fetchMissingBlobs(entries.map(\.id)) == 0)
            #expect(reader.blobsDownloaded == 0)
            let contents = try await reader.blobs(entries.map(\.id))
            #expect(contents.map { String(decoding: $0, as: UTF8.self) } == (0..<4).map { "file \($0)\n" })
        }
    }

    @Test(ServerAvailability.enabled(.smartHTTP))
    func smartHTTP() async throws {
        let directory = try TemporaryDirectory(prefix: "giter-partial-http")
        defer { directory.remove() }
        try await withSmartHTTPServer(user: "giter", password: "pass") { server in
            let repository = try await server.createRepository(named: "exchange", seeded: false)
            let credentials = Credentials(passwordProvider: { _ in Credentials.UserPassword(user: "giter", password: "pass") })
            try await Self.check(
                try server.url(for: "exchange"), repository: repository, in: directory, credentials: credentials)
        }
    }

    @Test(ServerAvailability.enabled(.ssh))
    func sshAndAServerThatRefusesWantsByID() async throws {
        let directory = try TemporaryDirectory(prefix: "giter-partial-ssh")
        defer { directory.remove() }
        try await withSSHServer { server in
            let repository = try await server.createRepository(named: "exchange", seeded: false)
            let url = try server.url(for: "exchange")
            let key = Credentials.SSHKey(privateKeyPath: server.identityFile(.ed25519).path)
            let credentials = Credentials(sshKey: key, knownHostsPath: server.knownHostsFile.path)
            try await Self.check(url, repository: repository, in: directory, credentials: credentials)

            // Without uploadpack.allowReachableSHA1InWant, protocol version 0 refuses the wants: a TransportError.
            try await repository.git(["config", "--unset", "uploadpack.allowReachableSHA1InWant"])
            let reader = try await GitCLITransport(
                configuration: RemoteConfiguration(
                    url: url, mirrorPath: directory.appending("refused").path, credentials: credentials,
                    blobFetch: .onDemand))
            let tip = try #require(try await reader.fetch())
            let entry = try #require(try await reader.treeEntries(at: tip, under: "r").first)
            let error = await #expect(throws: TransportError.self) { try await reader.blob(entry.id) }
            #expect(error?.message.contains("not allow request for unadvertised object") == true, "\(String(describing: error))")
        }
    }
}
