import ArgumentParser
import Giter

/// `giter wait KIND/NAME... --for=condition=Ready`: waits for the consumer.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until resources' status reports a condition.",
        discussion: """
            Waits until the consumer reports the condition as True for the \
            current spec of every resource named (KIND/NAME..., or KIND \
            NAME...), or of every live resource of a kind in the namespace \
            with --all. A status that describes an older generation does not \
            count, nor does one that says Reconciling=True (work still under \
            way, kstatus' InProgress). Prints KIND/NAME condition met for each.

            A resource whose file cannot be read (it does not parse, or is not \
            YAML at all) can get no status: the command does not wait, but \
            reports it at once with the file, line and column and what to do, \
            after printing the other resources whose condition already holds.

            Exit status: 0 when the condition holds for every resource; 1 when \
            the timeout passed (the message names the resources still \
            waited for), a resource does not exist or disappeared, its file \
            cannot be read, or the consumer reported a terminal failure \
            (Stalled=True); 64 for a usage error.

            Examples:
              giter wait Experiment/sort-1 --for=condition=Ready
              giter wait experiments sort-1 sieve-2 --timeout=5m
              giter wait --all experiments --for=condition=Ready --timeout=120s
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Argument(help: ArgumentHelp("KIND/NAME..., KIND NAME..., or KIND with --all.", valueName: "resources"))
    var resources: [String] = []

    @Flag(name: .long, help: "Wait for every live resource of the kind in the namespace.")
    var all = false

    @Option(name: .customLong("for"), help: ArgumentHelp("The condition: condition=TYPE.", valueName: "condition"))
    var condition = WaitCondition(type: "Ready")

    @Option(name: .long, help: ArgumentHelp("How long to wait: 60s, 500ms, 5m, 1h.", valueName: "duration"))
    var timeout = DurationArgument(.seconds(60), text: "60s")

    @Option(name: .long, help: ArgumentHelp("How often to look at the remote.", valueName: "duration"))
    var interval = DurationArgument(.milliseconds(500), text: "500ms")

    func validate() throws {
        if all {
            guard resources.count == 1, !resources[0].contains("/") else {
                throw ValidationError("with --all, give only the KIND, for example 'giter wait --all experiments'")
            }
        } else {
            _ = try ResourceReference.parse(resources)
        }
    }

    func run() async throws {
        try await ErrorReporting.run {
            let opened = try await Exchange.open(exchange)
            var keys: [(kind: String, keys: [ResourceKey], store: GitResourceStore<DynamicResource>)] = []
            // Resources whose file cannot be read: no status can come for them.
            var unreadable: [(key: ResourceKey, error: StoreError)] = []
            if all {
                let typed = resources[0]
                var kind = try await opened.resolveKind(typed)
                var listed: [StoredResource<DynamicResource>]
                var store: GitResourceStore<DynamicResource>
                while true {
                    store = try await opened.refreshedStore(kind: kind)
                    listed = try await store.list(ResourceQuery(namespace: opened.namespace))
                    if listed.isEmpty, let other = try await opened.kindAfterMiss(typed: typed, kind: kind) {
                        kind = other
                        continue
                    }
                    break
                }
                unreadable += opened.unreadable.errors(kind: kind, namespace: opened.namespace)
                guard !listed.isEmpty || !unreadable.isEmpty else {
                    throw ToolError("no \(kind) resources to wait for in namespace \"\(opened.namespace)\"")
                }
                keys.append((kind, listed.map(\.key), store))
            } else {
                for (typed, names) in ResourceReference.grouped(try ResourceReference.parse(resources)) {
                    let lookup = try await opened.lookup(typed: typed, names: names)
                    if let missing = names.first(where: { lookup.found[$0] == nil && lookup.unreadable[$0] == nil }) {
                        throw Lookup.notFound(kind: lookup.kind, name: missing, namespace: opened.namespace)
                    }
                    let readable = names.filter { lookup.unreadable[$0] == nil }
                    for name in names {
                        if let error = lookup.unreadable[name] {
                            unreadable.append((lookup.key(name, namespace: opened.namespace), error))
                        }
                    }
                    keys.append(
                        (lookup.kind, readable.map { lookup.key($0, namespace: opened.namespace) }, lookup.store)
                    )
                }
            }
            if !unreadable.isEmpty {
                try await failUnreadable(unreadable, keys.map { ($0.keys, $0.store) })
            }
            let deadline = ContinuousClock.now + timeout.duration
            for group in keys {
                let remaining = max(.zero, deadline - ContinuousClock.now)
                do {
                    let done = try await Producer(store: group.store).waitAll(
                        for: group.keys,
                        until: condition.type,
                        timeout: remaining,
                        pollInterval: interval.duration
                    )
                    for stored in done {
                        StandardOutput.write("\(stored.resource.kind)/\(stored.resource.metadata.name) condition met\n")
                    }
                } catch let error as ProducerError where error.code == .unreadable {
                    guard let key = error.key, let cause = error.cause else { throw error }
                    throw ToolError(UnreadableFiles.message(key, cause))
                } catch let error as ProducerError where error.code == .timedOut {
                    var waiting: [String] = []
                    for key in group.keys {
                        let stored = try await group.store.get(key)
                        if stored?.conditionHolds(condition.type) != true {
                            waiting.append("\(key.kind)/\(key.name)")
                        }
                    }
                    let shown =
                        waiting.prefix(5).joined(separator: ", ")
                        + (waiting.count > 5 ? " and \(waiting.count - 5) more" : "")
                    throw ToolError(
                        "timed out after \(timeout) waiting for \(condition.type) on \(shown) "
                            + "in namespace \"\(opened.namespace)\"; "
                            + "check the consumer with 'giter describe', or wait longer with --timeout"
                    )
                }
            }
        }
    }

    /// Fails at once for resources whose file cannot be read — no status can
    /// come for them — after one look at the others: those whose condition
    /// already holds are printed as met.
    private func failUnreadable(
        _ unreadable: [(key: ResourceKey, error: StoreError)],
        _ groups: [([ResourceKey], GitResourceStore<DynamicResource>)]
    ) async throws {
        for (keys, store) in groups {
            for key in keys {
                guard let stored = try? await store.get(key), stored.conditionHolds(condition.type) else { continue }
                StandardOutput.write("\(stored.resource.kind)/\(stored.resource.metadata.name) condition met\n")
            }
        }
        var messages = unreadable.map { UnreadableFiles.message($0.key, $0.error) }
        let last = messages.removeLast()
        for message in messages { StandardError.write("error: \(ErrorReporting.oneLine(message))\n") }
        throw ToolError(last)
    }
}
