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
            count. Prints KIND/NAME condition met for each.

            Exit status: 0 when the condition holds for every resource; 1 when \
            the timeout passed (the message names the resources still \
            waited for), a resource does not exist or disappeared, or the \
            consumer reported a terminal failure (Stalled=True); 64 for a \
            usage error.

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
                guard !listed.isEmpty else {
                    throw ToolError("no \(kind) resources to wait for in namespace \"\(opened.namespace)\"")
                }
                keys.append((kind, listed.map(\.key), store))
            } else {
                for (typed, names) in ResourceReference.grouped(try ResourceReference.parse(resources)) {
                    let lookup = try await opened.lookup(typed: typed, names: names)
                    if let missing = names.first(where: { lookup.found[$0] == nil }) {
                        throw Lookup.notFound(kind: lookup.kind, name: missing, namespace: opened.namespace)
                    }
                    keys.append((lookup.kind, names.map { lookup.key($0, namespace: opened.namespace) }, lookup.store))
                }
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
                } catch let error as ProducerError where error.code == .timedOut {
                    var waiting: [String] = []
                    for key in group.keys {
                        let stored = try await group.store.get(key)
                        if stored.map({ $0.isStatusCurrent && $0.resource.status?.isTrue(condition.type) == true })
                            != true
                        {
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
}
