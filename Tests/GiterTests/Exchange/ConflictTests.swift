import Foundation
import Giter
import GiterTesting
import Testing

@Suite("Lost races re-apply only the writer's section")
struct ConflictTests {
    let exchange = Exchange()
    let key = report("a").key

    /// The file as the producer would commit it with different labels.
    func relabeled(_ text: String) -> [UInt8] {
        Array(text.replacingOccurrences(of: "app: reporter", with: "app: relabeled").utf8)
    }

    @Test func aStatusWriteThatLostARaceKeepsTheOtherWritersChange() async throws {
        try await exchange.producer.apply(report("a"))
        let consumer = exchange.consumerStore
        try await consumer.refresh()
        let stored = try #require(try await consumer.get(key))
        let text = try #require(try await exchange.file(key.repositoryPath))
        let edited = relabeled(text)
        let path = key.repositoryPath
        exchange.remote.beforeNextPush { remote in
            try remote.forgeCommit(
                author: Signature(name: "Report producer", email: producerIdentity.email),
                edits: [.write(path: path, contents: edited)], trailers: [Trailer("Giter-Role", "producer")])
        }

        let result = try await consumer.write([.status(key, readyStatus(), specDigest: stored.specDigest)])
        #expect(result.outcomes == [.statusWritten])
        #expect(result.attempts == 2, "the first push lost the race")
        let final = try #require(try await exchange.file(key.repositoryPath))
        #expect(final.contains("app: relabeled"), "the producer's change is kept")
        #expect(final.contains("https://example.com/done"), "the consumer's status is applied on top")
        #expect(exchange.events.violations.isEmpty)
    }

    @Test func aSpecWriteThatLostARaceKeepsTheConsumersStatus() async throws {
        try await exchange.producer.apply(report("a"))
        let consumer = exchange.consumerStore
        try await consumer.refresh()
        let stored = try #require(try await consumer.get(key))
        #expect(try await consumer.write(.status(key, readyStatus("first"), specDigest: stored.specDigest)) == .statusWritten)

        // The producer's view is stale; a status lands between its fetch and its push.
        let text = try #require(try await exchange.file(key.repositoryPath))
        let newer = text.replacingOccurrences(of: "https://example.com/first", with: "https://example.com/second")
        let path = key.repositoryPath
        exchange.remote.beforeNextPush { remote in
            try remote.forgeCommit(
                author: Signature(name: "Report consumer", email: consumerIdentity.email),
                edits: [.write(path: path, contents: Array(newer.utf8))])
        }
        let result = try await exchange.producerStore.write([.apply(report("a", schedule: "@daily"))])
        #expect(result.outcomes == [.configured(generation: 2)])
        #expect(result.attempts == 2)
        let final = try #require(try await exchange.producer.get(key))
        #expect(final.resource.spec.schedule == "@daily")
        #expect(final.resource.status?.url == "https://example.com/second", "the status written meanwhile is kept")
    }

    @Test func aStatusWhoseSpecChangedDuringTheRaceIsStale() async throws {
        try await exchange.producer.apply(report("a"))
        let consumer = exchange.consumerStore
        try await consumer.refresh()
        let stored = try #require(try await consumer.get(key))
        let text = try #require(try await exchange.file(key.repositoryPath))
        let changed = text.replacingOccurrences(of: "retries: 3", with: "retries: 4")
            .replacingOccurrences(of: "generation: 1", with: "generation: 2")
        let path = key.repositoryPath
        exchange.remote.beforeNextPush { remote in
            try remote.forgeCommit(
                author: Signature(name: "Report producer", email: producerIdentity.email),
                edits: [.write(path: path, contents: Array(changed.utf8))])
        }
        let result = try await consumer.write([.status(key, readyStatus(), specDigest: stored.specDigest)])
        #expect(result.outcomes == [.stale(generation: 2)])
        #expect(try await exchange.file(key.repositoryPath) == changed, "nothing written for the old spec")
    }
}
