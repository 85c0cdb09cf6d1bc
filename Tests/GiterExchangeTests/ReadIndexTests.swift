import Foundation
import GitServerFixtures
@testable import Giter
import Synchronization
import Testing

/// Reads cost what they touch (issue 13): a store's ``GitResourceStore/get(_:)``
/// reads one file by its path, and ``GitResourceStore/list(_:)`` works from
/// an index of the kind kept in the mirror, which a corrupt or stale copy
/// never fools. Each "process" is a new store over the same mirror folder.
@Suite("Reads by path and the mirror index", .serialized)
struct ReadIndexTests {
    static let indexName = try! LocalValueName("indexes/Job/main")

    /// A new process's store on the `reader` mirror, over a transport that counts what it reads.
    func reader(
        _ lab: Lab, historyCheck: StoreOptions.HistoryCheck = .fullHistory
    ) async throws -> (GitResourceStore<Job>, CountingTransport) {
        let base = try await lab.backend.open(
            RemoteConfiguration(
                url: lab.url, branch: "main", mirrorPath: lab.scratch.appendingPathComponent("mirror-reader").path))
        let counting = CountingTransport(base: base)
        let events = lab.events
        let store = GitResourceStore<Job>(
            transport: counting, resourceType: jobType,
            options: StoreOptions(
                identity: consumerIdentity(1), roles: labRoles, historyCheck: historyCheck,
                eventHandler: { events.append($0) }))
        return (store, counting)
    }

    /// A producer that has applied `count` labelled jobs (see ``labelled(_:groups:)``).
    func labelledProducer(_ lab: Lab, count: Int, groups: Int) async throws -> Producer<Job> {
        let producer = Producer(store: try await lab.store(producerIdentity(0), mirror: "producer"))
        try await producer.apply(labelled(count, groups: groups))
        return producer
    }

    func labelled(_ count: Int, groups: Int) -> [Job] {
        (0..<count).map { index in
            var resource = job("job\(index)", payload: "data-\(index)", round: 1)
            resource.metadata.labels = ["group": "g\(index % groups)"]
            return resource
        }
    }

    /// A producer applies `count` labelled jobs; a first reader lists them
    /// all (learning their labels). Its store, the full list and the keys
    /// `selector` picks from it.
    func firstFullScan(_ lab: Lab, count: Int, groups: Int, selector: LabelSelector) async throws
        -> (producer: Producer<Job>, first: GitResourceStore<Job>, full: [StoredResource<Job>], expected: [ResourceKey])
    {
        let producer = try await labelledProducer(lab, count: count, groups: groups)
        let (first, _) = try await reader(lab)
        try await first.refresh()
        let full = try await first.list(.all)
        let expected = full.filter { selector.matches($0.resource.metadata.labels ?? [:]) }.map(\.key)
        return (producer, first, full, expected)
    }

    @Test(arguments: Backend.allCases)
    func getReadsOnlyTheFileOfItsResource(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            _ = try await labelledProducer(lab, count: 300, groups: 5)
            // The first process checks the history and saves its check point.
            let (first, _) = try await reader(lab)
            try await first.refresh()

            let (store, counting) = try await reader(lab)
            try await store.refresh()
            let before = counting.snapshot
            let key = job("job137", payload: "", round: 0).key
            let found = try #require(try await store.get(key))
            #expect(found.resource.spec.payload == "data-137")
            let read = counting.snapshot.blobsRead.dropFirst(before.blobsRead.count)
            let tip = try #require(await store.revision()).rawValue
            let entry = try await counting.base.changes(
                from: nil, to: try #require(ObjectID(hex: tip)), under: nil
            ).first { $0.path == key.repositoryPath }
            #expect(Array(read) == [try #require(entry?.newID)], "one blob read: the resource's own")
            #expect(counting.snapshot.wholeTreeDiffs == 0, "the tree is never listed whole for a get")
            // A name that does not exist reads nothing.
            #expect(try await store.get(job("job999", payload: "", round: 0).key) == nil)
            #expect(counting.snapshot.blobsRead.count == before.blobsRead.count + 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func theIndexSurvivesAndIsRebuiltAfterCorruption(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let producerStore = try await lab.store(producerIdentity(0), mirror: "producer")
            let producer = Producer(store: producerStore)
            try await producer.apply(labelled(120, groups: 4))
            let (first, firstCounting) = try await reader(lab)
            try await first.refresh()
            let all = try await first.list(.all).map(\.key)
            #expect(all.count == 120)
            let saved = try #require(try await firstCounting.base.localValue(named: Self.indexName))

            // The next process lists from the index: no whole tree.
            let (second, secondCounting) = try await reader(lab)
            try await second.refresh()
            #expect(try await second.list(.all).map(\.key) == all)
            #expect(secondCounting.snapshot.wholeTreeDiffs == 0)

            // Stale: one more resource and one changed; the index follows the diff.
            try await producer.apply([job("late", payload: "late", round: 1)])
            let (third, thirdCounting) = try await reader(lab)
            try await third.refresh()
            #expect(try await third.list(.all).map(\.key) == (all + [job("late", payload: "", round: 0).key]).sorted())
            #expect(thirdCounting.snapshot.wholeTreeDiffs == 0)
            #expect(thirdCounting.snapshot.diffsFromCommit >= 1)
            let fresh = try #require(try await thirdCounting.base.localValue(named: Self.indexName))
            #expect(fresh != saved)

            // Corrupt: a flipped byte, a truncation, an index of another commit that does not exist, garbage.
            var flipped = fresh
            flipped[flipped.count / 2] ^= 0x20
            // Well formed, but of a commit the mirror does not have: its diff fails, so it is rebuilt.
            var unknown = try #require(ReadIndex.decode(fresh, kind: "Job"))
            unknown.commit = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
            // Well formed, of the right commit, but of another kind: not used.
            var otherKind = try #require(ReadIndex.decode(fresh, kind: "Job"))
            otherKind.kind = "Task"
            let corruptions: [[UInt8]] = [
                flipped, Array(fresh.prefix(fresh.count / 3)), unknown.encoded(), otherKind.encoded(),
                Array("garbage\n".utf8), [],
            ]
            for corrupt in corruptions {
                try await thirdCounting.base.storeLocalValue(corrupt, named: Self.indexName)
                let (store, counting) = try await reader(lab)
                try await store.refresh()
                #expect(try await store.list(.all).map(\.key) == (all + [job("late", payload: "", round: 0).key]).sorted())
                #expect(counting.snapshot.wholeTreeDiffs == 1, "rebuilt from the tree")
                #expect(try await counting.base.localValue(named: Self.indexName) == fresh, "and saved again")
            }
            #expect(lab.events.violations.isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func labelSelectionByTheIndexIsAFullScansAnswer(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let selector = try LabelSelector(parsing: "group=g3")
            // The first selection reads every file and learns the labels.
            let (producer, first, full, expected) = try await firstFullScan(lab, count: 200, groups: 8, selector: selector)
            #expect(expected.count == 25)
            #expect(try await first.list(ResourceQuery(labelSelector: selector)).map(\.key) == expected)

            // The next process reads only the files that match.
            let (second, counting) = try await reader(lab)
            try await second.refresh()
            let selected = try await second.list(ResourceQuery(labelSelector: selector)).map(\.key)
            #expect(selected == expected)
            #expect(counting.snapshot.blobsRead.count == expected.count)
            let negated = try LabelSelector(parsing: "group!=g3")
            #expect(
                try await second.list(ResourceQuery(labelSelector: negated)).map(\.key)
                    == full.filter { negated.matches($0.resource.metadata.labels ?? [:]) }.map(\.key))

            // A label changed since the index was made: the changed file is read again.
            var moved = labelled(200, groups: 8)[4]
            moved.metadata.labels = ["group": "g3"]
            try await producer.apply([moved])
            let (third, _) = try await reader(lab)
            try await third.refresh()
            let after = try await third.list(ResourceQuery(labelSelector: selector)).map(\.key)
            #expect(after == (expected + [moved.key]).sorted())
            #expect(try await third.list(ResourceQuery(namespace: "other", labelSelector: selector)).isEmpty)
        }
    }

    /// A store that only follows changes (a controller) does not hold the
    /// index once its view is built; its first selection reads it back
    /// from the mirror, without listing the tree.
    @Test(arguments: Backend.allCases)
    func aStoreThatOnlyFollowsChangesLetsTheIndexGo(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let selector = try LabelSelector(parsing: "group=g1")
            let (_, _, full, expected) = try await firstFullScan(lab, count: 40, groups: 4, selector: selector)
            #expect(expected.count == 10)

            let (second, counting) = try await reader(lab)
            try await second.refresh()
            let changes = try await second.changes(since: nil)
            #expect(changes.updated.map(\.key) == full.map(\.key))
            #expect(await second.readIndex == nil, "let go once the view is built")
            let diffs = counting.snapshot.wholeTreeDiffs
            #expect(try await second.list(ResourceQuery(labelSelector: selector)).map(\.key) == expected)
            let index = try #require(await second.readIndex, "read back for the selection")
            #expect(index.commit.hex == (await second.revision())?.rawValue)
            #expect(
                index.entries.values.filter { $0.labels != nil }.count == 40, "with the labels the first store learnt")
            #expect(counting.snapshot.wholeTreeDiffs == diffs, "read from the mirror, not from the tree")
        }
    }

    /// A read of many files from the transport (the first sync of a
    /// consumer, a full list) is followed by one request to the transport
    /// to give back its caches; a small read is not, nor a large one the
    /// store's own caches answer. The store reads on afterwards.
    @Test(arguments: Backend.allCases)
    func aLargeReadGivesBackTheTransportsCaches(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let count = GitResourceStore<Job>.largeRead
            let producer = try await labelledProducer(lab, count: count - 1, groups: 4)
            let (small, smallCounts) = try await reader(lab)
            try await small.refresh()
            let first = try await small.changes(since: nil)
            #expect(first.updated.count == count - 1)
            #expect(smallCounts.snapshot.releases == 0, "fewer than \(count) files read")
            try await producer.apply(job("last", payload: "data", round: 1))
            try await small.refresh()
            #expect(try await small.changes(since: first.revision).updated.map(\.key.name) == ["last"])
            #expect(smallCounts.snapshot.releases == 0)

            // A new process's store reads them all. It trusts the branch as it finds it: with a check of the
            // history, the commits after the mirror's check point (it may lag) are parsed by the check first.
            let (store, counting) = try await reader(lab, historyCheck: .newCommitsOnly)
            try await store.refresh()
            let all = try await store.changes(since: nil)
            #expect(all.updated.count == count)
            #expect(counting.snapshot.releases == 1, "\(count) files read at once")
            // Again, from the store's caches: nothing read, nothing released.
            let blobsRead = counting.snapshot.blobsRead.count
            #expect(try await store.list(.all).count == count)
            #expect(counting.snapshot.blobsRead.count == blobsRead)
            #expect(counting.snapshot.releases == 1, "the caches answered")

            // The transport works on after it let its caches go: a changed file is read from it.
            try await producer.apply(job("job7", payload: "changed", round: 2))
            try await store.refresh()
            let changed = try await store.changes(since: all.revision)
            #expect(changed.updated.map(\.resource.spec.payload) == ["changed"])
            #expect(counting.snapshot.blobsRead.count > blobsRead)

            // A list of them all by another new store.
            let (lister, listing) = try await reader(lab, historyCheck: .newCommitsOnly)
            try await lister.refresh()
            #expect(try await lister.list(.all).count == count)
            #expect(listing.snapshot.releases == 1)
        }
    }

    /// A range of changes read in parts (a controller's sync): the parts,
    /// in key order, hold exactly the whole changes; each part reads only
    /// its own files; the transport's caches are given back once, after
    /// the last part, not after each.
    @Test(arguments: Backend.allCases)
    func changesReadInPartsAreTheWholeAndGiveBackTheCachesOnce(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let count = GitResourceStore<Job>.largeRead
            let producer = try await labelledProducer(lab, count: count, groups: 4)
            let (whole, _) = try await reader(lab)
            try await whole.refresh()
            let all = try await whole.changes(since: nil)
            #expect(all.updated.count == count)

            let (store, counting) = try await reader(lab)
            try await store.refresh()
            var parts: [ResourceChanges<Job>] = []
            var after: ResourceKey?
            repeat {
                let part = try await store.changes(since: nil, after: after, limit: 300)
                parts.append(part)
                #expect(counting.snapshot.blobsRead.count == parts.reduce(0) { $0 + $1.updated.count })
                after = part.partEnd
                if after != nil { #expect(counting.snapshot.releases == 0, "given back before the last part") }
            } while after != nil && parts.count < 10
            #expect(parts.map(\.updated.count) == [300, 300, 300, 100])
            #expect(parts.flatMap(\.updated).map(\.key) == all.updated.map(\.key))
            #expect(parts.map(\.partEnd) == parts.dropLast().map { $0.updated.last?.key } + [nil])
            #expect(parts.allSatisfy { $0.revision == all.revision })
            #expect(counting.snapshot.releases == 1, "\(count) files read in parts: given back once")

            // Since a revision: a deletion, another and a change, one per part.
            _ = try await producer.delete(job("job5", payload: "", round: 1).key)
            _ = try await producer.delete(job("job500", payload: "", round: 1).key)
            try await producer.apply(job("job999", payload: "changed", round: 2))
            try await store.refresh()
            var later: [ResourceChanges<Job>] = []
            after = nil
            repeat {
                let part = try await store.changes(since: all.revision, after: after, limit: 1)
                later.append(part)
                after = part.partEnd
            } while after != nil && later.count < 10
            #expect(later.map { $0.removed.map(\.name) } == [["job5"], ["job500"], []])
            #expect(later.map { $0.updated.map(\.resource.spec.payload) } == [[], [], ["changed"]])
            #expect(counting.snapshot.releases == 1, "one file read")

            // A limit below 1 is 1; past the last key, nothing.
            let one = try await store.changes(since: nil, after: nil, limit: 0)
            #expect(one.updated.count == 1)
            #expect(one.partEnd == one.updated.first?.key)
            let last = try #require(all.updated.last?.key)
            let none = try await store.changes(since: nil, after: last, limit: -1)
            #expect(none.isEmpty && none.partEnd == nil)
        }
    }

    /// The view moves between two parts (a consumer's own status writes
    /// move it): the later parts still describe the first part's revision,
    /// read from the ids listed then, with no new listing of the tree; the
    /// change is in the next range.
    @Test(arguments: Backend.allCases)
    func partsDescribeTheFirstPartsRevisionWhenTheViewMoves(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let producer = try await labelledProducer(lab, count: 30, groups: 3)
            let (store, counting) = try await reader(lab)
            try await store.refresh()
            let first = try await store.changes(since: nil, after: nil, limit: 10)
            #expect(first.updated.count == 10)
            let seen = try #require(first.revision)

            // job9 sorts after the first part (job0, job1, job10, …); it changes, and the view moves.
            try await producer.apply(job("job9", payload: "moved", round: 2))
            try await store.refresh()
            #expect(await store.revision() != seen)
            let diffs = counting.snapshot
            var parts = [first]
            while let after = parts.last?.partEnd, parts.count < 10 {
                parts.append(try await store.changes(since: nil, after: after, limit: 10))
            }
            #expect(parts.map(\.updated.count) == [10, 10, 10])
            #expect(parts.allSatisfy { $0.revision == seen }, "every part describes the first part's revision")
            let job9 = parts.flatMap(\.updated).first { $0.key.name == "job9" }
            #expect(job9?.resource.spec.payload == "data-9", "as of the first part")
            #expect(counting.snapshot.diffsFromNothing == diffs.diffsFromNothing, "the tree was not listed again")
            #expect(counting.snapshot.diffsFromCommit == diffs.diffsFromCommit)

            let next = try await store.changes(since: seen)
            #expect(next.updated.map(\.resource.spec.payload) == ["moved"])
        }
    }
}

/// A ``Transport`` that counts the blobs read and the diffs asked of `base`;
/// everything goes to `base` as it came.
final class CountingTransport: Transport {
    struct Counts: Sendable {
        var blobsRead: [ObjectID] = []
        /// Diffs from the empty tree of the whole tree (`under: nil`).
        var wholeTreeDiffs = 0
        /// Diffs from a commit.
        var diffsFromCommit = 0
        /// Diffs from the empty tree, of the whole tree or a folder.
        var diffsFromNothing = 0
        /// Calls of ``Transport/releaseCaches()``.
        var releases = 0
    }

    let base: any Transport
    private let counts = Mutex(Counts())

    init(base: any Transport) { self.base = base }

    var snapshot: Counts { counts.withLock { $0 } }
    var configuration: RemoteConfiguration { base.configuration }
    var localRemote: LocalRemote? { base.localRemote }

    func remoteTip() async throws -> ObjectID? { try await base.remoteTip() }
    func fetch() async throws -> ObjectID? { try await base.fetch() }
    func createCommit(_ request: CommitRequest, signer: (any CommitSigner)?) async throws -> ObjectID {
        try await base.createCommit(request, signer: signer)
    }
    func updateReference(_ reference: String, to new: ObjectID, expecting expected: ObjectID?) async throws -> Bool {
        try await base.updateReference(reference, to: new, expecting: expected)
    }
    func push(_ commit: ObjectID, expecting expected: ObjectID?) async throws -> PushOutcome {
        try await base.push(commit, expecting: expected)
    }
    func history(of path: String, from commit: ObjectID, limit: Int?) async throws -> [CommitInfo] {
        try await base.history(of: path, from: commit, limit: limit)
    }
    func localValue(named name: LocalValueName) async throws -> [UInt8]? { try await base.localValue(named: name) }
    func storeLocalValue(_ value: [UInt8]?, named name: LocalValueName) async throws {
        try await base.storeLocalValue(value, named: name)
    }
    func resolve(_ reference: String) async throws -> ObjectID? { try await base.resolve(reference) }
    func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        try await base.treeEntries(at: commit, under: prefix)
    }
    func blob(_ id: ObjectID) async throws -> [UInt8] {
        counts.withLock { $0.blobsRead.append(id) }
        return try await base.blob(id)
    }
    func releaseCaches() async throws {
        counts.withLock { $0.releases += 1 }
        try await base.releaseCaches()
    }
    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        counts.withLock { counts in
            if old == nil, prefix == nil { counts.wholeTreeDiffs += 1 }
            if old != nil { counts.diffsFromCommit += 1 } else { counts.diffsFromNothing += 1 }
        }
        return try await base.changes(from: old, to: new, under: prefix)
    }
    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        try await base.commits(from: new, excluding: old, limit: limit)
    }
    func commitObject(_ id: ObjectID) async throws -> CommitObject { try await base.commitObject(id) }
}
