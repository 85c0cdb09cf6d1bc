import ArgumentParser
import Foundation
import Giter

/// `giter describe KIND/NAME`: one resource in detail.
struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show a resource in detail: spec, status, conditions and recent history.",
        discussion: """
            Prints the resource's metadata, its spec, the status fields the \
            consumer wrote, its conditions and the last commits that changed \
            it, with the party that wrote each and whether it violates the \
            contract (see 'giter history'). A resource that was archived is \
            described from the archive.

            A resource a pipeline stage produced (giter.dev/source-* \
            annotations) gets an Upstream section: each source resource, its \
            generation, spec digest, commit and repository, and whether the \
            spec at that commit still has that digest. Sources in a local \
            repository (when --remote is local) or on the host of --remote \
            are followed, each fetched into its own mirror, for at most 8 \
            hops; a loop, a bad annotation or an unreachable repository ends \
            the chain with a line saying so.

            Exit status: 0 on success, 1 when the resource or the kind does \
            not exist, the resource's file cannot be read (the error names the \
            file, line and column), or the exchange cannot be read, 64 for a \
            usage error.

            Examples:
              giter describe Experiment/sort-1
              giter describe experiments sort-1 -n lab
              giter describe Experiment/sort-1 --history 10
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Argument(help: ArgumentHelp("The resource: KIND/NAME or KIND NAME.", valueName: "resource"))
    var resource: [String] = []

    @Option(name: .long, help: ArgumentHelp("How many recent commits to show.", valueName: "count"))
    var history: Int = 5

    func validate() throws {
        guard try ResourceReference.parse(resource).count == 1 else {
            throw ValidationError("give one resource, KIND/NAME")
        }
        guard history >= 0 else { throw ValidationError("--history must not be negative") }
    }

    func run() async throws {
        try await ErrorReporting.run {
            guard let reference = try ResourceReference.parse(resource).first else { return }
            let opened = try await Exchange.open(exchange)
            let lookup = try await opened.lookup(typed: reference.typedKind, names: [reference.name])
            try lookup.requireReadable([reference.name], namespace: opened.namespace)
            var found = lookup.found[reference.name]
            if found == nil {
                let archived = try await lookup.store.list(ResourceQuery(namespace: opened.namespace, archived: true))
                found = archived.first { $0.resource.metadata.name == reference.name }
            }
            let archivedUnreadable = opened.unreadable.errors(
                kind: lookup.kind,
                namespace: opened.namespace,
                archived: true
            )
            if found == nil, let bad = archivedUnreadable.first(where: { $0.key.name == reference.name }) {
                throw ToolError(UnreadableFiles.message(bad.key, bad.error, archived: true))
            }
            guard let found else {
                throw Lookup.notFound(kind: lookup.kind, name: reference.name, namespace: opened.namespace)
            }
            var text = Self.details(found, now: Date())
            text += await UpstreamChain(exchange: opened, options: exchange).section(
                for: found.resource.metadata.annotations ?? [:])
            if history > 0 {
                let tip = try await opened.tip()
                let audit = try await ContractAudit.branch(reader: opened.transport, tip: tip)
                let trail = ResourceHistory(transport: opened.transport, key: found.key, audit: audit)
                let entries = try await trail.entries(from: tip, limit: history)
                text += "History:\n" + Self.indent(HistoryCommand.table(entries, wide: false))
            }
            StandardOutput.write(text)
        }
    }

    /// Everything but the history.
    static func details(_ stored: StoredResource<DynamicResource>, now: Date) -> String {
        let resource = stored.resource
        let metadata = resource.metadata
        var fields: [(String, String)] = [
            ("Name", metadata.name),
            ("Namespace", stored.key.namespace),
            ("Kind", resource.kind),
            ("API Version", resource.apiVersion),
            ("Labels", pairs(metadata.labels)),
            ("Annotations", pairs(metadata.annotations?.mapValues(hidingCredential))),
            ("UID", metadata.uid ?? "<none>"),
        ]
        if let created = metadata.creationTimestamp {
            fields.append(
                (
                    "Created",
                    "\(RFC3339.string(from: created) ?? "-") (\(ResourcePrinter.age(from: created, to: now)) ago)"
                )
            )
        }
        fields.append(("Generation", metadata.generation.map(String.init) ?? "<none>"))
        var observed = resource.status?.observedGeneration.map(String.init) ?? "<none>"
        if resource.status != nil {
            observed += stored.isStatusCurrent ? " (the status is current)" : " (the status describes an older spec)"
        }
        fields.append(("Observed", observed))
        if stored.isArchived { fields.append(("Archived", "yes")) }
        let width = (fields.map(\.0.count).max() ?? 0) + 2
        func line(_ name: String, _ value: String) -> String {
            name + ":" + String(repeating: " ", count: max(1, width - name.count - 1)) + value + "\n"
        }
        var text = ""
        for (name, value) in fields { text += line(name, value) }
        text += "Spec:\n" + indent(YAMLWriter().write(resource.spec))
        if let status = resource.status, !status.fields.isEmpty {
            text += "Status:\n" + indent(YAMLWriter().write(.mapping(status.fields)))
        } else {
            text += line("Status", "<none>")
        }
        let conditions = resource.status?.conditions ?? []
        if conditions.isEmpty {
            text += line("Conditions", "<none>")
        } else {
            var rows = [["TYPE", "STATUS", "REASON", "AGE", "MESSAGE"]]
            for condition in conditions {
                rows.append([
                    condition.type, condition.status.rawValue, condition.reason.isEmpty ? "-" : condition.reason,
                    condition.hasTransitionTime
                        ? ResourcePrinter.age(from: condition.lastTransitionTime, to: now) : "-",
                    ErrorReporting.oneLine(condition.message),
                ])
            }
            text += "Conditions:\n" + indent(ResourcePrinter.format(rows))
        }
        return text
    }

    /// `value` with the `user:password@` of a URL in it masked (a
    /// provenance annotation naming its repository that way, say).
    static func hidingCredential(_ value: String) -> String {
        Provenance.holdsCredential(value) ? SecretRedaction(environment: [:]).redact(value) : value
    }

    /// `key=value,…` sorted, or `<none>`.
    static func pairs(_ map: [String: String]?) -> String {
        guard let map, !map.isEmpty else { return "<none>" }
        return map.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// Every line of `text` indented by two spaces.
    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0.isEmpty ? "\n" : "  \($0)\n" }
            .joined()
    }
}
