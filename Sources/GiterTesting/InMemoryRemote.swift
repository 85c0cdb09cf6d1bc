public import Giter
import Synchronization

/// An exchange repository held in memory, for host apps' tests: the
/// "server" that any number of in-memory stores share, like a bare
/// repository that producers and consumers push to.
///
/// ```swift
/// let remote = InMemoryRemote()
/// let producer = remote.store(for: Experiment.self, type: experimentType, identity: lab)
/// let consumer = remote.store(for: Experiment.self, type: experimentType, identity: testbed)
/// ```
///
/// The stores it makes are `GitResourceStore`s over an in-memory
/// `Transport`, so they behave exactly as they do over Git: same
/// generations, splices, retries and ownership checks. Tests can also make
/// the next pushes lose a race or be refused (``failNextPushes(_:with:)``)
/// and write commits as any identity (``forgeCommit(author:edits:message:trailers:branch:)``),
/// or with trees Giter must refuse to read (``forgeTree(_:modes:author:message:branch:)``),
/// and write merge commits (``forgeMerge(_:otherParents:)``).
///
/// Commits are built by the rules every backend follows (``TreeEditPlan``):
/// a commit request with conflicting edits is refused, a write replaces a
/// file by a folder or the reverse, and a folder left empty vanishes. The
/// Transport conformance suite runs over this remote as well as over Git.
public final class InMemoryRemote: Sendable {
    /// How a push fails when the test asks it to.
    public enum Failure: Sendable, Hashable {
        /// As if another writer pushed first.
        case conflict
        /// As if a server hook refused the push, with this message.
        case rejected(String)
        /// As if the branch's lock file were held, with this message.
        case locked(String)
    }

    struct Commit: Sendable {
        var info: CommitInfo
        var tree: InMemoryTree
        /// The commit object, as a backend would have stored it (see ``State/object(of:for:otherParents:)``).
        var bytes: [UInt8]
    }

    struct State: Sendable {
        var blobs: [ObjectID: [UInt8]] = [:]
        var blobIDs: [[UInt8]: ObjectID] = [:]
        var commits: [ObjectID: Commit] = [:]
        /// How many tree ids were handed out (see ``object(of:for:otherParents:)``).
        var treeCounter = 0
        var branches: [String: ObjectID] = [:]
        /// Refs beside the branches, such as leases, by full name.
        var references: [String: ObjectID] = [:]
        var counter = 0
        var failures: [Failure] = []
        var interleaved: [@Sendable (InMemoryRemote) throws -> Void] = []
        var pushes = 0

        mutating func nextID() -> ObjectID {
            counter += 1
            let text = String(counter, radix: 16)
            // Counter ids stand in for hashes; `ObjectID` only needs 40 hex digits.
            return ObjectID(hex: String(repeating: "0", count: 40 - text.count) + text)!
        }

        /// The id of a blob of `contents`, stored if new.
        mutating func store(_ contents: [UInt8]) -> ObjectID {
            if let known = blobIDs[contents] { return known }
            let id = nextID()
            blobIDs[contents] = id
            blobs[id] = contents
            return id
        }

        /// Stores a commit of `tree` and returns its id. Its object is
        /// `signedObject`, or the unsigned one when that is nil.
        mutating func store(
            _ tree: InMemoryTree, for request: CommitRequest, otherParents: [ObjectID] = [], signedObject: [UInt8]? = nil
        ) -> ObjectID {
            let bytes = signedObject ?? object(of: tree, for: request, otherParents: otherParents)
            let id = nextID()
            let info = CommitInfo(
                id: id, parents: (request.parent.map { [$0] } ?? []) + otherParents, author: request.author,
                committer: request.committer, message: request.fullMessage)
            commits[id] = Commit(info: info, tree: tree, bytes: bytes)
            return id
        }

        /// The unsigned commit object of `tree` for `request`, written as
        /// every backend writes it (``CommitObject/encode(tree:parents:author:committer:message:)``),
        /// with a stand-in id for the tree: a new one for every commit (the
        /// trees are values here, and comparing them would cost as much as
        /// the tree is large).
        mutating func object(of tree: InMemoryTree, for request: CommitRequest, otherParents: [ObjectID] = []) -> [UInt8] {
            treeCounter += 1
            let text = String(treeCounter, radix: 16)
            // A prefix of its own, so a tree's stand-in never equals a blob's or a commit's id.
            let treeID = ObjectID(hex: "7" + String(repeating: "0", count: 39 - text.count) + text)!
            return CommitObject.encode(
                tree: treeID, parents: (request.parent.map { [$0] } ?? []) + otherParents, author: request.author,
                committer: request.committer, message: request.fullMessage)
        }

        /// The tree of `parent`, empty for none.
        func tree(of parent: ObjectID?) throws(TransportError) -> InMemoryTree {
            guard let parent else { return InMemoryTree() }
            guard let commit = commits[parent] else {
                throw TransportError(.objectNotFound, "no commit \(parent) in the in-memory remote")
            }
            return commit.tree
        }

        /// The outcome of the next failure ``failNextPushes(_:with:)`` asked
        /// for, taken off the list; a conflict says `conflict`.
        mutating func takeFailure(conflict message: String) -> PushOutcome? {
            guard !failures.isEmpty else { return nil }
            switch failures.removeFirst() {
            case .conflict: return .conflict(message: message)
            case .rejected(let message): return .rejected(message: message)
            case .locked(let message): return .locked(message: message)
            }
        }
    }

    let state = Mutex(State())

    /// An empty remote.
    public init() {}

    /// The commit a branch points at, or `nil`.
    public func tip(of branch: String = "main") -> ObjectID? {
        state.withLock { $0.branches[branch] }
    }

    /// How many pushes succeeded so far.
    public var successfulPushes: Int { state.withLock { $0.pushes } }

    /// Makes the next pushes fail, one failure each, in order.
    public func failNextPushes(_ count: Int, with failure: Failure = .conflict) {
        state.withLock { $0.failures += Array(repeating: failure, count: count) }
    }

    /// Runs `action` just before the next push is judged, as if another
    /// writer pushed between the store's fetch and its push: the push then
    /// loses the race (when `action` moved the branch) and the store must
    /// fetch and re-apply its writes. `action` typically calls
    /// ``forgeCommit(author:edits:message:trailers:branch:)``.
    public func beforeNextPush(_ action: @escaping @Sendable (InMemoryRemote) throws -> Void) {
        state.withLock { $0.interleaved.append(action) }
    }

    /// A transport over this remote; each has its own tracking state, like a mirror.
    public func transport(branch: String = "main") -> any Transport {
        InMemoryTransport(remote: self, branch: branch)
    }

    /// A store over this remote.
    public func store<Resource: ExchangedResource>(
        for resource: Resource.Type, type: ResourceType, options: StoreOptions, branch: String = "main"
    ) -> GitResourceStore<Resource> {
        GitResourceStore(transport: transport(branch: branch), resourceType: type, options: options)
    }

    /// A store over this remote for `identity`, with open roles.
    public func store<Resource: ExchangedResource>(
        for resource: Resource.Type, type: ResourceType, identity: ExchangeIdentity
    ) -> GitResourceStore<Resource> {
        store(for: resource, type: type, options: StoreOptions(identity: identity))
    }

    /// Commits `edits` on top of the branch as `author`, bypassing every
    /// check of the exchange's rules: how a test plays a writer that breaks
    /// them. The edits themselves must make a valid commit request (safe
    /// paths, no conflicting edits; see ``TreeEditPlan``), as with Git.
    @discardableResult
    public func forgeCommit(
        author: Signature, edits: [PathEdit], message: String = "forged", trailers: [Trailer] = [], branch: String = "main"
    ) throws -> ObjectID {
        let parent = tip(of: branch)
        let request = CommitRequest(
            parent: parent, edits: edits, author: author, committer: author, message: message, trailers: trailers)
        let id = try makeCommit(request)
        state.withLock { $0.branches[branch] = id }
        return id
    }

    /// Commits a tree of exactly `files` (path → contents) on top of the
    /// branch as `author`, checking no path: how a test plays a hostile
    /// writer. `modes` gives the files that are not regular, such as
    /// symbolic links (``FileMode/symlink``) or gitlinks, which Giter
    /// refuses to read, as it refuses names like `.git` or `GIT~1`.
    @discardableResult
    public func forgeTree(
        _ files: [String: [UInt8]], modes: [String: FileMode] = [:], author: Signature, message: String = "forged",
        branch: String = "main"
    ) -> ObjectID {
        state.withLock { state in
            var entries: [String: (id: ObjectID, mode: FileMode)] = [:]
            for (path, contents) in files { entries[path] = (state.store(contents), modes[path] ?? .regular) }
            let request = CommitRequest(
                parent: state.branches[branch], edits: [], author: author, committer: author, message: message)
            let id = state.store(InMemoryTree(files: entries), for: request)
            state.branches[branch] = id
            return id
        }
    }

    /// Writes a merge commit: `request`'s edits to the tree of its parent,
    /// with `otherParents` after that parent, moving no branch. Giter never
    /// writes one (the exchange branch is linear); a test plays a party that
    /// merged instead of rebasing.
    ///
    /// - Throws: when a parent is not in the remote, or the edits do not
    ///   make a valid commit request.
    public func forgeMerge(_ request: CommitRequest, otherParents: [ObjectID]) throws(TransportError) -> ObjectID {
        for parent in otherParents { _ = try commit(parent) }
        return try makeCommit(request, otherParents: otherParents)
    }

    // MARK: Object store

    /// Writes the commit `request` describes, by the rules of ``TreeEditPlan``.
    func makeCommit(_ request: CommitRequest, otherParents: [ObjectID] = []) throws(TransportError) -> ObjectID {
        let plan = try TreeEditPlan(request.edits)
        return try state.withLock { (state) throws(TransportError) -> ObjectID in
            let tree = try state.tree(of: request.parent).applying(plan) { state.store($0) }
            return state.store(tree, for: request, otherParents: otherParents)
        }
    }

    /// Writes the commit `request` describes, signed by `signer`: the tree
    /// (and blobs) first, then the signature of the commit object, then the
    /// commit. A signer that throws leaves no commit.
    func makeCommit(_ request: CommitRequest, signer: any CommitSigner) async throws -> ObjectID {
        let plan = try TreeEditPlan(request.edits)
        let (tree, payload) = try state.withLock { (state) throws(TransportError) in
            let tree = try state.tree(of: request.parent).applying(plan) { state.store($0) }
            return (tree, state.object(of: tree, for: request))
        }
        let signed = try await CommitObject.signed(payload, by: signer)
        return state.withLock { $0.store(tree, for: request, signedObject: signed) }
    }

    /// The commit `id` as stored; a blob's id is refused as the backends refuse it.
    func commitObject(_ id: ObjectID) throws(TransportError) -> CommitObject {
        let (commit, isBlob) = state.withLock { ($0.commits[id], $0.blobs[id] != nil) }
        guard let commit else {
            if isBlob { throw TransportError(.invalidArgument, "\(id) is a blob, not a commit") }
            throw TransportError(.objectNotFound, "no commit \(id) in the in-memory remote")
        }
        do {
            return try CommitObject(bytes: commit.bytes)
        } catch {
            throw TransportError(.backend, "commit \(id) cannot be read: \(error.message)", underlying: error)
        }
    }

    func commit(_ id: ObjectID) throws(TransportError) -> Commit {
        guard let commit = state.withLock({ $0.commits[id] }) else {
            throw TransportError(.objectNotFound, "no commit \(id) in the in-memory remote")
        }
        return commit
    }

    func blob(_ id: ObjectID) throws(TransportError) -> [UInt8] {
        guard let bytes = state.withLock({ $0.blobs[id] }) else {
            throw TransportError(.objectNotFound, "no blob \(id) in the in-memory remote")
        }
        return bytes
    }

    func push(_ commit: ObjectID, to branch: String, expecting expected: ObjectID?) -> PushOutcome {
        let action = state.withLock { $0.interleaved.isEmpty ? nil : $0.interleaved.removeFirst() }
        if let action {
            do {
                try action(self)
            } catch {
                return .rejected(message: "the interleaved writer failed: \(error)")
            }
        }
        return state.withLock { state in
            if let failure = state.takeFailure(conflict: "the branch moved (injected by the test)") { return failure }
            guard state.branches[branch] == expected else {
                return .conflict(message: "refs/heads/\(branch) is not at \(expected?.hex ?? "nothing")")
            }
            state.branches[branch] = commit
            state.pushes += 1
            return .pushed(commit)
        }
    }
}

extension InMemoryRemote {
    /// Points `branch` at `commit` (`nil` deletes it), whatever it held:
    /// how a test plays a force-push or a branch deletion on the server.
    public func resetBranch(_ branch: String = "main", to commit: ObjectID?) {
        state.withLock { $0.branches[branch] = commit }
    }
}
