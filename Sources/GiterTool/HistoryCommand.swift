import ArgumentParser
import Giter

/// `giter history KIND/NAME`: the audit trail of a resource.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show who changed a resource, and what, from Git history.",
        discussion: """
            Lists, oldest first, the commits that changed the resource's file \
            (live or archived): the commit, its time (UTC), its author, the \
            party that wrote it (the author's parties under the policy in \
            force at the commit's parent; in an open exchange, the role its \
            Giter-Role trailer states; - for neither), who signed it (the \
            member whose key the policy lists and the key's fingerprint, \
            unsigned, or why the signature does not count), and what changed: \
            created, spec (with the new generation), metadata, status (with \
            observedGeneration and the Ready condition), archived, deleted. \
            A commit that violates the contract is marked with its rule, as \
            'giter verify' reports it: readers ignore all of its changes.

            The resource may have been deleted: its history stays in Git. \
            Write the kind exactly (Experiment) for a kind the repository no \
            longer holds.

            Exit status: 0 on success, 1 when the resource has no history or \
            the exchange cannot be read, 64 for a usage error.

            Examples:
              giter history Experiment/sort-1
              giter history experiments sort-1 --limit 5
              giter history Experiment/sort-1 -n lab
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Argument(help: ArgumentHelp("The resource: KIND/NAME or KIND NAME.", valueName: "resource"))
    var resource: [String] = []

    @Option(name: .long, help: ArgumentHelp("Show only the most recent commits.", valueName: "count"))
    var limit: Int?

    func validate() throws {
        let references = try ResourceReference.parse(resource)
        guard references.count == 1 else { throw ValidationError("give one resource, KIND/NAME") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        try await ErrorReporting.run {
            guard let reference = try ResourceReference.parse(resource).first else { return }
            let opened = try await Exchange.open(exchange)
            // The trail and the verdicts are as of the remote's tip now, not the mirror's last fetch.
            guard let tip = try await opened.transport.fetch() else { throw opened.noBranch() }
            var kind = try await opened.resolveKind(reference.typedKind)
            let audit = try await ContractAudit.branch(reader: opened.transport, tip: tip)
            var entries: [HistoryEntry] = []
            while true {
                let key = ResourceKey(namespace: opened.namespace, kind: kind, name: reference.name)
                entries = try await ResourceHistory(transport: opened.transport, key: key, audit: audit).entries(
                    from: tip,
                    limit: limit
                )
                if entries.isEmpty, let other = try await opened.kindAfterMiss(typed: reference.typedKind, kind: kind) {
                    kind = other
                    continue
                }
                break
            }
            guard !entries.isEmpty else {
                throw ToolError(
                    "no history for \(kind) \"\(reference.name)\" in namespace \"\(opened.namespace)\": "
                        + "no commit ever wrote it; check the name and -n"
                )
            }
            StandardOutput.write(Self.table(entries, wide: false))
        }
    }

    /// The trail as a table: COMMIT, TIME, AUTHOR, PARTY, SIGNER, CHANGE.
    static func table(_ entries: [HistoryEntry], wide: Bool) -> String {
        var rows = [["COMMIT", "TIME", "AUTHOR", "PARTY", "SIGNER", "CHANGE"]]
        for entry in entries {
            rows.append([
                String(entry.commit.id.hex.prefix(wide ? 40 : 12)),
                RFC3339.string(from: entry.commit.author.date) ?? "-",
                entry.commit.author.description,
                entry.party,
                entry.signer,
                entry.change,
            ])
        }
        return ResourcePrinter.format(rows)
    }
}
