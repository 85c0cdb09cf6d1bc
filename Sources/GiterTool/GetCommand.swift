import ArgumentParser
import Giter

/// `giter get KIND [NAME...]`: lists resources with their status.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "List resources of a kind, or show some by name.",
        discussion: """
            KIND is the kind as written in the resources (Experiment), in any \
            case, or its lowercase plural (experiments). Resources can also be \
            named as KIND/NAME.

            The table has the columns NAME, GENERATION (the spec's \
            metadata.generation), OBSERVED (the generation the consumer last \
            reported on, status.observedGeneration), READY (the status of the \
            Ready condition) and AGE; NAMESPACE comes first with -A, and -o wide \
            adds the Ready condition's REASON and MESSAGE. The status is \
            current when OBSERVED equals GENERATION.

            -o yaml and -o json print the resource, or a 'kind: List' of them, \
            which 'giter apply -f -' reads back. -o name prints KIND/NAME lines.

            A resource whose file cannot be read (it does not parse, or is not \
            YAML at all) is reported on standard error with the file, line and \
            column and what to do, whatever -l says (its labels cannot be \
            read); the other resources are still printed.

            Exit status: 0 on success (also when no resource matches: a note \
            goes to standard error), 1 when a named resource or the kind does \
            not exist, a resource's file cannot be read, or the exchange \
            cannot be read, 64 for a usage error.

            Examples:
              giter get experiments
              giter get Experiment sort-1 -o yaml
              giter get experiments -A -o wide
              giter get experiments -l suite=nightly -o name
              giter get experiments --archived
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Argument(help: ArgumentHelp("KIND, then optional NAMEs; or KIND/NAME...", valueName: "kind-and-names"))
    var arguments: [String] = []

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List resources of every namespace.")
    var allNamespaces = false

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("The output: wide, yaml, json or name.", valueName: "format")
    )
    var output: PrintFormat?

    @Option(
        name: [.customShort("l"), .long],
        help: ArgumentHelp("Only resources whose labels match, e.g. app=web,tier!=cache.", valueName: "selector")
    )
    var selector: String?

    @Flag(name: .long, help: "List archived resources instead of live ones.")
    var archived = false

    func validate() throws {
        guard !arguments.isEmpty else {
            throw ValidationError("give the KIND to list, for example 'giter get experiments'")
        }
    }

    func run() async throws {
        try await ErrorReporting.run {
            let (typed, names) = try Self.kindAndNames(arguments)
            if allNamespaces && !names.isEmpty {
                throw ToolError.usage("a resource cannot be named across all namespaces: drop -A or the names")
            }
            let labels: LabelSelector
            do {
                labels = try LabelSelector(parsing: selector ?? "")
            } catch {
                throw ToolError.usage("\(error)")
            }
            let opened = try await Exchange.open(exchange)
            let query = ResourceQuery(
                namespace: allNamespaces ? nil : opened.namespace,
                labelSelector: labels,
                archived: archived
            )
            var kind: String
            var resources: [StoredResource<DynamicResource>]
            var missing: [String] = []
            if !names.isEmpty && !archived {
                // By name: each file read by its path, whatever the size of the exchange.
                let lookup = try await opened.lookup(typed: typed, names: names)
                kind = lookup.kind
                for error in lookup.unreadable.values { opened.unreadable.record(.invalidResource(error)) }
                resources = []
                var seen = Set<String>()
                for name in names where seen.insert(name).inserted {
                    if let stored = lookup.found[name], labels.matches(stored.resource.metadata.labels ?? [:]) {
                        resources.append(stored)
                    } else {
                        missing.append(name)
                    }
                }
            } else {
                kind = try await opened.resolveKind(typed)
                while true {
                    let store = try await opened.refreshedStore(kind: kind)
                    resources = try await store.list(query)
                    if !names.isEmpty { resources = resources.filter { names.contains($0.resource.metadata.name) } }
                    let wanted = names.isEmpty ? 1 : Set(names).count
                    if resources.count < wanted, let other = try await opened.kindAfterMiss(typed: typed, kind: kind) {
                        kind = other
                        continue
                    }
                    break
                }
            }
            if !names.isEmpty && archived {
                // In the order asked, each once.
                var byName: [String: StoredResource<DynamicResource>] = [:]
                for stored in resources { byName[stored.resource.metadata.name] = stored }
                var ordered: [StoredResource<DynamicResource>] = []
                var seen = Set<String>()
                for name in names where seen.insert(name).inserted {
                    if let stored = byName[name] { ordered.append(stored) } else { missing.append(name) }
                }
                resources = ordered
            }
            try print(resources, single: names.count == 1 && resources.count == 1)
            // Files that cannot be read: each reported with its error, after the good resources.
            let scope = allNamespaces ? nil : opened.namespace
            let unreadable = opened.unreadable.errors(kind: kind, namespace: scope, archived: archived)
                .filter { names.isEmpty || names.contains($0.key.name) }
            var failures = unreadable.map { UnreadableFiles.message($0.key, $0.error, archived: archived) }
            let unreadableNames = Set(unreadable.map(\.key.name))
            missing.removeAll { unreadableNames.contains($0) }
            if resources.isEmpty && names.isEmpty && unreadable.isEmpty {
                let what = archived ? "No archived \(kind) resources found" : "No \(kind) resources found"
                StandardError.write("\(what) \(opened.scope(allNamespaces: allNamespaces)).\n")
            }
            for name in missing {
                failures.append(
                    Lookup.notFound(kind: kind, name: name, namespace: opened.namespace, archived: archived).message
                )
            }
            guard let last = failures.popLast() else { return }
            for message in failures { StandardError.write("error: \(ErrorReporting.oneLine(message))\n") }
            throw ToolError(last)
        }
    }

    private func print(_ resources: [StoredResource<DynamicResource>], single: Bool) throws {
        let printer = ResourcePrinter(showNamespace: allNamespaces)
        switch output {
        case nil, .wide:
            guard !resources.isEmpty else { return }
            StandardOutput.write(printer.table(resources, wide: output == .wide))
        case .yaml, .json:
            StandardOutput.write(try printer.documents(resources, single: single, format: output ?? .yaml))
        case .name:
            StandardOutput.write(printer.names(resources))
        }
    }

    /// `KIND NAME...` or `KIND/NAME...` as the kind and the names.
    static func kindAndNames(_ arguments: [String]) throws -> (String, [String]) {
        guard let first = arguments.first else { throw ToolError.usage("give the KIND to list") }
        if first.contains("/") {
            let references = try ResourceReference.parse(arguments)
            let kinds = Set(references.map(\.typedKind))
            guard kinds.count == 1 else { throw ToolError.usage("name resources of one kind at a time") }
            return (first.split(separator: "/")[0].description, references.map(\.name))
        }
        return (first, Array(arguments.dropFirst()))
    }
}
