import Foundation
import GitServerFixtures
import Giter
import Testing

/// `giter get --partial -n NAMESPACE` over `git daemon`: lists the
/// namespace, and with the git backend its mirror holds no file of another
/// namespace; libgit2 fetches everything and says so.
@Suite("giter --partial")
struct PartialFetchCommandTests {
    @Test(arguments: ToolBackend.allCases)
    func getWithPartialReadsOnlyItsNamespace(_ backend: ToolBackend) async throws {
        guard try TestRequirements.available(ServerKind.gitDaemon.unavailableReason, for: "git daemon") else { return }
        let fixture = try await ExchangeFixture(backend: backend)
        for name in ["near-1", "near-2"] { try await fixture.apply(ExchangeFixture.experiment(name, namespace: "lab")) }
        for name in ["far-1", "far-2"] { try await fixture.apply(ExchangeFixture.experiment(name, namespace: "field")) }
        let remote = BareRepository(url: URL(fileURLWithPath: fixture.remote))
        try await remote.git(["config", "uploadpack.allowFilter", "true"])
        let listing = try await remote.git(["ls-tree", "-r", "--format=%(objectname) %(path)", "main", "--", "resources/"])
        var field: Set<String> = []
        var lab: Set<String> = []
        for line in listing.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts[1].hasPrefix("resources/field/") { field.insert(String(parts[0])) }
            if parts[1].hasPrefix("resources/lab/") { lab.insert(String(parts[0])) }
        }
        #expect(field.count == 2 && lab.count == 2)

        try await withStartedServer(GitDaemonServer(repositoriesURL: fixture.directory.url)) { server in
            let url = try server.url(for: "exchange")
            let cache = fixture.directory.url.appendingPathComponent("partial-mirror")
            let result = try await fixture.directory.run([
                "get", "experiments", "-n", "lab", "--partial", "--remote", url, "--backend", backend.rawValue,
                "--cache", cache.path,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("near-1") && result.stdout.contains("near-2"))
            #expect(!result.stdout.contains("far-"))

            let objects = try await BareRepository(url: cache).git([
                "cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectname)",
            ])
            let present = Set(
                objects.stdout.split(separator: "\n").filter { $0.hasPrefix("blob ") }.map { String($0.dropFirst(5)) })
            #expect(lab.isSubset(of: present))
            switch backend {
            case .git:
                #expect(present.isDisjoint(with: field))
            case .libgit2:
                #expect(field.isSubset(of: present))
                #expect(result.stderr.contains("libgit2 has no partial clone"))
            }
        }
    }
}
