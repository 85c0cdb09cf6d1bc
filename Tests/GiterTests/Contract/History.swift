import Giter
import GiterTesting
import Testing

/// An exchange branch on the in-memory remote, built commit by commit, and
/// the ledger that judges it: the first commit is trusted (the anchor), and
/// ``walk()`` judges every commit since the last walk with
/// ``ExchangeLedger/chain(from:to:reader:)`` and
/// ``ExchangeLedger/advance(over:push:)``, as readers do.
struct History {
    let remote = InMemoryRemote()
    let reader: any Transport
    /// The newest commit of the branch.
    private(set) var tip: ObjectID
    /// The first commit, trusted.
    let root: ObjectID
    var ledger: ExchangeLedger

    /// A branch whose first commit, by the owner, holds `files` (path → text).
    init(_ files: [String: String] = Files.contract, roles: RoleAssignments = .open) async throws {
        reader = remote.transport()
        root = try await reader.createCommit(
            CommitRequest(
                parent: nil,
                edits: files.sorted { $0.key < $1.key }.map { .write($0.key, $0.value) },
                author: Who.owner,
                message: "root"
            )
        )
        tip = root
        ledger = ExchangeLedger(reader: reader, roles: roles, state: ExchangeLedger.State(commit: root))
    }

    /// Commits `edits` on the tip as `author`, judging nothing yet.
    @discardableResult
    mutating func commit(_ author: Signature, _ edits: [PathEdit], trailers: [Trailer] = []) async throws -> ObjectID {
        tip = try await reader.createCommit(
            CommitRequest(parent: tip, edits: edits, author: author, message: "change", trailers: trailers)
        )
        return tip
    }

    /// Commits a merge of the tip and `other` (the tip first) as `author`.
    @discardableResult
    mutating func merge(_ other: ObjectID, by author: Signature, _ edits: [PathEdit] = []) throws -> ObjectID {
        tip = try remote.forgeMerge(
            CommitRequest(parent: tip, edits: edits, author: author, message: "merge"),
            otherParents: [other]
        )
        return tip
    }

    /// A commit on `parent` that the branch does not hold (another line of history).
    func sideCommit(on parent: ObjectID?, _ author: Signature, _ edits: [PathEdit]) async throws -> ObjectID {
        try await reader.createCommit(CommitRequest(parent: parent, edits: edits, author: author, message: "side"))
    }

    /// Judges every commit after the last judged one, up to the tip, oldest first.
    @discardableResult
    mutating func walk() async throws -> [ContractViolation] {
        let chain = try #require(try await ExchangeLedger.chain(from: tip, to: ledger.state.commit, reader: reader))
        var violations: [ContractViolation] = []
        for commit in chain { violations += try await ledger.advance(over: commit) }
        #expect(ledger.state.commit == tip)
        return violations
    }

    /// Commits `edits` as `author` and judges the commit.
    mutating func check(
        _ author: Signature,
        _ edits: [PathEdit],
        trailers: [Trailer] = []
    ) async throws -> (commit: ObjectID, violations: [ContractViolation]) {
        let commit = try await commit(author, edits, trailers: trailers)
        return (commit, try await walk())
    }

    /// The file at `path` in force after the last judged commit; `nil` when absent in force.
    func inForce(_ path: String) async throws -> String? {
        let entry = try await reader.treeEntries(at: ledger.state.commit, under: nil).first { $0.path == path }
        guard let id = ledger.state.blob(at: path, tree: entry?.id) else { return nil }
        return String(decoding: try await reader.blob(id), as: UTF8.self)
    }

    func inForce(_ key: ResourceKey) async throws -> String? { try await inForce(key.repositoryPath) }

    /// The file at `path` in the tip's tree, whatever is in force.
    func atTip(_ path: String) async throws -> String? {
        guard let entry = try await reader.treeEntries(at: tip, under: nil).first(where: { $0.path == path }) else {
            return nil
        }
        return String(decoding: try await reader.blob(entry.id), as: UTF8.self)
    }
}
