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
    @Test func theCheckPointIsSavedAtTheFirstCheckAndThenEverySixtyFourCommits() async throws {
        let exchange = Exchange()
        let name = try LocalValueName("checkpoints/Report/main")
        func savedCommit(_ mirror: any Transport) async throws -> String? {
            guard let bytes = try await mirror.localValue(named: name) else { return nil }
            return try YAMLReader().readDocument(bytes)["commit"]?.string
        }
        let writerMirror = exchange.remote.transport()
        let writer = Producer(
            store: GitResourceStore<Report>(
                transport: writerMirror, resourceType: reportType,
                options: StoreOptions(identity: producerIdentity, roles: namedRoles)))
        let readerMirror = exchange.remote.transport()
        let events = EventLog()
        func reader() -> GitResourceStore<Report> {
            GitResourceStore(
                transport: readerMirror, resourceType: reportType,
                options: StoreOptions(identity: consumerIdentity, roles: namedRoles, eventHandler: { events.append($0) }))
        }

        try await writer.apply(report("r0"))
        let start = try #require(exchange.remote.tip()).hex
        #expect(try await savedCommit(writerMirror) == start, "the writer's first check (its own first commit)")
        let consumer = reader()
        try await consumer.refresh()
        #expect(try await savedCommit(readerMirror) == start, "the reader's first check")

        // A forged delete, then 62 writes: 63 commits judged by each store since its save.
        let key = report("r0").key
        try exchange.remote.forgeCommit(
            author: Signature(name: "Nobody", email: "nobody@example.com"), edits: [.delete(path: key.repositoryPath)])
        for index in 1...62 {
            try await writer.apply(report("r\(index)"))
            try await consumer.refresh()
        }
        #expect(events.violations.count == 1)
        #expect(try await savedCommit(writerMirror) == start, "63 commits judged: not saved yet")
        #expect(try await savedCommit(readerMirror) == start, "63 commits judged: not saved yet")

        // The next process on the reader's mirror checks the 63 commits again, to the same view.
        let next = reader()
        try await next.refresh()
        #expect(events.violations.count == 2, "the forgery after the check point is judged (and reported) again")
        #expect(try await next.get(key) != nil, "and still ignored")
        #expect(try await next.list(ResourceQuery()).count == 63)
        #expect(try await savedCommit(readerMirror) == exchange.remote.tip()?.hex, "its first check saves")

        // The 64th commit judged saves the check point.
        try await writer.apply(report("r63"))
        try await consumer.refresh()
        let tip = try #require(exchange.remote.tip()).hex
        #expect(try await savedCommit(writerMirror) == tip)
        #expect(try await savedCommit(readerMirror) == tip)
        #expect(try await consumer.list(ResourceQuery()).count == 64)
        #expect(events.violations.count == 2)
    }
}
