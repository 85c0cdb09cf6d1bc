import Foundation
import Giter
import GiterTesting
import Testing

/// The in-memory transport keeps a store's history check point as a mirror
/// does: a store made again over the same transport checks only new commits.
@Suite("History check points over the in-memory transport")
struct InMemoryCheckPointTests {
    @Test func aStoreOverTheSameTransportChecksOnlyNewCommits() async throws {
        let exchange = Exchange()
        let key = report("a").key
        try await exchange.producer.apply(report("a"))
        let consumer = exchange.consumerStore
        try await consumer.refresh()
        let stored = try #require(try await consumer.get(key))
        #expect(try await consumer.write(.status(key, readyStatus("genuine"), specDigest: stored.specDigest)) == .statusWritten)
        func forge(_ from: String, _ to: String) async throws {
            let file = try #require(try await exchange.file(key.repositoryPath))
            let forged = file.replacingOccurrences(of: "https://example.com/\(from)", with: "https://example.com/\(to)")
            #expect(forged != file)
            try exchange.remote.forgeCommit(
                author: Signature(name: "Report producer", email: producerIdentity.email),
                edits: [.write(path: key.repositoryPath, contents: Array(forged.utf8))])
        }
        try await forge("genuine", "forged")

        let mirror = exchange.remote.transport()
        func reader() -> GitResourceStore<Report> {
            GitResourceStore(
                transport: mirror, resourceType: reportType,
                options: StoreOptions(
                    identity: consumerIdentity, roles: namedRoles, eventHandler: { exchange.events.append($0) }))
        }
        let first = reader()
        try await first.refresh()
        #expect(exchange.events.violations.count == 1)
        #expect(try await first.get(key)?.resource.status?.url == "https://example.com/genuine")

        let saved = try #require(try await mirror.localValue(named: LocalValueName("checkpoints/Report/main")))
        let point = try YAMLReader().readDocument(saved)
        #expect(point["version"] == Node(integerLiteral: 2), "a versioned value")
        #expect(point["commit"]?.string == exchange.remote.tip()?.hex)

        let second = reader()
        try await second.refresh()
        #expect(exchange.events.violations.count == 1, "no commit checked twice")
        #expect(try await second.get(key)?.resource.status?.url == "https://example.com/genuine", "what was ignored stays ignored")

        try await forge("forged", "again")
        try await second.refresh()
        #expect(exchange.events.violations.count == 2, "a new commit is checked")
        #expect(try await second.get(key)?.resource.status?.url == "https://example.com/genuine")

        // Another mirror has no check point: its store checks the whole history.
        let elsewhere = GitResourceStore<Report>(
            transport: exchange.remote.transport(), resourceType: reportType,
            options: StoreOptions(identity: consumerIdentity, roles: namedRoles, eventHandler: { exchange.events.append($0) }))
        try await elsewhere.refresh()
        #expect(exchange.events.violations.count == 4)
        #expect(try await elsewhere.get(key)?.resource.status?.url == "https://example.com/genuine")
    }

    @Test func aCheckPointOfOtherRolesIsIgnored() async throws {
        let exchange = Exchange()
        let key = report("a").key
        try await exchange.producer.apply(report("a"))
        try exchange.remote.forgeCommit(
            author: Signature(name: "Nobody", email: "nobody@example.com"),
            edits: [.delete(path: key.repositoryPath)])
        let mirror = exchange.remote.transport()
        func reader(_ roles: RoleAssignments) -> GitResourceStore<Report> {
            GitResourceStore(
                transport: mirror, resourceType: reportType,
                options: StoreOptions(identity: consumerIdentity, roles: roles, eventHandler: { exchange.events.append($0) }))
        }
        try await reader(namedRoles).refresh()
        #expect(exchange.events.violations.count == 1)
        // Other role assignments: the saved check proves nothing for them.
        let more = RoleAssignments(
            producers: namedRoles.producers.union(["nobody@example.com"]), consumers: namedRoles.consumers)
        try await reader(more).refresh()
        #expect(exchange.events.violations.count == 1, "nobody is a producer now: the delete is allowed")
        try await reader(namedRoles).refresh()
        #expect(exchange.events.violations.count == 2, "checked again under the first roles")
    }

    @Test func aStoreThatTrustedItsStartSavesNoCheckPoint() async throws {
        let exchange = Exchange()
        let key = report("a").key
        try await exchange.producer.apply(report("a"))
        try exchange.remote.forgeCommit(
            author: Signature(name: "Nobody", email: "nobody@example.com"),
            edits: [.delete(path: key.repositoryPath)])
        let mirror = exchange.remote.transport()
        let events = EventLog()
        func reader(_ historyCheck: StoreOptions.HistoryCheck) -> GitResourceStore<Report> {
            GitResourceStore(
                transport: mirror, resourceType: reportType,
                options: StoreOptions(
                    identity: consumerIdentity, roles: namedRoles, historyCheck: historyCheck,
                    eventHandler: { events.append($0) }))
        }
        let trusting = reader(.newCommitsOnly)
        try await trusting.refresh()
        try await exchange.producer.apply(report("b"))
        try await trusting.refresh()
        #expect(events.violations.isEmpty, "the forged delete came before its start")
        #expect(try await mirror.localValue(named: LocalValueName("checkpoints/Report/main")) == nil)

        try await reader(.fullHistory).refresh()
        #expect(events.violations.count == 1, "the whole history is checked")
    }
}
