import Foundation
import Giter
import Testing

/// `giter wait`: success once the consumer reports, a timeout otherwise.
@Suite("giter wait")
struct WaitCommandTests {
    @Test(arguments: ToolBackend.allCases)
    func waitSucceedsWhenTheConditionHolds(_ backend: ToolBackend) async throws {
        let exchange = try await ExchangeFixture(backend: backend)
        try await exchange.apply(ExchangeFixture.experiment("sort-1") + "---\n" + ExchangeFixture.experiment("sieve-2"))
        try await exchange.writeStatus("sort-1")
        try await exchange.writeStatus("sieve-2")

        let one = try await exchange.giter(["wait", "Experiment/sort-1", "--for=condition=Ready", "--timeout=30s"])
        #expect(one.stderr == "")
        #expect(one.status == 0)
        #expect(one.lines == ["Experiment/sort-1 condition met"])

        let all = try await exchange.giter([
            "wait", "--all", "experiments", "--for", "condition=Ready", "--timeout", "30s",
        ])
        #expect(all.status == 0)
        #expect(all.lines == ["Experiment/sieve-2 condition met", "Experiment/sort-1 condition met"])
    }

    @Test func waitTimesOutWithAMessage() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1") + "---\n" + ExchangeFixture.experiment("sieve-2"))
        try await exchange.writeStatus("sieve-2")
        try await exchange.writeStatus("sort-1", ready: false)

        let result = try await exchange.giter([
            "wait", "experiments", "sort-1", "sieve-2", "--timeout=300ms", "--interval=50ms",
        ])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.isOneLineError)
        #expect(
            result.stderr.hasPrefix(
                "error: timed out after 300ms waiting for Ready on Experiment/sort-1 in namespace \"default\""
            )
        )
    }

    @Test func aStatusForAnOlderSpecDoesNotCount() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        try await exchange.writeStatus("sort-1")
        try await exchange.apply(ExchangeFixture.experiment("sort-1", size: 2))

        let result = try await exchange.giter(["wait", "Experiment/sort-1", "--timeout=200ms", "--interval=50ms"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("timed out"))
    }

    @Test func waitingForAMissingResourceFails() async throws {
        let exchange = try await ExchangeFixture()
        try await exchange.apply(ExchangeFixture.experiment("sort-1"))
        let result = try await exchange.giter(["wait", "Experiment/nope", "--timeout=1s"])
        #expect(result.status == 1)
        #expect(result.isOneLineError)
        #expect(result.stderr.hasPrefix("error: Experiment \"nope\" not found in namespace \"default\""))
    }

    @Test func aBadConditionIsAUsageError() async throws {
        let exchange = try await ExchangeFixture(initialized: false)
        let result = try await exchange.giter(["wait", "Experiment/sort-1", "--for=delete"])
        #expect(result.status == 64)
    }
}
