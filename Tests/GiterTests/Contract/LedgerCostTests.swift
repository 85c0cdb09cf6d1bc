import Foundation
@testable import Giter
import Synchronization
import Testing

/// What the ledger reads to judge a commit: the contract is listed again
/// only when a commit touches it, a file parsed once is not read again,
/// and a store's own bytes need no read — and the verdicts stay the same.
@Suite("The ledger: what checking a commit reads")
struct LedgerCostTests {
    let key = ResourceKey.experiment("exp-1")

    /// A producer's resource and two consumer statuses on it, judged by nobody yet.
    func threeCommits() async throws -> History {
        var history = try await History()
        try await history.commit(Who.alice, [.write(key, Files.resource("exp-1"))])
        try await history.commit(Who.runner, [.write(key, Files.resource("exp-1", status: "Running"))])
        try await history.commit(Who.runner, [.write(key, Files.resource("exp-1", image: "evil/miner:1", status: "Done"))])
        return history
    }

    /// Walks `history` from its root with a ledger over `reader`.
    func walk(_ history: History, reader: CountingReader, documents: DocumentCache? = nil) async throws -> [ContractViolation] {
        var ledger = ExchangeLedger(reader: reader, state: ExchangeLedger.State(commit: history.root))
        ledger.documents = documents
        var violations: [ContractViolation] = []
        for commit in try #require(try await ExchangeLedger.chain(from: history.tip, to: history.root, reader: reader)) {
            violations += try await ledger.advance(over: commit)
        }
        return violations
    }

    @Test func theContractIsListedOnceWhileNoCommitTouchesIt() async throws {
        let history = try await threeCommits()
        let reader = CountingReader(history.reader)
        let violations = try await walk(history, reader: reader)
        #expect(violations.count == 1)
        #expect(reader.listings == 1)
    }

    @Test func aChangedPolicyIsReadAgainAndDecidesTheNextCommit() async throws {
        var history = try await History()
        try await history.commit(Who.alice, [.write(key, Files.resource("exp-1"))])
        // The owner removes the testbed's runner from the policy: its next status is no longer allowed.
        let without = Files.policyText.replacingOccurrences(of: "    - email: runner@testbed.example\n      pushers: [\"ci-runner\"]\n", with: "")
        #expect(without != Files.policyText)
        try await history.commit(Who.owner, [.write(Files.policy, without)])
        let status = try await history.commit(Who.runner, [.write(key, Files.resource("exp-1", status: "Running"))])
        let reader = CountingReader(history.reader)
        let violations = try await walk(history, reader: reader)
        #expect(violations.seen == [Seen(.notAMember, nil, status)])
        #expect(reader.listings == 2)
    }

    @Test func aSharedCacheServesEveryParsedFileToTheNextWalkWithTheSameVerdicts() async throws {
        let history = try await threeCommits()
        let documents = DocumentCache(limit: 100)
        let first = CountingReader(history.reader)
        let before = try await walk(history, reader: first, documents: documents)
        #expect(first.resourceReads > 0)
        let second = CountingReader(history.reader)
        let after = try await walk(history, reader: second, documents: documents)
        #expect(after.seen == before.seen)
        #expect(after.map(\.message) == before.map(\.message))
        #expect(second.resourceReads == 0)
    }

    @Test func writtenBytesAreNotReadBackAndAreJudgedAlike() async throws {
        var history = try await History()
        try await history.commit(Who.alice, [.write(key, Files.resource("exp-1"))])
        #expect(try await history.walk().isEmpty)
        let state = history.ledger.state
        // The consumer's own commit: a status and, forged, a new image.
        let forged = Files.resource("exp-1", image: "evil/miner:1", status: "Running")
        let commit = try await history.commit(Who.runner, [.write(key, forged)])
        let reader = CountingReader(history.reader)
        var counted = ExchangeLedger(reader: reader, state: state)
        let info = try #require(try await reader.commits(from: commit, excluding: state.commit, limit: 1).first)
        let violations = try await counted.advance(over: info, written: [key.repositoryPath: Array(forged.utf8)])
        #expect(violations.seen == [Seen(.role, key.repositoryPath, commit)])
        let newID = try #require(try await history.reader.treeEntries(at: commit, under: nil).first { $0.path == key.repositoryPath }?.id)
        #expect(!reader.blobsRead.contains(newID))
        #expect(try await history.walk().seen == violations.seen)
    }
}

/// A reader that counts the listings of `.giter/` and the blobs it reads.
final class CountingReader: RepositoryReader {
    private let inner: any RepositoryReader
    private let counts = Mutex<(listings: Int, blobs: [ObjectID])>((0, []))

    init(_ inner: any RepositoryReader) { self.inner = inner }

    var listings: Int { counts.withLock { $0.listings } }
    var blobsRead: [ObjectID] { counts.withLock { $0.blobs } }
    /// Blobs read that are not contract files.
    var resourceReads: Int {
        let contract = contractBlobs.withLock { $0 }
        return blobsRead.filter { !contract.contains($0) }.count
    }
    private let contractBlobs = Mutex<Set<ObjectID>>([])

    func resolve(_ reference: String) async throws -> ObjectID? { try await inner.resolve(reference) }

    func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        let entries = try await inner.treeEntries(at: commit, under: prefix)
        if prefix == Contract.folder {
            counts.withLock { $0.listings += 1 }
            contractBlobs.withLock { $0.formUnion(entries.map(\.id)) }
        }
        return entries
    }

    func blob(_ id: ObjectID) async throws -> [UInt8] {
        counts.withLock { $0.blobs.append(id) }
        return try await inner.blob(id)
    }

    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        try await inner.changes(from: old, to: new, under: prefix)
    }

    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        try await inner.commits(from: new, excluding: old, limit: limit)
    }

    func commitObject(_ id: ObjectID) async throws -> CommitObject { try await inner.commitObject(id) }
}
