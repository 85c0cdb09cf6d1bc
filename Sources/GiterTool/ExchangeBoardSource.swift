import Giter
import GiterCodec
import GiterWebhooks
import Logging
import Synchronization

/// What `giter serve` shows: a snapshot of the exchange's live resources,
/// read after each fetch that brought commits (``update()``), so a page
/// request reads no repository but the one resource it shows and its
/// history.
actor ExchangeBoardSource: BoardSource {
    let exchange: Exchange
    /// How many commits of a resource's history its page reads, newest first.
    let historyLimit: Int
    private var stores: [String: GitResourceStore<DynamicResource>] = [:]
    private var snapshot: BoardOverview
    private var tip: ObjectID?
    /// The contract's verdicts on the branch, for the tip they were judged at.
    private var audit: (tip: ObjectID, audit: ContractAudit)?
    /// The files the stores could not read during the current ``update()``.
    private let unreadable = ProblemFiles()

    init(exchange: Exchange, historyLimit: Int) {
        self.exchange = exchange
        self.historyLimit = historyLimit
        snapshot = BoardOverview(branch: exchange.branch, revision: nil, rows: [])
    }

    func overview() -> BoardOverview { snapshot }

    /// Fetches and, when the branch moved, reads every live resource again
    /// (decoded files are cached by blob, so only changed files are parsed).
    ///
    /// - Returns: whether the branch moved since the last update.
    func update() async throws -> Bool {
        let transport = exchange.transport
        // One look per wake-up: a repository on this machine is asked for its
        // tip (next to nothing); a server is fetched from, which costs no
        // more than asking when nothing moved.
        let remote = transport.localRemote != nil ? try await transport.remoteTip() : try await transport.fetch()
        guard remote != tip else { return false }
        if transport.localRemote != nil { _ = try await transport.fetch() }
        let current = try await transport.resolve(transport.configuration.trackingReference)
        guard current != tip else { return false }
        guard let current else {
            tip = nil
            stores = [:]
            snapshot = BoardOverview(branch: exchange.branch, revision: nil, rows: [])
            return true
        }
        let entries = try await transport.treeEntries(at: current, under: ResourceKey.resourcesFolder)
        let catalog = KindCatalog(live: entries.map(\.path), archived: [])
        unreadable.clear()
        var rows: [BoardRow] = []
        var kept: [String: GitResourceStore<DynamicResource>] = [:]
        for kind in catalog.kinds {
            let store = stores[kind] ?? makeStore(kind: kind)
            kept[kind] = store
            // The store's view moves to what was fetched (a server's: with a fetch of its own).
            try await store.refresh()
            for stored in try await store.list(.all) {
                rows.append(Self.row(stored))
            }
        }
        stores = kept
        let problems = unreadable.all()
        tip = current
        snapshot = BoardOverview(branch: exchange.branch, revision: current.hex, rows: rows, problems: problems)
        return true
    }

    func resource(_ key: ResourceKey) async throws -> BoardResource? {
        guard let store = stores[key.kind], let tip, let stored = try await store.get(key) else { return nil }
        let judged: ContractAudit
        if let audit, audit.tip == tip {
            judged = audit.audit
        } else {
            judged = try await ContractAudit.branch(reader: exchange.transport, tip: tip)
            audit = (tip, judged)
        }
        let entries = try await ResourceHistory(transport: exchange.transport, key: key, audit: judged)
            .entries(from: tip, limit: historyLimit)
        let status = try stored.resource.status.map { YAMLWriter().write(try DocumentEncoder().encodeNode($0)) }
        return BoardResource(
            row: Self.row(stored),
            revision: tip.hex,
            spec: YAMLWriter().write(stored.resource.spec),
            status: status,
            history: entries.map {
                BoardHistoryEntry(
                    commit: $0.commit.id.hex,
                    time: $0.commit.author.date,
                    author: $0.commit.author.description,
                    party: $0.party,
                    signer: $0.signer,
                    change: $0.change
                )
            }
        )
    }

    /// A read-only store of `kind` whose unreadable files are collected for the overview.
    private func makeStore(kind: String) -> GitResourceStore<DynamicResource> {
        let unreadable = self.unreadable
        return exchange.makeStore(
            ResourceType(apiVersion: "", kind: kind),
            options: StoreOptions(
                identity: exchange.identity,
                logger: Logger(label: "giter.store"),
                eventHandler: { event in
                    guard case .invalidResource(let error) = event, let path = error.path else { return }
                    unreadable.record(path: path, message: "\(error)")
                }
            )
        )
    }

    private static func row(_ stored: StoredResource<DynamicResource>) -> BoardRow {
        BoardRow(
            key: stored.key,
            generation: stored.generation,
            observedGeneration: stored.resource.status?.observedGeneration,
            conditions: stored.resource.status?.conditions ?? []
        )
    }
}

/// The files a board's stores could not read, by path: a lock-protected
/// table the stores' event handlers write into.
final class ProblemFiles: Sendable {
    private let files = Mutex<[String: String]>([:])

    func record(path: String, message: String) { files.withLock { $0[path] = message } }
    func clear() { files.withLock { $0 = [:] } }
    func all() -> [BoardProblem] { files.withLock { $0.map { BoardProblem(path: $0.key, message: $0.value) } } }
}
