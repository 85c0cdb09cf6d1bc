/// Carries an exchange between two sites that share no network, as Git
/// bundle files (`gitformat-bundle(5)`) on removable media or any file drop.
///
/// Each site keeps the exchange in its own repository (the transport's
/// remote) and has a name (``siteName()``). A bundle a site exports for
/// another holds the commits of the exchange branch that the other site has
/// not acknowledged; the site it comes from imports it. The bookkeeping
/// lives in each site's repository, beside the branch, so a lost cache
/// loses nothing:
///
/// - `refs/giter/acks/<site>` points at the newest commit `<site>` is known
///   to have: the tip of the last bundle imported from it (its sender has
///   every commit up to its tip, the ones it received from here included).
///   An export for `<site>` holds the commits after it, or the whole branch
///   the first time.
/// - A bundle names its sending site with the ref `refs/giter/sites/<name>`
///   and the branch with `refs/heads/<branch>`, both at its tip; a bundle
///   that builds on earlier commits names them as prerequisites, so
///   `git bundle verify` and `git fetch FILE` accept it in a repository that
///   has them.
///
/// An import checks everything before the exchange changes: the header,
/// the prerequisites (the receiver must have them, on its branch), the pack
/// (every object hashed and checked by the backend, stored in the mirror,
/// which is a cache, not the exchange), the branch's linearity, and every
/// new commit by the contract and its signatures through ``PushGuard``,
/// the same check a server's `pre-receive` hook runs. Then it moves the
/// branch with a compare-and-swap and records the acknowledgement.
///
/// The branch stays linear: an import fast-forwards it. When this site has
/// commits the other has not received and the bundle does not build on
/// them, the import stops with ``BundleError/Code/diverged`` and changes
/// nothing: export those commits to the other site first, and import the
/// bundle it answers with. (Rebasing this site's commits onto the bundle is
/// not done yet; see `Documentation/Bundles.md`.)
public struct ExchangeBundle: Sendable {
    /// The result of ``export(for:site:)``.
    public struct Export: Sendable, Hashable {
        /// The bundle file's bytes.
        public var bytes: [UInt8]
        /// This site's name, which the bundle carries.
        public var site: String
        /// The branch's commit the bundle brings.
        public var tip: ObjectID
        /// The commit the receiver acknowledged, which the bundle builds on;
        /// `nil` when it holds the whole branch.
        public var base: ObjectID?
        /// How many commits of the branch the bundle brings.
        public var commits: Int
    }

    /// The result of ``importBundle(_:)``.
    public struct Import: Sendable, Hashable {
        /// The site that wrote the bundle.
        public var sender: String
        /// The branch's commit before the import; `nil` when the import created the exchange.
        public var old: ObjectID?
        /// The branch's commit after it: the bundle's tip.
        public var new: ObjectID
        /// How many commits of the sender the import added.
        public var commits: Int
        /// This site's commits written again on top of the sender's, when
        /// both sites had written since they last exchanged bundles; `nil`
        /// when the import was a fast-forward.
        public var rebase: Rebase?
        /// Whether `refs/giter/acks/<sender>` was moved; `false` when
        /// another import moved it meanwhile (the next export for the
        /// sender then holds a little more than it needs, nothing is lost).
        public var acknowledgementRecorded: Bool
    }

    /// The most bytes of a bundle a site reads: `giter bundle import` from
    /// a file, and an OCI follower from a registry's bundle layer. The
    /// whole bundle is held in memory while it is checked.
    public static let maximumSize = 512 << 20

    let transport: any Transport
    let signer: (any CommitSigner)?

    /// Bundles of the exchange `transport` reaches: its remote is this
    /// site's repository, its branch the exchange branch. `signer` signs the
    /// commits of this site that an import writes again (see
    /// ``importBundle(_:)``); give the key this site's commits are signed
    /// with when the policy requires signatures.
    public init(transport: any Transport, signer: (any CommitSigner)? = nil) {
        self.transport = transport
        self.signer = signer
    }

    /// The ref that records what `site` acknowledged: `refs/giter/acks/<site>`.
    public static func acknowledgementReference(for site: String) throws(BundleError) -> RemoteReferenceName {
        try checkSiteName(site)
        do {
            return try RemoteReferenceName(underGiter: "acks/" + site)
        } catch {
            throw BundleError(.invalidSite, error.message)
        }
    }

    /// The ref by which a bundle names its sending site: `refs/giter/sites/<site>`.
    public static func siteReference(for site: String) -> String { sitesPrefix + site }

    static let sitesPrefix = "refs/giter/sites/"
    static let acknowledgementPrefix = "refs/giter/acks/"
    static func siteValue() throws -> LocalValueName { try LocalValueName("bundles/site") }

    /// Whether `name` can name a site: 1 to 63 letters, digits, `.`, `_`
    /// or `-`, starting with a letter or digit (one component of a ref name).
    public static func checkSiteName(_ name: String) throws(BundleError) {
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), isAlphanumeric(bytes[0]),
            bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }),
            !name.hasSuffix("."), !name.hasSuffix(".lock"), !name.contains("..")
        else {
            throw BundleError(
                .invalidSite,
                "'\(name)' cannot name a site: use 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
    }

    /// The name this site gave itself in an earlier ``export(for:site:)``,
    /// kept in the mirror (``Transport/localValue(named:)``); `nil` before.
    public func siteName() async throws -> String? {
        guard let value = try await transport.localValue(named: Self.siteValue()) else { return nil }
        let name = String(decoding: value, as: UTF8.self)
        return (try? Self.checkSiteName(name)) == nil ? nil : name
    }

    /// A bundle of what `receiver` has not acknowledged yet, for this site
    /// (`site`, or the name it gave before; remembered once given).
    ///
    /// - Throws: ``BundleError`` with code `invalidSite` when no site name
    ///   is known or a name is unusable, `nothingToExport` when `receiver`
    ///   has everything or the branch does not exist; `TransportError`.
    public func export(for receiver: String, site: String? = nil) async throws -> Export {
        try Self.checkSiteName(receiver)
        let site = try await resolveSite(site)
        guard receiver != site else {
            throw BundleError(.invalidSite, "this site is '\(site)': a bundle is for another site")
        }
        let branch = transport.configuration.branch
        guard let tip = try await transport.fetch() else {
            throw BundleError(.nothingToExport, "the exchange branch \(branch) does not exist yet: there is nothing to send")
        }
        let acknowledged = try await transport.fetchReference(Self.acknowledgementReference(for: receiver))
        if acknowledged == tip {
            throw BundleError(
                .nothingToExport, "\(receiver) has acknowledged \(tip.short), the tip of \(branch): there is nothing to send")
        }
        var base: ObjectID?
        var chain = try await ExchangeLedger.chain(from: tip, to: acknowledged, reader: transport)
        if acknowledged != nil, chain != nil {
            base = acknowledged
        } else {
            // No acknowledgement, or one that is not on this branch: the whole branch.
            chain = try await ExchangeLedger.chain(from: tip, to: nil, reader: transport)
        }
        let pack = try await transport.packObjects(reachableFrom: tip, excluding: base)
        var prerequisites: [BundleFile.Prerequisite] = []
        if let base {
            let subject = try await transport.commits(from: base, excluding: nil, limit: 1).first?.message ?? ""
            prerequisites.append(BundleFile.Prerequisite(id: base, comment: subject))
        }
        let file = BundleFile(
            prerequisites: prerequisites,
            references: [
                BundleFile.Reference(id: tip, name: "refs/heads/\(branch)"),
                BundleFile.Reference(id: tip, name: Self.siteReference(for: site)),
            ],
            pack: pack)
        return Export(bytes: file.encoded(), site: site, tip: tip, base: base, commits: chain?.count ?? 0)
    }

    /// Checks the bundle `bytes` and, when everything holds, fast-forwards
    /// the exchange branch to its tip and records the sender's
    /// acknowledgement. Importing into a repository without the branch
    /// creates the exchange.
    ///
    /// - Throws: ``BundleError`` (nothing changed in the exchange), or
    ///   `TransportError` when the repository cannot be reached.
    public func importBundle(_ bytes: [UInt8]) async throws -> Import {
        try await complete(try await check(bytes))
    }

    /// A bundle that ``check(_:)`` accepted: its pack is in the mirror and
    /// every new commit passed the contract; the exchange has not changed.
    package struct CheckedImport: Sendable {
        /// The bundle's tip.
        package var tip: ObjectID
        /// The sending site.
        package var sender: String
        /// The branch's commit when the bundle was checked; ``complete(_:)`` moves it only from there.
        package var current: ObjectID?
        /// What the branch moves to: the tip, or this site's commits rebased on it.
        package var newTip: ObjectID
        var acknowledged: ObjectID?
        var commits: Int
        var rebase: Rebase?
    }

    /// The checks of ``importBundle(_:)``, without changing the exchange:
    /// the header, the prerequisites, the pack (stored in the mirror, which
    /// is a cache), the branch's linearity (rebasing this site's own
    /// commits when needed) and every new commit by the contract. A caller
    /// that checks more (the OCI mirror compares its layers) does so
    /// between this and ``complete(_:)``.
    package func check(_ bytes: [UInt8]) async throws -> CheckedImport {
        let file = try BundleFile(decoding: bytes)
        let branch = transport.configuration.branch
        let branchReference = "refs/heads/\(branch)"
        guard let tip = file.reference(named: branchReference) else {
            let names = file.references.map(\.name).joined(separator: ", ")
            throw BundleError(.malformed, "the bundle does not carry the exchange branch \(branch) (it carries \(names))")
        }
        let sender = try sendingSite(of: file, tip: tip)
        if let site = try await siteName(), site == sender {
            throw BundleError(.invalidSite, "the bundle was written by this site, '\(sender)': import it at another site")
        }
        let current = try await transport.fetch()
        try await checkPrerequisites(file, current: current, sender: sender)
        let acknowledgement = try Self.acknowledgementReference(for: sender)
        let acknowledged = try await transport.fetchReference(acknowledgement)
        try await refuseReplay(tip: tip, current: current, acknowledged: acknowledged, sender: sender)
        do {
            try await transport.storePack(file.pack)
        } catch let error as TransportError where error.code == .invalidArgument {
            throw BundleError(.corrupted, "the bundle from \(sender) is damaged: \(error.message); nothing was imported")
        }
        var newTip = tip
        var checkedFrom = current
        var rebase: Rebase?
        let chain: [CommitInfo]
        if let straight = try await ExchangeLedger.chain(from: tip, to: current, reader: transport) {
            chain = straight
        } else {
            guard let current, let (base, local) = try await localCommits(current: current, tip: tip) else {
                throw try await divergence(tip: tip, current: current, sender: sender)
            }
            chain = try await ExchangeLedger.chain(from: tip, to: base, reader: transport) ?? []
            let rebased = try await self.rebase(local, base: base, onto: tip, sender: sender, signer: signer)
            (newTip, rebase, checkedFrom) = (rebased.tip, rebased.rebase, base)
        }
        let guardian = PushGuard(reader: transport, branch: branch, pusher: nil)
        let violations = try await guardian.check([RefUpdate(old: checkedFrom, new: newTip, name: branchReference)])
        guard violations.isEmpty else {
            let listed = violations.prefix(5).map { "\n  \($0)" }.joined()
            throw BundleError(
                .contractViolation,
                "the bundle from \(sender)\(rebase == nil ? "" : ", with this site's commits rebased on it,") breaks "
                    + "the exchange's contract, so nothing was imported:\(listed)"
                    + (violations.count > 5 ? "\n  … and \(violations.count - 5) more" : ""),
                violations: violations)
        }
        return CheckedImport(
            tip: tip, sender: sender, current: current, newTip: newTip, acknowledged: acknowledged,
            commits: chain.count, rebase: rebase)
    }

    /// Moves the branch to what `checked` holds (a compare-and-swap from
    /// the commit it was checked against) and records the sender's
    /// acknowledgement.
    package func complete(_ checked: CheckedImport) async throws -> Import {
        let (tip, sender, current, newTip) = (checked.tip, checked.sender, checked.current, checked.newTip)
        let acknowledgement = try Self.acknowledgementReference(for: sender)
        switch try await transport.push(newTip, expecting: current) {
        case .pushed:
            break
        case .conflict(let message), .locked(let message):
            throw BundleError(.exchangeMoved, "the exchange moved while the bundle was being imported (\(message)); run the import again")
        case .rejected(let message):
            throw BundleError(.contractViolation, "the repository refused the bundle's commits: \(message)")
        }
        let recorded: Bool
        switch try await transport.pushReference(acknowledgement, to: tip, expecting: checked.acknowledged) {
        case .pushed: recorded = true
        default: recorded = false
        }
        return Import(
            sender: sender, old: current, new: newTip, commits: checked.commits, rebase: checked.rebase,
            acknowledgementRecorded: recorded)
    }

    private func resolveSite(_ given: String?) async throws -> String {
        if let given {
            try Self.checkSiteName(given)
            if try await siteName() != given {
                try await transport.storeLocalValue(Array(given.utf8), named: Self.siteValue())
            }
            return given
        }
        guard let known = try await siteName() else {
            throw BundleError(.invalidSite, "this site has no name yet: give it one with --site NAME on its first export")
        }
        return known
    }

    private func sendingSite(of file: BundleFile, tip: ObjectID) throws(BundleError) -> String {
        let sites = file.references.filter { $0.name.hasPrefix(Self.sitesPrefix) }
        guard sites.count == 1, let site = sites.first else {
            throw BundleError(
                .malformed,
                sites.isEmpty
                    ? "the bundle does not name its sending site (a ref \(Self.sitesPrefix)<site>): it was not written by giter bundle export"
                    : "the bundle names \(sites.count) sending sites; a Giter bundle names one")
        }
        let name = String(site.name.dropFirst(Self.sitesPrefix.count))
        try Self.checkSiteName(name)
        guard site.id == tip else {
            throw BundleError(.malformed, "the bundle's site ref \(site.name) and its branch point at different commits")
        }
        return name
    }

    private func checkPrerequisites(_ file: BundleFile, current: ObjectID?, sender: String) async throws {
        for prerequisite in file.prerequisites {
            let label = "\(prerequisite.id.short) (\(prerequisite.comment.isEmpty ? "no subject" : prerequisite.comment))"
            guard let current, try await transport.resolve(prerequisite.id.hex) != nil,
                try await ExchangeLedger.chain(from: current, to: prerequisite.id, reader: transport) != nil
            else {
                throw BundleError(
                    .missingPrerequisite,
                    "the bundle from \(sender) builds on \(label), which this site's branch does not hold: "
                        + "import the earlier bundles from \(sender) first, or ask it for a new export")
            }
        }
    }

    private func refuseReplay(tip: ObjectID, current: ObjectID?, acknowledged: ObjectID?, sender: String) async throws {
        let message = "this site already has \(tip.short), the tip of this bundle from \(sender): it was imported before "
            + "(or a newer one from \(sender) was); nothing was imported"
        // A tip this site's repository has never seen cannot have been imported before.
        guard try await transport.resolve(tip.hex) != nil else { return }
        for known in [acknowledged, current] {
            if let known, try await ExchangeLedger.chain(from: known, to: tip, reader: transport) != nil {
                throw BundleError(.replayed, message)
            }
        }
    }

    /// This site's commits the bundle does not hold (oldest first) and the
    /// commit both histories share; `nil` when the histories share no
    /// commit on their first-parent lines, or this site has more than
    /// ``rebaseLimit`` commits of its own.
    private func localCommits(current: ObjectID, tip: ObjectID) async throws -> (ObjectID, [CommitInfo])? {
        let local = try await transport.commits(from: current, excluding: tip, limit: Self.rebaseLimit + 1)
        guard local.count <= Self.rebaseLimit, let oldest = local.last, let base = oldest.parents.first,
            try await ExchangeLedger.chain(from: current, to: base, reader: transport)?.count == local.count,
            try await ExchangeLedger.chain(from: tip, to: base, reader: transport) != nil
        else { return nil }
        return (base, local.reversed())
    }

    private func divergence(tip: ObjectID, current: ObjectID?, sender: String) async throws -> BundleError {
        let ours = try await transport.commits(from: current ?? tip, excluding: tip, limit: 1000).count
        return BundleError(
            .diverged,
            "this site has \(ours == 1000 ? "1000 or more" : String(ours)) commit(s) of \(transport.configuration.branch) "
                + "that \(sender) has not received, and the bundle does not build on them; nothing was imported. "
                + "Export them for \(sender) first (giter bundle export --for \(sender)) and import the bundle it sends back")
    }
}
