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
            which 'giter apply -f -' reads back. -o name prints KIND/NAME lines. \
            -o jsonpath=TEMPLATE prints a kubectl JSONPath template applied to \
            the same document ('{.spec.size}', '{range .items[*]}\
            {.metadata.name}{"\\n"}{end}'); a path that finds nothing prints \
            nothing. -o custom-columns=HEADER:PATH,... prints a table with a \
            column per JSONPath, applied to each resource; '<none>' where a \
            path finds nothing.

            -l takes kubectl's selectors, separated by commas: key=value, \
            key!=value, key (the label exists), !key (it does not), key in \
            (v1,v2) and key notin (v1,v2) (also true when the label is absent).

            -w (--watch) lists, then looks at the remote every --interval and \
            prints each resource that was added, changed or deleted since, \
            until stopped (Ctrl-C, SIGTERM): a table row (the header once), \
            or the resource as a YAML document after '---', one JSON line, \
            a KIND/NAME line or the template, applied to the resource alone. \
            A deleted or archived resource is printed as it last was; \
            --output-watch-events adds an EVENT column (ADDED, MODIFIED, \
            DELETED), or wraps each document as {type, object}. A file that \
            cannot be read is reported on standard error, and watched on.

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
              giter get experiments -l 'suite in (nightly,weekly),!pinned'
              giter get experiments -o jsonpath='{.items[*].metadata.name}'
              giter get experiments -o custom-columns=NAME:.metadata.name,SIZE:.spec.size
              giter get experiments -w
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Argument(help: ArgumentHelp("KIND, then optional NAMEs; or KIND/NAME...", valueName: "kind-and-names"))
    var arguments: [String] = []

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List resources of every namespace.")
    var allNamespaces = false

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp(
            "The output: wide, yaml, json, name, jsonpath=TEMPLATE or custom-columns=HEADER:PATH,....",
            valueName: "format"
        ),
        completion: .list(PrintFormat.names)
    )
    var output: String?

    @Option(
        name: [.customShort("l"), .long],
        help: ArgumentHelp(
            "Only resources whose labels match, e.g. app=web,tier!=cache,'env in (prod,staging)'.",
            valueName: "selector"
        )
    )
    var selector: String?

    @Flag(name: .long, help: "List archived resources instead of live ones.")
    var archived = false

    // Watching (GetCommand+Watch.swift).

    @Flag(name: [.customShort("w"), .long], help: "After listing, print each resource that changes, until stopped.")
    var watch = false

    @Flag(name: .long, help: "Print only the changes, not the first listing (implies --watch).")
    var watchOnly = false

    @Flag(name: .long, help: "With --watch, print the kind of each change: ADDED, MODIFIED or DELETED.")
    var outputWatchEvents = false

    @Option(name: .long, help: ArgumentHelp("With --watch, how often to look at the remote.", valueName: "duration"))
    var interval = DurationArgument(.seconds(2), text: "2s")

    func validate() throws {
        guard !arguments.isEmpty else {
            throw ValidationError("give the KIND to list, for example 'giter get experiments'")
        }
        if let output {
            do {
                _ = try PrintFormat.parse(output)
            } catch let error as ToolError {
                throw ValidationError(error.message)
            }
        }
        if (watch || watchOnly) && archived {
            throw ValidationError("--watch follows live resources; drop --archived")
        }
        if outputWatchEvents && !(watch || watchOnly) {
            throw ValidationError("--output-watch-events goes with --watch")
        }
        if interval.duration <= .zero { throw ValidationError("--interval must be more than 0") }
    }

    /// The output format `-o` names; `nil` for the table.
    var format: PrintFormat? {
        get throws { try output.map(PrintFormat.parse) }
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
            let watching = watch || watchOnly
            if watching {
                if !watchOnly { try printWatched(resources.map { (nil, $0) }, header: true) }
            } else {
                try print(resources, single: names.count == 1 && resources.count == 1)
            }
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
            if watching {
                // Reported, and watched for: a file may be mended, a resource created.
                for message in failures { StandardError.write("error: \(ErrorReporting.oneLine(message))\n") }
                try await watchChanges(
                    of: kind, in: opened, query: query, names: names, from: resources,
                    reported: Set(unreadable.map(\.key)), header: watchOnly)
                return
            }
            guard let last = failures.popLast() else { return }
            for message in failures { StandardError.write("error: \(ErrorReporting.oneLine(message))\n") }
            throw ToolError(last)
        }
    }

    private func print(_ resources: [StoredResource<DynamicResource>], single: Bool) throws {
        let printer = ResourcePrinter(showNamespace: allNamespaces)
        let format = try self.format
        switch format {
        case nil, .wide:
            guard !resources.isEmpty else { return }
            if case .wide = format {
                StandardOutput.write(printer.table(resources, wide: true))
            } else {
                StandardOutput.write(printer.table(resources, wide: false))
            }
        case .yaml, .json:
            StandardOutput.write(try printer.documents(resources, single: single, format: format ?? .yaml))
        case .name:
            StandardOutput.write(printer.names(resources))
        case .jsonPath(let template):
            StandardOutput.write(template.render(try printer.node(resources, single: single)))
        case .customColumns(let columns):
            guard !resources.isEmpty else { return }
            StandardOutput.write(ResourcePrinter.format(try printer.rows(resources, columns: columns)))
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
