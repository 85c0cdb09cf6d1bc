import Foundation
import Giter
import GiterTesting
import Testing

/// `ResourceWrite.applyText`: the store keeps the author's text, splices
/// the fields it maintains into `metadata`, keeps the consumer's status,
/// and falls back to block YAML for text it cannot splice or that is not
/// the resource's.
@Suite("ResourceWrite.applyText over an in-memory remote")
struct ApplyTextStoreTests {
    static let text = """
        # mine
        apiVersion: reports.example.com/v1
        kind: Report
        metadata:
          name: a   # the name
          namespace: reports
          labels: {app: reporter}
        spec:
          schedule: '0 2 * * *'   # nightly
          retries: 3
          outputs: [{bucket: b, format: pdf}]

        """

    @Test func theTextIsKeptWithTheMaintainedFieldsAndTheStatus() async throws {
        let exchange = Exchange()
        let key = report("a").key
        let created = try await exchange.producerStore.write([.applyText(report("a"), text: Array(Self.text.utf8))])
        #expect(created.outcomes == [.created(generation: 1)])
        let first = try #require(try await exchange.file(key.repositoryPath))
        #expect(
            first.hasPrefix(
                "# mine\napiVersion: reports.example.com/v1\nkind: Report\nmetadata:\n  name: a   # the name\n"
            )
        )
        #expect(first.contains("  labels: {app: reporter}\n  generation: 1\n  uid: "), "\(first)")
        #expect(
            first.hasSuffix(
                "spec:\n  schedule: '0 2 * * *'   # nightly\n  retries: 3\n  outputs: [{bucket: b, format: pdf}]\n"
            )
        )

        let consumer = exchange.consumerStore
        try await consumer.refresh()
        let stored = try #require(try await consumer.get(key))
        var status = readyStatus()
        status.observedGeneration = 1
        #expect(try await consumer.write(.status(key, status, specDigest: stored.specDigest)) == .statusWritten)

        let changed = Self.text.replacingOccurrences(of: "'0 2 * * *'", with: "'0 3 * * *'")
        try await exchange.producerStore.refresh()
        let configured = try await exchange.producerStore.write([
            .applyText(report("a", schedule: "0 3 * * *"), text: Array(changed.utf8))
        ])
        #expect(configured.outcomes == [.configured(generation: 2)])
        let second = try #require(try await exchange.file(key.repositoryPath))
        #expect(second.contains("  generation: 2\n"), "\(second)")
        #expect(second.contains("  schedule: '0 3 * * *'   # nightly\n"), "\(second)")
        try await consumer.refresh()
        let after = try #require(try await consumer.get(key))
        #expect(after.resource.status?.url == status.url, "the consumer's status is kept")
        #expect(after.resource.metadata.uid == stored.resource.metadata.uid)
    }

    @Test(arguments: [
        // Another kind than the resource's.
        text.replacingOccurrences(of: "kind: Report", with: "kind: Other"),
        // A flow mapping at the top level.
        "{apiVersion: reports.example.com/v1, kind: Report, metadata: {name: a, namespace: reports}, spec: {}}\n",
        // Not YAML the store reads.
        "metadata: [\n",
    ])
    func textThatCannotBeKeptIsWrittenAsBlockYAML(_ text: String) async throws {
        let exchange = Exchange()
        let result = try await exchange.producerStore.write([.applyText(report("a"), text: Array(text.utf8))])
        #expect(result.outcomes == [.created(generation: 1)])
        let file = try #require(try await exchange.file(report("a").key.repositoryPath))
        #expect(file.hasPrefix("apiVersion: reports.example.com/v1\nkind: Report\nmetadata:\n  name: a\n"), "\(file)")
        #expect(!file.contains("#"))
    }
}
