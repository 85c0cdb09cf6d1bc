import Giter

/// The exchange branch's history judged by its contract, the way readers
/// and the server's guard judge it: ``ExchangeLedger`` over the
/// first-parent chain, each commit against the contract in force at its
/// parent. `giter verify` prints the result; `giter history` and
/// `giter describe` use it to say which party wrote a change and whether
/// readers ignore it.
struct ContractAudit {
    /// What the walk found about one commit.
    struct Verdict {
        /// Who wrote the commit: the names of the author's parties under a
        /// policy, the role of an open exchange, `-` for neither.
        var writer: String
        /// Whether the commit was judged with no policy in force.
        var open: Bool
        /// Its violations; empty when its changes are in force.
        var violations: [ContractViolation]
        /// Who signed it, by the contract in force at its parent; `nil` when that contract cannot be read.
        var signature: SignatureVerdict?
    }

    /// The commits judged, oldest first (the trusted first commit excluded).
    private(set) var commits: [CommitInfo] = []
    /// Each judged commit's verdict.
    private(set) var verdicts: [ObjectID: Verdict] = [:]
    /// What the definitions in force declare that Giter does not enforce, once each, in order found.
    private(set) var notEnforced: [String] = []
    /// Whether the contract in force after the last commit has no policy.
    private(set) var openAtEnd = true

    /// Every violation, in commit order.
    var violations: [ContractViolation] { commits.flatMap { verdicts[$0.id]?.violations ?? [] } }

    /// How many judged commits had no policy in force.
    var openCommits: Int { commits.filter { verdicts[$0.id]?.open == true }.count }

    /// Judges `chain` (a first-parent chain, oldest first) starting from the
    /// trusted commit `start`, the parent of `chain`'s first commit.
    ///
    /// - Throws: when an object cannot be read: a check that cannot read
    ///   cannot decide, and nothing is reported as verified.
    init(reader: any RepositoryReader, start: ObjectID, chain: some Collection<CommitInfo>) async throws {
        try await self.init(
            ledger: ExchangeLedger(reader: reader, state: ExchangeLedger.State(commit: start)),
            chain: chain
        )
    }

    /// Judges the whole branch from its first commit, `root`, as readers do
    /// (``ExchangeLedger/starting(at:reader:roles:push:)``): a root holding a
    /// policy is trusted as it stands; an open exchange's root is judged too,
    /// and listed among the commits when it violates the rules.
    init(reader: any RepositoryReader, root: CommitInfo, chain: some Collection<CommitInfo>) async throws {
        let (ledger, violations) = try await ExchangeLedger.starting(at: root, reader: reader)
        try await self.init(ledger: ledger, chain: chain)
        if !violations.isEmpty {
            commits.insert(root, at: 0)
            verdicts[root.id] = Verdict(
                writer: RoleAssignments.open.role(of: root)?.rawValue ?? "-",
                open: true,
                violations: violations,
                signature: nil
            )
        }
    }

    private init(ledger start: ExchangeLedger, chain: some Collection<CommitInfo>) async throws {
        var ledger = start
        var seen: Set<String> = []
        for commit in chain {
            let contract = try await ledger.contract()
            var writer = "-"
            var open = false
            if case .success(let inForce) = contract {
                for feature in inForce.notEnforced where seen.insert(feature).inserted { notEnforced.append(feature) }
                if let policy = inForce.policy {
                    let names = policy.parties(of: commit.author.email).map(\.name)
                    if !names.isEmpty { writer = names.joined(separator: ",") }
                } else {
                    open = true
                    writer = inForce.roles.role(of: commit)?.rawValue ?? "-"
                }
            }
            let signature = try await ledger.signatureVerdict(of: commit)
            let violations = try await ledger.advance(over: commit, verdict: signature)
            commits.append(commit)
            verdicts[commit.id] = Verdict(writer: writer, open: open, violations: violations, signature: signature)
        }
        if case .success(let contract) = try await ledger.contract() {
            openAtEnd = contract.policy == nil
            for feature in contract.notEnforced where seen.insert(feature).inserted { notEnforced.append(feature) }
        } else {
            openAtEnd = false
        }
    }

    /// The whole branch up to `tip`, trusting its first commit.
    ///
    /// - Throws: ``ToolError`` when the first-parent chain cannot be walked.
    static func branch(reader: any RepositoryReader, tip: ObjectID) async throws -> ContractAudit {
        guard let chain = try await ExchangeLedger.chain(from: tip, to: nil, reader: reader), let root = chain.first
        else {
            throw ToolError(
                "cannot walk the history of \(tip.hex): a commit of its first-parent chain is missing; fetch again"
            )
        }
        return try await ContractAudit(reader: reader, root: root, chain: chain.dropFirst())
    }
}
