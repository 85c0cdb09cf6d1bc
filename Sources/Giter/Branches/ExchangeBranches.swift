#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Keeps each exchange on a branch of its own instead of a folder of the
/// main branch: the paper's alternative layout, for exchanges that are
/// few, long and busy (see `Documentation/ExchangeBranches.md` for when to
/// choose it).
///
/// An exchange group `g` (``ExchangeGroup``: one resource, or a group the
/// host app names) lives on `refs/heads/giter/x/g`. ``start(_:)`` creates
/// that branch at the main branch's tip, a commit that holds the contract;
/// from there the branch is an ordinary exchange branch: open a
/// ``GitResourceStore`` over the transport ``transport(for:)`` gives and
/// write spec and status as usual, each commit judged by the contract at
/// its parent, the branch linear. ``list()`` discovers every live and
/// archived group with one listing of the remote's refs. ``archive(_:)``
/// moves the branch to `refs/giter/archive/g` (nothing is lost: the
/// archive ref is written before the branch goes), and ``collect(_:now:)``
/// deletes archives a ``BranchRetention`` calls old.
///
/// The server's guard (`giter guard pre-receive`, ``PushGuard``) holds the
/// same rules: it refuses an exchange branch whose base is not on the main
/// branch or holds no contract, any update that is not a linear
/// fast-forward, a branch deleted without its archive, and an archive ref
/// that is not the branch's tip.
public struct ExchangeBranches: Sendable {
    /// Makes the transport of one branch (its short name, such as
    /// `giter/x/g`): same remote and credentials as the main branch's. It
    /// may share the main transport's mirror (local values are kept per
    /// branch) or use one of its own.
    public typealias TransportFactory = @Sendable (_ branch: String) async throws -> any Transport

    /// The main branch's transport: the branch that holds the contract.
    public let main: any Transport
    let makeTransport: TransportFactory

    /// Exchange branches beside the branch `main` follows, each reached
    /// through a transport `makeTransport` gives.
    public init(main: any Transport, makeTransport: @escaping TransportFactory) {
        self.main = main
        self.makeTransport = makeTransport
    }

    /// The transport of `group`'s branch, for a ``GitResourceStore``.
    ///
    /// A store over it judges every commit by the contract at its parent,
    /// from the branch's root; call ``verifyBase(of:)`` first to know that
    /// the root and the contract are the main branch's, when the server
    /// runs no guard that refuses a forged base.
    public func transport(for group: ExchangeGroup) async throws -> any Transport {
        try await makeTransport(group.branch)
    }

    /// Checks `group`'s live branch by the rule the guard holds — its
    /// commits form one line from a commit of the main branch that holds
    /// the contract, and none changes `.giter/` — and returns that base.
    /// Downloads the main branch and the group's branch into the main
    /// transport's mirror.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/historyRefused``
    ///   when the branch or the main branch does not exist, or the branch
    ///   breaks the rule (the message says how); otherwise what the
    ///   transport throws.
    @discardableResult
    public func verifyBase(of group: ExchangeGroup) async throws -> ObjectID {
        guard let tip = try await main.fetchReference(group.reference) else {
            throw StoreError(.historyRefused, "\(group.branch) has no live branch; start it, or look for its archive")
        }
        return try await verifiedBase(of: group, at: tip)
    }

    /// The base of `group`'s branch at `tip` (a commit in the main
    /// transport's mirror), checked by the rule.
    private func verifiedBase(of group: ExchangeGroup, at tip: ObjectID) async throws -> ObjectID {
        let mainBranch = main.configuration.branch
        guard let mainTip = try await main.fetch() else {
            throw StoreError(.historyRefused, "the main branch \(mainBranch) does not exist")
        }
        switch try await ExchangeBranchBase.find(from: tip, mainTip: mainTip, reader: main) {
        case .failure(let problem):
            throw StoreError(.historyRefused, "\(group.branch) is not an exchange branch to trust: \(problem.message(mainBranch: mainBranch))")
        case .success(let found):
            try await ExchangeBranchBase.checkContractUnchanged(
                on: group.branch, line: found.line, after: found.base, mainBranch: mainBranch, reader: main)
            return found.base
        }
    }

    /// A store over `group`'s branch that holds the branch to the rule
    /// ``verifyBase(of:)`` checks at every move, before it judges a commit:
    /// its first view must start from a commit of the main branch that
    /// holds the contract, and every later move must be commits in one
    /// line on top of the view, none of them changing `.giter/`. A move
    /// that breaks the rule is refused as a rewritten history is (a
    /// ``StoreEvent/historyRefused(_:)`` event, a ``StoreError`` with code
    /// ``StoreError/Code/historyRefused`` from the refresh), and the store
    /// keeps its view. This is the store ``BranchSetStore`` keeps per group;
    /// use it for one group on a server that may run no guard.
    ///
    /// The first view downloads the main branch into the main transport's
    /// mirror (and the group's branch, when that mirror is not shared);
    /// a later move costs a diff of `.giter/` per commit it brings.
    public func store<Resource: ExchangedResource>(
        for group: ExchangeGroup, resourceType: ResourceType, options: StoreOptions
    ) async throws -> GitResourceStore<Resource> {
        GitResourceStore(
            transport: try await transport(for: group), exchangeBranch: group, of: self, resourceType: resourceType,
            options: options)
    }

    /// The rule, for a move of `group`'s branch from `old` (`nil`: a first
    /// view) to `new`; `reader` holds both. Returns the base at a first view.
    func checkMove(of group: ExchangeGroup, from old: ObjectID?, to new: ObjectID, reader: any RepositoryReader) async throws
        -> ObjectID?
    {
        if let old {
            try await ExchangeBranchBase.checkLine(
                of: group.branch, from: old, to: new, mainBranch: main.configuration.branch, reader: reader)
            return nil
        }
        return try await verifyBase(of: group, at: new)
    }

    /// Checks `group`'s branch at `tip` by the rule ``verifyBase(of:)``
    /// checks, and returns its base: for a reader that judges exactly that
    /// tip afterwards (`giter verify`). Downloads the group's branch into
    /// the main transport's mirror when it lacks `tip`.
    ///
    /// - Throws: as ``verifyBase(of:)``.
    @discardableResult
    public func verifyBase(of group: ExchangeGroup, at tip: ObjectID) async throws -> ObjectID {
        if try await main.resolve(tip.hex) == nil {
            _ = try await main.fetchReference(group.reference)
        }
        return try await verifiedBase(of: group, at: tip)
    }

    /// Every live and archived group, from one listing of the remote's refs.
    public func list() async throws -> ExchangeBranchListing {
        let references = try await main.listReferences(under: [ExchangeGroup.referencePrefix, ExchangeGroup.archivePrefix])
        return ExchangeBranchListing(references: references)
    }

    /// Creates `group`'s branch at the main branch's tip and returns where
    /// it starts. A branch that exists already is left as it is, and its
    /// tip returned: starting twice creates nothing twice. An archived
    /// group is not started again, so that its archive keeps its history.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/historyRefused``
    ///   when the group is archived, the main branch does not exist, holds
    ///   no contract (no file under `.giter/`), or the server refused the
    ///   branch; otherwise what the transport throws.
    @discardableResult
    public func start(_ group: ExchangeGroup) async throws -> ObjectID {
        for _ in 0..<3 {
            let refs = try await main.listReferences(under: [group.reference.rawValue, group.archiveReference.rawValue])
            if let existing = refs[group.reference.rawValue] { return existing }
            if let archived = refs[group.archiveReference.rawValue] {
                // Starting again would later move the archive off the first exchange's history.
                throw StoreError(
                    .historyRefused,
                    "\(group) was archived at \(archived.short) (\(group.archiveReference.rawValue)); "
                        + "name another group, or let the retention policy delete the archive first")
            }
            guard let base = try await main.fetch() else {
                throw StoreError(.historyRefused, "the main branch \(main.configuration.branch) does not exist yet; create the exchange on it first")
            }
            if let problem = try await ExchangeBranchBase.contractProblem(at: base, reader: main) {
                throw StoreError(
                    .historyRefused,
                    "the main branch \(main.configuration.branch) holds no readable contract (\(Contract.folder)/) at \(base.short) "
                        + "(\(problem)); an exchange branch starts from a commit that holds one")
            }
            switch try await main.pushReference(group.reference, to: base, expecting: nil) {
            case .pushed: return base
            case .conflict: continue  // started meanwhile: read it again
            case .locked(let message), .rejected(let message):
                throw StoreError(.historyRefused, "the server refused the exchange branch \(group.branch): \(message)")
            }
        }
        throw StoreError(.historyRefused, "the exchange branch \(group.branch) kept changing while it was started; try again")
    }

    /// Archives `group`: points `refs/giter/archive/<group>` at the
    /// branch's tip, then deletes the branch if it is still at that tip.
    /// Returns the archived commit; `nil` when the group has no live
    /// branch (archived already, or never started).
    ///
    /// A crash between the two steps leaves both refs at the same commit;
    /// archiving again finishes the move. A write that lands on the branch
    /// meanwhile makes the delete lose its race: the archive ref moves to
    /// the new tip and the delete is tried again, so nothing written is
    /// lost.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/historyRefused``
    ///   when the server refuses a step; otherwise what the transport throws.
    @discardableResult
    public func archive(_ group: ExchangeGroup) async throws -> ObjectID? {
        let transport = try await transport(for: group)
        for _ in 0..<5 {
            let refs = try await main.listReferences(under: [group.reference.rawValue, group.archiveReference.rawValue])
            guard let tip = refs[group.reference.rawValue] else { return nil }
            let archived = refs[group.archiveReference.rawValue]
            if archived != tip {
                // The branch transport's mirror needs the tip's objects before it pushes them elsewhere.
                guard try await transport.fetch() == tip else { continue }
                switch try await transport.pushReference(group.archiveReference, to: tip, expecting: archived) {
                case .pushed: break
                case .conflict: continue
                case .locked(let message), .rejected(let message):
                    throw StoreError(.historyRefused, "the server refused to archive \(group.branch): \(message)")
                }
            }
            switch try await transport.deleteReference(group.reference, expecting: tip) {
            case .pushed: return tip
            case .conflict: continue  // written meanwhile: archive the new tip
            case .locked(let message), .rejected(let message):
                throw StoreError(.historyRefused, "the server refused to delete the archived branch \(group.branch): \(message)")
            }
        }
        throw StoreError(.historyRefused, "the exchange branch \(group.branch) kept changing while it was archived; try again")
    }

    /// Deletes the archives `retention` calls old (see
    /// ``BranchRetention``) and returns their groups. Each archive's last
    /// commit is downloaded (when the mirror lacks it) to read its date.
    /// An archive that changed meanwhile is left for the next run.
    @discardableResult
    public func collect(_ retention: BranchRetention, now: Date = Date()) async throws -> [ExchangeGroup] {
        var deleted: [ExchangeGroup] = []
        for (group, tip) in try await list().archived.sorted(by: { $0.key < $1.key }) {
            guard try await main.fetchReference(group.archiveReference) == tip,
                let commit = try await main.commits(from: tip, excluding: nil, limit: 1).first,
                retention.isExpired(lastWritten: commit.committer.date, now: now)
            else { continue }
            switch try await main.deleteReference(group.archiveReference, expecting: tip) {
            case .pushed: deleted.append(group)
            case .conflict: continue
            case .locked(let message), .rejected(let message):
                throw StoreError(.historyRefused, "the server refused to delete the archive of \(group): \(message)")
            }
        }
        return deleted
    }
}

/// What one listing of the remote's refs says about exchange branches.
public struct ExchangeBranchListing: Sendable, Hashable {
    /// Live groups and their branch tips.
    public var live: [ExchangeGroup: ObjectID]
    /// Archived groups and their last commits.
    public var archived: [ExchangeGroup: ObjectID]
    /// Refs under the exchange prefixes whose names are no ``ExchangeGroup``:
    /// left alone, listed so that a person can look.
    public var ignored: [String]

    /// Sorts `references` (full ref name → commit) into live, archived and ignored.
    public init(references: [String: ObjectID]) {
        live = [:]
        archived = [:]
        ignored = []
        for (name, id) in references {
            guard let group = ExchangeGroup(reference: name) else {
                if name.hasPrefix(ExchangeGroup.referencePrefix) || name.hasPrefix(ExchangeGroup.archivePrefix) {
                    ignored.append(name)
                }
                continue
            }
            if name.hasPrefix(ExchangeGroup.referencePrefix) { live[group] = id } else { archived[group] = id }
        }
        ignored.sort()
    }

    /// The live groups whose branch is new or moved since `earlier` (all
    /// live groups when `earlier` is `nil`), sorted: what a follower of
    /// the set fetches after one listing, leaving every other branch alone.
    public func moved(since earlier: ExchangeBranchListing?) -> [ExchangeGroup] {
        live.filter { earlier?.live[$0.key] != $0.value }.map(\.key).sorted()
    }

    /// The groups live in `earlier` and not anymore (archived or deleted), sorted.
    public func gone(since earlier: ExchangeBranchListing) -> [ExchangeGroup] {
        earlier.live.keys.filter { live[$0] == nil }.sorted()
    }
}

/// When ``ExchangeBranches/collect(_:now:)`` deletes an archived exchange:
/// once its last commit (the last spec or status written on the branch)
/// is older than ``deleteArchivedAfter``. Deleting the archive ref deletes
/// the exchange's history from the server, at its next garbage collection;
/// the main branch's history is untouched.
public struct BranchRetention: Sendable, Hashable {
    /// How old an archive's last commit must be before the archive goes.
    public var deleteArchivedAfter: Duration

    public init(deleteArchivedAfter: Duration) {
        self.deleteArchivedAfter = deleteArchivedAfter
    }

    func isExpired(lastWritten: Date, now: Date) -> Bool {
        let components = deleteArchivedAfter.components
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return now.timeIntervalSince(lastWritten) >= seconds
    }
}
