import Foundation
import Giter
import GiterTesting
import Testing

@Suite("Ownership checks on every commit read")
struct OwnershipTests {
    let exchange = Exchange()
    let key = report("a").key

    /// A resource with a consumer-written status, as both stores see it.
    func publishedWithStatus() async throws -> StoredResource<Report> {
        try await exchange.producer.apply(report("a"))
        try await exchange.consumerStore.refresh()
        let stored = try #require(try await exchange.consumerStore.get(key))
        var status = readyStatus("genuine")
        status.observedGeneration = 1
        #expect(try await exchange.consumerStore.write(.status(key, status, specDigest: stored.specDigest)) == .statusWritten)
        return stored
    }

    @Test func aProducerWritingStatusIsReportedAndIgnored() async throws {
        _ = try await publishedWithStatus()
        let text = try #require(try await exchange.file(key.repositoryPath))
        let forged = text.replacingOccurrences(of: "https://example.com/genuine", with: "https://evil.example.com")
        #expect(forged != text)
        try exchange.remote.forgeCommit(
            author: Signature(name: "Report producer", email: producerIdentity.email),
            edits: [.write(path: key.repositoryPath, contents: Array(forged.utf8))])

        for store in [exchange.producerStore, exchange.consumerStore] {
            try await store.refresh()
            let read = try #require(try await store.get(key))
            #expect(read.resource.status?.url == "https://example.com/genuine", "the forged status is ignored")
        }
        let violations = exchange.events.violations
        #expect(violations.count == 2, "each store reports it")
        #expect(violations.allSatisfy { $0.rule == .role && $0.path == key.repositoryPath }, "\(violations)")
        #expect(violations.allSatisfy { $0.message.contains("a producer never writes status") }, "\(violations)")
    }

    @Test func aConsumerWritingSpecIsReportedAndIgnoredUntilTheProducerWritesAgain() async throws {
        _ = try await publishedWithStatus()
        let text = try #require(try await exchange.file(key.repositoryPath))
        let forged = text.replacingOccurrences(of: "schedule: 0 2 * * *", with: "schedule: '* * * * *'")
        #expect(forged != text)
        try exchange.remote.forgeCommit(
            author: Signature(name: "Report consumer", email: consumerIdentity.email),
            edits: [.write(path: key.repositoryPath, contents: Array(forged.utf8))])

        let producer = exchange.producer
        #expect(try await producer.get(key)?.resource.spec.schedule == "0 2 * * *")
        #expect(exchange.events.violations.map(\.rule) == [.role])
        #expect(exchange.events.violations.first?.message.contains("a consumer writes only status") == true)

        // The producer's next real change is read again.
        #expect(try await producer.apply(report("a", schedule: "@daily")) == .configured(generation: 2))
        #expect(try await producer.get(key)?.resource.spec.schedule == "@daily")
    }

    @Test func anIdentityWithNoRoleMayWriteNothing() async throws {
        try exchange.remote.forgeCommit(
            author: Signature(name: "Someone", email: "someone@example.com"),
            edits: [.write(path: key.repositoryPath, contents: Array(try DocumentEncoder().encodeYAML(report("a")).utf8))])
        #expect(try await exchange.producer.get(key) == nil, "a resource created without the role is not seen")
        #expect(exchange.events.violations.first?.rule == .notAMember)
    }

    @Test func openRolesBelieveTheTrailer() throws {
        let signature = Signature(name: "x", email: "x@example.com")
        let commit = CommitInfo(
            id: ObjectID(hex: String(repeating: "a", count: 40))!, parents: [], author: signature, committer: signature,
            message: "m\n\nGiter-Role: consumer\n")
        #expect(RoleAssignments.open.role(of: commit) == .consumer)
        #expect(namedRoles.role(of: commit) == nil)
    }
}
