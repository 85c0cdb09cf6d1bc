import Logging
import Tracing

extension GitResourceStore {
    public func remoteMoved() async throws -> Bool {
        guard loaded else { return true }
        return try await transport.remoteTip() != tip
    }

    @discardableResult
    public func refresh() async throws -> StoreRevision? {
        await acquire()
        do {
            try await refreshView()
            release()
        } catch {
            release()
            throw error
        }
        return revision()
    }

    /// Fetches when the remote moved and advances the view. Call with the gate held.
    ///
    /// A remote on this machine (or in memory) is asked for its tip first,
    /// which costs next to nothing, and fetched from only when it moved. A
    /// server (``RemoteConfiguration/reachesServer``) is fetched from at
    /// once: asking first costs a connection of its own, and a fetch that
    /// finds nothing new costs no more than asking.
    func refreshView() async throws {
        if loaded, !transport.configuration.reachesServer, try await transport.remoteTip() == tip { return }
        let fetchStarted = DefaultTracerClock.now
        let fetched = try await transport.fetch()
        try await advance(to: fetched, fetchStarted: fetchStarted)
        loaded = true
    }

    /// Moves the view to `new`: judges the commits in between with the
    /// ``ExchangeLedger`` (the contract in force at each parent), then
    /// updates the index to the files in force. `checked`: the ledger's
    /// state after a commit this store just made and checked before pushing
    /// it. Call with the gate held.
    ///
    /// `fetchStarted`: when the fetch that brought `new` began, for the
    /// trace contexts its commits carry.
    ///
    /// - Throws: ``StoreError`` `historyRefused`, keeping the view, when
    ///   `new` does not continue the history checked so far.
    func advance(
        to new: ObjectID?, checked: ExchangeLedger? = nil, fetchStarted: DefaultTracerClock.Timestamp? = nil
    ) async throws {
        guard new != tip || !loaded else { return }
        guard let new else {
            if loaded, let tip {
                throw refuseHistory("the branch \(transport.configuration.branch) was deleted; it held \(tip.hex)")
            }
            return
        }
        var verifiedBase: ObjectID?
        if checked == nil, let branchCheck {
            // An exchange branch's own rule, before any of its commits is judged (its own writes need none).
            do {
                verifiedBase = try await branchCheck(loaded ? tip : nil, new, transport)
            } catch let error as StoreError {
                throw refuseHistory(error.message)
            }
        }
        // The files of the view before: built now if the first refresh left them to be built.
        try await ensureIndex()
        let pinsBefore = ledgerState?.pins ?? [:]
        var traces = TracesReceived(fetchStarted: fetchStarted)
        if let checked {
            ledger = checked
        } else if loaded || options.historyCheck == .fullHistory || verifiedBase != nil {
            // An exchange branch's commits after its verified base are judged even when the history is not.
            var (ledger, chain, root) = try await startingLedger(for: new, base: verifiedBase)
            // The branch's first commit wrote every file it holds.
            if let root { traces.note(root, changes: nil, kind: resourceType.kind) }
            for commit in chain {
                let violations = try await ledger.advance(over: commit)
                for violation in violations {
                    report(.contractViolation(violation))
                }
                if violations.isEmpty, let changes = ledger.lastChanges?.changes {
                    traces.note(commit, changes: changes, kind: resourceType.kind)
                }
            }
            self.ledger = ledger
            await saveCheckPointIfDue(judged: chain.count)
        } else {
            // Trusts what the branch holds at the first refresh.
            ledger = newLedger(at: ExchangeLedger.State(commit: new))
            anchor = new
        }
        if tip == nil, checked == nil, !traces.active {
            // The first view: the kind's files are listed when a read needs them (ensureIndex()).
            // While a tracer records, the view is built now, so the trace contexts of its files are kept.
            tip = new
            lastDiff = nil
            indexPending = true
            return
        }
        let changes: [PathChange]
        if let tip, let last = ledger?.lastChanges, last.from == tip, last.to == new {
            // The ledger just diffed the same two trees.
            changes = last.changes
        } else {
            changes = try await transport.changes(from: tip, to: new, under: nil)
        }
        if options.fieldKeys != nil, changes.contains(where: { Contract.isContractFile($0.path) }) {
            // What is opened and how it is checked follow the definitions in force: decode again.
            decoded.removeAll(keepingCapacity: true)
        }
        var paths = Set(changes.map(\.path))
        paths.formUnion(pinsBefore.keys)
        if let pins = ledgerState?.pins { paths.formUnion(pins.keys) }
        var inTree: [String: (id: ObjectID?, mode: FileMode?)] = [:]
        for change in changes { inTree[change.path] = (change.newID, change.newMode) }
        for path in paths.sorted() {
            let live = ResourceKey(repositoryPath: path)
            let archive = live == nil ? ResourceKey(archivePath: path) : nil
            guard let key = live ?? archive, key.kind == resourceType.kind else { continue }
            let treeEntry: (id: ObjectID?, mode: FileMode?)
            if let known = inTree[path] {
                treeEntry = known
            } else {
                let entry = try await entry(at: path, in: new)
                treeEntry = (entry?.id, entry?.mode)
            }
            let id = ledgerState.map { $0.blob(at: path, tree: treeEntry.id) } ?? treeEntry.id
            if live != nil { self.live[key] = InlineObjectID(id) } else { archived[key] = InlineObjectID(id) }
            if live != nil, id == nil { traceContexts[key] = nil }
            if id == treeEntry.id {
                // What is in force is the tree's entry: a symbolic link or a gitlink there is never read.
                irregular[path] = id != nil && !(treeEntry.mode?.isFile ?? true) ? treeEntry.mode : nil
            }
        }
        keep(traces)
        reportLayoutProblems(in: changes)
        // Paths whose file in force changed without a change in the tree count as changed too.
        let listed = Set(changes.map(\.path))
        let extra = paths.subtracting(listed).sorted().map { PathChange(path: $0, oldID: nil, oldMode: nil, newID: nil, newMode: nil) }
        lastDiff = (from: tip, to: new, changes: changes + extra)
        tip = new
    }

    /// The entry at `path` in `commit`'s tree, or `nil`.
    private func entry(at path: String, in commit: ObjectID) async throws -> TreeEntry? {
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) }
        return try await transport.treeEntries(at: commit, under: folder).first { $0.path == path }
    }

    /// Reports, once per folder and refresh, entries in force that keep
    /// files of the store's kind from being where readers look, or that
    /// collide with them: a symbolic link or gitlink where a namespace,
    /// kind or bucket folder should be, and a kind folder whose name
    /// differs from the kind only in case. Nothing of them is read.
    func reportLayoutProblems(in changes: [PathChange]) {
        let kind = resourceType.kind
        var reported: Set<String> = []
        for change in changes {
            guard let newID = change.newID, ledgerState.map({ $0.blob(at: change.path, tree: newID) == newID }) ?? true else {
                continue
            }
            let parts = change.path.split(separator: "/", omittingEmptySubsequences: false)
            guard parts[0] == ResourceKey.resourcesFolder || parts[0] == ResourceKey.archiveFolder else {
                continue
            }
            let problem: StoreError
            if parts.count >= 3, parts[2] != kind, parts[2].lowercased() == kind.lowercased() {
                let folder = parts[0...2].joined(separator: "/")
                guard reported.insert(folder).inserted else { continue }
                problem = StoreError(
                    .invalidEntry, path: folder,
                    "the kind folder '\(parts[2])' differs from the kind '\(kind)' only in case: the two are one folder "
                        + "on a case-insensitive file system (macOS, Windows); Giter reads only '\(kind)' as \(kind) "
                        + "resources; the producer that wrote '\(parts[2])' must move its files under '\(kind)' or delete them")
            } else if parts.count <= 4, parts.count <= 2 || parts[2] == kind, let mode = change.newMode, !mode.isFile,
                mode != .tree
            {
                guard reported.insert(change.path).inserted else { continue }
                let what = [
                    "", "the \(parts[0])/ folder", "a namespace folder", "a kind folder", "a bucket folder",
                ][parts.count]
                problem = StoreError(
                    .invalidEntry, path: change.path,
                    "\(StoreError.describe(mode)) (mode \(mode)) stands where \(what) of resources should be; "
                        + "Giter never follows it and reads nothing under it: "
                        + "its writer must replace it with a folder or delete it")
            } else {
                continue
            }
            report(.invalidResource(problem))
        }
    }

    /// Where the check of the commits up to `new` starts, the commits to
    /// judge, and the branch's first commit when the check starts there.
    ///
    /// `base`: an exchange branch's base, verified at this first view (see
    /// ``BranchCheck``). Without a full history check it is where the
    /// check starts; and a check point this branch's name left that the
    /// new tip does not continue (a group collected and started again) is
    /// set aside rather than refusing the new exchange.
    private func startingLedger(for new: ObjectID, base: ObjectID? = nil) async throws
        -> (ExchangeLedger, [CommitInfo], root: CommitInfo?)
    {
        let roles = options.roles
        var trusted = options.trustRoot
        if let base, !loaded, options.historyCheck != .fullHistory { trusted = trusted ?? base }
        if loaded, let ledger {
            let state = ledger.state
            if let chain = try await ExchangeLedger.chain(from: new, to: state.commit, reader: transport) {
                return (ledger, chain, nil)
            }
            // A bundle import rebased the branch: every commit is judged again from the anchor.
            guard let anchor, try await ExchangeBundle.rebaseBase(from: state.commit, to: new, reader: transport) != nil else {
                throw refuseHistory("\(new.hex) does not continue the history checked up to \(state.commit.hex): it was rewritten")
            }
            trusted = trusted ?? anchor
        }
        switch loaded ? CheckPoint.Reading.none : await loadCheckPoint() {
        case .checked(let state, let saved):
            if trusted == nil || trusted == saved {
                if let chain = try await ExchangeLedger.chain(from: new, to: state.commit, reader: transport) {
                    anchor = saved
                    return (newLedger(at: state), chain, nil)
                }
                if let saved, try await ExchangeBundle.rebaseBase(from: state.commit, to: new, reader: transport) != nil {
                    trusted = trusted ?? saved
                } else if base != nil {
                    let branch = transport.configuration.branch
                    logger.info(
                        "\(branch) starts anew from \(base?.short ?? ""): setting aside this mirror's check of its earlier history up to \(state.commit.short)")
                } else if saved != nil {
                    throw refuseHistory("\(new.hex) does not continue the history this mirror checked up to \(state.commit.hex)")
                }
            }
        case .anchorOnly(let saved):
            trusted = trusted ?? saved
        case .none:
            break
        }
        if let trusted {
            guard let chain = try await ExchangeLedger.chain(from: new, to: trusted, reader: transport) else {
                throw refuseHistory("\(new.hex) does not descend from the trusted commit \(trusted.hex)")
            }
            anchor = trusted
            return (newLedger(at: ExchangeLedger.State(commit: trusted)), chain, nil)
        }
        // No anchor yet: the branch's first commit becomes it.
        guard var chain = try await ExchangeLedger.chain(from: new, to: nil, reader: transport), !chain.isEmpty else {
            throw refuseHistory("cannot follow the first-parent history of \(new.hex) to its first commit")
        }
        let root = chain.removeFirst()
        anchor = root.id
        let started = try await ExchangeLedger.starting(at: root, reader: transport, roles: roles)
        var ledger = started.ledger
        ledger.documents = documents
        ledger.scope = options.scope
        for violation in started.violations { report(.contractViolation(violation)) }
        return (ledger, chain, started.violations.isEmpty ? root : nil)
    }

    /// A ledger from `state` that shares the store's parsed files.
    func newLedger(at state: ExchangeLedger.State) -> ExchangeLedger {
        var ledger = ExchangeLedger(reader: transport, roles: options.roles, state: state)
        ledger.documents = documents
        ledger.scope = options.scope
        return ledger
    }

    private func refuseHistory(_ reason: String) -> StoreError {
        let message = "\(reason); keeping the state as of \(tip?.hex ?? "no commit")"
        report(.historyRefused(message))
        return StoreError(.historyRefused, message)
    }
}
