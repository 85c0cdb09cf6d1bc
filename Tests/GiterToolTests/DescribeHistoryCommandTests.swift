import Foundation
import Giter
import Testing

/// `giter describe` and `giter history`, with a status written by a consumer
/// through its own store.
@Suite("giter describe and history")
struct DescribeHistoryCommandTests {
    @Test(arguments: ToolBackend.allCases)
    func historyShowsTheProducerAndTheConsumer(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend)
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        try await exchange.writeStatus("sort-1")
        try await exchange.apply(ExchangeFixture.experiment("sort-1", size: 5000))

        let history = try await exchange.giter(["history", "Experiment/sort-1"])
        #expect(history.stderr == "")
        #expect(history.status == 0)
        let lines = history.lines
        try #require(lines.count == 4, "\(history.stdout)")
        #expect(cells(lines[0]) == ["COMMIT", "TIME", "AUTHOR", "PARTY", "SIGNER", "CHANGE"])
        // COMMIT, TIME, then the author (two or three words), the party (an open exchange's role), the signer and the change.
        #expect(
            Array(cells(lines[1]).dropFirst(2)) == [
                "Test", "Producer", "<producer@example.com>", "producer", "unsigned", "created", "(generation", "1)",
            ]
        )
        #expect(
            Array(cells(lines[2]).dropFirst(2)) == [
                "Testbed", "<testbed@example.com>", "consumer", "unsigned", "status", "(observedGeneration", "1,", "Ready=True)",
            ]
        )
        #expect(
            Array(cells(lines[3]).dropFirst(2)) == [
                "Test", "Producer", "<producer@example.com>", "producer", "unsigned", "spec", "(generation", "2)",
            ]
        )
        #expect(!history.stdout.contains("ignore"))

        let limited = try await exchange.giter(["history", "experiments", "sort-1", "--limit", "1"])
        #expect(limited.lines.count == 2)
        #expect(limited.lines.last?.hasSuffix("spec (generation 2)") == true)
    }

    @Test func describeShowsSpecStatusConditionsAndHistory() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1", labels: "suite: nightly"))
        try await exchange.writeStatus("sort-1")

        let result = try await exchange.giter(["describe", "Experiment/sort-1"])
        #expect(result.stderr == "")
        #expect(result.status == 0)
        let text = result.stdout
        #expect(text.contains("Name:        sort-1\n"))
        #expect(text.contains("Namespace:   default\n"))
        #expect(text.contains("Kind:        Experiment\n"))
        #expect(text.contains("API Version: giter.example/v1\n"))
        #expect(text.contains("Labels:      suite=nightly\n"))
        #expect(text.contains("Generation:  1\n"))
        #expect(text.contains("Observed:    1 (the status is current)\n"))
        #expect(text.contains("Spec:\n  workload: sort\n  size: 1000\n"))
        #expect(text.contains("Status:\n  digest: sha256:abc123\n"))
        let conditions = try #require(text.split(separator: "\n").first { $0.hasPrefix("  Ready ") })
        #expect(Array(cells(String(conditions)).prefix(3)) == ["Ready", "True", "Finished"])
        #expect(conditions.hasSuffix("sorted 1000 numbers"))
        #expect(text.contains("History:\n"))
        #expect(text.contains("producer   unsigned   created (generation 1)"))
        #expect(text.contains("consumer   unsigned   status (observedGeneration 1, Ready=True)"))
    }

    @Test func describeAndGetShowTheStatusColumns() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        try await exchange.writeStatus("sort-1")

        let table = try await exchange.giter(["get", "experiments", "-o", "wide"])
        #expect(table.status == 0)
        #expect(
            Array(cells(table.lines[0])) == ["NAME", "GENERATION", "OBSERVED", "READY", "AGE", "REASON", "MESSAGE"]
        )
        #expect(Array(cells(table.lines[1]).prefix(4)) == ["sort-1", "1", "1", "True"])
        #expect(table.lines[1].hasSuffix("Finished   sorted 1000 numbers"))

        // A status for an older spec shows as not current.
        try await exchange.apply(ExchangeFixture.experiment("sort-1", size: 7))
        let described = try await exchange.giter(["describe", "experiment", "sort-1"])
        #expect(described.stdout.contains("Generation:  2\n"))
        #expect(described.stdout.contains("Observed:    1 (the status describes an older spec)\n"))
    }

    @Test func historyOfAResourceThatNeverExistedFails() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        let result = try await exchange.giter(["history", "Experiment/nothing"])
        #expect(result.status == 1)
        #expect(result.isOneLineError)
        #expect(result.stderr.contains("no history for Experiment \"nothing\" in namespace \"default\""))
    }
}
