import Giter
import Logging

/// An exchange repository opened by a command: the transport over the local
/// mirror, who writes, and the namespace to work in.
///
/// Stores are made per kind (``store(kind:apiVersion:)``). Reads match by
/// kind only, so a read store's API version is a placeholder; `apply`
/// makes one store per API version and kind it finds in its input.
struct Exchange {
    /// The remote, as given (a local path made absolute).
    let url: String
    let branch: String
    let transport: any Transport
    /// The identity writes are made as, in the role the command writes in.
    let identity: ExchangeIdentity
    /// The namespace from `-n`, or `default`.
    let namespace: String
    /// Whether `-n` was given.
    let namespaceGiven: Bool
    /// Signs the commits the command writes; `nil`: unsigned.
    let signer: (any CommitSigner)?
    /// Opens encrypted fields (`--decryption-key`); `nil`: they stay sealed.
    let fieldKeys: FieldKeyring?
    let logger: Logger
    /// The resource files the stores of this command could not read.
    let unreadable = UnreadableFiles()
    /// What the stores read and check: the namespace of `-n` with `--partial`, else everything.
    var scope: ReadScope = .everything
    /// With `--group`: the group, and the set whose main branch its branch must start from.
    var exchangeBranch: (group: ExchangeGroup, branches: ExchangeBranches)?

    /// Opens the mirror for the options (creating it when missing). Nothing
    /// is fetched yet, unless `role` asks for the policy's answer.
    ///
    /// - Parameter role: How the command's role is chosen when `--role` is
    ///   not given (see ``WriterRole``).
    /// - Parameter checksGroup: Whether a `--group`'s branch is checked by
    ///   the exchange-branch rule now; `giter verify` checks the exact tip
    ///   it judges instead.
    static func open(_ options: ExchangeOptions, role: WriterRole = .producer, checksGroup: Bool = true) async throws
        -> Exchange
    {
        bootstrapLogging(verbose: options.verbose)
        let url = try options.remoteURL()
        var identity = try options.writerIdentity(role: options.role?.role ?? role.fallback)
        let signer = try options.signer()
        let fieldKeys = try options.fieldKeys()
        let namespace = options.effectiveNamespace
        if options.namespace != nil {
            do throws(ValidationErrors) {
                try ResourceKey(namespace: namespace, kind: "Kind", name: "name").validate()
            } catch {
                throw ToolError.usage("namespace '\(namespace)' is not valid: \(error)")
            }
        }
        // An exchange group's branch shares the main branch's mirror (local values are kept per branch).
        let configuration = RemoteConfiguration(
            url: url,
            branch: try options.exchangeBranch(),
            mirrorPath: options.mirrorPath(for: url),
            credentials: try options.credentials(),
            networkTimeLimit: options.networkTimeout.duration,
            blobFetch: options.partial ? .onDemand : .everything
        )
        if options.partial, options.backend == .libgit2 {
            StandardError.write("warning: --partial: libgit2 has no partial clone; fetching everything (use --backend git to fetch less)\n")
        }
        let transport: any Transport
        do {
            transport = try await options.backend.open(configuration)
        } catch let error as TransportError {
            throw ToolError(
                "cannot open the local mirror \(configuration.mirrorPath): \(error); pass another --cache folder"
            )
        }
        if options.role == nil, role.followsPolicy {
            identity.role = try await WriterRole.role(of: identity.email, at: transport) ?? identity.role
        }
        var exchange = Exchange(
            url: url,
            branch: configuration.branch,
            transport: transport,
            identity: identity,
            namespace: namespace,
            namespaceGiven: options.namespace != nil,
            signer: signer,
            fieldKeys: fieldKeys,
            logger: Logger(label: "giter")
        )
        if options.partial, options.namespace != nil { exchange.scope = .only(namespaces: [namespace]) }
        if let name = options.group {
            // The group's branch is held to the exchange-branch rule against the main branch (same mirror).
            var main = configuration
            main.branch = options.branch
            let mainTransport = try await options.backend.open(main)
            let group = try options.exchangeGroup(name)
            let branches = ExchangeBranches(main: mainTransport) { _ in transport }
            exchange.exchangeBranch = (group, branches)
            // Checked before the command reads anything of the branch (its contract, for one); its stores check every move.
            if checksGroup {
                do {
                    try await branches.verifyBase(of: group)
                } catch let error as StoreError where error.code == .historyRefused {
                    // A group with no live branch: the command says so in its own words.
                    if try await !mainTransport.listReferences(under: [group.reference.rawValue]).isEmpty {
                        throw ToolError("refusing the exchange group \(group): \(error.message)")
                    }
                }
            }
        }
        return exchange
    }

    /// A store for one kind, writing as ``identity``.
    /// Files it cannot read are recorded in ``unreadable``.
    func store(kind: String, apiVersion: String = "") -> GitResourceStore<DynamicResource> {
        let unreadable = self.unreadable
        var options = StoreOptions(
            identity: identity,
            signer: signer,
            logger: Logger(label: "giter.store"),
            eventHandler: { unreadable.record($0) }
        )
        options.fieldKeys = fieldKeys
        options.scope = scope
        return makeStore(ResourceType(apiVersion: apiVersion, kind: kind), options: options)
    }

    /// A store over the command's branch: with `--group`, one that checks
    /// the exchange branch's rule at every move.
    func makeStore(_ type: ResourceType, options: StoreOptions) -> GitResourceStore<DynamicResource> {
        guard let exchangeBranch else { return GitResourceStore(transport: transport, resourceType: type, options: options) }
        return GitResourceStore(
            transport: transport, exchangeBranch: exchangeBranch.group, of: exchangeBranch.branches, resourceType: type,
            options: options)
    }

    /// A store for one kind, brought up to date with the remote.
    ///
    /// - Throws: ``ToolError`` when the branch does not exist.
    func refreshedStore(kind: String) async throws -> GitResourceStore<DynamicResource> {
        let store = store(kind: kind)
        guard try await store.refresh() != nil else { throw noBranch() }
        return store
    }

    /// The remote branch's commit, as last fetched into the mirror (fetching
    /// when nothing was).
    ///
    /// - Throws: ``ToolError`` when the branch does not exist.
    func tip() async throws -> ObjectID {
        if let tracked = try await transport.resolve(transport.configuration.trackingReference) { return tracked }
        guard let fetched = try await transport.fetch() else { throw noBranch() }
        return fetched
    }

    /// The error for a read of a branch that does not exist.
    func noBranch() -> ToolError {
        if branch.hasPrefix(ExchangeGroup.branchPrefix) {
            return ToolError(
                "the exchange at \(url) has no live branch '\(branch)': start it with 'giter branch start "
                    + "\(branch.dropFirst(ExchangeGroup.branchPrefix.count))', or see 'giter branch list' (it may be archived)")
        }
        return ToolError(
            "the exchange at \(url) has no branch '\(branch)' yet: create it with 'giter init', "
                + "or check --remote and --branch"
        )
    }

    /// The kinds the repository holds.
    func catalog() async throws -> KindCatalog {
        let tip = try await tip()
        let live = try await transport.treeEntries(at: tip, under: ResourceKey.resourcesFolder)
        let archived = try await transport.treeEntries(at: tip, under: ResourceKey.archiveFolder)
        return KindCatalog(live: live.map(\.path), archived: archived.map(\.path))
    }

    /// The kind `typed` names: `typed` itself when it is a valid kind (in
    /// UpperCamelCase), else the kind of the repository it matches
    /// case-insensitively, singular or plural.
    ///
    /// - Throws: ``ToolError`` when no kind, or more than one, matches.
    func resolveKind(_ typed: String) async throws -> String {
        if KindCatalog.isValidKind(typed) { return typed }
        return try await catalog().resolve(typed)
    }

    /// After a read of `kind` found nothing: the kind to read instead when
    /// `typed` names another kind of the repository (`experiments` for
    /// `Experiment`), `nil` when the repository holds `kind` (nothing of it
    /// matched).
    ///
    /// - Throws: ``ToolError`` when the repository holds no such kind.
    func kindAfterMiss(typed: String, kind: String) async throws -> String? {
        let catalog = try await catalog()
        if catalog.contains(kind) { return nil }
        let resolved = try catalog.resolve(typed)
        return resolved == kind ? nil : resolved
    }

    /// `in namespace "x"` or `in any namespace`.
    func scope(allNamespaces: Bool) -> String {
        allNamespaces ? "in any namespace" : "in namespace \"\(namespace)\""
    }

    private static func bootstrapLogging(verbose: Bool) {
        let level: Logger.Level = verbose ? .debug : .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
