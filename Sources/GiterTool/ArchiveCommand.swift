import ArgumentParser
import Giter

/// `giter archive KIND/NAME...`: moves resources under `archive/`.
struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Move completed resources under archive/.",
        discussion: """
            Moves each live resource named (KIND/NAME..., or KIND NAME...) from \
            resources/ to archive/, as the producer, in one commit per kind. \
            Consumers stop seeing an archived resource; 'giter get KIND \
            --archived', 'giter describe' and 'giter history' still find it. \
            Prints KIND/NAME archived for each.

            Exit status: 0 when every resource was archived, 1 when one does \
            not exist or the write failed, 64 for a usage error.

            Examples:
              giter archive Experiment/sort-1
              giter archive experiments sort-1 sieve-2 -n lab
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Argument(help: ArgumentHelp("KIND/NAME..., or KIND NAME...", valueName: "resources"))
    var resources: [String] = []

    func validate() throws { _ = try ResourceReference.parse(resources) }

    func run() async throws {
        try await ErrorReporting.run {
            try await RemovalRunner(exchange: exchange, arguments: resources, verb: "archived") { .archive($0) }.run()
        }
    }
}

/// Archives or deletes resources named on the command line, one commit per
/// kind, and prints what became of each.
struct RemovalRunner {
    let exchange: ExchangeOptions
    let arguments: [String]
    /// `archived` or `deleted`.
    let verb: String
    let write: (ResourceKey) -> ResourceWrite<DynamicResource>

    func run() async throws {
        let opened = try await Exchange.open(exchange)
        var failed: [String] = []
        for (typed, names) in ResourceReference.grouped(try ResourceReference.parse(arguments)) {
            var kind = try await opened.resolveKind(typed)
            let catalog = try await opened.catalog()
            if !catalog.contains(kind) { kind = try catalog.resolve(typed) }
            let store = opened.store(kind: kind)
            let keys = names.map { ResourceKey(namespace: opened.namespace, kind: kind, name: $0) }
            let outcomes = try await store.write(keys.map(write)).outcomes
            for (key, outcome) in zip(keys, outcomes) {
                switch outcome {
                case .archived, .deleted:
                    StandardOutput.write("\(key.kind)/\(key.name) \(verb)\n")
                case .notFound:
                    failed.append(Lookup.notFound(kind: key.kind, name: key.name, namespace: key.namespace).message)
                default:
                    failed.append("\(key.kind)/\(key.name) not \(verb): \(outcome)")
                }
            }
        }
        guard let last = failed.popLast() else { return }
        for message in failed { StandardError.write("error: \(ErrorReporting.oneLine(message))\n") }
        throw ToolError(last)
    }
}
