import Foundation
import Giter
import GiterTesting
import Testing

@Suite("ResourceStore over an in-memory remote")
struct ResourceStoreTests {
    @Test func applyCreatesConfiguresAndSkipsWhatDidNotChange() async throws {
        let exchange = Exchange()
        let producer = exchange.producer
        #expect(try await producer.apply(report("a")) == .created(generation: 1))
        let created = try #require(try await producer.get(report("a").key))
        #expect(created.resource.metadata.generation == 1)
        #expect(created.resource.metadata.uid?.count == 36)
        #expect(created.resource.metadata.creationTimestamp != nil)
        let pushes = exchange.remote.successfulPushes

        #expect(try await producer.apply(report("a")) == .unchanged)
        #expect(exchange.remote.successfulPushes == pushes, "no commit when nothing changed")

        #expect(try await producer.apply(report("a", labels: ["app": "other"])) == .configured(generation: 1))
        #expect(try await producer.apply(report("a", schedule: "@hourly", labels: ["app": "other"])) == .configured(generation: 2))
        let updated = try #require(try await producer.get(report("a").key))
        #expect(updated.resource.spec.schedule == "@hourly")
        #expect(updated.resource.metadata.labels == ["app": "other"])
        #expect(updated.resource.metadata.uid == created.resource.metadata.uid)
        #expect(updated.resource.metadata.creationTimestamp == created.resource.metadata.creationTimestamp)
    }

    @Test func statusIsSplicedAndLeavesTheProducersBytes() async throws {
        let exchange = Exchange()
        try await exchange.producer.apply(report("a"))
        let key = report("a").key
        let before = try #require(try await exchange.file(key.repositoryPath))

        let consumer = exchange.consumerStore
        try await consumer.refresh()
        let stored = try #require(try await consumer.get(key))
        var status = readyStatus()
        status.observedGeneration = 1
        #expect(try await consumer.write(.status(key, status, specDigest: stored.specDigest)) == .statusWritten)

        let after = try #require(try await exchange.file(key.repositoryPath))
        #expect(after.hasPrefix(before), "the producer's text is unchanged; status is appended")
        #expect(after.contains("observedSpecDigest: \(stored.specDigest)"))
        try await consumer.refresh()
        let read = try #require(try await consumer.get(key))
        #expect(read.resource.status?.url == status.url)
        #expect(read.isStatusCurrent)
        #expect(try await consumer.write(.status(key, status, specDigest: stored.specDigest)) == .unchanged)
    }

    @Test func eachRoleWritesOnlyItsPart() async throws {
        let exchange = Exchange()
        let key = report("a").key
        #expect(try await exchange.consumerStore.write(.apply(report("a"))).description.hasPrefix("refused"))
        try await exchange.producer.apply(report("a"))
        let outcome = try await exchange.producerStore.write(.status(key, readyStatus(), specDigest: "x"))
        guard case .refused(let reason) = outcome else {
            Issue.record("a producer wrote a status: \(outcome)")
            return
        }
        #expect(reason.contains("producer may not write a status"))
        #expect(try await exchange.consumerStore.write(.archive(key)).description.hasPrefix("refused"))
    }

    /// A held lock is waited for within `lockPatience`, then thrown as
    /// `branchLocked` with the transport's words, never retried like a lost race.
    @Test func aLockThatStaysHeldFailsAfterTheBound() async throws {
        let patient = Exchange(
            retry: RetryPolicy(
                maxAttempts: 6, initialDelay: .milliseconds(1), maxDelay: .milliseconds(5), lockPatience: .seconds(600)))
        patient.remote.failNextPushes(2, with: .locked("the ref lock /srv/x.git/refs/heads/main.lock is held"))
        let passed = try await patient.producerStore.write([.apply(report("a"))])
        #expect(passed.outcomes == [.created(generation: 1)], "a lock released within the bound is waited for")

        let retry = RetryPolicy(
            maxAttempts: 100_000, initialDelay: .milliseconds(1), maxDelay: .milliseconds(5),
            lockPatience: .milliseconds(200))
        let exchange = Exchange(retry: retry)
        let pushes = exchange.remote.successfulPushes
        exchange.remote.failNextPushes(100_000, with: .locked("the ref lock /srv/x.git/refs/heads/main.lock is held"))
        let error = await #expect(throws: StoreError.self) {
            try await exchange.producerStore.write([.apply(report("b"))])
        }
        #expect(error?.code == .branchLocked)
        #expect(error?.message.contains("/srv/x.git/refs/heads/main.lock") == true, "\(String(describing: error))")
        #expect(exchange.remote.successfulPushes == pushes)
    }

    @Test func lostRacesAreRetriedAndBoundedRetriesComeBack() async throws {
        let exchange = Exchange()
        exchange.remote.failNextPushes(3)
        let result = try await exchange.producerStore.write([.apply(report("a")), .apply(report("b"))])
        #expect(result.outcomes == [.created(generation: 1), .created(generation: 1)])
        #expect(result.attempts == 4)

        exchange.remote.failNextPushes(6, with: .rejected("pre-receive hook declined: frozen"))
        let pushes = exchange.remote.successfulPushes
        let refused = try await exchange.producerStore.write([.apply(report("c")), .apply(report("a", schedule: "x"))])
        #expect(refused.attempts == 6)
        for outcome in refused.outcomes {
            guard case .notApplied(let reason) = outcome else {
                Issue.record("expected notApplied, got \(outcome)")
                continue
            }
            #expect(reason.contains("frozen"))
        }
        #expect(exchange.remote.successfulPushes == pushes)
        #expect(try await exchange.producer.get(report("c").key) == nil)
    }

    @Test func aStatusForAChangedOrRemovedSpecIsNotWritten() async throws {
        let exchange = Exchange()
        let producer = exchange.producer
        try await producer.apply([report("a"), report("b")])
        let consumer = exchange.consumerStore
        try await consumer.refresh()
        let a = try #require(try await consumer.get(report("a").key))
        let b = try #require(try await consumer.get(report("b").key))

        try await producer.apply(report("a", schedule: "@daily"))
        try await producer.archive(report("b").key)

        let result = try await consumer.write([
            .status(a.key, readyStatus(), specDigest: a.specDigest),
            .status(b.key, readyStatus(), specDigest: b.specDigest),
        ])
        #expect(result.outcomes == [.stale(generation: 2), .gone])
        #expect(result.revision == (await consumer.revision()))
        #expect(try await exchange.file(b.key.repositoryPath) == nil, "an archived resource is not brought back")
        #expect(try await exchange.file(b.key.archivePath) != nil)
    }

    @Test func changesSinceARevisionListWhatMoved() async throws {
        let exchange = Exchange()
        let producer = exchange.producer
        try await producer.apply([report("a"), report("b"), report("c")])
        let store = exchange.producerStore
        let first = await store.revision()
        let all = try await store.changes(since: nil)
        #expect(all.updated.map(\.key.name) == ["a", "b", "c"])

        try await producer.apply(report("b", schedule: "@weekly"))
        try await producer.delete(report("c").key)
        let changes = try await store.changes(since: first)
        #expect(changes.updated.map(\.key.name) == ["b"])
        #expect(changes.removed.map(\.name) == ["c"])
        #expect(try await store.changes(since: store.revision()).isEmpty)
    }

    @Test func listFiltersByNamespaceAndLabels() async throws {
        let exchange = Exchange()
        try await exchange.producer.apply([
            report("a", labels: ["tier": "gold"]), report("b", labels: ["tier": "silver"]),
            report("c", labels: nil, namespace: "other"),
        ])
        let producer = exchange.producer
        #expect(try await producer.list().map(\.key.name) == ["c", "a", "b"])
        #expect(try await producer.list(ResourceQuery(namespace: "reports")).map(\.key.name) == ["a", "b"])
        let gold = try LabelSelector(parsing: "tier=gold")
        #expect(try await producer.list(ResourceQuery(labelSelector: gold)).map(\.key.name) == ["a"])
        let notGold = try LabelSelector(parsing: "tier!=gold, tier")
        #expect(try await producer.list(ResourceQuery(labelSelector: notGold)).map(\.key.name) == ["b"])
        let unlabeled = try LabelSelector(parsing: "!tier")
        #expect(try await producer.list(ResourceQuery(labelSelector: unlabeled)).map(\.key.name) == ["c"])
        #expect(throws: ValidationErrors.self) { try LabelSelector(parsing: "a b=c") }
    }

    @Test func archiveAndDeleteMoveFilesAndReportMissingOnes() async throws {
        let exchange = Exchange()
        let producer = exchange.producer
        try await producer.apply([report("a"), report("b")])
        #expect(try await producer.archive(report("a").key) == .archived)
        #expect(try await producer.list().map(\.key.name) == ["b"])
        #expect(try await producer.list(ResourceQuery(archived: true)).map { $0.key.name } == ["a"])
        #expect(try await producer.list(ResourceQuery(archived: true)).allSatisfy(\.isArchived))
        #expect(try await producer.archive(report("a").key) == .notFound)
        #expect(try await producer.delete(report("a").key) == .deleted, "deletes the archived file")
        #expect(try await producer.delete(report("a").key) == .notFound)
        #expect(try await exchange.file(report("a").key.archivePath) == nil)
    }

    @Test func everyCommitNamesItsWriterRoleAndResources() async throws {
        let exchange = Exchange()
        try await exchange.producer.apply([report("a"), report("b")])
        let transport = exchange.remote.transport()
        let tip = try #require(exchange.remote.tip())
        let commit = try #require(try await transport.commits(from: tip, excluding: nil, limit: 1).first)
        #expect(commit.author.email == producerIdentity.email)
        #expect(commit.trailers.contains(Trailer("Giter-Role", "producer")))
        #expect(commit.trailers.contains(Trailer("Giter-Apply", "reports/Report/a generation=1")))
        #expect(commit.trailers.contains(Trailer("Giter-Apply", "reports/Report/b generation=1")))
        #expect(commit.message.hasPrefix("giter producer: apply 2"))
    }
}

@Suite("Producer updates keep what they do not own")
struct MetadataPreservationTests {
    @Test func unknownMetadataFieldsSurviveASpecUpdate() async throws {
        let exchange = Exchange()
        try await exchange.producer.apply(report("a"))
        let key = report("a").key
        let text = try #require(try await exchange.file(key.repositoryPath))
        // Another tool of the producer's added fields ObjectMeta does not model.
        let extended = text.replacingOccurrences(
            of: "  generation: 1\n", with: "  generation: 1\n  resourceVersion: \"42\"\n  ownerReferences:\n  - name: parent\n")
        #expect(extended != text)
        try exchange.remote.forgeCommit(
            author: Signature(name: "Report producer", email: producerIdentity.email),
            edits: [.write(path: key.repositoryPath, contents: Array(extended.utf8))])

        #expect(try await exchange.producer.apply(report("a", schedule: "@daily", labels: ["app": "x"])) == .configured(generation: 2))
        let final = try #require(try await exchange.file(key.repositoryPath))
        #expect(final.contains("resourceVersion: \"42\""))
        #expect(final.contains("ownerReferences:\n  - name: parent"))
        #expect(final.contains("generation: 2"))
        #expect(final.contains("app: x"))
    }
}
