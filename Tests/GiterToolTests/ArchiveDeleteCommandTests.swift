import Foundation
import Giter
import Testing

/// `giter archive` and `giter delete`.
@Suite("giter archive and delete")
struct ArchiveDeleteCommandTests {
    @Test(arguments: ToolBackend.allCases)
    func archiveThenDelete(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend)
        try await exchange.apply(ExchangeFixture.experiment("sort-1") + "---\n" + ExchangeFixture.experiment("sieve-2"))

        let archived = try await exchange.giter(["archive", "Experiment/sort-1"])
        #expect(archived.stderr == "")
        #expect(archived.status == 0)
        #expect(archived.lines == ["Experiment/sort-1 archived"])

        let live = try await exchange.giter(["get", "experiments", "-o", "name"])
        #expect(live.lines == ["Experiment/sieve-2"])
        let inArchive = try await exchange.giter(["get", "experiments", "--archived", "-o", "name"])
        #expect(inArchive.lines == ["Experiment/sort-1"])
        let described = try await exchange.giter(["describe", "Experiment/sort-1"])
        #expect(described.status == 0)
        #expect(described.stdout.contains("Archived:    yes\n"))

        let deleted = try await exchange.giter(["delete", "experiments", "sort-1", "sieve-2"])
        #expect(deleted.status == 0)
        #expect(deleted.lines == ["Experiment/sort-1 deleted", "Experiment/sieve-2 deleted"])
        let none = try await exchange.giter(["get", "experiments", "--archived", "-o", "name"])
        #expect(none.stdout == "")

        let history = try await exchange.giter(["history", "Experiment/sort-1"])
        #expect(history.lines.count == 4)
        #expect(history.lines[1].hasSuffix("created (generation 1)"))
        #expect(history.lines[2].hasSuffix("archived"))
        #expect(history.lines[3].hasSuffix("deleted from the archive"))
    }

    @Test func removingAMissingResourceFails() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))

        let archive = try await exchange.giter(["archive", "Experiment/nope"])
        #expect(archive.status == 1)
        #expect(archive.isOneLineError)
        #expect(archive.stderr.hasPrefix("error: Experiment \"nope\" not found in namespace \"default\""))

        let delete = try await exchange.giter(["delete", "Experiment/nope"])
        #expect(delete.status == 1)
        #expect(delete.isOneLineError)

        let still = try await exchange.giter(["get", "experiments", "-o", "name"])
        #expect(still.lines == ["Experiment/sort-1"])
    }
}
