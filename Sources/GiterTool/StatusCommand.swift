import ArgumentParser
import Giter

/// `giter status`: the consumer's writes of resources' status.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Write resources' status (the consumer side).",
        subcommands: [StatusSetCommand.self]
    )
}

/// `giter status set KIND/NAME --set PATH=VALUE --condition TYPE=STATUS...`.
struct StatusSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Write fields and conditions of one resource's status, as its consumer.",
        discussion: """
            Writes the status of KIND/NAME and nothing else: the status is \
            spliced into the file, every other byte the producer wrote stays. \
            The status gets what Giter's consumers write: observedGeneration \
            and observedSpecDigest of the current spec. Other fields of the \
            status stay as they are.

            --set PATH=VALUE sets a field by a dot path inside status (phase, \
            result.count); VALUE is one YAML value: 3 is a number, '"3"' a \
            string, [a, b] a list, {k: v} a mapping, null a null. \
            observedGeneration, observedSpecDigest and conditions are \
            written by giter itself.

            --condition TYPE=STATUS[:REASON[:MESSAGE]] sets a condition \
            (STATUS: True, False or Unknown; REASON defaults to Manual) for \
            the current generation; its lastTransitionTime changes only when \
            its status flips, as Kubernetes' setCondition does.

            --expect-generation N refuses to write when the spec is no longer \
            at generation N: a status for a spec that moved on would claim \
            work that was not done. A spec that changes while the status is \
            written is refused the same way.

            The command writes as the consumer (see --role; under a policy, \
            the identity's party decides when --role is not given).

            Exit status: 0 when the status was written or was already so; 1 \
            when the resource does not exist or cannot be read, the spec moved \
            on, or the write was refused; 64 for a usage error.

            Examples:
              giter status set Experiment/sort-1 --condition Ready=True:Completed
              giter status set Experiment/sort-1 --set phase=Running --set result.count=3 --expect-generation 2
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Argument(help: ArgumentHelp("The resource: KIND/NAME.", valueName: "resource"))
    var resource: String

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("A field of status by dot path, and its YAML value (repeatable).", valueName: "path=value"))
    var assignments: [String] = []

    @Option(
        name: .customLong("condition"),
        help: ArgumentHelp("A condition: TYPE=STATUS[:REASON[:MESSAGE]] (repeatable).", valueName: "condition"))
    var conditions: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("Write only if the spec is at this generation.", valueName: "n"))
    var expectGeneration: Int64?

    func validate() throws {
        do {
            _ = try edit()
        } catch let error as ToolError {
            throw ValidationError(error.message)
        }
        guard try ResourceReference.parse([resource]).count == 1 else {
            throw ValidationError("give one resource, KIND/NAME")
        }
    }

    private func edit() throws -> StatusEdit {
        StatusEdit(
            assignments: try assignments.map(StatusEdit.Assignment.init(parsing:)),
            conditions: try conditions.map(StatusEdit.ConditionSetting.init(parsing:)))
    }

    func run() async throws {
        try await ErrorReporting.run {
            let edit = try edit()
            let reference = try ResourceReference.parse([resource])[0]
            let opened = try await Exchange.open(exchange, role: .consumer)
            let lookup = try await opened.lookup(typed: reference.typedKind, names: [reference.name])
            let key = lookup.key(reference.name, namespace: opened.namespace)
            if let error = lookup.unreadable[reference.name] { throw ToolError(UnreadableFiles.message(key, error)) }
            guard let stored = lookup.found[reference.name] else {
                throw Lookup.notFound(kind: lookup.kind, name: reference.name, namespace: opened.namespace)
            }
            let name = "\(lookup.kind)/\(reference.name)"
            if let expected = expectGeneration, stored.generation != expected {
                throw ToolError(
                    "\(name)'s spec is at generation \(stored.generation), not \(expected); nothing written: "
                        + "act on generation \(stored.generation) and write its status with --expect-generation \(stored.generation)")
            }
            let status = try edit.applied(
                to: stored.resource.status ?? DynamicStatus(), generation: stored.resource.metadata.generation)
            let outcome = try await lookup.store.write(.status(key, status, specDigest: stored.specDigest))
            switch outcome {
            case .statusWritten:
                StandardOutput.write("\(name) status written (generation \(stored.generation))\n")
            case .unchanged:
                StandardOutput.write("\(name) status unchanged (generation \(stored.generation))\n")
            case .stale(let generation):
                throw ToolError(
                    "\(name) changed to generation \(generation) while its status was written; nothing written: "
                        + "act on generation \(generation) and write its status again")
            case .gone, .notFound:
                throw ToolError("\(name) was deleted or archived meanwhile; nothing written")
            default:
                throw ToolError("\(name): \(outcome)")
            }
        }
    }
}
